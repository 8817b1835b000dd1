"""Scenario discovery speed: ``model.discover`` with 200 members (the default inputs: uncertain
parameters plus levers within +-20 % of their range) for one plan target, PRIM and CART,
split into the ensemble and the box search.

    python benchmarks/bench_discover.py [--members 200] [--scenario scenarios/plan.yaml] [--target PLAN:ID]

Without --target the first target of model/data/plan_targets.csv is used. Prints the machine's
load average too: other processes sharing the CPU slow every figure.
"""
from __future__ import annotations

import argparse
import os
import time

import model
from model.discover import core, discover, find_target
from model.paths import SCENARIO_DIR
from model.scenarios import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--scenario", default=str(SCENARIO_DIR / "plan.yaml"))
    parser.add_argument("--target", default=None)
    args = parser.parse_args()

    started = time.perf_counter()
    project = model.Project(engine="simlin")
    print(f"model read in {time.perf_counter() - started:.1f} s")
    scenario = load_scenario(args.scenario, project)
    targets = project.targets
    target = find_target(args.target or f"{targets['plan'].iloc[0]}:{targets['id'].iloc[0]}", targets)
    discover(project, scenario.levers, target, members=20, seed=0)  # warm-up: compile, imports
    for method in core.METHODS:
        found = {}
        finder = core._prim_boxes if method == "prim" else core._cart_boxes

        def timed(*a, _finder=finder):
            start = time.perf_counter()
            out = _finder(*a)
            found["boxes"] = time.perf_counter() - start
            return out

        setattr(core, f"_{method}_boxes", timed)
        try:
            start = time.perf_counter()
            result = discover(project, scenario.levers, target, members=args.members, method=method, seed=1)
            total = time.perf_counter() - start
        finally:
            setattr(core, f"_{method}_boxes", finder)
        print(f"{method}: {args.members} members, {result.inputs.shape[1]} inputs, target {result.name}: "
              f"{total:.2f} s in all ({found.get('boxes', 0.0):.2f} s box search); outcome {result.outcome}, "
              f"{int(result.missed.sum())} missed, {len(result.boxes)} box(es)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
