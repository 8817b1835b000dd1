"""Subcommands ``run``, ``validate``, ``levers`` and ``compare`` of ``python -m model``.

Exit codes: 0 success; 1 a scenario failed or a file is invalid (the rest is still done);
2 nothing was done (unusable --out folder, bad option).
"""
from __future__ import annotations

import argparse
import math
import sys

import pandas as pd

from .engine import DEFAULT_FINAL_YEAR
from .errors import PlanSimError

COMPARE_YEARS = (2015, 2020)  # the 12th and 13th plans' target years
_WIDE = {"display.width": 250, "display.max_rows": None, "display.max_columns": None, "display.max_colwidth": 80}


def _formatter(description: str, epilog: str) -> dict:
    return {"description": description, "epilog": epilog, "formatter_class": argparse.RawDescriptionHelpFormatter}


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


# -- run -----------------------------------------------------------------------------------------
def _run(args: argparse.Namespace) -> int:
    from .batch import run_batch

    command = ["python", "-m", "model", "run", *args.scenarios, "--out", args.out, "--final-year", str(args.final_year)]
    command += ["--workers", str(args.workers)] if args.workers else []
    command += ["--force"] if args.force else []
    try:
        report = run_batch(args.scenarios, args.out, workers=args.workers, final_year=args.final_year,
                           force=args.force, progress=not args.no_progress, argv=command)
    except PlanSimError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    names = ", ".join(report.written) or "none"
    print(f"wrote {len(report.written)} scenario(s) to {report.out_dir}: {names}")
    for path in report.files:
        print(f"  {path.name}")
    if report.failures:
        print(f"\n{len(report.failures)} scenario(s) failed:", file=sys.stderr)
        for failure in report.failures:
            print(f"FAILED {failure.source}: {failure.reason}", file=sys.stderr)
        return 1
    return 0


# -- validate ------------------------------------------------------------------------------------
def _validate(args: argparse.Namespace) -> int:
    from . import load
    from .batch import load_batch

    scenarios, failures = load_batch(args.files, load())
    for s in scenarios:
        parent = f", extends {s.extends!r}" if s.extends else ""
        print(f"ok      {s.path}  ({s.name!r}{parent}, {len(s.levers)} lever override(s))")
    for failure in failures:
        print(f"INVALID {failure.source}: {failure.reason}")
    if failures:
        print(f"\n{len(failures)} of {len(failures) + len(scenarios)} file(s) invalid", file=sys.stderr)
        return 1
    return 0


# -- levers --------------------------------------------------------------------------------------
def _levers(args: argparse.Namespace) -> int:
    from . import load

    table = load().levers()[["name", "module", "label_zh", "label_en", "units", "min", "max", "step",
                             "default", "description"]]
    if args.csv:
        table.to_csv(sys.stdout, index=False)
        return 0
    with pd.option_context(*[x for item in _WIDE.items() for x in item]):
        print(table.to_string(index=False, float_format=lambda v: f"{v:g}"))
    return 0


