"""Subcommands ``uncertainty`` and ``sensitivity`` (python -m model ...).

    python -m model uncertainty scenarios/plan.yaml --samples 10000 --seed 1 --out out/plan-unc
    python -m model sensitivity scenarios/plan.yaml --method sobol --samples 1024 --out out/plan-sobol

Both run locally in worker processes, or on a Dask cluster with ``--scheduler tcp://HOST:PORT``
(same results for the same seed). Each writes a manifest.json saying how its files were made.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from .engine import DEFAULT_FINAL_YEAR
from .errors import PlanSimError
from .paths import MODEL_FILE


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file (SCENARIO.yaml, see scenarios/)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same members; default 0)")
    p.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    p.add_argument("--final-year", type=int, default=DEFAULT_FINAL_YEAR, help="last year (default 2020)")
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default: one per CPU; 1 runs in this process)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run the chunks on this Dask distributed scheduler instead of locally")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``uncertainty`` and ``sensitivity`` subcommands."""
    from .uncertainty import UNCERTAINTIES_FILE

    p = sub.add_parser(
        "uncertainty", help="ensemble over the uncertain parameters: bands and target probabilities",
        description="Sample the uncertain parameters (Latin hypercube), run every member with the scenario's "
                    "levers, and write bands.csv, target_probabilities.csv, samples.csv, fan charts and manifest.json.",
        epilog="example: python -m model uncertainty scenarios/plan.yaml --samples 10000 --seed 1 --out out/plan",
    )
    _common(p)
    p.add_argument("--samples", type=int, default=1000, help="ensemble members (default 1000)")
    p.add_argument("--uncertainties", type=Path, default=UNCERTAINTIES_FILE,
                   help="uncertainty declarations (default model/uncertainties.yaml)")
    p.set_defaults(func=_uncertainty)

    p = sub.add_parser(
        "sensitivity", help="global sensitivity (Sobol' or Morris) of every scored indicator",
        description="Vary the levers and/or the uncertain parameters with SALib's sampling, run every member, "
                    "and write indices.csv, one bar chart per target and manifest.json.",
        epilog="example: python -m model sensitivity scenarios/plan.yaml --method sobol --samples 1024 --out out/sobol",
    )
    _common(p)
    p.add_argument("--method", choices=["sobol", "morris"], default="sobol", help="SALib method (default sobol)")
    p.add_argument("--samples", type=int, default=1024,
                   help="Sobol': base sample N, a power of 2 (runs N*(D+2)); Morris: trajectories (runs N*(D+1))")
    p.add_argument("--over", choices=["levers", "uncertainties", "both"], default="levers",
                   help="inputs varied: levers over their allowed ranges, uncertain parameters over their "
                        "distributions, or both (default levers; the rest stay at the scenario's values)")
    p.add_argument("--uncertainties", type=Path, default=UNCERTAINTIES_FILE,
                   help="uncertainty declarations (default model/uncertainties.yaml)")
    p.add_argument("--dummy", action="store_true",
                   help="add an input that no model variable reads: its indices show the numerical noise floor")
    p.set_defaults(func=_sensitivity)


def _reporting_errors(command):
    """Bad input (PlanSimError) ends the command with 'error: ...' on stderr and exit code 2."""
    @functools.wraps(command)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except PlanSimError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2

    return wrapped


@_reporting_errors
def _uncertainty(args: argparse.Namespace) -> int:
    from . import uncertainty as unc

    started = time.perf_counter()
    scenario, runner = _setup(args)
    uncertainties = unc.load_uncertainties(args.uncertainties, reference=runner.reference)
    with _progress(args, args.samples) as bar:
        ensemble = unc.run_uncertainty(
            scenario.levers, args.samples, args.seed, uncertainties=uncertainties, runner=runner,
            final_year=args.final_year, workers=args.workers, scheduler=args.scheduler, progress=bar,
        )
    out = _out_dir(args)
    bands = unc.bands(ensemble)
    probabilities = unc.target_probabilities(ensemble)
    bands.to_csv(out / "bands.csv", index=False)
    probabilities.to_csv(out / "target_probabilities.csv", index=False)
    ensemble.inputs.rename_axis("member").to_csv(out / "samples.csv")
    scored = list(dict.fromkeys(probabilities["indicator"]))
    figures = unc.fan_charts(bands, out / "figures", scored, table=runner.reference.indicators(),
                             probabilities=probabilities, title=scenario.name)
    _manifest(args, out, started, scenario, files=["bands.csv", "target_probabilities.csv", "samples.csv"] + [
        str(p.relative_to(out)) for p in figures], extra={
        "members": len(ensemble), "sampling": "Latin hypercube (scipy.stats.qmc.LatinHypercube)",
        "uncertainties": [
            {"parameter": u.name, "distribution": u.describe(), "basis": u.basis, "source": u.source}
            for u in uncertainties
        ],
    })
    print(f"{len(ensemble)} members of '{scenario.name}' in {time.perf_counter() - started:.1f} s; written to {out}")
    print(probabilities[["plan", "target_id", "year", "probability_met"]].to_string(index=False))
    return 0


