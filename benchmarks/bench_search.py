"""Policy search speed (issue 14): a deterministic search over all levers, and a robust one with
200 uncertainty members per candidate on local worker processes.

    python benchmarks/bench_search.py [--targets binding] [--members 200] [--workers 2] [--skip-robust]

Goals: deterministic search over all levers <= 10 s; robust search with 200 members per
candidate <= 120 s on 2 cores. Prints the machine's load average too: other processes sharing
the CPU slow every figure. The model is read before the clock starts.
"""
from __future__ import annotations

import argparse
import os
import time

from model.experiments import executor as executors
from model.project import Project
from model.search import Settings, search


def report(label: str, found, seconds: float, goal: float) -> None:
    print(f"{label}: {seconds:.1f} s (goal <= {goal:g} s), {found.runs} model runs "
          f"({1000 * seconds / max(found.runs, 1):.2f} ms a run), targets met: {found.feasible}, "
          f"{len(found.changes)} lever(s) changed, change {found.change:.3f}")
    for row in found.changes.itertuples(index=False):
        print(f"    {row.lever}: {row.current_level:.4g} -> {row.proposed_level:.4g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="binding")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--robust", type=float, default=0.8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-robust", action="store_true")
    args = parser.parse_args()
    project = Project(engine="simlin")
    project.run()  # compile and warm the engine before timing
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} core(s)")

    began = time.perf_counter()
    found = search(project, Settings(targets=args.targets))
    report(f"deterministic search, all {len(project.levers())} levers, targets {args.targets}", found,
           time.perf_counter() - began, 10)

    if args.skip_robust:
        return
    with executors.create(args.workers) as executor:
        began = time.perf_counter()
        found = search(project, Settings(targets=args.targets, robust=args.robust, members=args.members),
                       executor=executor)
        seconds = time.perf_counter() - began
    report(f"robust search P >= {args.robust:g}, {args.members} members a candidate, {args.workers} worker(s)",
           found, seconds, 120)
    print(found.card[["plan", "target_id", "status", "probability_met"]].to_string(index=False))
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
