"""Wall time of ``python -m model run`` on every shipped scenario, with 1 and 2 workers.

    python benchmarks/bench_batch.py [--repeats 3] [--workers 1 2] [--large 50]

Each repeat is a fresh process (what a user waits for: start-up, model load, runs, scorecard,
figures, manifest) writing into a new temporary folder. Prints the median wall time, runs per
second (scenarios / wall time) and the machine's load; checks that every worker count writes the
same results.csv and scorecard.csv. ``--large N`` also times a batch of N scenarios: variants of
the plan scenario (rail starts and coal share on a grid) written to a temporary folder.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))


def variants(folder: Path, n: int) -> list[str]:
    """``n`` scenario files: the plan with rail starts and coal share varied on a grid."""
    from model.scenarios import load_scenario, scenario_to_yaml

    plan = load_scenario(ROOT / "scenarios" / "plan.yaml")
    paths = []
    for k in range(n):
        levers = {**plan.levers, "rail construction starts plan": 5.0 * (k % 20),
                  "coal share target": 0.30 + 0.01 * (k // 20)}
        path = folder / f"variant-{k:03d}.yaml"
        path.write_text(scenario_to_yaml(path.stem, "变体", "Variant", "Benchmark variant of plan.yaml.", levers),
                        encoding="utf-8")
        paths.append(str(path))
    return paths


def one_batch(workers: int, out: Path, scenarios: list[str] = SCENARIOS) -> float:
    command = [sys.executable, "-m", "model", "run", *scenarios, "--out", str(out),
               "--workers", str(workers), "--no-progress"]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="batches per worker count (median reported)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time")
    parser.add_argument("--large", type=int, default=0, metavar="N", help="also time a batch of N plan variants")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; runs 2010-2020")
    same = True
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        one_batch(1, Path(tmp) / "warm-up")  # PySD translation cache, file system cache
        batches = [("shipped", SCENARIOS)]
        if args.large:
            folder = Path(tmp) / "variants"
            folder.mkdir()
            batches.append(("variants", variants(folder, args.large)))
        for label, scenarios in batches:
            n, outputs, times = len(scenarios), {}, {w: [] for w in args.workers}
            # Interleaved (1, 2, 1, 2, ...): a change in the machine's load hits every count alike.
            for repeat in range(max(args.repeats, 1)):
                for workers in args.workers:
                    out = Path(tmp) / f"{label}-w{workers}-{repeat}"
                    times[workers].append(one_batch(workers, out, scenarios))
                    outputs[workers] = [(out / name).read_bytes() for name in ("results.csv", "scorecard.csv")]
            for workers in args.workers:
                median = statistics.median(times[workers])
                print(f"{n:3d} {label:<8} --workers {workers}: median {median:6.2f} s wall (min {min(times[workers]):.2f}, "
                      f"max {max(times[workers]):.2f}, {len(times[workers])} batches); {n / median:5.2f} runs/s")
            identical = len({tuple(v) for v in outputs.values()}) == 1
            same = same and identical
            print(f"    results.csv and scorecard.csv identical across worker counts: {identical}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
