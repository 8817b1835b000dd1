"""Median wall time of one 2010-2020 projection through the public API (``model.load(engine).run``,
levers checked, indicators derived), on each engine.

    python benchmarks/bench_model.py [--runs 50]      (after the README's install: pip install -e .)

Prints the median, quartiles and the machine's load so that figures can be compared.
Goals on a 2-core machine: PySD at most 25 ms (issue "The Shanghai stock-flow model"); Simlin at
most 2 ms (issue 11, the redesign).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import model


def timings(run, runs: int) -> list[float]:
    run()  # warm-up: caches, first-run setup
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return out


def report(label: str, seconds: list[float]) -> None:
    q1, median, q3 = statistics.quantiles(seconds, n=4)
    print(f"{label:<44} median {median * 1e3:7.2f} ms   (quartiles {q1 * 1e3:.2f}-{q3 * 1e3:.2f} ms, {len(seconds)} runs)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per case (at least 20)")
    args = parser.parse_args()
    runs = max(args.runs, 20)
    start = time.perf_counter()
    shanghai = model.load()
    print(f"load (translation cached): {time.perf_counter() - start:.2f} s; "
          f"time step {shanghai.control['TIME STEP']} year; load average {os.getloadavg()[0]:.2f}")
    plan = {"RD intensity target": 0.033, "coal share target": 0.4, "rail construction starts plan": 60}
    report("PySD: run() default levers, 2010-2020", timings(lambda: shanghai.run(), runs))
    report("PySD: run(levers) three levers, 2010-2020", timings(lambda: shanghai.run(plan), runs))
    fast = shanghai.with_engine("simlin")
    report("Simlin: run() default levers, 2010-2020", timings(lambda: fast.run(), runs))
    report("Simlin: run(levers) three levers, 2010-2020", timings(lambda: fast.run(plan), runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
