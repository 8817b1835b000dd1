"""The calibration's committed outputs: what they hold, how they are written and read back.

- ``estimates.csv``: every estimated parameter (value, bounds, start, standard error, role);
  with initial_2000.csv it reproduces the 2000-2010 fit;
- ``parameters.csv``: the projection defaults the model reads (columns parameter, value, ...):
  the estimates whose role carries over to projections, and the stock-setting constants whose
  2010 value is read off the calibrated run (derived_2010.csv), with delta-method errors;
- ``fit_statistics.csv``: one row per fitted series (PySD run of the estimates).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model import datafiles
from model.errors import PlanSimError

from . import spec as specs
from . import statistics
from .fit import FitResult
from .problem import Calibration

HERE = Path(__file__).resolve().parent
ESTIMATES_FILE = HERE / "estimates.csv"
PARAMETERS_FILE = HERE / "parameters.csv"
FIT_STATISTICS_FILE = HERE / "fit_statistics.csv"
FIT_COLUMNS = ["series", "n_points", "mape", "rmse", "r2", "theil_um", "theil_us", "theil_uc", "mae", "unit"]
# Finite-difference step (fraction of the bound range) for the errors of derived 2010 values.
DELTA_STEP = 1e-4


def estimates_table(problem: Calibration, fit: FitResult) -> pd.DataFrame:
    """One row per estimated parameter: ``std_error`` is the reported (bootstrap) error,
    ``std_error_local`` the Jacobian's (independent residuals; blank on a bound)."""
    spec = problem.spec.table
    local = fit.std_error_local if fit.std_error_local is not None else np.full(len(fit.x), np.nan)
    return pd.DataFrame({
        "parameter": fit.names, "value": fit.x, "std_error": fit.std_error, "at_bound": fit.at_bound,
        "lower": spec["lower"], "upper": spec["upper"], "start": spec["start"],
        "model_value": spec["model_value"], "role": spec["role"], "std_error_local": local,
    })


def read_estimates(problem: Calibration, path=ESTIMATES_FILE, *, new_take_start: bool = False) -> np.ndarray:
    """Estimated values from ``path`` in the order of the problem's parameters;
    ``new_take_start``: a parameter the file does not have yet (newly added to the spec) takes
    its start value instead of stopping (the pre-fit anchoring of ``python -m calibration``)."""
    table = datafiles.read_table(path, datafiles.PARAMETER_COLUMNS, hint=datafiles.REGENERATE)
    values = dict(zip(table["parameter"], table["value"]))
    if new_take_start:
        values = {**dict(zip(problem.names, problem.spec.start)), **values}
    missing = [n for n in problem.names if n not in values]
    if missing:
        raise PlanSimError(f"{path}: no estimate for {missing}; run python -m calibration")
    return np.array([values[n] for n in problem.names])


def derived_2010_errors(problem: Calibration, x: np.ndarray, covariance: np.ndarray) -> dict[str, float]:
    """Delta-method standard errors of the derived 2010 values (fast engine, forward differences)."""
    base = problem.derived_2010_values(problem.simulate(x))
    width = problem.spec.upper - problem.spec.lower
    grad = np.zeros((len(base), len(x)))
    for j in range(len(x)):
        h = DELTA_STEP * width[j] * (1 if x[j] + DELTA_STEP * width[j] <= problem.spec.upper[j] else -1)
        step = x.copy()
        step[j] += h
        moved = problem.derived_2010_values(problem.simulate(step))
        grad[:, j] = [(moved[k] - base[k]) / h for k in base]
    cov = np.nan_to_num(covariance)
    return dict(zip(base, np.sqrt(np.clip(np.einsum("ij,jk,ik->i", grad, cov, grad), 0, None))))


def bootstrap_derived_errors(problem: Calibration, draws: np.ndarray) -> dict[str, float]:
    """Standard deviation of each derived 2010 value over the bootstrap's refitted estimates."""
    values = pd.DataFrame([problem.derived_2010_values(problem.simulate(x)) for x in draws])
    return values.std(ddof=1).to_dict() if len(values) > 1 else {}


def parameters_table(problem: Calibration, estimates: pd.DataFrame, derived: dict[str, float],
                     derived_errors: dict[str, float]) -> pd.DataFrame:
    """The projection defaults: carried-over estimates, the recorded policy paths' knots (the
    default path: the recorded one, held after 2010), then derived 2010 states."""
    carried = estimates[estimates["role"].isin(specs.PROJECTION_ROLES)]
    carried = carried[~carried["parameter"].isin(derived)]
    constants = problem.reference.constants()
    notes = dict(zip(problem.derived_2010["parameter"], problem.derived_2010["note"]))
    rows = [{**row, "note": "estimated"} for row in carried.drop(columns=["std_error_local"],
                                                                 errors="ignore").to_dict("records")]
    theta = np.array([dict(zip(estimates["parameter"], estimates["value"]))[n] for n in problem.names])
    sources = problem.policy.sources()
    for name, value in problem.knot_values(theta).items():
        if name in set(carried["parameter"]):
            continue
        rows.append({"parameter": name, "value": value, "std_error": np.nan, "at_bound": "", "lower": np.nan,
                     "upper": np.nan, "start": np.nan, "model_value": constants[name], "role": "recorded path",
                     "note": sources.get(name, "recorded policy path (knot year, or a repeat of the last knot)")})
    for name, value in derived.items():
        rows.append({"parameter": name, "value": value, "std_error": derived_errors.get(name, np.nan),
                     "at_bound": "", "lower": np.nan, "upper": np.nan, "start": np.nan,
                     "model_value": constants[name], "role": "derived 2010 state", "note": notes[name]})
    return pd.DataFrame(rows, columns=["parameter", "value", "std_error", "at_bound", "lower", "upper", "start",
                                       "model_value", "role", "note"])


def fit_statistics(points: pd.DataFrame) -> pd.DataFrame:
    """fit_statistics.csv rows from fitted points (see Calibration.fitted_points)."""
    return statistics.fit_table(points)[FIT_COLUMNS]


def reproduce(problem: Calibration, x: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """PySD run of the estimates ``x``: (fitted points, fit statistics, derived 2010 values)."""
    sim = problem.sim_array(problem.simulate_pysd(x))
    points = problem.fitted_points(sim)
    return points, fit_statistics(points), problem.derived_2010_values(sim)


def goals_table(points: pd.DataFrame, stats: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Each goal with its achieved value; '*' goals are checked on every series with 3+ points
    (with one or two points a bias share says nothing: all the error of one point is bias)."""
    rows = []
    for _, goal in goals.iterrows():
        if goal["series"] == "*":
            for _, stat in stats.iterrows():
                meaningful = stat["n_points"] >= 3
                value = stat[goal["statistic"]]
                rows.append({"goal": f"{goal['goal']}: {stat['series']}", "statistic": goal["statistic"],
                             "threshold": goal["threshold"], "value": value, "n_points": stat["n_points"],
                             "met": bool(value < goal["threshold"]) if meaningful else None})
            continue
        names = goal["series"].split(";")
        group = points[points["series"].isin(names)]
        value = statistics.summary(group["simulated"], group["actual"])[goal["statistic"]]
        rows.append({"goal": goal["goal"], "statistic": goal["statistic"], "threshold": goal["threshold"],
                     "value": value, "n_points": len(group), "met": bool(value <= goal["threshold"])})
    return pd.DataFrame(rows)


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write with full float precision (the freshness test re-reads the values)."""
    table.to_csv(path, index=False, lineterminator="\n")
