"""Run model/shanghai.mdl with PySD: translation cache, clean state per run, indicators.

Units follow the model file: population in 10^4 persons (万人), money in 10^8 yuan (亿元) at
2010 prices, energy in 10^4 tce (万吨标准煤). Indicators are converted to the units declared
in model/indicators.yaml (shares in per cent, for example).
"""
from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from . import metadata
from .errors import LeverError, PlanSimError
from .paths import CALIBRATED_PARAMETERS_FILE, MODEL_FILE, cache_dir

DEFAULT_FINAL_YEAR = 2020


def _translate(mdl_path: Path) -> Path:
    """Translate the Vensim file once per content and PySD version; return the .py path.

    The translation lives in the cache folder under a hash of the file, written to a temporary
    folder first and renamed into place so that parallel processes never read half a file.
    """
    import pysd

    digest = hashlib.sha256(mdl_path.read_bytes() + pysd.__version__.encode()).hexdigest()[:16]
    target = cache_dir() / "pysd" / f"{mdl_path.stem}-{digest}"
    py_file = target / f"{mdl_path.stem}.py"
    if py_file.exists():
        return py_file
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".translate-", dir=target.parent))
    try:
        shutil.copy(mdl_path, work / mdl_path.name)
        pysd.read_vensim(str(work / mdl_path.name), initialize=False)
        try:
            os.rename(work, target)
        except OSError:  # another process finished first: use its translation
            pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return py_file


class ShanghaiModel:
    """The Shanghai stock-flow model, loaded once and run many times from a clean state.

    Every run resets each constant that an earlier run changed, so levers never leak from one run
    into the next (PySD keeps parameters passed to ``run`` until the model is reloaded).
    One object is not safe to share between threads; give each worker its own.
    """

    def __init__(self, mdl_path: Path | str = MODEL_FILE, use_calibration: bool = True):
        """Load the model; with ``use_calibration`` the estimates in calibration/parameters.csv
        (when that file exists) replace the model file's starting values as defaults."""
        import pysd

        self.mdl_path = Path(mdl_path)
        self._pysd = pysd.load(str(_translate(self.mdl_path)))
        self.doc = self._pysd.doc.set_index("Real Name", drop=False)
        self._constants = {
            name: float(self._pysd[name])
            for name, kind in self.doc["Type"].items()
            if kind == "Constant" and name not in metadata.CONTROL_VARIABLES
        }
        self.control = {name: float(self._pysd[name]) for name in metadata.CONTROL_VARIABLES}
        calibrated = calibrated_parameters() if use_calibration else {}
        self.validate_params(calibrated)
        self._constants.update(calibrated)
        self._levers = metadata.lever_table(self.doc, self._constants)
        self._indicators = metadata.indicator_table()
        self._touched: set[str] = set(calibrated)  # applied by the first run, reset when overridden
        self._memoize_call_counts()
        missing = sorted(set(self._indicators["variable"]) - set(self.doc.index))
        if missing:
            raise PlanSimError(f"{metadata.INDICATORS_FILE.name}: variables not in the model: {missing}")

    def _memoize_call_counts(self) -> None:
        """Speed: PySD (3.14) recounts, at every run, how often each uncached variable is called,
        scanning all dependencies for each (about half the time of a 2010-2020 run). The counts only
        decide which functions get a per-step cache, never a result, and they change only with the
        overridden names and output columns; so they are remembered per such signature."""
        counts: dict[tuple, int] = {}
        count = self._pysd._count_calls

        def remembered(element):
            key = (self._call_signature, element)
            if key not in counts:
                counts[key] = count(element)
            return counts[key]

        self._call_signature: tuple = ()
        self._pysd._count_calls = remembered

    # -- metadata ---------------------------------------------------------------------------
    def levers(self) -> pd.DataFrame:
        """The levers: name, module, labels, units, min, max, step, default, description."""
        return self._levers.copy()

    def indicators(self) -> pd.DataFrame:
        """The indicators: id, module, labels, unit, model variable, how it is derived."""
        return self._indicators.copy()

    def constants(self) -> dict[str, float]:
        """Every constant of the model (levers and parameters) with its default value."""
        return dict(self._constants)

    # -- validation -------------------------------------------------------------------------
    def validate_levers(self, levers: Mapping[str, object] | None) -> dict[str, float]:
        """Check lever names and values; return them as floats or raise LeverError."""
        table = self._levers.set_index("name")
        checked: dict[str, float] = {}
        for name, value in (levers or {}).items():
            if name not in table.index:
                raise LeverError(metadata.unknown_name_message("lever", name, table.index))
            row = table.loc[name]
            number = _as_number(value)
            allowed = f"[{row['min']:g}, {row['max']:g}] {row['units']}"
            if number is None or not math.isfinite(number):
                raise LeverError(f"lever '{name}' = {value!r} is not a finite number; allowed range {allowed}")
            if not row["min"] <= number <= row["max"]:
                raise LeverError(f"lever '{name}' = {value!r} is outside its allowed range {allowed}")
            checked[name] = number
        return checked

    def validate_params(self, params: Mapping[str, object] | None) -> dict[str, float]:
        """Check overrides of non-lever constants (calibration, uncertainty); return floats."""
        checked: dict[str, float] = {}
        for name, value in (params or {}).items():
            if name not in self._constants:
                raise PlanSimError(metadata.unknown_name_message("model constant", name, self._constants))
            number = _as_number(value)
            if number is None or not math.isfinite(number):
                raise PlanSimError(f"model constant '{name}' = {value!r} is not a finite number")
            checked[name] = number
        return checked

    # -- running ----------------------------------------------------------------------------
    def run_variables(
        self,
        levers: Mapping[str, object] | None = None,
        final_year: int = DEFAULT_FINAL_YEAR,
        *,
        params: Mapping[str, object] | None = None,
        variables: list[str] | None = None,
        initial_year: float | None = None,
        time_step: float | None = None,
    ) -> pd.DataFrame:
        """Run and return model variables (by their model names) at yearly points.

        ``levers`` are validated against their ranges; ``params`` override other constants (for
        calibration and uncertainty analysis). Everything not given takes its default.
        """
        overrides = {**self.validate_params(params), **self.validate_levers(levers)}
        start = self.control["INITIAL TIME"] if initial_year is None else float(initial_year)
        if not (isinstance(final_year, (int, np.integer)) and final_year > start):
            raise PlanSimError(f"final_year must be a whole year after {start:g}, got {final_year!r}")
        # Reset whatever the previous run changed, then apply this run's overrides.
        run_params = {name: self._constants[name] for name in self._touched}
        run_params.update(overrides)
        self._touched = set(overrides)
        columns = variables if variables is not None else self._indicator_variables()
        # 'original' restarts from the file's initial time; a (time, {}) tuple costs more, so it
        # is used only for other start years (calibration runs from 2000). Output is saved every
        # SAVEPER (one year); cache_output=False suits a time step much smaller than SAVEPER.
        same_start = start == self.control["INITIAL TIME"]
        self._call_signature = (tuple(columns), frozenset(run_params))
        result = self._pysd.run(
            params=run_params,
            return_columns=columns,
            initial_condition="original" if same_start else (start, {}),
            final_time=float(final_year),
            time_step=self.control["TIME STEP"] if time_step is None else float(time_step),
            saveper=self.control["SAVEPER"],
            cache_output=False,
        )
        result.index = pd.Index(np.round(result.index.to_numpy()).astype(int), name="year")
        return result

    def run(
        self,
        levers: Mapping[str, object] | None = None,
        final_year: int = DEFAULT_FINAL_YEAR,
        *,
        params: Mapping[str, object] | None = None,
        initial_year: float | None = None,
        time_step: float | None = None,
    ) -> pd.DataFrame:
        """Project from the 2010 baseline; return every indicator by year.

        The result is indexed by ``year``, one column per indicator id (see ``indicators()``);
        ``result.attrs["units"]`` maps each indicator to its unit.
        """
        raw = self.run_variables(
            levers, final_year, params=params, initial_year=initial_year, time_step=time_step
        )
        return compute_indicators(raw, self._indicators)

    def _indicator_variables(self) -> list[str]:
        return sorted(set(self._indicators["variable"]))