# -- compare -------------------------------------------------------------------------------------
def _differs(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return False
    return not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def compare_runs(a: pd.DataFrame, b: pd.DataFrame, years) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicators whose values differ, and targets whose status differs, in ``years``."""
    from .scorecard import score

    units = a.attrs.get("units", {})
    rows = [
        {"year": y, "indicator": ind, "unit": units.get(ind, ""), "A": a.loc[y, ind], "B": b.loc[y, ind],
         "B - A": b.loc[y, ind] - a.loc[y, ind]}
        for y in years for ind in a.columns if _differs(a.loc[y, ind], b.loc[y, ind])
    ]
    values = pd.DataFrame(rows, columns=["year", "indicator", "unit", "A", "B", "B - A"])
    keys = ["plan", "target_id", "year", "op", "target", "attribute"]
    card = score(a).merge(score(b), on=keys, suffixes=(" A", " B"))
    card = card[card["year"].isin(years) & (card["status A"] != card["status B"])]
    statuses = card[keys + ["value A", "status A", "value B", "status B"]].reset_index(drop=True)
    return values, statuses


def _compare(args: argparse.Namespace) -> int:
    from . import load
    from .scenarios import ScenarioError, load_scenario

    shanghai = load()
    try:
        a, b = (load_scenario(path, shanghai) for path in (args.a, args.b))
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    years = [y for y in COMPARE_YEARS if y <= args.final_year]
    try:
        runs = [shanghai.run(s.levers, args.final_year) for s in (a, b)]
    except PlanSimError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    values, statuses = compare_runs(*runs, years)
    print(f"A = {a.name} ({a.path}), B = {b.name} ({b.path}); years {', '.join(map(str, years))}\n")
    changed = sorted(set(a.levers) | set(b.levers))
    defaults = shanghai.levers().set_index("name")["default"]
    lever_rows = [(n, a.levers.get(n, defaults[n]), b.levers.get(n, defaults[n])) for n in changed]
    lever_rows = [r for r in lever_rows if r[1] != r[2]]
    with pd.option_context(*[x for item in _WIDE.items() for x in item]):
        if lever_rows:
            print("Levers that differ:")
            print(pd.DataFrame(lever_rows, columns=["lever", "A", "B"]).to_string(index=False), "\n")
        if values.empty:
            print("No indicator differs.")
        else:
            print(f"Indicators that differ ({len(values)}):")
            print(values.to_string(index=False, float_format=lambda v: f"{v:,.3f}"), "\n")
        if statuses.empty:
            print("No target status differs.")
        else:
            print(f"Target statuses that differ ({len(statuses)}):")
            print(statuses.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    return 0


# -- registration --------------------------------------------------------------------------------
def register(sub: argparse._SubParsersAction) -> None:
    """Add run, validate, levers and compare to the ``python -m model`` parser."""
    p = sub.add_parser("run", help="run scenario files in parallel and write results, scorecard, figures",
                       **_formatter(
                           "Run scenario files from the 2010 baseline and write into --out: results.csv, "
                           "scorecard.csv, scorecard.md,\none PNG per module and manifest.json. A failing "
                           "scenario is reported at the end; the others are written (exit 1).",
                           "example:\n  python -m model run scenarios/*.yaml --out results/all --workers 2\n"
                           "  python -m model run scenarios/plan.yaml --out results/plan --final-year 2030 --force"))
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml", help="scenario files")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must be empty unless --force)")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="worker processes (default: all cores); 1 runs in this process")
    p.add_argument("--final-year", type=int, default=DEFAULT_FINAL_YEAR, metavar="Y", help="last year (default 2020)")
    p.add_argument("--force", action="store_true", help="write into a non-empty folder, replacing files of the same name")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=_run)

    p = sub.add_parser("validate", help="check scenario files and print every problem",
                       **_formatter("Check scenario files (keys, types, lever names and ranges, extends); "
                                    "print every problem; exit 1 if any file is invalid.",
                                    "example:\n  python -m model validate scenarios/*.yaml"))
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files")
    p.set_defaults(func=_validate)

    p = sub.add_parser("levers", help="print the lever table (names, labels, units, ranges, defaults)",
                       **_formatter("Print every policy lever a scenario file can set: name (the key under "
                                    "'levers:'), labels, units, allowed range and default.",
                                    "example:\n  python -m model levers\n  python -m model levers --csv > levers.csv"))
    p.add_argument("--csv", action="store_true", help="CSV instead of a table")
    p.set_defaults(func=_levers)

    p = sub.add_parser("compare", help="indicators and target statuses that differ between two scenarios",
                       **_formatter("Run two scenarios and print the levers, indicators and target statuses "
                                    "that differ in 2015 and 2020.",
                                    "example:\n  python -m model compare scenarios/baseline.yaml scenarios/plan.yaml"))
    p.add_argument("a", metavar="A.yaml")
    p.add_argument("b", metavar="B.yaml")
    p.add_argument("--final-year", type=int, default=DEFAULT_FINAL_YEAR, metavar="Y",
                   help="last year of the runs (default 2020)")
    p.set_defaults(func=_compare)
