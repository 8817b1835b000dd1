"""Server-side time from a changed lever to a finished rerun of the Streamlit app (AppTest).

    python benchmarks/bench_app.py [--runs 40] [--engine simlin|pysd|both] [--uncertainty-runs 10]

Each measured step moves one lever by one slider step to a lever set never seen before (so the
run cache cannot answer) and times ``AppTest.run()``: the full script rerun with one model run,
the scorecard, four charts, the table and the model tab, plus AppTest's own bookkeeping.
Prints the median wall time with quartiles and the median CPU time of the process per engine,
with the machine's load average (on a busy machine the wall time exceeds the CPU time).
Goal (issue "The Streamlit app"): median at most 150 ms.

Uncertainty switch (issue 6, goal about 2 s): in a fresh process, the time from switching
uncertainty on to a finished rerun (the first time, which also loads the ensemble engine, and
again for a lever set whose ensemble is cached), then the median over lever changes with the
switch on, each to a new lever set (a new ensemble of ``webapp.runs.ENSEMBLE_MEMBERS`` members).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # app.py's folder; webapp is imported as installed


def measure(runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (this process: script thread and AppTest) of ``runs`` reruns."""
    from streamlit.testing.v1 import AppTest

    from webapp import runs as app_runs
    from webapp import state

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()  # loads the model once for the process
    if at.exception:
        raise SystemExit(f"the app failed: {at.exception[0].message}")
    levers = app_runs.catalog().levers
    position = {row["id"]: float(at.slider(key=state.lever_key(row["id"])).value) for row in levers}
    times, cpu, step = [], [], 0
    while len(times) < runs + 2:  # two warm-up steps
        row = levers[step % len(levers)]
        step += 1
        value = position[row["id"]] + row["step"]
        if value > row["max"] + 1e-12:
            continue  # this lever is at its maximum; the walk only goes up, so no set repeats
        position[row["id"]] = value
        slider = at.slider(key=state.lever_key(row["id"])).set_value(value)
        start, start_cpu = time.perf_counter(), time.process_time()
        slider.run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if at.exception:
            raise SystemExit(f"the app failed: {at.exception[0].message}")
    return times[2:], cpu[2:]


def new_lever_values(at, levers, position: dict, step: int):
    """The next slider to move one step up to a lever set never seen before, and its value."""
    while True:
        row = levers[step % len(levers)]
        step += 1
        value = position[row["id"]] + row["step"]
        if value <= row["max"] + 1e-12:
            position[row["id"]] = value
            return row, value, step


def measure_uncertainty(runs: int) -> None:
    """Print the rerun times with the uncertainty switch (see the module docstring)."""
    from streamlit.testing.v1 import AppTest

    from webapp import runs as app_runs
    from webapp import state

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()  # loads the page's model; the ensemble engine is not loaded until the switch is on

    def timed(widget) -> float:
        start = time.perf_counter()
        widget.run()
        if at.exception:
            raise SystemExit(f"the app failed: {at.exception[0].message}")
        if not at.progress:
            raise SystemExit("the uncertainty switch showed no probabilities")
        return time.perf_counter() - start

    first = timed(at.toggle(key=state.UNCERTAINTY_KEY).set_value(True))
    at.toggle(key=state.UNCERTAINTY_KEY).set_value(False).run()
    cached = timed(at.toggle(key=state.UNCERTAINTY_KEY).set_value(True))
    levers = app_runs.catalog().levers
    position = {row["id"]: float(at.slider(key=state.lever_key(row["id"])).value) for row in levers}
    times, step = [], 0
    for _ in range(runs):
        row, value, step = new_lever_values(at, levers, position, step)
        times.append(timed(at.slider(key=state.lever_key(row["id"])).set_value(value)))
    q1, median, q3 = statistics.quantiles(times, n=4) if len(times) > 1 else (times[0],) * 3
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    members = app_runs.ENSEMBLE_MEMBERS
    print(f"uncertainty switch on ({members} members), first time (loads the ensemble engine): {first:.2f} s; "
          f"again for cached levers: {cached * 1000:.0f} ms", flush=True)
    print(f"lever change with the uncertainty switch on ({members} members): median {median:.2f} s wall "
          f"(quartiles {q1:.2f}-{q3:.2f} s); {len(times)} reruns, load average {load:.2f}; goal about 2 s",
          flush=True)


def report(engine: str, times: list[float], cpu: list[float]) -> None:
    q1, median, q3 = statistics.quantiles([t * 1000 for t in times], n=4)
    cpu_median = statistics.median(cpu) * 1000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"app rerun after a lever change, engine {engine:6s}  median {median:6.1f} ms wall "
          f"(quartiles {q1:.1f}-{q3:.1f} ms), {cpu_median:6.1f} ms CPU; {len(times)} reruns, "
          f"load average {load:.2f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="measured reruns per engine (default 40)")
    parser.add_argument("--engine", choices=("simlin", "pysd", "both"), default="both",
                        help="engine serving the page (default: both, each in its own process)")
    parser.add_argument("--uncertainty-runs", type=int, default=10,
                        help="lever changes timed with the uncertainty switch on (default 10; 0 skips)")
    parser.add_argument("--section", choices=("levers", "uncertainty"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.section is None:  # every section in a fresh process of its own
        engines = ("simlin", "pysd") if args.engine == "both" else (args.engine,)
        jobs = [("levers", engine) for engine in engines]
        if args.uncertainty_runs > 0:  # ensembles always run on Simlin; the page's engine hardly matters
            jobs.append(("uncertainty", engines[0]))
        for section, engine in jobs:
            code = subprocess.call([sys.executable, __file__, "--runs", str(args.runs), "--engine", engine,
                                    "--uncertainty-runs", str(args.uncertainty_runs), "--section", section])
            if code:
                return code
        return 0
    os.environ["PLANSIM_APP_ENGINE"] = args.engine  # read once, when the app loads the model
    if args.section == "uncertainty":
        measure_uncertainty(args.uncertainty_runs)
    else:
        report(args.engine, *measure(args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
