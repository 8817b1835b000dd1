"""Command line: ``python -m model COMMAND``. Each command module registers its subcommands here."""
from __future__ import annotations

import argparse
import sys

import pandas as pd

from . import cli_ensembles
from . import cli_scenarios
from .engine import DEFAULT_FINAL_YEAR


def _project(args: argparse.Namespace) -> int:
    """Print the default projection (business as usual) as a table."""
    from . import load

    result = load().run(final_year=args.final_year)
    units = result.attrs["units"]
    table = result.T
    table.insert(0, "unit", [units[i] for i in table.index])
    with pd.option_context("display.width", 250, "display.max_rows", None, "display.max_columns", None):
        print(f"Default projection (business as usual), 2010 baseline to {args.final_year}\n")
        print(table.to_string(float_format=lambda v: f"{v:,.2f}"))
    return 0


def _register_project(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "project", help="print the default projection as a table",
        description="Print every indicator of the default (business-as-usual) projection.",
        epilog="example: python -m model project --final-year 2020",
    )
    p.add_argument("--final-year", type=int, default=DEFAULT_FINAL_YEAR, help="last year (default 2020)")
    p.set_defaults(func=_project)


# Each entry adds subcommands to the parser; modules of later features append theirs.
REGISTRARS = [_register_project, cli_scenarios.register, cli_ensembles.register]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description="PlanSim Shanghai command line.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in REGISTRARS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
