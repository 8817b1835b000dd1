"""Command line: ``python -m model COMMAND``. Each command module registers its subcommands here.

Exit codes: 0 success; 1 a file or run failed (the rest was done); 2 nothing was done (bad
option, unusable --out, unreachable scheduler); 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys

from ..declaration import DEFAULT_FINAL_YEAR
from . import args as cli_args
from . import discover as cli_discover
from . import ensembles as cli_ensembles
from . import explain as cli_explain
from . import export as cli_export
from . import hindcast as cli_hindcast
from . import report as cli_report
from . import scenarios as cli_scenarios
from . import search as cli_search
from .table import WIDTH, render

INTERRUPTED = 130  # the shell's code for a command ended by SIGINT
PROJECT_YEAR_STEP = 5  # the table shows every fifth year unless --wide


def _project(args: argparse.Namespace) -> int:
    """Print the default projection (business as usual) as a table."""
    from ..i18n import unit
    from ..metadata import indicator_table
    from ..project import Project

    result = Project(engine=args.engine).run(final_year=args.final_year)
    table = indicator_table()
    years = [y for y in result.index if args.wide or y % PROJECT_YEAR_STEP == 0 or y == result.index[-1]]
    rows = []
    for ind in result.columns:
        values = result.loc[years, ind]  # formatted to the indicator's declared decimals
        rows.append([table.loc[ind, f"label_{args.lang}"], unit(table.loc[ind, "unit"], args.lang)]
                    + ["" if v != v else f"{v:,.{int(table.loc[ind, 'decimals'])}f}" for v in values])
    print(f"Default projection (business as usual), 2010 baseline to {args.final_year}"
          + ("" if args.wide else f"; every {PROJECT_YEAR_STEP}th year (--wide: every year)") + "\n")
    print(render(["indicator", "unit", *map(str, years)], rows, right=[False, False] + [True] * len(years),
                 width=None if args.wide else WIDTH, shrink=[0, 1]))
    return 0


def _register_project(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "project", help="print the default projection as a table",
        description="Print every indicator of the default (business-as-usual) projection, every fifth year "
                    "in 100 columns (--wide: every year).",
        epilog="example: python -m model project --final-year 2030 --lang zh",
    )
    p.add_argument("--final-year", type=cli_args.final_year, default=DEFAULT_FINAL_YEAR,
                   help="last year, %d-%d (default 2020)" % cli_args.FINAL_YEAR_RANGE)
    p.add_argument("--wide", action="store_true", help="every year, however wide")
    cli_args.add_engine(p, "pysd")
    cli_scenarios.add_lang(p)
    p.set_defaults(func=_project)


# Each entry adds subcommands to the parser; modules of later features append theirs.
REGISTRARS = [_register_project, cli_scenarios.register, cli_ensembles.register, cli_hindcast.register,
              cli_search.register, cli_explain.register, cli_discover.register, cli_export.register,
              cli_report.register]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description="PlanSim Shanghai command line.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in REGISTRARS:
        register(sub)
    return parser


_pressed = [False]  # Ctrl-C seen during this command (a handler re-armed by a helper stays quiet)


def _interrupt_once(signum, frame) -> None:
    """SIGINT handler: the first Ctrl-C stops the command; later ones are ignored so that its
    clean-up (temporary folders, workers) finishes and the exit code stays 130."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _pressed[0]:
        return
    _pressed[0] = True
    raise KeyboardInterrupt


def main(argv: list[str] | None = None, *, exiting: bool = False) -> int:
    """Run one command; ``exiting`` (``python -m model``): the process ends after it, so a
    Ctrl-C pressed again after the first stays ignored until the interpreter has shut down."""
    args = build_parser().parse_args(argv)
    _pressed[0] = False
    try:
        previous = signal.signal(signal.SIGINT, _interrupt_once)
    except ValueError:  # not the main thread (embedded use): signals are not ours to change
        previous = None
    try:
        return _dispatch(args)
    finally:
        if previous is not None:
            # ending the process: ignore Ctrl-C until it is gone (the interpreter's shutdown would
            # otherwise put back the default action, which kills it with SIGINT)
            signal.signal(signal.SIGINT, signal.SIG_IGN if exiting else previous)


def _dispatch(args: argparse.Namespace) -> int:
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        from ..experiments.workers import terminate_all

        terminate_all()
        print("\ninterrupted: stopped; no output folder was changed", file=sys.stderr)
        return INTERRUPTED
    except Exception as err:  # noqa: BLE001 - a bug must not print a traceback with server paths
        if os.environ.get("PLANSIM_DEBUG"):
            raise
        text = str(err)
        print(f"internal error: {type(err).__name__}: {text[:300]}{'...' if len(text) > 300 else ''} "
              f"(set PLANSIM_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(exiting=True))
