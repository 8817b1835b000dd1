"""Subcommands ``run``, ``validate``, ``levers`` and ``compare`` of ``python -m model``.

Exit codes: 0 success; 1 a scenario failed or a file is invalid (the rest is still done);
2 nothing was done (unusable --out folder, bad option).
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from pathlib import Path

import pandas as pd

from ..declaration import DEFAULT_FINAL_YEAR
from ..errors import PlanSimError
from ..experiments.outdir import HELP_FORCE, HELP_OUT
from . import args as cli_args
from .table import WIDTH, render



def _formatter(description: str, epilog: str) -> dict:
    return {"description": description, "epilog": epilog, "formatter_class": argparse.RawDescriptionHelpFormatter}


def add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=cli_args.LANGUAGES, default=cli_args.DEFAULT_LANGUAGE,
                   help="language of the files and tables: labels, units, plan and status words, figure "
                        "text (en or zh; default en)")


# -- run -----------------------------------------------------------------------------------------
def _run(args: argparse.Namespace) -> int:
    from ..experiments.batch import run_batch

    command = ["python", "-m", "model", "run", *args.scenarios, "--out", args.out, "--final-year", str(args.final_year)]
    command += ["--workers", str(args.workers)] if args.workers else []
    command += ["--force"] if args.force else []
    command += ["--lang", args.lang, "--engine", args.engine]
    try:
        report = run_batch(args.scenarios, args.out, workers=args.workers, final_year=args.final_year,
                           force=args.force, progress=not args.no_progress, argv=command, lang=args.lang,
                           engine=args.engine)
    except PlanSimError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    names = ", ".join(report.written) or "none"
    print(f"wrote {len(report.written)} scenario(s) to {report.out_dir}: {names}")
    for path in report.files:
        print(f"  {path.name}")
    if report.failures:
        print(f"\n{len(report.failures)} file(s) or run(s) failed:", file=sys.stderr)
        for failure in report.failures:
            print(f"FAILED {failure.source}: {failure.reason}", file=sys.stderr)
        return 1
    return 0


# -- validate ------------------------------------------------------------------------------------
def _validate(args: argparse.Namespace) -> int:
    from ..declaration import Declaration
    from ..experiments.batch import load_batch

    scenarios, failures = load_batch(args.files, Declaration())
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
def lever_rows(shanghai, lang: str, wide: bool) -> tuple[list[str], list[list], list[bool]]:
    """The lever table in the units planners use (a share in %, a rate in % a year; the model's
    units in ``--csv`` and scenario files): name, label and unit in ``lang``, range, default
    (the default path's value in 2011) and the default path (years in brackets; "a number: by
    2015": a target lever reaches a number by that year); ``wide`` adds the module, the model unit, the other
    language's label, the step and the description."""
    from ..i18n import t, unit
    from ..lever_paths import describe

    other = "en" if lang == "zh" else "zh"
    headers = ["name", "label", "unit", "min", "max", "default", "default path"] + (
        ["step", "module", "model unit", f"label_{other}", "description"] if wide else [])
    rows = []
    for r in shanghai.levers().itertuples(index=False):
        scale = float(r.display_scale)
        target = t("cli_lever_target", lang, year=int(r.target_year)) if pd.notna(r.target_year) else ""
        row = [r.name, getattr(r, f"label_{lang}"), unit(r.display_unit, lang), f"{r.min * scale:g}",
               f"{r.max * scale:g}", f"{r.default * scale:.4g}", describe(r.default_path, scale) + target]
        rows.append(row + ([f"{r.step * scale:g}", r.module, unit(r.units, lang), getattr(r, f"label_{other}"),
                            r.description] if wide else []))
    right = [False, False, False, True, True, True, False] + ([True, False, False, False, False] if wide else [])
    return headers, rows, right


def _levers(args: argparse.Namespace) -> int:
    from ..declaration import Declaration

    shanghai = Declaration()
    if args.csv:
        table = shanghai.levers()
        table["default_path"] = [";".join(f"{y:g}:{v:.10g}" for y, v in path) for path in table["default_path"]]
        table = table[["name", "module", "label_zh", "label_en", "units", "min", "max", "step", "default",
                       "default_path", "target_year", "display_unit", "display_scale", "description"]]
        table.to_csv(sys.stdout, index=False)
        return 0
    headers, rows, right = lever_rows(shanghai, args.lang, args.wide)
    print(render(headers, rows, right=right, width=None if args.wide else WIDTH, shrink=[1, 6, 2]))
    return 0


# -- compare -------------------------------------------------------------------------------------
def _differs(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return False
    return not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def compare_runs(a: pd.DataFrame, b: pd.DataFrame, years) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicators whose values differ, and targets whose status differs, in ``years``."""
    from ..scorecard import score

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


def compare_table(scenarios, runs: dict[str, pd.DataFrame], levers: pd.DataFrame, years, lang: str) -> pd.DataFrame:
    """What differs between any number of scenarios, as one tidy table: columns section
    (lever, indicator, target), year, id, label, unit, scenario, scenario_title, value, status,
    difference (value minus the first scenario's). A row appears for every scenario when its
    item differs between at least two of them. ``levers`` is the model's lever table (defaults,
    labels, units). Values are rounded to each indicator's precision."""
    from ..i18n import t, unit
    from ..lever_paths import LeverPath, describe, knots, value_at
    from ..metadata import indicator_table, round_to_precision
    from ..scorecard import export_table, score

    names = [s.name for s in scenarios]
    titles = {s.name: getattr(s, f"title_{lang}") for s in scenarios}
    rows = []
    table = levers.set_index("name")
    for name in sorted({name for s in scenarios for name in s.levers}):
        row = table.loc[name]
        given = [s.levers.get(name, float(row["default"])) for s in scenarios]
        label = row[f"label_{lang}"]
        if not any(isinstance(v, LeverPath) for v in given):
            values, labels = given, [label] * len(given)
        else:  # a path: compared by its knots; value in the last year compared, the path in the label
            target = None if pd.isna(row["target_year"]) else int(row["target_year"])
            paths = [knots(v, row["default_path"], target) for v in given]
            values = [value_at(p, max(years)) for p in paths]
            labels = [f"{label}: {describe(p)}" for p in paths]
            if all(p == paths[0] for p in paths):
                continue
        if any(_differs(values[0], v) for v in values[1:]) or len(set(labels)) > 1:
            rows += [{"section": "lever", "year": None, "id": name, "label": text,
                      "unit": unit(row["units"], lang), "scenario": s.name, "value": v, "status": "",
                      "difference": v - values[0]} for s, v, text in zip(scenarios, values, labels)]
    table = indicator_table()
    first = runs[names[0]]
    for year in years:
        for ind in first.columns:
            values = [runs[n].loc[year, ind] for n in names]
            if any(_differs(values[0], v) for v in values[1:]):
                rows += [{"section": "indicator", "year": year, "id": ind, "label": table.loc[ind, f"label_{lang}"],
                          "unit": unit(table.loc[ind, "unit"], lang), "scenario": n, "value": v, "status": "",
                          "difference": v - values[0]} for n, v in zip(names, values)]
    cards = {n: export_table(score(runs[n]), lang) for n in names}
    base = cards[names[0]]
    for k in range(len(base)):
        if base.loc[k, "year"] not in years:
            continue
        statuses = [cards[n].loc[k, "status"] for n in names]
        if len(set(statuses)) > 1:
            rows += [{"section": "target", "year": int(base.loc[k, "year"]),
                      "id": f"{base.loc[k, 'plan']}:{base.loc[k, 'target_id']}",
                      "label": f"{base.loc[k, 'plan_label']}: {base.loc[k, 'label']} "
                               f"{t('fig_op_' + base.loc[k, 'op'], lang)} {base.loc[k, 'target']:g}",
                      "unit": base.loc[k, "unit"], "scenario": n, "value": cards[n].loc[k, "value"],
                      "status": t(f"status_{cards[n].loc[k, 'status']}", lang),
                      "difference": cards[n].loc[k, "value"] - base.loc[k, "value"]} for n in names]
    out = pd.DataFrame(rows, columns=["section", "year", "id", "label", "unit", "scenario", "value", "status", "difference"])
    out.insert(out.columns.get_loc("scenario") + 1, "scenario_title", out["scenario"].map(titles))
    indicator_ids = out["id"].where(out["section"] == "indicator", out["id"].str.split(":").str[-1])
    for column in ("value", "difference"):
        out[column] = round_to_precision(out[column], indicator_ids)
    out["year"] = out["year"].astype("Int64")
    return out


def _compare(args: argparse.Namespace) -> int:
    from ..experiments.batch import Failure, bounded
    from ..experiments.outdir import OutputDirError, check_file_target, write_atomic
    from ..project import Project
    from ..scenarios import ScenarioError, load_scenario

    if len(args.scenarios) < 2:
        print("error: compare needs at least two scenario files", file=sys.stderr)
        return 2
    if args.out is not None:
        try:
            check_file_target(args.out, args.force)
        except OutputDirError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    shanghai = Project(engine=args.engine)
    scenarios, failures = [], []
    for k, path in enumerate(args.scenarios, start=1):
        try:
            scenario = load_scenario(path, shanghai)
        except ScenarioError as err:
            failures.append(Failure(str(path), bounded("invalid scenario file:\n  " + "\n  ".join(err.problems))))
            continue
        if scenario.name in {s.name for s in scenarios}:  # the same scenario twice: tell the columns apart
            scenario = dataclasses.replace(scenario, name=f"{scenario.name}#{k}")
        scenarios.append(scenario)
    for failure in failures:
        print(f"FAILED {failure.source}: {failure.reason}", file=sys.stderr)
    if len(scenarios) < 2:
        print("error: fewer than two valid scenarios: nothing to compare", file=sys.stderr)
        return 1
    years = [plan.year for plan in shanghai.declaration.plans if plan.year <= args.final_year]
    try:
        runs = {s.name: shanghai.run(s.levers, args.final_year) for s in scenarios}
    except PlanSimError as err:
        print(f"error: {bounded(err)}", file=sys.stderr)
        return 2
    table = compare_table(scenarios, runs, shanghai.levers(), years, args.lang)
    names = [s.name for s in scenarios]
    print(f"Scenarios (the first is the reference); years {', '.join(map(str, years))}:")
    for s in scenarios:
        print(f"  {s.name}: {getattr(s, f'title_{args.lang}')} ({s.path})")
    width = None if args.wide else WIDTH
    headings = {"lever": "Levers that differ", "indicator": "Indicators that differ",
                "target": "Target statuses that differ"}
    for section, heading in headings.items():
        part = table[table["section"] == section]
        if part.empty:
            print(f"\nNo {'lever' if section == 'lever' else 'indicator' if section == 'indicator' else 'target status'} differs.")
            continue
        rows = []
        for _, item in part.groupby(["year", "id"], sort=False, dropna=False):
            first = item.iloc[0]
            by_name = item.set_index("scenario")
            cells = [f"{by_name.loc[n, 'value']:,.6g}" + (f" ({by_name.loc[n, 'status']})" if section == "target" else "")
                     for n in names]
            year = "" if pd.isna(first["year"]) else str(first["year"])
            item = f"{first['label']} ({first['id']})" if section == "lever" else first["label"]
            rows.append(([year] if section != "lever" else []) + [item, first["unit"]] + cells)
        headers = (["year"] if section != "lever" else []) + ["item", "unit"] + names
        right = ([True] if section != "lever" else []) + [False, False] + [True] * len(names)
        print(f"\n{heading} ({len(rows)}):")
        print(render(headers, rows, right=right, width=width, shrink=[1, 2] if section != "lever" else [0]))
    if args.out is not None:
        write_atomic(args.out, lambda p: table.to_csv(p, index=False))
        print(f"\nwrote {args.out}")
    return 1 if failures else 0


# -- registration --------------------------------------------------------------------------------
def register(sub: argparse._SubParsersAction) -> None:
    """Add run, validate, levers and compare to the ``python -m model`` parser."""
    p = sub.add_parser("run", help="run scenario files in parallel and write results, scorecard, figures",
                       **_formatter(
                           "Run scenario files from the 2010 baseline and write into --out: results.csv, "
                           "scorecard.csv, scorecard.md,\none PNG per module and manifest.json, in the "
                           "language of --lang (default en). A bad file or failing\nscenario is reported by "
                           "name at the end; the others are written (exit 1).\n\n" + HELP_OUT,
                           "example:\n  python -m model run scenarios/*.yaml --out results/all --workers 2\n"
                           "  python -m model run scenarios/plan.yaml --out results/plan --final-year 2030 --force --lang zh"))
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml", help="scenario files")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (must not exist or be empty, unless --force)")
    p.add_argument("--workers", type=cli_args.workers, default=None, metavar="N",
                   help="worker processes, 1 to the number of cores (default: all cores); 1 runs in this process")
    p.add_argument("--final-year", type=cli_args.final_year, default=DEFAULT_FINAL_YEAR, metavar="Y",
                   help="last year, %d-%d (default 2020)" % cli_args.FINAL_YEAR_RANGE)
    p.add_argument("--force", action="store_true", help=HELP_FORCE)
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    cli_args.add_engine(p, "pysd")
    add_lang(p)
    p.set_defaults(func=_run)

    p = sub.add_parser("validate", help="check scenario files and print every problem",
                       **_formatter("Check scenario files (keys, types, lever names and ranges, extends); "
                                    "print every problem; exit 1 if any file is invalid.",
                                    "example:\n  python -m model validate scenarios/*.yaml"))
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files")
    p.set_defaults(func=_validate)

    p = sub.add_parser("levers", help="print the lever table (names, labels, units, ranges, defaults)",
                       **_formatter("Print every policy lever a scenario file can set: name (the key under "
                                    "'levers:'), label, unit, allowed range and default; the table fits 100 "
                                    "columns (--wide: every column, as wide as it takes).",
                                    "example:\n  python -m model levers --lang zh\n  python -m model levers --csv > levers.csv"))
    p.add_argument("--csv", action="store_true", help="CSV instead of a table (every column, both languages)")
    p.add_argument("--wide", action="store_true", help="every column (module, step, description), however wide")
    add_lang(p)
    p.set_defaults(func=_levers)

    p = sub.add_parser("compare", help="levers, indicators and target statuses that differ between scenarios",
                       **_formatter("Run two or more scenarios and print the levers, indicators and target "
                                    "statuses that differ in 2015 and 2020 (the first scenario is the "
                                    "reference).\n--out FILE.csv also writes them as one tidy CSV (section, year, "
                                    "id, label, unit, scenario, scenario_title, value, status, difference);\nan "
                                    "existing file is kept unless --force; the file is written whole or not at all.",
                                    "example:\n  python -m model compare scenarios/baseline.yaml scenarios/plan.yaml "
                                    "scenarios/rail-first.yaml --out compare.csv"))
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO.yaml", help="two or more scenario files")
    p.add_argument("--final-year", type=cli_args.final_year, default=DEFAULT_FINAL_YEAR, metavar="Y",
                   help="last year of the runs, %d-%d (default 2020)" % cli_args.FINAL_YEAR_RANGE)
    p.add_argument("--out", type=Path, default=None, metavar="FILE.csv", help="also write the differences to this CSV file")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--wide", action="store_true", help="tables as wide as they take (default: fit 100 columns)")
    cli_args.add_engine(p, "pysd")
    add_lang(p)
    p.set_defaults(func=_compare)
