"""The calibration problem: runs from 2000, weighted relative residuals against 2000-2010 history.

A run starts in 2000 from the 2000 settings of initial_2000.csv (data, assumptions, estimates)
and the candidate parameters; each lever follows its ``historical ...`` constant before the
policy start (2010). Residuals are relative errors (simulated / observed - 1), each point
weighted by sqrt(weight / max(n_points, MIN_POINTS)): a series with MIN_POINTS points or more
weighs ``weight`` in all, whatever its number of points, so that no series dominates by its
scale or by its number of points; a shorter series weighs n_points / MIN_POINTS of that (one
point: a fifth), so that one observation is a soft anchor, not a hard constraint that pins a
parameter to whatever value matches it. A ``shape`` series (an index known up to a factor) is compared after scaling the data by
the least-squares factor. Points that set the 2000 stocks are initial conditions, not fitted.

Simulated values are in the model's units (population 10^4 persons, money 10^8 yuan a year at
2010 prices, energy 10^4 tce a year, shares as fractions); ``fitted_points`` converts them to the
indicators' units (shares in per cent) for the statistics.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from model import engines
from model.declaration import RunTimes
from model.project import Project
from model.history import fit_observations, history_with_derived
from model.metadata import indicator_table

from . import policy as policies
from . import spec as specs
from .spec import END_YEAR, START_YEAR

# Residual given to a failed or non-finite run (a relative error of 1000 % on every point).
FAILED_RESIDUAL = 10.0
# Floor on the number of points a series' weight is shared among (see the module docstring):
# series of 5 or more points (the decade's annual series, the 2005-2009 GDP index) weigh the same,
# a one-point series a fifth of that.
MIN_POINTS = 5
# Twin-experiment tolerance of an estimated policy knot (a fraction of its bound range): a knot
# shows only through the few years its path segment acts, looser than a structural parameter.
POLICY_TWIN_TOLERANCE = 0.15


@dataclass(frozen=True)
class CalibrationFiles:
    """The declared files a calibration problem is built from (what names it in a worker)."""

    spec_path: str
    initial_path: str
    derived_2010_path: str
    policy_path: str
    fit_until: int = END_YEAR
    hold: tuple = ()


@lru_cache(maxsize=2)
def worker_problem(files: CalibrationFiles) -> "Calibration":
    """This process's problem for ``files`` on the fast engine (a worker builds it once)."""
    return Calibration(Project(engine="simlin", use_calibration=False), spec_path=files.spec_path,
                       initial_path=files.initial_path, derived_2010_path=files.derived_2010_path,
                       policy_path=files.policy_path, fit_until=files.fit_until, hold=dict(files.hold))


