"""Subcommands ``uncertainty`` and ``sensitivity`` (python -m model ...).

    python -m model uncertainty scenarios/plan.yaml --samples 10000 --seed 1 --out out/plan-unc
    python -m model sensitivity scenarios/plan.yaml --method sobol --samples 1024 --out out/plan-sobol

Both run on Simlin by default (``--engine pysd``: the reference engine, same results to 1e-9),
locally in worker processes, or on a Dask cluster with ``--scheduler tcp://HOST:PORT`` (same
results for the same seed): one executor (``model.experiments.executor``). Each writes a
manifest.json saying how its files were made.
"""
from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from ..declaration import DEFAULT_FINAL_YEAR
from ..errors import PlanSimError
from ..experiments.outdir import HELP_FORCE, HELP_OUT, OutputFolder, now, write_manifest
from ..metadata import round_to_precision
from . import args as cli_args
from .scenarios import add_lang


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file (SCENARIO.yaml, see scenarios/)")
    p.add_argument("--seed", type=cli_args.seed, default=0,
                   help="random seed, 0 to 2**32-1 (same seed, same members; default 0)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="output folder (must not exist or be empty, unless --force)")
    p.add_argument("--force", action="store_true", help=HELP_FORCE)
    p.add_argument("--final-year", type=cli_args.final_year, default=DEFAULT_FINAL_YEAR,
                   help="last year, %d-%d (default 2020)" % cli_args.FINAL_YEAR_RANGE)
    p.add_argument("--workers", type=cli_args.workers, default=None,
                   help="local worker processes, 1 to the number of cores (default: one per core; 1 runs in "
                        "this process)")
    p.add_argument("--scheduler", type=cli_args.scheduler, default=None, metavar="tcp://HOST:PORT",
                   help="run the chunks on this Dask distributed scheduler instead of locally (checked first: "
                        "exit 2 within seconds if it does not answer)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    cli_args.add_engine(p, "simlin")
    add_lang(p)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``uncertainty`` and ``sensitivity`` subcommands."""
    from ..experiments.uncertainty import UNCERTAINTIES_FILE

    p = sub.add_parser(
        "uncertainty", help="ensemble over the uncertain parameters: bands and target probabilities",
        description="Sample the uncertain parameters (Latin hypercube), run every member with the scenario's "
                    "levers, and write bands.csv, target_probabilities.csv, samples.csv (each member's inputs), "
                    "outcomes.csv (each member's scored indicators in their target years: member, indicator, "
                    "year, value), fan charts and manifest.json.\n\n" + HELP_OUT,
        epilog="example: python -m model uncertainty scenarios/plan.yaml --samples 10000 --seed 1 --out out/plan",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(p)
    p.add_argument("--samples", type=cli_args.uncertainty_samples, default=1000,
                   help="ensemble members, %d to %s (default 1000)" % (cli_args.UNCERTAINTY_SAMPLES_RANGE[0],
                                                                      f"{cli_args.UNCERTAINTY_SAMPLES_RANGE[1]:,}"))
    p.add_argument("--uncertainties", type=Path, default=UNCERTAINTIES_FILE,
                   help="uncertainty declarations (default model/uncertainties.yaml)")
    p.set_defaults(func=_uncertainty)

    p = sub.add_parser(
        "sensitivity", help="global sensitivity (Sobol' or Morris) of every scored indicator",
        description="Vary the levers and/or the uncertain parameters with SALib's sampling, run every member, "
                    "and write indices.csv, one bar chart per target and manifest.json.\n\n" + HELP_OUT,
        epilog="example: python -m model sensitivity scenarios/plan.yaml --method sobol --samples 1024 --out out/sobol",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(p)
    p.add_argument("--method", choices=["sobol", "morris"], default="sobol", help="SALib method (default sobol)")
    p.add_argument("--samples", type=cli_args.sensitivity_samples, default=1024,
                   help="Sobol': base sample N, a power of 2 (runs N*(D+2)); Morris: trajectories (runs N*(D+1)); "
                        "%d to %s, at most %s runs" % (cli_args.SENSITIVITY_SAMPLES_RANGE[0],
                                                      f"{cli_args.SENSITIVITY_SAMPLES_RANGE[1]:,}",
                                                      f"{cli_args.MAX_SENSITIVITY_RUNS:,}"))
    p.add_argument("--over", choices=["levers", "uncertainties", "both"], default="levers",
                   help="inputs varied: levers over their allowed ranges, uncertain parameters over their "
                        "distributions, or both (default levers; the rest stay at the scenario's values)")
    p.add_argument("--uncertainties", type=Path, default=UNCERTAINTIES_FILE,
                   help="uncertainty declarations (default model/uncertainties.yaml)")
    p.add_argument("--start-years", type=int, nargs=2, metavar=("FIRST", "LAST"), default=None,
                   help="also vary when each lever's path starts, uniformly over FIRST..LAST (e.g. 2011 2018): "
                        "inputs '<lever> start year'")
    p.add_argument("--dummy", action="store_true",
                   help="add an input that no model variable reads: its indices show the numerical noise floor")
    p.set_defaults(func=_sensitivity)


def _reporting_errors(command):
    """Bad input ends the command with 'error: ...' on stderr: exit 1 for a bad scenario file,
    2 for anything else (nothing was run or written)."""
    @functools.wraps(command)
    def wrapped(args: argparse.Namespace) -> int:
        from ..scenarios import ScenarioError

        try:
            return command(args)
        except ScenarioError as err:
            print("FAILED " + "\n  ".join(err.problems), file=sys.stderr)
            return 1
        except PlanSimError as err:
            print(f"error: {str(err)[:2000]}", file=sys.stderr)
            return 2

    return wrapped


def outcomes_table(ensemble, probabilities) -> "pd.DataFrame":
    """Each member's value of every scored indicator in its target years, for scenario
    discovery beside samples.csv: columns member, indicator, year, value (rounded to the
    indicator's precision)."""
    import numpy as np
    import pandas as pd

    pairs = list(dict.fromkeys(zip(probabilities["indicator"], probabilities["year"].astype(int))))
    years = {int(y): k for k, y in enumerate(ensemble.years)}
    members = np.arange(len(ensemble))
    frames = [pd.DataFrame({"member": members, "indicator": ind, "year": year,
                            "value": ensemble.values[:, years[year], ensemble.indicators.index(ind)]})
              for ind, year in pairs]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["member", "indicator", "year", "value"])
    out["value"] = round_to_precision(out["value"], out["indicator"])
    return out.sort_values(["member", "indicator", "year"], kind="stable").reset_index(drop=True)


def _settings(args) -> dict:
    return {"final_year": args.final_year, "seed": args.seed, "samples": args.samples, "lang": args.lang,
            "workers": args.workers, "scheduler": args.scheduler, "force": args.force, "engine": args.engine,
            "where": f"Dask scheduler {args.scheduler}" if args.scheduler else
                     f"this machine, {args.workers or 'one per CPU (small runs: one)'} worker process(es)"}


def _argv(args) -> list[str]:
    return ["python", "-m", "model", *(sys.argv[1:] if sys.argv[0].endswith(("model", "__main__.py")) else [args.command])]


@_reporting_errors
def _uncertainty(args: argparse.Namespace) -> int:
    from ..experiments import uncertainty as unc
    from ..experiments.batch import scenario_entries
    from ..figures.fans import fan_charts

    started = now()
    with OutputFolder(args.out, args.force) as out:
        scenario, runner = _setup(args)
        executor = _executor(args, args.samples)
        uncertainties = unc.load_uncertainties(args.uncertainties, reference=runner.project)
        with _progress(args, args.samples) as bar, executor:
            ensemble = unc.run_uncertainty(
                scenario.levers, args.samples, args.seed, uncertainties=uncertainties, runner=runner,
                final_year=args.final_year, executor=executor, progress=bar,
            )
        bands = unc.bands(ensemble)
        probabilities = unc.target_probabilities(ensemble)
        rounded = bands.copy()
        for column in rounded.columns[2:]:
            rounded[column] = round_to_precision(rounded[column], rounded["indicator"])
        rounded.to_csv(out / "bands.csv", index=False)
        probabilities.to_csv(out / "target_probabilities.csv", index=False)
        ensemble.inputs.rename_axis("member").to_csv(out / "samples.csv")
        outcomes_table(ensemble, probabilities).to_csv(out / "outcomes.csv", index=False)
        scored = list(dict.fromkeys(probabilities["indicator"]))
        title = getattr(scenario, f"title_{args.lang}")
        figures = fan_charts(bands, out / "figures", scored, table=runner.project.indicators(),
                                 probabilities=probabilities, title=title, lang=args.lang)
        write_manifest(
            out, command="uncertainty", argv=_argv(args), started=started, settings=_settings(args),
            scenarios=scenario_entries([scenario], runner.project), failures=[],
            outputs=["bands.csv", "target_probabilities.csv", "samples.csv", "outcomes.csv"]
                    + [str(p.relative_to(out)) for p in figures],
            details={
                "members": len(ensemble), "sampling": "Latin hypercube (scipy.stats.qmc.LatinHypercube)",
                "uncertainties": [
                    {"parameter": u.name, "distribution": u.describe(), "basis": u.basis, "source": u.source}
                    for u in uncertainties
                ],
            })
    seconds = (now() - started).total_seconds()
    print(f"{len(ensemble)} members of '{scenario.name}' in {seconds:.1f} s; written to {args.out}")
    print(probabilities[["plan", "target_id", "year", "probability_met"]].to_string(index=False))
    return 0


@_reporting_errors
def _sensitivity(args: argparse.Namespace) -> int:
    from ..experiments import sensitivity as sens
    from ..experiments.batch import scenario_entries
    from ..experiments.uncertainty import load_uncertainties
    from ..figures.sensitivity import bar_charts

    started = now()
    with OutputFolder(args.out, args.force) as out:
        scenario, runner = _setup(args)
        uncertainties = load_uncertainties(args.uncertainties, reference=runner.project) \
            if args.over in ("uncertainties", "both") else []
        inputs = sens.factors(runner, levers=args.over in ("levers", "both"), uncertainties=uncertainties,
                              dummy=args.dummy, start_years=args.start_years)
        runs = sens.n_runs(inputs, args.method, args.samples)
        if runs > cli_args.MAX_SENSITIVITY_RUNS:
            raise PlanSimError(f"--samples {args.samples:,} means {runs:,} model runs with {len(inputs)} inputs; "
                               f"at most {cli_args.MAX_SENSITIVITY_RUNS:,} are allowed")
        executor = _executor(args, runs)
        with _progress(args, runs) as bar, executor:
            indices = sens.run_sensitivity(
                runner, scenario.levers, method=args.method, n=args.samples, seed=args.seed,
                over_levers=args.over in ("levers", "both"), uncertainties=uncertainties, dummy=args.dummy,
                final_year=args.final_year, executor=executor, progress=bar, start_years=args.start_years,
            )
        indices.to_csv(out / "indices.csv", index=False)
        levers = runner.project.levers()
        figures = bar_charts(indices, out / "figures", runner.project.indicators()["unit"].to_dict(),
                                  lang=args.lang, labels=dict(zip(levers["name"], levers[f"label_{args.lang}"])))
        write_manifest(
            out, command="sensitivity", argv=_argv(args), started=started, settings=_settings(args),
            scenarios=scenario_entries([scenario], runner.project), failures=[],
            outputs=["indices.csv"] + [str(p.relative_to(out)) for p in figures],
            details={
                "method": args.method, "runs": runs, "over": args.over,
                "inputs": [{"input": f.name, "kind": f.kind} for f in inputs],
                "confidence_level": sens.CONF_LEVEL, "bootstrap_resamples": sens.NUM_RESAMPLES,
            })
    seconds = (now() - started).total_seconds()
    print(f"{args.method} analysis of '{scenario.name}': {runs} runs in {seconds:.1f} s; written to {args.out}")
    key = "ST" if args.method == "sobol" else "mu_star"
    top = indices.sort_values(key, ascending=False).groupby(["plan", "target_id"], sort=False).head(1)
    print("most influential input per target:")
    print(top[["plan", "target_id", "year", "input", key]].to_string(index=False))
    return 0


def _setup(args):
    """The scenario (a bad file is reported by name) and the runner on the project of --engine."""
    from ..scenarios import load_scenario
    from ..experiments.ensemble import EnsembleRunner
    from ..project import Project

    project = Project(engine=args.engine)
    return load_scenario(args.scenario, project), EnsembleRunner(project)


def _executor(args, members: int):
    """With --scheduler a Dask cluster that answered (else SchedulerError, exit 2, before any
    run); else --workers local processes (default: one per core, but this process for at most
    ensemble.IN_PROCESS_MAX_MEMBERS members)."""
    from ..experiments import executor as executors
    from ..experiments.ensemble import IN_PROCESS_MAX_MEMBERS

    workers = args.workers
    if workers is None and args.scheduler is None and members <= IN_PROCESS_MAX_MEMBERS:
        workers = 1
    return executors.create(workers, args.scheduler)


class _progress:
    """A tqdm bar counting members (on stderr; off with --no-progress or when not a terminal)."""

    def __init__(self, args, total: int):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="member", disable=True if args.no_progress else None, file=sys.stderr)

    def __enter__(self):
        return self.bar.update

    def __exit__(self, *exc):
        self.bar.close()
        return False
