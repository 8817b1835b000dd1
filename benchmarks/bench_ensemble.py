"""Ensemble and sensitivity speed: a 10,000-member 2010-2020 uncertainty ensemble (fast engine,
local worker processes) beside the estimated time of the same ensemble with PySD one run at a
time; a Sobol' analysis over all levers; the app's 500-member ensemble.

    python benchmarks/bench_ensemble.py [--members 10000] [--pysd-runs 200] [--sobol-n 1024] [--workers N]

Goals (issue "Uncertainty, sensitivity and fast ensembles"): 10,000 members in at most 20 s and
Sobol' with N = 1024 over all levers in at most 60 s, on a 2-core machine. Prints the machine's
load average too: other processes sharing the CPU slow every figure.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import psutil

import model
from model.experiments import sensitivity, uncertainty
from model.experiments.ensemble import EnsembleRunner


def peak_mib() -> tuple[float, float]:
    """Peak resident memory (MiB) of this process and the largest peak among its live child
    processes (the worker pool; Linux /proc VmHWM), finished children included."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for child in psutil.Process().children(recursive=True):
        try:
            status = Path(f"/proc/{child.pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                children = max(children, int(line.split()[1]) / 1024)
    return own, children


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000, help="ensemble members (default 10000)")
    parser.add_argument("--pysd-runs", type=int, default=200, help="PySD runs timed for the estimate (default 200)")
    parser.add_argument("--sobol-n", type=int, default=1024, help="Sobol' base sample N (default 1024)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default one per CPU)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    levers = {"RD intensity target": 0.033, "coal share target": 0.4, "rail construction starts plan": 60.0}
    print(f"start: {load()}")

    start = time.perf_counter()
    shanghai = model.load()  # PySD: the reference single runs below
    runner = EnsembleRunner(shanghai.with_engine("simlin"))
    unknowns = uncertainty.load_uncertainties(reference=shanghai)
    print(f"load model and {len(unknowns)} uncertainties: {time.perf_counter() - start:.2f} s")

    # PySD one run at a time, the same kind of member (sampled parameters, the same levers)
    members = uncertainty.sample(unknowns, args.pysd_runs, args.seed)
    times = []
    for row in members.to_dict("records"):
        t0 = time.perf_counter()
        shanghai.run(levers, params=row)
        times.append(time.perf_counter() - t0)
    per_run = statistics.mean(times)
    print(f"PySD, one run at a time: {per_run * 1e3:.1f} ms per run (mean of {len(times)}; median "
          f"{statistics.median(times) * 1e3:.1f} ms) -> estimated {per_run * args.members:.0f} s for {args.members} members")

    # the fast ensemble: first call starts the worker pool, second reuses it
    for label in ("cold (starts worker processes)", "warm (pool reused)"):
        t0 = time.perf_counter()
        ensemble = uncertainty.run_uncertainty(levers, args.members, args.seed, uncertainties=unknowns,
                                               runner=runner, workers=args.workers)
        elapsed = time.perf_counter() - t0
        print(f"fast ensemble, {args.members} members 2010-2020, {label}: {elapsed:.2f} s "
              f"({elapsed / args.members * 1e3:.3f} ms per member; {per_run * args.members / elapsed:.0f}x PySD)")
    t0 = time.perf_counter()
    bands = uncertainty.bands(ensemble)
    probabilities = uncertainty.target_probabilities(ensemble)
    print(f"bands ({len(bands)} rows) and target probabilities ({len(probabilities)} targets): "
          f"{time.perf_counter() - t0:.2f} s")
    own, child = peak_mib()
    print(f"peak memory: this process {own:.0f} MiB, largest worker process {child:.0f} MiB; "
          f"ensemble array {ensemble.values.nbytes / 2**20:.0f} MiB")
    print(f"after ensembles: {load()}")

    t0 = time.perf_counter()
    indices = sensitivity.run_sensitivity(runner, levers, method="sobol", n=args.sobol_n, seed=args.seed,
                                          workers=args.workers)
    elapsed = time.perf_counter() - t0
    runs = sensitivity.n_runs(sensitivity.factors(runner), "sobol", args.sobol_n)
    n_targets = len(indices[["plan", "target_id"]].drop_duplicates())
    print(f"Sobol' N={args.sobol_n} over all {len(shanghai.levers())} levers: {runs} runs, {n_targets} targets "
          f"analysed, {elapsed:.2f} s")

    app = model.load("simlin")
    declared = uncertainty.load_uncertainties(reference=app)  # read once, as the app does
    uncertainty.ensemble_for_levers(app, levers, n_members=500, uncertainties=declared)  # compiles the model
    times = []
    for k in range(5):
        t0 = time.perf_counter()
        uncertainty.ensemble_for_levers(app, {**levers, "energy saving effort": 0.02 + 0.005 * k}, n_members=500,
                                        uncertainties=declared)
        times.append(time.perf_counter() - t0)
    print(f"app: ensemble_for_levers, 500 members with bands and probabilities: median {statistics.median(times):.2f} s")
    print(f"end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
