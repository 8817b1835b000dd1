"""Subcommand ``discover`` (python -m model discover ...): under which conditions is a target missed?

    python -m model discover scenarios/plan.yaml --target 13th:energy_intensity --out out/discover

Runs an uncertainty ensemble around the scenario (model/uncertainties.yaml, plus the levers
within --lever-span of their range), scores the target in every member and finds the boxes of
inputs where the misses concentrate, with PRIM or CART (``model.discover``). Writes boxes.csv,
members.csv, trajectory.csv (PRIM), discover.png and manifest.json into --out (whole or not at
all, ``model.experiments.outdir``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..experiments.outdir import HELP_FORCE, HELP_OUT, OutputFolder, now, write_manifest
from . import args as cli_args
from .ensembles import _argv, _executor, _progress, _reporting_errors
from .scenarios import add_lang

MEMBERS_RANGE = (20, 200_000)
MAX_BOXES_RANGE = (1, 5)


def share(low: float, high: float, inclusive_low: bool):
    """An argparse type: a number in [low, high] (or (low, high] when not ``inclusive_low``)."""
    def parse(text: str) -> float:
        try:
            value = float(text) if len(text) <= 40 else None
        except ValueError:
            value = None
        if value is None or not (low <= value <= high) or (value == low and not inclusive_low):
            bracket = "[" if inclusive_low else "("
            raise argparse.ArgumentTypeError(f"expected a number in {bracket}{low:g}, {high:g}], got {text[:40]!r}")
        return value

    parse.__name__ = "number"
    return parse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``discover`` subcommand."""
    from ..discover import (DEFAULT_LEVER_SPAN, DEFAULT_MASS_MIN, DEFAULT_MAX_BOXES, DEFAULT_MEMBERS,
                            DEFAULT_THRESHOLD, METHODS)
    from ..experiments.uncertainty import UNCERTAINTIES_FILE

    p = sub.add_parser(
        "discover", help="scenario discovery: the input ranges under which a plan target is missed (PRIM or CART)",
        description="Run an uncertainty ensemble around SCENARIO (the uncertain parameters of "
                    "model/uncertainties.yaml, and every lever within --lever-span of its range around the "
                    "scenario's setting), score --target in every member (missed: not met, as the scorecard "
                    "says; near counts as missed) and find the few input ranges (boxes) where the misses "
                    "concentrate, with PRIM (EMA Workbench) or CART (scikit-learn's decision tree). Writes boxes.csv (each box's "
                    "ranges, labels, units, coverage and density), members.csv, trajectory.csv (PRIM), "
                    "discover.png and manifest.json. A target met (or missed) in every member has no box: "
                    "the command says so.\n\n" + HELP_OUT,
        epilog="example: python -m model discover scenarios/plan.yaml --target 13th:energy_intensity "
               "--members 2000 --out out/discover",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", help="scenario file (SCENARIO.yaml, see scenarios/)")
    p.add_argument("--target", required=True, metavar="ID",
                   help="the plan target, plan:id (e.g. 13th:energy_intensity) or id when one plan has it")
    p.add_argument("--members", type=cli_args.int_in(*MEMBERS_RANGE), default=DEFAULT_MEMBERS,
                   help="ensemble members, %d to %s (default %d)" % (MEMBERS_RANGE[0], f"{MEMBERS_RANGE[1]:,}",
                                                                     DEFAULT_MEMBERS))
    p.add_argument("--method", choices=METHODS, default="prim", help="PRIM (default) or CART")
    p.add_argument("--lever-span", type=share(0, 1, True), default=DEFAULT_LEVER_SPAN,
                   help="levers vary uniformly within this share of their range around the scenario's setting "
                        "(clipped to the range), 0 to 1; 0 keeps them as set (default %g)" % DEFAULT_LEVER_SPAN)
    p.add_argument("--threshold", type=share(0, 1, False), default=DEFAULT_THRESHOLD,
                   help="density a box must reach: the share of its members that miss the target (default %g)"
                        % DEFAULT_THRESHOLD)
    p.add_argument("--mass-min", type=share(0, 0.5, False), default=DEFAULT_MASS_MIN,
                   help="least share of the members a box holds (default %g)" % DEFAULT_MASS_MIN)
    p.add_argument("--max-boxes", type=cli_args.int_in(*MAX_BOXES_RANGE), default=DEFAULT_MAX_BOXES,
                   help="at most this many boxes, %d to %d (default %d)" % (*MAX_BOXES_RANGE, DEFAULT_MAX_BOXES))
    p.add_argument("--uncertainties", type=Path, default=UNCERTAINTIES_FILE,
                   help="uncertainty declarations (default model/uncertainties.yaml)")
    p.add_argument("--seed", type=cli_args.seed, default=0,
                   help="random seed, 0 to 2**32-1 (same seed, same members; default 0)")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--force", action="store_true", help=HELP_FORCE)
    p.add_argument("--workers", type=cli_args.workers, default=None,
                   help="local worker processes (default: this process for small runs, else one per core)")
    p.add_argument("--scheduler", type=cli_args.scheduler, default=None, metavar="tcp://HOST:PORT",
                   help="run the members on this Dask distributed scheduler (checked first: exit 2 if it does "
                        "not answer)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_lang(p)
    p.set_defaults(func=_discover)


@_reporting_errors
def _discover(args: argparse.Namespace) -> int:
    from ..discover import discover, find_target
    from ..discover.figure import discovery_figure
    from ..experiments.batch import scenario_entries
    from ..experiments.uncertainty import load_uncertainties
    from ..i18n import t
    from ..i18n import unit as unit_word
    from ..project import Project
    from ..scenarios import load_scenario

    started = now()
    with OutputFolder(args.out, args.force) as out:
        project = Project(engine="simlin")
        target = find_target(args.target, project.targets, args.lang)  # before anything runs
        scenario = load_scenario(args.scenario, project)
        uncertainties = load_uncertainties(args.uncertainties, reference=project)
        executor = _executor(args, args.members)
        with _progress(args, args.members) as bar, executor:
            result = discover(project, scenario.levers, target, members=args.members, method=args.method,
                              seed=args.seed, lever_span=args.lever_span, uncertainties=uncertainties,
                              threshold=args.threshold, mass_min=args.mass_min, max_boxes=args.max_boxes,
                              executor=executor, progress=bar)
        table = result.table(args.lang)
        table.to_csv(out / "boxes.csv", index=False)
        result.members_table().to_csv(out / "members.csv")
        outputs = ["boxes.csv", "members.csv"]
        if result.trajectory is not None:
            result.trajectory.rename_axis("step").to_csv(out / "trajectory.csv")
            outputs.append("trajectory.csv")
        discovery_figure(result, out / "discover.png", args.lang)
        outputs.append("discover.png")
        write_manifest(
            out, command="discover", argv=_argv(args), started=started,
            settings={"seed": args.seed, "members": args.members, "method": args.method, "lang": args.lang,
                      "lever_span": args.lever_span, "threshold": args.threshold, "mass_min": args.mass_min,
                      "max_boxes": args.max_boxes, "workers": args.workers, "scheduler": args.scheduler,
                      "force": args.force, "engine": "simlin"},
            scenarios=scenario_entries([scenario], project), failures=[], outputs=outputs,
            details={"target": result.name, "outcome": result.outcome, "missed": int(result.missed.sum()),
                     "missed_means": "status not met or exceeded (model.scorecard); near counts as missed",
                     "boxes": [{"coverage": b.coverage, "density": b.density, "mass": b.mass,
                                "limits": b.limits.to_dict("records")} for b in result.boxes],
                     "inputs": [{"input": name, "kind": row["kind"], "low": row["range_low"], "high": row["range_high"]}
                                for name, row in result.described.iterrows()]})
    print(result.message(args.lang))
    for k, box in enumerate(result.boxes, start=1):
        print(t("discover_box", args.lang, box=k, coverage=f"{box.coverage:.0%}", density=f"{box.density:.0%}",
                mass=f"{box.mass:.0%}"))
        for _, row in table[table["box"] == k].iterrows():
            unit = f" {row['unit']}" if row["unit"] and row["unit"] != unit_word("Dmnl", args.lang) else ""
            print(f"  {row['label']}: {row['low']:.4g} .. {row['high']:.4g}{unit}"
                  f"  [{row['range_low']:.4g} .. {row['range_high']:.4g}]")
    print(t("discover_written", args.lang, out=args.out), file=sys.stderr)
    return 0
