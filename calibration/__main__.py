"""``python -m calibration``: refit the model to 2000-2010 history and write the validation report."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from model.cli import args as cli_args
from model.errors import PlanSimError
from model.experiments import executor as executors

from . import bootstrap, fit
from .pipeline import HERE, run_calibration


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m calibration",
        description="Fit the model's uncertain parameters to Shanghai's 2000-2010 history (differential "
                    "evolution, then least squares; moving-block bootstrap errors), test a 2000-2005 fit on "
                    "2006-2010, and write estimates.csv, parameters.csv, fit_statistics.csv, "
                    "out_of_sample_*.csv, REPORT.md and figures/.",
        epilog="example: python -m calibration            (rewrites the committed outputs in calibration/)",
    )
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: calibration/)")
    parser.add_argument("--seed", type=int, default=fit.SEED, help=f"random seed (default {fit.SEED})")
    parser.add_argument("--popsize", type=int, default=fit.POPSIZE,
                        help=f"population per parameter (default {fit.POPSIZE})")
    parser.add_argument("--maxiter", type=int, default=fit.MAXITER,
                        help=f"generations of differential evolution at most (default {fit.MAXITER})")
    parser.add_argument("--workers", type=cli_args.workers, default=1, metavar="N",
                        help="worker processes evaluating each generation of the search (default 1: this process, "
                             "member by member, as the committed outputs were made; more evaluate a generation at "
                             "once, which gives slightly different estimates)")
    parser.add_argument("--scheduler", type=cli_args.scheduler, default=None, metavar="tcp://HOST:PORT",
                        help="evaluate the generations on this Dask scheduler instead (checked first)")
    parser.add_argument("--refits", type=int, default=bootstrap.REFITS,
                        help=f"bootstrap refits for the standard errors (default {bootstrap.REFITS})")
    parser.add_argument("--no-out-of-sample", action="store_true",
                        help="skip the out-of-sample test (fit 2000-2005, compare 2006-2010)")
    parser.add_argument("--no-twin", action="store_true", help="skip the twin experiment")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    try:
        with executors.create(args.workers, args.scheduler) as executor:
            outcome = run_calibration(args.out, seed=args.seed, popsize=args.popsize, maxiter=args.maxiter,
                                      progress=not args.quiet, twin=not args.no_twin, executor=executor,
                                      refits=max(args.refits, 0), out_of_sample=not args.no_out_of_sample)
    except PlanSimError as err:  # a damaged data file: one clear line, no traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
    goals = outcome["goals"]
    print(f"\nWrote {args.out}: estimates.csv, parameters.csv, fit_statistics.csv, REPORT.md, figures/")
    print(f"Run time {outcome['timings']['total']:.0f} s")
    fit_result = outcome["fit"]
    print(f"  search: {'converged' if fit_result.converged else 'NOT converged'} after {fit_result.generations} "
          f"generations ({fit_result.de_message})")
    main_goals = goals[~goals["goal"].str.contains(":")]
    oos = outcome["out_of_sample"]
    if oos is not None:
        main_goals = pd.concat([main_goals, oos["evaluation"].goals], ignore_index=True)
    for row in main_goals.itertuples():
        print(f"  {row.goal}: {row.statistic} {row.value:.3g} (goal {row.threshold:g}) "
              f"{'met' if row.met else 'NOT met'}")
    bias = goals[goals["goal"].str.contains(":") & (goals["met"] == False)]  # noqa: E712 - None means n/a
    if len(bias):
        print("  Theil U_M >= 0.1: " + ", ".join(f"{g.split(': ')[1]} {v:.2f}" for g, v in zip(bias["goal"], bias["value"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
