"""Benchmark of the calibration: cost of one 2000-2010 run per engine, and the full calibration.

    python benchmarks/bench_calibration.py            # full calibration into a temporary folder
    python benchmarks/bench_calibration.py --runs-only

(after the README's install, pip install -e ., which makes ``model`` and ``calibration`` importable)

Prints figures; asserts nothing. The full calibration is the same as ``python -m calibration``
(same seed and settings: the search, the bootstrap refits, the out-of-sample fit, the twin
experiment) but writes to a temporary folder, then compares its estimates with the
committed calibration/estimates.csv. The machine's load average is printed alongside: the two
cores are often shared, which slows every figure.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from calibration import results
from calibration.pipeline import run_calibration
from calibration.problem import Calibration


def _per_run(func, repeat: int) -> float:
    func()  # warm up
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat


def run_costs(problem: Calibration) -> None:
    theta = problem.spec.start
    params = problem.params(theta)
    simlin = problem.reference.with_engine("simlin")
    rows = [
        ("objective: problem.cost (Simlin engine)", _per_run(lambda: problem.cost(theta), 300)),
        ("engine alone: problem.simulate", _per_run(lambda: problem.simulate(theta), 300)),
        ("per run in a batch of 200: problem.simulate_many (the search's generations)",
         _per_run(lambda: problem.simulate_many(np.tile(theta, (200, 1))), 3) / 200),
        ("Project(simlin).run_variables", _per_run(lambda: simlin.run_variables(
            params=params, initial_year=2000, final_year=2010, variables=problem.variables), 100)),
        ("Project(pysd).run_variables", _per_run(lambda: problem.simulate_pysd(theta), 20)),
    ]
    print("One 2000-2010 run (ms):")
    for name, seconds in rows:
        print(f"  {name:<40} {seconds * 1000:8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-only", action="store_true", help="only the cost of one run")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)")
    problem = Calibration()
    run_costs(problem)
    if args.runs_only:
        return 0
    with tempfile.TemporaryDirectory() as out:
        outcome = run_calibration(Path(out), progress=False)
        fresh = pd.read_csv(Path(out) / results.ESTIMATES_FILE.name)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print("\nFull calibration (s):")
    for step, seconds in outcome["timings"].items():
        print(f"  {step:<40} {seconds:8.1f}")
    fit = outcome["fit"]
    print(f"  runs: {fit.evaluations}, objective {fit.cost:.6g}, "
          f"{'converged' if fit.converged else 'NOT converged'} after {fit.generations} generations")
    boot = outcome["bootstrap"]
    print(f"  bootstrap: {len(boot.draws)} refits of {boot.refits} ({boot.failed} failed)")
    committed = pd.read_csv(results.ESTIMATES_FILE)
    diff = np.max(np.abs(fresh["value"].to_numpy() / committed["value"].to_numpy() - 1),
                  where=committed["value"].to_numpy() != 0, initial=0.0)
    print(f"largest relative difference from the committed estimates: {diff:.2e}")
    print("\nGoals:")
    print(outcome["goals"].to_string(index=False))
    if outcome["out_of_sample"] is not None:
        print("\nOut-of-sample goals (fit 2000-2005, compare 2006-2010):")
        print(outcome["out_of_sample"]["evaluation"].goals.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
