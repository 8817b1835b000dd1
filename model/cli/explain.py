"""``python -m model explain INDICATOR``: which feedback loops dominate the indicator in which
years, and the causes tree with each cause's change between two scenarios (issue 14)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import args as cli_args
from . import scenarios as cli_scenarios


def _scenario(project, text: str | None):
    """(levers, title by language) of a scenario file or shipped scenario name; None: business
    as usual."""
    from ..i18n import t
    from ..paths import SCENARIO_DIR
    from ..scenarios import load_scenario

    if text is None:
        return None, {lang: t("explain_bau", lang) for lang in ("zh", "en")}
    path = Path(text)
    if not path.suffix and not path.exists():
        path = SCENARIO_DIR / f"{text}.yaml"
    sc = load_scenario(path, project.declaration)
    return sc.levers, {"zh": sc.title_zh, "en": sc.title_en}


def _explain(args: argparse.Namespace) -> int:
    from ..errors import PlanSimError
    from ..explain import explain
    from ..explain.text import render
    from ..project import Project
    from ..scenarios import ScenarioError

    project = Project(engine="simlin")
    if args.list:
        table = project.indicators()
        for ind in table.index:
            print(f"{ind:36} {table.loc[ind, f'label_{args.lang}']}")
        return 0
    if not args.indicator:
        print("error: give an INDICATOR id (python -m model explain --list lists them)", file=sys.stderr)
        return 2
    try:
        levers, title = _scenario(project, args.scenario)
        against, against_title = _scenario(project, args.against)
        found = explain(project, args.indicator, levers, against, args.final_year)
    except ScenarioError as err:
        print("invalid scenario file:\n  " + "\n  ".join(err.messages(args.lang))[:2000], file=sys.stderr)
        return 1
    except PlanSimError as err:
        print("error: " + "; ".join(err.messages(args.lang))[:1000], file=sys.stderr)
        return 2
    label = project.indicators().loc[found.indicator, f"label_{args.lang}"]
    print(render(found, label, title[args.lang], against_title[args.lang], args.lang))
    if args.out:
        from ..explain.figure import save

        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            path = save(found, label, title[args.lang], args.lang, out / f"explain-{found.indicator}-{args.lang}.png")
        except OSError as err:
            print(f"error: cannot write into --out {str(out)[:200]}: {err.strerror}", file=sys.stderr)
            return 1
        print(f"\nwrote {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain", help="why an indicator moves: dominant feedback loops and causes",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Which feedback loops dominate an indicator in which years (Simlin's Loops That Matter, "
                    "loops named in model/loops.yaml) and the causes tree: the variables that drive it, two "
                    "levels deep, with their change between --scenario and --against in the final year.",
        epilog="examples:\n  python -m model explain gdp --scenario plan\n"
               "  python -m model explain co2 --scenario scenarios/low-carbon.yaml --lang zh --out results/why\n"
               "  python -m model explain --list")
    p.add_argument("indicator", nargs="?", metavar="INDICATOR", help="an indicator id of model/indicators.yaml")
    p.add_argument("--list", action="store_true", help="list the indicator ids and stop")
    p.add_argument("--scenario", metavar="S", help="scenario file or shipped name (default: business as usual)")
    p.add_argument("--against", metavar="S2", help="scenario compared with (default: business as usual)")
    p.add_argument("--final-year", type=cli_args.final_year, default=None,
                   help="last year, %d-%d (default: the model's, 2020)" % cli_args.FINAL_YEAR_RANGE)
    p.add_argument("--out", metavar="DIR", help="also write the band chart of loop shares (PNG) into DIR")
    cli_scenarios.add_lang(p)
    p.set_defaults(func=_explain)