def calibrated_parameters(path: Path | None = None) -> dict[str, float]:
    """Estimated parameter values (columns ``parameter``, ``value``), or {} before calibration.

    A damaged file (not UTF-8, a missing column, a text or NaN value, a name twice) raises
    model.datafiles.DataFileError naming file, row and column and how to regenerate the file.
    """
    from .datafiles import read_parameters

    path = CALIBRATED_PARAMETERS_FILE if path is None else path
    if not os.path.lexists(path):
        return {}
    table = read_parameters(path)
    return dict(zip(table["parameter"], table["value"]))


def compute_indicators(raw: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Derive the indicators of ``table`` from yearly model variables ``raw`` (index: year).

    Growth and change indicators are NaN where the years they need are outside the run.
    """
    years = raw.index.to_numpy()
    if len(years) > 1 and not (np.diff(years) == 1).all():
        raise PlanSimError("indicators need one row per year")
    out = {}
    for ind, row in zip(table.index, table.to_dict("records")):
        series = raw[row["variable"]].to_numpy(dtype=float)
        kind = row["kind"]
        if kind == "level":
            values = series
        elif kind in ("growth_yoy", "growth_avg_5y"):
            lag = 1 if kind == "growth_yoy" else 5
            values = np.full_like(series, np.nan)
            values[lag:] = (series[lag:] / series[:-lag]) ** (1 / lag) - 1
        elif kind == "change_vs":
            base = np.flatnonzero(years == int(row["base_year"]))
            values = np.full_like(series, np.nan)
            if base.size:
                values[years >= years[base[0]]] = series[years >= years[base[0]]] / series[base[0]] - 1
        else:  # metadata.indicator_table rejects unknown kinds; kept for safety
            raise PlanSimError(f"indicator '{ind}': unknown kind '{kind}'")
        out[ind] = values * row["scale"]
    frame = pd.DataFrame(out, index=raw.index)
    frame.attrs["units"] = table["unit"].to_dict()
    return frame


def to_long(result: pd.DataFrame, scenario: str | None = None) -> pd.DataFrame:
    """Tidy form of a run: one row per year and indicator, with its unit."""
    long = result.rename_axis(columns="indicator").stack(future_stack=True).rename("value").reset_index()
    long["unit"] = long["indicator"].map(result.attrs.get("units", {}))
    if scenario is not None:
        long.insert(0, "scenario", scenario)
    return long


def _as_number(value: object) -> float | None:
    """A real number as float; None for bools, strings and other types."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    return float(value)