@_reporting_errors
def _sensitivity(args: argparse.Namespace) -> int:
    from . import sensitivity as sens
    from .uncertainty import load_uncertainties

    started = time.perf_counter()
    scenario, runner = _setup(args)
    uncertainties = load_uncertainties(args.uncertainties, reference=runner.reference) \
        if args.over in ("uncertainties", "both") else []
    inputs = sens.factors(runner, levers=args.over in ("levers", "both"), uncertainties=uncertainties, dummy=args.dummy)
    runs = sens.n_runs(inputs, args.method, args.samples)
    with _progress(args, runs) as bar:
        indices = sens.run_sensitivity(
            runner, scenario.levers, method=args.method, n=args.samples, seed=args.seed,
            over_levers=args.over in ("levers", "both"), uncertainties=uncertainties, dummy=args.dummy,
            final_year=args.final_year, workers=args.workers, scheduler=args.scheduler, progress=bar,
        )
    out = _out_dir(args)
    indices.to_csv(out / "indices.csv", index=False)
    figures = sens.bar_charts(indices, out / "figures", runner.reference.indicators()["unit"].to_dict())
    _manifest(args, out, started, scenario, files=["indices.csv"] + [str(p.relative_to(out)) for p in figures], extra={
        "method": args.method, "runs": runs, "over": args.over,
        "inputs": [{"input": f.name, "kind": f.kind} for f in inputs],
        "confidence_level": sens.CONF_LEVEL, "bootstrap_resamples": sens.NUM_RESAMPLES,
    })
    print(f"{args.method} analysis of '{scenario.name}': {runs} runs in {time.perf_counter() - started:.1f} s; "
          f"written to {out}")
    key = "ST" if args.method == "sobol" else "mu_star"
    top = indices.sort_values(key, ascending=False).groupby(["plan", "target_id"], sort=False).head(1)
    print("most influential input per target:")
    print(top[["plan", "target_id", "year", "input", key]].to_string(index=False))
    return 0


def _setup(args):
    from .ensemble import EnsembleRunner
    from .scenarios import load_scenario
    from .uncertainty import _shared_model

    if args.samples < 1:
        raise PlanSimError(f"--samples must be at least 1, got {args.samples}")
    reference = _shared_model()
    return load_scenario(args.scenario, reference), EnsembleRunner(reference)


def _out_dir(args) -> Path:
    args.out.mkdir(parents=True, exist_ok=True)
    return args.out


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


def _manifest(args, out: Path, started: float, scenario, files: list[str], extra: dict) -> None:
    manifest = {
        "command": f"python -m model {args.command}",
        "arguments": {k: str(v) for k, v in vars(args).items() if k not in ("func", "command")},
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "scenario": {"name": scenario.name, "file": str(args.scenario), "levers": scenario.levers},
        "seed": args.seed, "samples": args.samples, "final_year": args.final_year,
        "engine": f"Simlin (pysimlin {version('pysimlin')})",
        "where": f"Dask scheduler {args.scheduler}" if args.scheduler else
                 f"this machine, {args.workers or 'one per CPU (small runs: one)'} worker process(es)",
        "model_file_sha256": hashlib.sha256(MODEL_FILE.read_bytes()).hexdigest(),
        "versions": {name: version(name) for name in ("numpy", "scipy", "pandas", "SALib", "pysimlin")},
        **extra,
        "wall_time_s": round(time.perf_counter() - started, 2),
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
