"""The model as the faces (CLI, app, calibration, Python) use it: a declaration and an engine.

``Project`` is built once and passed explicitly: it checks levers and parameters against the
declaration, runs them on its engine and returns tidy tables (model variables by year, or the
indicators of model/indicators.yaml by year, units in ``attrs``). ``with_engine`` gives a
project sharing the same declaration on another engine, so nothing is read twice.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from . import derivation, engines
from .declaration import DEFAULT_FINAL_YEAR, Declaration, RunTimes
from .engines import Engine
from .paths import MODEL_FILE


class Project:
    """Declaration + engine. ``engine`` is a name (``pysd``, the reference, or ``simlin``, the
    fast one) or an engine object; ``declaration`` defaults to model/shanghai.mdl read with
    its calibrated defaults (``use_calibration=False``: the model file's own values)."""

    def __init__(self, declaration: Declaration | None = None, engine: str | Engine = engines.DEFAULT_ENGINE,
                 *, mdl_path: Path | str = MODEL_FILE, use_calibration: bool = True):
        self.declaration = declaration if declaration is not None else Declaration(mdl_path, use_calibration)
        self.engine = engines.create(engine, self.declaration) if isinstance(engine, str) else engine
        self._recipe = derivation.Recipe.of(self.declaration.indicators())
        self._variables = self.declaration.indicator_variables()

    def with_engine(self, engine: str | Engine) -> "Project":
        """The same declaration on another engine (nothing is read again)."""
        return Project(self.declaration, engine)

    # -- what the model is (the declaration's) --------------------------------------------------
    @property
    def engine_name(self) -> str:
        return self.engine.name

    @property
    def mdl_path(self) -> Path:
        return self.declaration.mdl_path

    @property
    def control(self) -> dict[str, float]:
        return self.declaration.control

    @property
    def doc(self) -> pd.DataFrame:
        return self.declaration.doc

    @property
    def targets(self) -> pd.DataFrame:
        return self.declaration.targets

    def levers(self) -> pd.DataFrame:
        return self.declaration.levers()

    def indicators(self) -> pd.DataFrame:
        return self.declaration.indicators()

    def constants(self) -> dict[str, float]:
        return self.declaration.constants()

    def validate_levers(self, levers: Mapping[str, object] | None) -> dict[str, object]:
        return self.declaration.validate_levers(levers)

    def lever_path(self, name: str, path: object = None) -> tuple[tuple[float, float], ...]:
        """The five (year, value) knots lever ``name`` follows for ``path`` (checked; None: its
        default path)."""
        if path is None:
            return self.declaration.lever_path(name)
        return self.declaration.lever_path(name, self.declaration.validate_levers({name: path})[name])

    def validate_params(self, params: Mapping[str, object] | None) -> dict[str, float]:
        return self.declaration.validate_params(params)

    # -- running --------------------------------------------------------------------------------
    def overrides(self, levers: Mapping[str, object] | None = None,
                  params: Mapping[str, object] | None = None) -> dict[str, float]:
        """Checked overrides of a run, model constants only: ``params`` (constants, calibration
        and uncertainty), then ``levers`` (numbers or paths, each inside its range) as the
        knot constants of their paths."""
        declaration = self.declaration
        return {**declaration.validate_params(params),
                **declaration.lever_constants(declaration.validate_levers(levers))}

    def run_array(self, overrides: Mapping[str, float], times: RunTimes, variables: list[str]) -> np.ndarray:
        """The engine's array (saved years, variables) for checked ``overrides``."""
        return self.engine.run(overrides, times, variables)

    def run_variables(self, levers: Mapping[str, object] | None = None, final_year: int = DEFAULT_FINAL_YEAR,
                      *, params: Mapping[str, object] | None = None, variables: list[str] | None = None,
                      initial_year: float | None = None, time_step: float | None = None) -> pd.DataFrame:
        """Run and return model variables (by their model names) at yearly points.

        ``levers`` (numbers or paths, see ``model.lever_paths``) are validated against their ranges; ``params`` override other constants (for
        calibration and uncertainty analysis). Everything not given takes its default.
        """
        columns = list(variables) if variables is not None else self._variables
        values, years = self._run(levers, final_year, params, columns, initial_year, time_step)
        return pd.DataFrame(values, index=years, columns=columns)

    def _run(self, levers, final_year, params, columns, initial_year, time_step) -> tuple[np.ndarray, pd.Index]:
        overrides = self.overrides(levers, params)
        times = self.declaration.run_times(final_year, initial_year, time_step)
        values = self.engine.run(overrides, times, columns)
        years = engines.base.saved_years(times, self.declaration.control["SAVEPER"])
        return values, pd.Index(years, name="year")

    def run(self, levers: Mapping[str, object] | None = None, final_year: int = DEFAULT_FINAL_YEAR,
            *, params: Mapping[str, object] | None = None, initial_year: float | None = None,
            time_step: float | None = None) -> pd.DataFrame:
        """Project from the 2010 baseline; return every indicator by year.

        The result is indexed by ``year``, one column per indicator id (see ``indicators()``);
        ``result.attrs["units"]`` maps each indicator to its unit.
        """
        values, years = self._run(levers, final_year, params, self._variables, initial_year, time_step)
        return derivation.frame_of(values, years, self._variables, self._recipe)
