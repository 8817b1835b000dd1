"""Wall time of ``python -m model run`` on every shipped scenario, with 1 and 2 workers.

    python benchmarks/bench_batch.py [--repeats 3] [--workers 1 2]

Each repeat is a fresh process (what a user waits for: start-up, model load, runs, scorecard,
figures, manifest) writing into a new temporary folder. Prints the median wall time, runs per
second (scenarios / wall time) and the machine's load; checks that every worker count writes the
same results.csv and scorecard.csv.
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


def one_batch(workers: int, out: Path) -> float:
    command = [sys.executable, "-m", "model", "run", *SCENARIOS, "--out", str(out),
               "--workers", str(workers), "--no-progress"]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="batches per worker count (median reported)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time")
    args = parser.parse_args()
    n = len(SCENARIOS)
    print(f"{n} shipped scenarios, 2010-2020; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    outputs = {}
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        one_batch(1, Path(tmp) / "warm-up")  # PySD translation cache, file system cache
        for workers in args.workers:
            times = []
            for repeat in range(max(args.repeats, 1)):
                out = Path(tmp) / f"w{workers}-{repeat}"
                times.append(one_batch(workers, out))
            outputs[workers] = [(out / name).read_bytes() for name in ("results.csv", "scorecard.csv")]
            median = statistics.median(times)
            print(f"--workers {workers}: median {median:6.2f} s wall (min {min(times):.2f}, max {max(times):.2f}, "
                  f"{len(times)} batches); {n / median:5.2f} runs/s")
    same = len({tuple(v) for v in outputs.values()}) == 1
    print(f"results.csv and scorecard.csv identical across worker counts: {same}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
