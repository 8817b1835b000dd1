"""Subcommand ``search`` (python -m model search): lever settings that meet plan targets.

    python -m model search --targets binding --out out/search
    python -m model search --targets all --objective least-cost --from scenarios/plan.yaml --out out/s
    python -m model search --targets binding --robust 0.8 --members 200 --out out/robust

Writes into --out (one complete run or nothing): SCENARIO.yaml (the found scenario, accepted by
``validate`` and ``run``), changes.csv, targets.csv, report.md, changes.png, and when the
targets cannot all be met front.csv and front.png (the trade-off), then manifest.json.
Exit 0 when the search ran (met or not: report.md says); 2 for a bad option, --from file or
--out (nothing was run).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import PlanSimError
from ..experiments.outdir import HELP_FORCE, HELP_OUT, OutputFolder, now, write_manifest
from . import args as cli_args
from .ensembles import _argv, _reporting_errors
from .scenarios import add_lang

ROBUST_RANGE = (0.5, 0.99)
MEMBERS_RANGE = (2, 5000)
POPULATION_RANGE = (4, 1000)
GENERATIONS_RANGE = (1, 1000)


def probability(text: str) -> float:
    """A probability for --robust, in ROBUST_RANGE."""
    try:
        value = float(text) if len(text) <= 20 else None
    except ValueError:
        value = None
    if value is None or not ROBUST_RANGE[0] <= value <= ROBUST_RANGE[1]:
        raise argparse.ArgumentTypeError(f"expected a probability from {ROBUST_RANGE[0]} to {ROBUST_RANGE[1]} "
                                         f"(e.g. 0.8), got {text[:40]!r}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``search`` subcommand."""
    from ..search.optimise import OBJECTIVES

    p = sub.add_parser(
        "search", help="find lever settings that meet plan targets (least change or least cost)",
        description="Search the levers (pymoo: a genetic algorithm with one constraint per target) for settings "
                    "that meet the chosen plan targets with the least change from the starting scenario (each "
                    "lever's change over its range) or the least policy investment cost. When the targets cannot "
                    "all be met: the setting that misses them least, which targets conflict, and the trade-off "
                    "front (NSGA-II). Writes the found scenario as SCENARIO.yaml, changes.csv, targets.csv, "
                    "report.md, figures and manifest.json.\n\n" + HELP_OUT,
        epilog="example: python -m model search --targets binding --objective least-change --out out/search",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--targets", default="binding",
                   help="binding (the targets plan_targets.csv marks binding, 约束性), all, or target ids separated "
                        "by commas (gdp_growth: every plan's; 13th:gdp_growth: one plan's); default binding")
    p.add_argument("--objective", choices=OBJECTIVES, default="least-change",
                   help="least-change (sum of each lever's change over its range) or least-cost (policy investment "
                        "cost of the projection years); default least-change")
    p.add_argument("--from", dest="start", default=None, metavar="SCENARIO",
                   help="starting scenario file (default: the model's default levers)")
    p.add_argument("--levers", default=None,
                   help="levers to search, by model name separated by commas (default: every lever)")
    p.add_argument("--start-years", type=int, nargs=2, metavar=("FIRST", "LAST"), default=None,
                   help="also search when each changed lever starts, a whole year FIRST..LAST (e.g. 2011 2015)")
    p.add_argument("--robust", type=probability, default=None, metavar="P",
                   help="each target met with probability >= P (%g to %g) over the uncertainty ensemble "
                        "(model/uncertainties.yaml), not only in the central run" % ROBUST_RANGE)
    p.add_argument("--members", type=cli_args.int_in(*MEMBERS_RANGE), default=200,
                   help="ensemble members per candidate with --robust, %d to %d (default 200)" % MEMBERS_RANGE)
    p.add_argument("--population", type=cli_args.int_in(*POPULATION_RANGE), default=None,
                   help="genetic algorithm's population (default 24; robust 10)")
    p.add_argument("--generations", type=cli_args.int_in(*GENERATIONS_RANGE), default=None,
                   help="most generations (default 40; robust 8); it stops earlier when the best stops improving")
    p.add_argument("--seed", type=cli_args.seed, default=1, help="random seed (default 1)")
    p.add_argument("--name", default=None, help="name of the found scenario (default search-result)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--force", action="store_true", help=HELP_FORCE)
    p.add_argument("--workers", type=cli_args.workers, default=None,
                   help="local worker processes for --robust (default: one per core)")
    p.add_argument("--scheduler", type=cli_args.scheduler, default=None, metavar="tcp://HOST:PORT",
                   help="run the robust search's ensembles on this Dask distributed scheduler")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_lang(p)
    p.set_defaults(func=_search)


