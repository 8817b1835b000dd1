"""Subcommand ``report`` of ``python -m model``: a printable A4 report (PDF) of one or more
scenarios: the scorecard matrix, the levers as set, the charts with targets and history, the
model's version and hash (``model.report``).

Exit codes (model/cli/main.py): 0 the report is written; 1 it is written without the scenarios
that failed (each named, with why); 2 nothing was written (unusable --out, no usable scenario,
bad option). The PDF is written to a temporary file beside --out and renamed when complete, so a
failed or interrupted report leaves no PDF behind.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import args as cli_args
from .scenarios import add_lang

SUFFIXES = (".yaml", ".yml")


def scenario_path(text: str) -> Path:
    """A scenario argument as a file: a path as given, or the name of a shipped scenario
    (``plan`` for scenarios/plan.yaml) when no such file is given."""
    from ..paths import SCENARIO_DIR

    path = Path(text)
    shipped = SCENARIO_DIR / f"{text}.yaml"
    if not path.suffix.lower() in SUFFIXES and len(path.parts) == 1 and shipped.is_file():
        return shipped
    return path


def _report(args: argparse.Namespace) -> int:
    from ..experiments.batch import load_batch, run_scenarios
    from ..project import Project
    from ..report import ReportScenario, write_report
    from ..report.pdf import MAX_SCENARIOS, Inputs, ReportError, check_out

    try:
        out = check_out(args.out)
        if len(args.scenarios) > MAX_SCENARIOS:
            raise ReportError(f"{len(args.scenarios)} scenarios given: a report holds at most {MAX_SCENARIOS}")
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    project = Project(engine=args.engine)
    scenarios, failures = load_batch([scenario_path(s) for s in args.scenarios], project)
    results, run_failures = run_scenarios(project, scenarios, progress=not args.no_progress) if scenarios else ({}, [])
    failures += run_failures
    items = [ReportScenario(s.name, s.title_zh, s.title_en, s.levers, results[s.name])
             for s in scenarios if s.name in results]
    for failure in failures:
        print(f"FAILED {str(failure.source)[:200]}: {failure.reason}", file=sys.stderr)
    if not items:
        print("error: no scenario could be run; no report was written", file=sys.stderr)
        return 2
    try:
        write_report(items, out, args.lang, Inputs.of(project.levers(), targets=project.targets))
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # the disk filled up or the folder went away: nothing was left behind
        print(f"error: --out {str(out)[:200]!r}: {err.strerror or err}; no report was written", file=sys.stderr)
        return 2
    print(f"wrote {out} ({len(items)} scenario(s): {', '.join(i.name for i in items)}; {args.lang})")
    if failures:
        print(f"{len(failures)} scenario(s) left out of the report (see above)", file=sys.stderr)
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="a printable A4 report (PDF) of one or more scenarios",
        description="Write a printable A4 report (PDF) of the scenarios given: the scorecard matrix (plan targets "
                    "x scenarios), the levers as set in each, the charts with plan targets and 2000-2010 history, "
                    "and the model's version and hash. Text in the language of --lang; fonts embedded. A bad "
                    "scenario file is named and left out (exit 1); the others are reported.",
        epilog="example: python -m model report baseline plan scenarios/low-carbon.yaml --lang zh --out report.pdf",
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="scenario files, or names of shipped scenarios (plan for scenarios/plan.yaml); at most 10")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF to write (replaced if it exists)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    cli_args.add_engine(p, "simlin")
    add_lang(p)
    p.set_defaults(func=_report)
