"""The calibration problem: runs from 2000, weighted relative residuals against 2000-2010 history.

A run starts in 2000 from the 2000 settings of initial_2000.csv (data, assumptions, estimates)
and the candidate parameters; each lever follows its recorded path (the model file's knots, or
a 'recorded path' estimate: all five value knots at one estimated level). Residuals are relative errors (simulated / observed - 1), each series
weighted by sqrt(weight / n_points) so that no series dominates by its scale or by its number of
points. A ``shape`` series (an index known up to a factor) is compared after scaling the data by
the least-squares factor. Points that set the 2000 stocks are initial conditions, not fitted.

Simulated values are in the model's units (population 10^4 persons, money 10^8 yuan a year at
2010 prices, energy 10^4 tce a year, shares as fractions); ``fitted_points`` converts them to the
indicators' units (shares in per cent) for the statistics.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

from model import engines
from model.declaration import RunTimes
from model.project import Project
from model.history import fit_observations, history_with_derived
from model.metadata import indicator_table

from . import spec as specs
from .spec import END_YEAR, START_YEAR

# Residual given to a failed or non-finite run (a relative error of 1000 % on every point).
FAILED_RESIDUAL = 10.0


@dataclass(frozen=True)
class CalibrationFiles:
    """The declared files a calibration problem is built from (what names it in a worker)."""

    spec_path: str
    initial_path: str
    derived_2010_path: str


@lru_cache(maxsize=2)
def worker_problem(files: CalibrationFiles) -> "Calibration":
    """This process's problem for ``files`` on the fast engine (a worker builds it once)."""
    return Calibration(Project(engine="simlin", use_calibration=False), spec_path=files.spec_path,
                       initial_path=files.initial_path, derived_2010_path=files.derived_2010_path)


class Calibration:
    """Everything the optimiser needs, built once from the declared files.

    ``observations`` replaces the history (columns as ``model.history.fit_observations``) for
    synthetic-data experiments; ``spec_path`` and ``initial_path`` select other declarations.
    """

    def __init__(self, reference: Project | None = None, *, observations: pd.DataFrame | None = None,
                 spec_path=specs.SPEC_FILE, initial_path=specs.INITIAL_FILE,
                 derived_2010_path=specs.DERIVED_2010_FILE):
        self.files = CalibrationFiles(str(spec_path), str(initial_path), str(derived_2010_path))
        self.own_observations = observations is not None
        # The raw model file: the calibration must not start from an earlier calibration's output.
        self.reference = reference if reference is not None else Project(use_calibration=False)
        constants = self.reference.constants()
        variables = set(self.reference.doc.index)
        self.spec = specs.load_parameter_spec(constants, self.reference.levers()["name"], spec_path)
        self.history = history_with_derived()
        self.initial = specs.load_initial_2000(self.history, constants, self.spec, initial_path)
        fixed = self.initial[self.initial["basis"] != "estimated"]
        self.fixed = dict(zip(fixed["parameter"], fixed["value"].astype(float)))
        self.derived_2010 = specs.load_derived_2010(variables, derived_2010_path)

        obs = observations if observations is not None else fit_observations(model_variables=variables)
        initial_series = set(self.initial.loc[self.initial["basis"] == "data", "series"])
        sets_stock = obs["series"].isin(initial_series) & (obs["year"] == START_YEAR)
        outside = ~obs["year"].between(START_YEAR, END_YEAR)
        self.excluded = pd.concat([
            obs[sets_stock].assign(reason=f"sets the {START_YEAR} stocks (initial condition)"),
            obs[outside].assign(reason="outside the calibration period"),
        ], ignore_index=True)
        points = obs[~sets_stock & ~outside].reset_index(drop=True)
        self.points = points
        self.series = list(dict.fromkeys(points["series"]))
        self.fit_modes = points.groupby("series", sort=False)["fit"].first()

        extra = [name for expr in pd.concat([self.derived_2010["numerator"], self.derived_2010["denominator"]])
                 for product in specs.terms(expr) for name in product]
        self.variables = list(dict.fromkeys([*points["variable"], *extra]))
        # The search's runs: the fast engine on the same declaration, names checked once here
        # (per run: no checks, no tables; about 0.6 ms).
        self.engine = engines.create("simlin", self.reference.declaration)
        self._run_names = [*self.fixed, *self.spec.names]
        # a recorded path (a lever's name) sets its five value knots: the engine gets constants
        declaration = self.reference.declaration
        expanded = [list(declaration.expand_recorded_paths({name: 0.0})) for name in self._run_names]
        self._constant_names = [c for names in expanded for c in names]
        self._expand = np.array([k for k, names in enumerate(expanded) for _ in names], dtype=int)
        self.reference.validate_params(dict.fromkeys(self._constant_names, 0.0))
        self.times = RunTimes(float(START_YEAR), END_YEAR, self.reference.control["TIME STEP"])
        self.years = np.arange(START_YEAR, END_YEAR + 1)
        self._fixed_values = np.array(list(self.fixed.values()), float)

        self._row = points["variable"].map({v: i for i, v in enumerate(self.variables)}).to_numpy()
        self._col = (points["year"] - START_YEAR).to_numpy()
        self._data = points["model_value"].to_numpy(float)
        n = points.groupby("series")["series"].transform("size").to_numpy()
        self._sqrt_w = np.sqrt(points["weight"].to_numpy(float) / n)
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
        """Every constant a 2000 run sets: the 2000 settings and the candidate parameters (a
        recorded path as its five value knots)."""
        return self.reference.declaration.expand_recorded_paths(
            {**self.fixed, **dict(zip(self.names, map(float, theta)))})

    # -- runs -------------------------------------------------------------------------------
    def simulate(self, theta) -> np.ndarray:
        """Fast run: array (variables x years 2000-2010)."""
        values = np.concatenate([self._fixed_values, np.asarray(theta, float)])[self._expand]
        return self.engine.run(dict(zip(self._constant_names, values)), self.times, self.variables).T

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

    def derived_2010_values(self, sim: np.ndarray) -> dict[str, float]:
        """The 2010 value of every stock-setting constant of derived_2010.csv, from a 2000 run."""
        last = {v: sim[i, -1] for i, v in enumerate(self.variables)}
        return {row["parameter"]: specs.evaluate(row["numerator"], last) / specs.evaluate(row["denominator"], last)
                for _, row in self.derived_2010.iterrows()}
