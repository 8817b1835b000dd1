"""Wall time of `python -m model explain`'s two parts: Simlin's loop analysis of one run (model
edited with the run's constants, Loops That Matter discovery) and the explanation of one
indicator from it (dominance of its loops, causes tree with two runs).

    python benchmarks/bench_explain.py [--runs 5] [--indicator gdp] [--scenario plan]

Prints the median and range of each part and the machine's load. The app caches the analysis per
lever set, so a Why? panel costs the analysis once, then only the explanation.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from model.explain import explain, loop_analysis
from model.paths import SCENARIO_DIR
from model.project import Project
from model.scenarios import load_scenario


def timed(work, runs: int) -> tuple[list[float], object]:
    out, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        out.append(time.perf_counter() - start)
    return out, result


def report(label: str, seconds: list[float]) -> None:
    print(f"{label:<46} median {statistics.median(seconds):6.2f} s   "
          f"(range {min(seconds):.2f}-{max(seconds):.2f} s, {len(seconds)} runs)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed repetitions (at least 3)")
    parser.add_argument("--indicator", default="gdp", help="indicator id (default gdp)")
    parser.add_argument("--scenario", default="plan", help="shipped scenario name (default plan)")
    args = parser.parse_args()
    runs = max(args.runs, 3)
    start = time.perf_counter()
    project = Project(engine="simlin")
    levers = load_scenario(SCENARIO_DIR / f"{args.scenario}.yaml", project.declaration).levers
    explain(project, args.indicator, levers)  # warm-up: model file read, compiled model
    print(f"set-up (model read, first explanation): {time.perf_counter() - start:.1f} s; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    seconds, analysis = timed(lambda: loop_analysis(project, levers, 2020), runs)
    report("loop analysis (Simlin, one run)", seconds)
    seconds, found = timed(lambda: explain(project, args.indicator, levers, analysis=analysis), runs)
    report(f"explanation of {args.indicator} (loops + causes tree)", seconds)
    print(f"\n{len(analysis['loops'])} loops found; {len(found.dominance.loops)} matter for {args.indicator}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