class Calibration:
    """Everything the optimiser needs, built once from the declared files.

    ``observations`` replaces the history (columns as ``model.history.fit_observations``) for
    synthetic-data experiments; ``spec_path`` and ``initial_path`` select other declarations.
    ``fit_until`` (a year) fits only the points up to it; the later points are kept as
    ``holdout`` (the out-of-sample test: calibrate on 2000-2005, compare 2006-2010).
    """

    def __init__(self, reference: Project | None = None, *, observations: pd.DataFrame | None = None,
                 spec_path=specs.SPEC_FILE, initial_path=specs.INITIAL_FILE,
                 derived_2010_path=specs.DERIVED_2010_FILE, policy_path=policies.POLICY_FILE,
                 fit_until: int = END_YEAR, hold: Mapping[str, float] | None = None):
        self.files = CalibrationFiles(str(spec_path), str(initial_path), str(derived_2010_path), str(policy_path),
                                      int(fit_until), tuple(sorted((hold or {}).items())))
        self.fit_until = int(fit_until)
        self.own_observations = observations is not None
        # The raw model file: the calibration must not start from an earlier calibration's output.
        self.reference = reference if reference is not None else Project(use_calibration=False)
        constants = self.reference.constants()
        variables = set(self.reference.doc.index)
        levers = self.reference.levers()
        limits = {n: tuple(v) for n, v in self.reference.doc["Limits"].items() if isinstance(v, tuple)}
        spec = specs.load_parameter_spec(constants, levers["name"], spec_path, limits)
        self.policy = policies.load_policy_paths(levers, constants, self.reference.doc, policy_path)
        spec = spec.with_parameters(self.policy.estimated.assign(
            role=policies.ROLE, twin_tolerance=POLICY_TWIN_TOLERANCE,
            model_value=lambda t: t["parameter"].map(constants)))
        self.held = dict(hold or {})
        self.spec = spec.without(self.held)
        self.history = history_with_derived()
        self.initial = specs.load_initial_2000(self.history, constants, spec, initial_path)
        fixed = self.initial[self.initial["basis"] != "estimated"]
        knots = self.policy.knots()
        # knot constants that repeat an estimated knot (a path with fewer than five knots)
        copies = {name: self.policy.copy_of[name] for name in knots if name in self.policy.copy_of}
        self._copies = {n: source for n, source in copies.items() if source not in self.held}
        self.fixed = {**dict(zip(fixed["parameter"], fixed["value"].astype(float))),
                      **{n: v for n, v in knots.items() if np.isfinite(v)}, **self.held,
                      **{n: self.held[source] for n, source in copies.items() if source in self.held}}
        self.fixed = {n: v for n, v in self.fixed.items() if n not in self.spec.names}
        self.derived_2010 = specs.load_derived_2010(variables, derived_2010_path)

        obs = observations if observations is not None else fit_observations(model_variables=variables)
        initial_series = set(self.initial.loc[self.initial["basis"] == "data", "series"])
        sets_stock = obs["series"].isin(initial_series) & (obs["year"] == START_YEAR)
        outside = ~obs["year"].between(START_YEAR, END_YEAR)
        self.excluded = pd.concat([
            obs[sets_stock].assign(reason=f"sets the {START_YEAR} stocks (initial condition)"),
            obs[outside].assign(reason="outside the calibration period"),
        ], ignore_index=True)
        later = obs["year"] > self.fit_until
        self.holdout = obs[~sets_stock & ~outside & later].reset_index(drop=True)
        points = obs[~sets_stock & ~outside & ~later].reset_index(drop=True)
        self.points = points
        self.series = list(dict.fromkeys(points["series"]))
        self.fit_modes = points.groupby("series", sort=False)["fit"].first()

        extra = [name for expr in pd.concat([self.derived_2010["numerator"], self.derived_2010["denominator"]])
                 for product in specs.terms(expr) for name in product]
        self.variables = list(dict.fromkeys([*points["variable"], *self.holdout["variable"], *extra]))
        # The search's runs: the fast engine on the same declaration, names checked once here
        # (per run: no checks, no tables; about 0.6 ms).
        self.engine = engines.create("simlin", self.reference.declaration)
        names = self.spec.names
        self._copy_index = np.array([names.index(v) for v in self._copies.values()], int)
        self._run_names = [*self.fixed, *names, *self._copies]
        self._member_names = [*names, *self._copies]
        self.reference.validate_params(self.params(self.spec.start))
        self.times = RunTimes(float(START_YEAR), END_YEAR, self.reference.control["TIME STEP"])
        self.years = np.arange(START_YEAR, END_YEAR + 1)
        self._fixed_values = np.array(list(self.fixed.values()), float)

        self._row = points["variable"].map({v: i for i, v in enumerate(self.variables)}).to_numpy()
        self._col = (points["year"] - START_YEAR).to_numpy()
        self._data = points["model_value"].to_numpy(float)
        n = points.groupby("series")["series"].transform("size").to_numpy()
        self._sqrt_w = np.sqrt(points["weight"].to_numpy(float) / np.maximum(n, MIN_POINTS))
        self._shape_groups = [np.flatnonzero(points["series"].to_numpy() == s)
                              for s in self.series if self.fit_modes[s] == "shape"]
        # indicator value = model value * scale (1 for series mapped to a model variable)
        self._scale = (points["value"] / points["model_value"]).to_numpy(float)
        units = indicator_table()["unit"]
        self._units = points["indicator"].map(units).where(points["indicator"] != "", points["unit"])

    # -- parameters -------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return self.spec.names

    @property
    def n_residuals(self) -> int:
        return len(self._data)

    def params(self, theta: Sequence[float]) -> dict[str, float]:
        """Every constant a 2000 run sets: the 2000 settings, the recorded policy knots and the
        candidate parameters (an estimated knot also sets the knots that repeat it)."""
        theta = np.asarray(theta, float)
        return {**self.fixed, **dict(zip(self.names, map(float, theta))),
                **dict(zip(self._copies, map(float, theta[self._copy_index])))}

    def knot_values(self, theta: Sequence[float]) -> dict[str, float]:
        """Every knot constant of the recorded paths for the parameters ``theta``."""
        params = self.params(theta)
        return {name: params[name] for name in self.policy.knots()}

    # -- runs -------------------------------------------------------------------------------
    def simulate(self, theta) -> np.ndarray:
        """Fast run: array (variables x years 2000-2010)."""
        theta = np.asarray(theta, float)
        values = np.concatenate([self._fixed_values, theta, theta[self._copy_index]])
        return self.engine.run(dict(zip(self._run_names, values)), self.times, self.variables).T

    def simulate_many(self, thetas: np.ndarray) -> np.ndarray:
        """Fast runs of many parameter sets at once (rows of ``thetas``): array (sets x variables
        x years). One compiled simulation with the fixed constants set once, each set changing
        only the estimated parameters: several times cheaper per run than ``simulate``."""
        thetas = np.atleast_2d(np.asarray(thetas, float))
        matrix = np.hstack([thetas, thetas[:, self._copy_index]])
        raw = self.engine.run_members(self.fixed, self._member_names, matrix, self.times, self.variables)
        return raw.transpose(0, 2, 1)

    def residuals_many(self, thetas: np.ndarray) -> np.ndarray:
        """Weighted relative residuals of many parameter sets (sets x points); a batch the engine
        cannot run is evaluated set by set, a failed set scoring as a failure."""
        thetas = np.atleast_2d(np.asarray(thetas, float))
        try:
            sims = self.simulate_many(thetas)
        except Exception:  # noqa: BLE001 - one bad set must not fail the batch
            return np.array([self.residuals(theta) for theta in thetas])
        return np.array([self.residuals_from(sim) for sim in sims])

    def simulate_pysd(self, theta, variables: list[str] | None = None) -> pd.DataFrame:
        """Reference run with PySD (index year, columns model variables)."""
        return self.reference.run_variables(params=self.params(theta), initial_year=START_YEAR,
                                            final_year=END_YEAR, variables=variables or self.variables)

    def at_points(self, sim: np.ndarray) -> np.ndarray:
        """The simulated value (model units) at every fitted point."""
        return sim[self._row, self._col]

    def _ratios(self, sim: np.ndarray) -> np.ndarray:
        """Simulated / observed for every point, the shape series' data scaled to fit."""
        ratio = self.at_points(sim) / self._data
        for idx in self._shape_groups:
            x = ratio[idx]
            ratio[idx] = x * (np.sum(x) / np.sum(x * x))  # least-squares factor on the data
        return ratio

    def with_data(self, model_values: np.ndarray) -> "Calibration":
        """The same problem with other observed values at the same points (model units): the
        bootstrap's resampled histories. A shallow copy: engine and tables are shared."""
        twin = copy.copy(self)
        twin._data = np.asarray(model_values, float).copy()
        return twin

    def relative_residuals(self, sim: np.ndarray) -> np.ndarray:
        """Unweighted relative residuals simulated / observed - 1 of every fitted point."""
        return self._ratios(sim) - 1

    def residuals_from(self, sim: np.ndarray) -> np.ndarray:
        ratio = self._ratios(sim)
        if not np.all(np.isfinite(ratio)):
            return np.full(self.n_residuals, FAILED_RESIDUAL) * self._sqrt_w
        return (ratio - 1) * self._sqrt_w

    def residuals(self, theta) -> np.ndarray:
        """Weighted relative residuals (fast engine)."""
        try:
            sim = self.simulate(theta)
        except Exception:  # noqa: BLE001 - a parameter set the engine cannot run scores as a failure
            return np.full(self.n_residuals, FAILED_RESIDUAL) * self._sqrt_w
        return self.residuals_from(sim)

    def cost(self, theta) -> float:
        """Sum of squared weighted residuals (the objective)."""
        r = self.residuals(theta)
        return float(r @ r)

    # -- results ----------------------------------------------------------------------------
    def sim_array(self, frame: pd.DataFrame) -> np.ndarray:
        """A PySD result (index year, columns variables) as the fast engine's array."""
        return frame.loc[list(self.years), self.variables].to_numpy(float).T

    def fitted_points(self, sim: np.ndarray) -> pd.DataFrame:
        """Every fitted point with its simulated and actual value in indicator units.

        For a shape series ``actual`` is the data scaled by the fitted factor (``data_factor``).
        """
        simulated = self.at_points(sim)
        ratio = self._ratios(sim)
        factor = simulated / (ratio * self._data)
        return pd.DataFrame({
            "series": self.points["series"], "indicator": self.points["indicator"],
            "variable": self.points["variable"], "year": self.points["year"],
            "fit": self.points["fit"], "observed": self.points["value"],
            "data_factor": factor, "actual": self.points["value"] * factor,
            "simulated": simulated * self._scale, "unit": self._units,
            "quality": self.points["quality"],
        })

    def holdout_points(self, sim: np.ndarray) -> pd.DataFrame:
        """The held-out points (after ``fit_until``) with their simulated value, in indicator
        units, columns as ``fitted_points``. A shape series is scaled by the factor fitted on
        its in-sample points (the GDP index anchored on the model's 2005 level); a shape series
        with no in-sample point gets its own least-squares factor (stated in the report)."""
        obs = self.holdout
        if obs.empty:
            return self.fitted_points(sim).iloc[:0]
        row = obs["variable"].map({v: i for i, v in enumerate(self.variables)}).to_numpy()
        simulated = sim[row, (obs["year"] - START_YEAR).to_numpy()]
        data = obs["model_value"].to_numpy(float)
        factor = np.ones(len(obs))
        fitted = self.fitted_points(sim)
        for name in obs.loc[obs["fit"] == "shape", "series"].unique():
            mine = (obs["series"] == name).to_numpy()
            inside = fitted[fitted["series"] == name]
            if len(inside):
                factor[mine] = inside["data_factor"].iloc[0]
            else:
                x = simulated[mine] / data[mine]
                factor[mine] = np.sum(x * x) / np.sum(x)
        scale = (obs["value"] / obs["model_value"]).to_numpy(float)
        units = indicator_table()["unit"]
        return pd.DataFrame({
            "series": obs["series"], "indicator": obs["indicator"], "variable": obs["variable"],
            "year": obs["year"], "fit": obs["fit"], "observed": obs["value"], "data_factor": factor,
            "actual": obs["value"] * factor, "simulated": simulated * scale,
            "unit": obs["indicator"].map(units).where(obs["indicator"] != "", obs["unit"]),
            "quality": obs["quality"],
        })

    def derived_2010_values(self, sim: np.ndarray) -> dict[str, float]:
        """The 2010 value of every stock-setting constant of derived_2010.csv, from a 2000 run."""
        last = {v: sim[i, -1] for i, v in enumerate(self.variables)}
        return {row["parameter"]: specs.evaluate(row["numerator"], last) / specs.evaluate(row["denominator"], last)
                for _, row in self.derived_2010.iterrows()}