def _check_name(name: str | None) -> str:
    from ..scenarios import NAME_PATTERN
    from ..search.report import DEFAULT_NAME

    name = DEFAULT_NAME if name is None else name
    if not NAME_PATTERN.match(name):
        raise PlanSimError(f"--name {name[:60]!r}: letters, digits, - and _ only (a file name), at most 100 characters")
    return name


@_reporting_errors
def _search(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..project import Project
    from ..scenarios import ScenarioError, load_scenario
    from ..search import report, search
    from ..search.goals import select
    from ..search.optimise import Settings

    started = now()
    name = _check_name(args.name)
    if args.scheduler and args.robust is None:
        raise PlanSimError("--scheduler runs the robust search's ensembles: add --robust P")
    project = Project(engine="simlin")
    goals = select(project.targets, args.targets)  # a bad --targets: exit 2 before --out is touched
    levers = [n.strip() for n in args.levers.split(",")] if args.levers else None
    settings = Settings(targets=goals, objective=args.objective, robust=args.robust, members=args.members,
                        seed=args.seed, levers=levers, start_years=tuple(args.start_years) if args.start_years else None)
    for field, value in (("population", args.population), ("generations", args.generations)):
        if value is not None:  # sizes the search that costs the time: the robust one with --robust
            setattr(settings, ("robust_" if args.robust is not None else "") + field, value)
    try:
        start = load_scenario(args.start, project) if args.start else None
    except ScenarioError as err:  # a bad --from is a bad option: nothing runs
        print("error: --from " + "\n  ".join(err.problems), file=sys.stderr)
        return 2
    with OutputFolder(args.out, args.force) as out:
        executor = None
        if args.robust is not None:
            from ..experiments import executor as executors

            executor = executors.create(args.workers, args.scheduler)
        with tqdm(unit="run", desc="search", disable=True if args.no_progress else None, file=sys.stderr) as bar:
            if executor is not None:
                with executor:
                    found = search(project, settings, start.levers if start else None, executor=executor,
                                   progress=bar.update)
            else:
                found = search(project, settings, start.levers if start else None, progress=bar.update)
        files = _write(out, found, project, args, name, start)
        write_manifest(out, command="search", argv=_argv(args), started=started, settings={
            "targets": args.targets, "objective": args.objective, "from": args.start, "robust": args.robust,
            "members": args.members if args.robust else None, "seed": args.seed, "lang": args.lang,
            "levers": levers, "start_years": args.start_years, "workers": args.workers, "scheduler": args.scheduler,
            "engine": "simlin"}, scenarios=[], failures=[], outputs=files,
            details={"feasible": found.feasible, "runs": found.runs, "change": found.change, "cost": found.cost,
                     "start_cost": found.start_cost, "conflicts": found.conflicts, "unreachable": found.unreachable,
                     "optimiser": "pymoo GA (constraints per target); NSGA-II for the trade-off"})
    from ..i18n import t

    print(t("search_feasible" if found.feasible else "search_infeasible", args.lang))
    print(t("search_runs", args.lang, runs=found.runs, seconds=f"{found.seconds:.1f}") + f"; {args.out}")
    if found.conflicts:
        print(t("search_conflicts", args.lang) + ": " + "; ".join(f"{a} × {b}" for a, b in found.conflicts))
    for row in report.changes_table(found, project.levers(), args.lang).itertuples(index=False):
        print("  " + " | ".join(str(v) for v in row[:-1]))
    return 0


def _write(out: Path, found, project, args, name: str, start) -> list[str]:
    from ..search import report

    lang = args.lang
    indicators = project.indicators()
    levers = project.levers()
    scenario_file = f"{name}.yaml"
    start_name = start.name if start else "defaults"
    (out / scenario_file).write_text(report.scenario_text(found, name, args.targets, start_name), encoding="utf-8")
    changes = report.changes_table(found, levers, lang)
    targets = report.targets_table(found, indicators, lang)
    changes.to_csv(out / "changes.csv", index=False)
    targets.to_csv(out / "targets.csv", index=False)
    files = [scenario_file, "changes.csv", "targets.csv"]
    figures = []
    if report.changes_figure(found, levers, out / "changes.png", lang):
        figures.append("changes.png")
    if found.front is not None:
        found.front.to_csv(out / "front.csv", index=False)
        files.append("front.csv")
        if report.front_figure(found, indicators, out / "front.png", lang):
            figures.append("front.png")
    text = report.markdown(found, changes, targets, lang, targets_spec=args.targets, start=start_name,
                           scenario_file=scenario_file, figures=figures, members=args.members)
    (out / "report.md").write_text(text, encoding="utf-8")
    return [*files, *figures, "report.md"]
