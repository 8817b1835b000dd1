"""Subcommand ``hindcast`` of ``python -m model``: a projection against actual figures.

Exit codes: 0 compared (and written); 1 the actuals or scenario file is invalid, or the run
failed: nothing compared; 2 nothing was done (unusable --out, bad option).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..declaration import DEFAULT_FINAL_YEAR
from ..errors import PlanSimError
from ..experiments.outdir import HELP_FORCE, HELP_OUT
from . import args as cli_args
from .table import WIDTH, render

TABLE_FILE = "hindcast.csv"
SUMMARY_FILE = "hindcast_summary.csv"
FIGURE_FILE = "hindcast_{indicator}.png"

DESCRIPTION = (
    "Run a scenario (default: the model's defaults, business as usual) and compare its projection\n"
    "with actual figures from FILE.csv: a table projected vs actual per indicator and year with the\n"
    "difference (projected - actual) and % error (100 x difference / |actual|), and each indicator's\n"
    "MAPE; with --out, the tables as CSV, one figure per indicator and manifest.json.\n\n"
    "FILE.csv has the columns indicator,year,value[,source]: indicator = an id of model/indicators.yaml\n"
    "(python -m model project lists them; e.g. gdp, resident_population, rd_share), year within the run\n"
    "(2010 to --final-year), value in the indicator's DISPLAY UNIT, the unit of the scorecard and of\n"
    "results.csv (e.g. rd_share in % of GDP: 3.1, not 0.031; gdp in 10^8 yuan/year at 2010 prices;\n"
    "resident_population in 10^4 persons). Each indicator-year once. The file is checked like every\n"
    "data file (size, UTF-8, each value within its unit's range); an error names file, row, column.\n\n"
    + HELP_OUT)
EPILOG = ("example:\n  python -m model hindcast --actuals actuals.csv\n"
          "  python -m model hindcast --actuals actuals.csv --scenario scenarios/plan.yaml --out results/hindcast --lang zh")


def _fmt(value: float, decimals: int) -> str:
    return "" if value != value else f"{value:,.{decimals}f}"


def print_tables(table, summary, lang: str, wide: bool) -> None:
    """The year-by-year table and the per-indicator summary (already ``localised``)."""
    from ..i18n import t
    from ..metadata import indicator_table

    places = indicator_table()["decimals"].astype(int)
    rows = [[r.label, r.unit, str(r.year), _fmt(r.projected, places[r.indicator]), _fmt(r.actual, places[r.indicator]),
             _fmt(r.difference, places[r.indicator]), _fmt(r.percent_error, 2)] for r in table.itertuples()]
    heads = [t(f"hindcast_{k}", lang) for k in ("indicator",)] + [t("cli_md_unit", lang), t("cli_md_year", lang)] + \
        [t(f"hindcast_{k}", lang) for k in ("projected", "actual", "difference", "percent_error")]
    width = None if wide else WIDTH
    print(f"{t('hindcast_by_year', lang)}:")
    print(render(heads, rows, right=[False, False, True, True, True, True, True], width=width, shrink=[0, 1]))
    rows = [[r.label, r.unit, str(r.points), f"{r.first_year}-{r.last_year}", _fmt(r.mape, 2),
             _fmt(r.mean_difference, places[r.indicator])] for r in summary.itertuples()]
    heads = [t("hindcast_indicator", lang), t("cli_md_unit", lang), t("hindcast_points", lang), t("cli_md_year", lang),
             t("hindcast_mape", lang), t("hindcast_mean_difference", lang)]
    print(f"\n{t('hindcast_by_indicator', lang)}:")
    print(render(heads, rows, right=[False, False, True, True, True, True], width=width, shrink=[0, 1]))


def _hindcast(args: argparse.Namespace) -> int:
    from .. import hindcast
    from ..experiments.outdir import OutputDirError, OutputFolder, check_target, now, write_atomic, write_manifest
    from ..i18n import t
    from ..project import Project
    from ..scenarios import ScenarioError, load_scenario

    started = now()
    if args.out is not None:
        try:
            check_target(Path(args.out), args.force)
        except OutputDirError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    shanghai = Project(engine=args.engine)
    levers, title = {}, t("hindcast_default_scenario", args.lang)
    if args.scenario is not None:
        try:
            scenario = load_scenario(args.scenario, shanghai)
        except ScenarioError as err:
            print("error: invalid scenario file:\n  " + "\n  ".join(err.problems[:20]), file=sys.stderr)
            return 1
        levers, title = scenario.levers, getattr(scenario, f"title_{args.lang}")
    start = int(shanghai.declaration.run_times(args.final_year).start)  # the projection's first year (2010)
    try:
        actuals = hindcast.read_actuals(args.actuals, (start, args.final_year))
    except PlanSimError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    try:
        projection = shanghai.run(levers, args.final_year)
    except PlanSimError as err:
        print(f"error: the run failed: {str(err)[:500]}", file=sys.stderr)
        return 1
    table = hindcast.compare(projection, actuals)
    summary = hindcast.summary(table)
    shown, shown_summary = hindcast.localised(table, args.lang), hindcast.localised(summary, args.lang)
    print(t("hindcast_title", args.lang, scenario=title, file=args.actuals))
    print(t("hindcast_rule", args.lang) + "\n")
    print_tables(shown, shown_summary, args.lang, args.wide)
    if args.out is None:
        return 0
    from ..figures.hindcast import indicator_png
    from ..history import observations
    from ..metadata import indicator_table

    meta, history = indicator_table(), observations()
    try:
        with OutputFolder(args.out, args.force) as folder:
            outputs = [TABLE_FILE, SUMMARY_FILE]
            write_atomic(folder / TABLE_FILE, lambda p: shown.to_csv(p, index=False))
            write_atomic(folder / SUMMARY_FILE, lambda p: shown_summary.to_csv(p, index=False))
            for ind, part in actuals.groupby("indicator", sort=True):
                name = FIGURE_FILE.format(indicator=ind)
                png = indicator_png(meta.loc[ind], projection[ind], part, history[history["indicator"] == ind],
                                    args.lang, title)
                (folder / name).write_bytes(png)
                outputs.append(name)
            command = ["python", "-m", "model", "hindcast", "--actuals", str(args.actuals), "--out", str(args.out),
                       "--final-year", str(args.final_year), "--lang", args.lang, "--engine", args.engine]
            command += ["--scenario", str(args.scenario)] if args.scenario else []
            command += ["--force"] if args.force else []
            write_manifest(folder, command="hindcast", argv=command, started=started,
                           settings={"final_year": args.final_year, "lang": args.lang, "engine": args.engine},
                           scenarios=[{"file": str(args.scenario) if args.scenario else None, "title": title,
                                       "levers": dict(levers)}],
                           failures=[], outputs=outputs,
                           details={"actuals": str(args.actuals), "rows": len(actuals)})
    except OutputDirError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"\nwrote {args.out}: {', '.join(outputs)}, manifest.json")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``hindcast`` to the ``python -m model`` parser."""
    p = sub.add_parser("hindcast", help="compare a projection with actual figures from a CSV file",
                       description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--actuals", required=True, type=Path, metavar="FILE.csv",
                   help="actual figures: indicator,year,value[,source], values in each indicator's display unit")
    p.add_argument("--scenario", type=Path, default=None, metavar="S.yaml",
                   help="scenario file whose projection is compared (default: the model's defaults)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="also write hindcast.csv, hindcast_summary.csv, one PNG per indicator and manifest.json")
    p.add_argument("--final-year", type=cli_args.final_year, default=DEFAULT_FINAL_YEAR, metavar="Y",
                   help="last year of the run, %d-%d (default 2020); actual years must lie within the run"
                        % cli_args.FINAL_YEAR_RANGE)
    p.add_argument("--force", action="store_true", help=HELP_FORCE)
    p.add_argument("--wide", action="store_true", help="tables as wide as they take (default: fit 100 columns)")
    cli_args.add_engine(p, "pysd")
    p.add_argument("--lang", choices=cli_args.LANGUAGES, default=cli_args.DEFAULT_LANGUAGE,
                   help="language of the tables, files and figures (en or zh; default en)")
    p.set_defaults(func=_hindcast)
