"""Out-of-sample test inside the data: calibrate on 2000-2005, project 2006-2010, compare.

The same problem as the full calibration (same model, 2000 settings, specs and weights), fitted
to the points up to FIT_UNTIL only; the run then goes on to 2010 under the recorded policy
paths and is compared with every held-out point of 2006-2010 (``goals_out_of_sample.csv``).

Policy knots estimated in the full calibration whose effect starts after FIT_UNTIL (their
year is FIT_UNTIL or later: the 11th plan's energy-saving campaign, the 2010 investment rate,
the Expo-era rail starts) cannot be estimated from 2000-2005 data; they are policy inputs of the
projection and are held at the full calibration's values (the report lists them): the test is
a projection conditional on the recorded policy, as a plan scenario is.

Outputs (committed, checked by tests/test_v2_validation.py without a search):
``out_of_sample_estimates.csv`` and ``out_of_sample_statistics.csv``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model import datafiles
from model.project import Project

from . import fit as fitting
from . import results
from . import spec as specs
from .problem import Calibration

HERE = Path(__file__).resolve().parent
FIT_UNTIL = 2005
ESTIMATES_FILE = HERE / "out_of_sample_estimates.csv"
STATISTICS_FILE = HERE / "out_of_sample_statistics.csv"
HELD_NOTE = "policy input after the fit period: held at the full calibration's estimate"


def late_knots(table: pd.DataFrame, fit_until: int = FIT_UNTIL) -> list[str]:
    """Estimated knots that leave the path unchanged up to ``fit_until``: not a path's first
    knot (which holds before it) and after a knot dated ``fit_until`` or later (so that no ramp
    towards them passes through the fit period)."""
    late = []
    for _, rows in table.groupby("lever", sort=False):
        previous = rows["year"].shift(1)
        mine = (rows["basis"] == "estimated") & previous.notna() & (previous >= fit_until)
        late += list(rows.loc[mine, "parameter"])
    return late


def held_knots(problem: Calibration, estimates: dict[str, float], fit_until: int = FIT_UNTIL) -> dict[str, float]:
    """Estimated policy knots whose effect starts after ``fit_until``, at the full estimates."""
    return {name: float(estimates[name]) for name in late_knots(problem.policy.table, fit_until)}


def problem_for(reference: Project, estimates: dict[str, float], fit_until: int = FIT_UNTIL) -> Calibration:
    """The 2000-``fit_until`` problem (late policy knots held at ``estimates``)."""
    full = Calibration(reference)
    return Calibration(reference, fit_until=fit_until, hold=held_knots(full, estimates, fit_until))


@dataclass
class Evaluation:
    """Held-out points with simulated values, their statistics and the goals."""

    points: pd.DataFrame
    stats: pd.DataFrame
    goals: pd.DataFrame
    in_sample: pd.DataFrame


def evaluate(problem: Calibration, x: np.ndarray, goals_path=specs.OUT_OF_SAMPLE_GOALS_FILE) -> Evaluation:
    """The run of ``x`` from 2000 (fast engine) against the held-out points."""
    sim = problem.simulate(x)
    points = problem.holdout_points(sim)
    stats = results.fit_statistics(points)
    goals = results.goals_table(points, stats, specs.load_goals(list(dict.fromkeys(points["series"])), goals_path))
    return Evaluation(points=points, stats=stats, goals=goals, in_sample=problem.fitted_points(sim))


def estimates_table(problem: Calibration, fit: fitting.FitResult) -> pd.DataFrame:
    """Estimated parameters of the 2000-2005 fit, then the held policy knots."""
    table = results.estimates_table(problem, fit)[["parameter", "value", "at_bound", "lower", "upper", "role"]]
    table["note"] = "estimated on 2000-2005"
    held = pd.DataFrame({"parameter": list(problem.held), "value": list(problem.held.values()), "at_bound": "",
                         "lower": np.nan, "upper": np.nan, "role": "recorded path", "note": HELD_NOTE})
    return pd.concat([table, held], ignore_index=True)


def read_estimates(problem: Calibration, path=ESTIMATES_FILE) -> np.ndarray:
    """The committed 2000-2005 estimates in the order of ``problem``'s parameters."""
    return results.read_estimates(problem, path)


def committed_held(path=ESTIMATES_FILE) -> dict[str, float]:
    """The held policy knots of the committed out-of-sample estimates."""
    table = datafiles.read_table(path, datafiles.PARAMETER_COLUMNS, hint=datafiles.REGENERATE)
    held = table[table["note"] == HELD_NOTE] if "note" in table else table.iloc[:0]
    return dict(zip(held["parameter"], held["value"].astype(float)))


def run(reference: Project, full_estimates: dict[str, float], *, seed: int, popsize: int, maxiter: int,
        progress: bool, executor=None) -> tuple[Calibration, fitting.FitResult, Evaluation]:
    """Fit 2000-2005 and evaluate 2006-2010."""
    problem = problem_for(reference, full_estimates)
    fit = fitting.calibrate(problem, seed=seed, popsize=popsize, maxiter=maxiter, progress=progress,
                            executor=executor)
    return problem, fit, evaluate(problem, fit.x)
