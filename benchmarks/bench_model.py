"""Median wall time of one 2010-2020 projection through the public API (``model.load(engine).run``,
levers checked, indicators derived), on each engine.

    python benchmarks/bench_model.py [--runs 50]      (after the README's install: pip install -e .)

Prints the median, quartiles and the machine's load so that figures can be compared, and how
many Python calls one PySD run makes per time step (what bounds its speed).

On a 2-core machine: Simlin, the engine of every path where speed matters (the app,
ensembles, search, calibration), 3.5-5.5 ms (issue 11 asked 2 ms of the smaller model of
then). PySD is the reference: issue 13 asked for at most 25 ms, which PySD cannot reach with
this model. It evaluates every equation as a Python
function behind a cache wrapper: about 1,400 calls per time step, 320 steps to 2020 (time step
1/32 year, needed for the integration-error test). The benchmark prints the least such a run
can take on the machine: the calls alone (an empty Python call times the count) plus a run with
no time step (set-up and output table): 24-36 ms on ours (its speed varies by a third from one
minute to the next), as much as the whole goal before any arithmetic is done, against a median
of 75-130 ms. Only a time step of 1/8 year (which fails the integration-error test) or a much
smaller model would bring PySD to 25 ms.
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


def calls_per_step(shanghai) -> None:
    """Print the Python calls of one PySD run to 2020 per time step (cProfile's count)."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(shanghai.run)
    calls = pstats.Stats(profile).total_calls
    steps = round((2020 - shanghai.control["INITIAL TIME"]) / shanghai.control["TIME STEP"])

    def nothing():
        return 0.0

    start, n = time.perf_counter(), 1_000_000
    for _ in range(n):
        nothing()
    each = (time.perf_counter() - start) / n
    from model.declaration import RunTimes  # the public run needs one year at least: the engine itself

    none = RunTimes(float(shanghai.control["INITIAL TIME"]), int(shanghai.control["INITIAL TIME"]),
                    float(shanghai.control["TIME STEP"]))
    overrides, columns = shanghai.overrides(None, None), list(shanghai.declaration.indicator_variables())
    setup = statistics.median(timings(lambda: shanghai.engine.run(overrides, none, columns), 20))
    print(f"PySD: {calls / steps:,.0f} Python calls per time step ({steps} steps, {calls:,} calls a run); "
          f"an empty call takes {each * 1e6:.3f} us here, so the calls alone take {calls * each * 1e3:.0f} ms, "
          f"and a run with no time step {setup * 1e3:.0f} ms: at least {(calls * each + setup) * 1e3:.0f} ms a run")


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
    calls_per_step(shanghai)
    fast = shanghai.with_engine("simlin")
    report("Simlin: run() default levers, 2010-2020", timings(lambda: fast.run(), runs))
    report("Simlin: run(levers) three levers, 2010-2020", timings(lambda: fast.run(plan), runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
