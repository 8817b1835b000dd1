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
import threading
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from . import metadata
from .errors import LeverError, PlanSimError, Problem, TypeName, quote
from .paths import CALIBRATED_PARAMETERS_FILE, MODEL_FILE, cache_dir

DEFAULT_FINAL_YEAR = 2020
LAST_YEAR = 2100  # the latest final_year a run accepts (the model is a plan-period model)
FIRST_YEAR = 1990  # the earliest initial_year (calibration starts in 2000)
MAX_STEPS_PER_YEAR = 1024  # time_step is 1/n year, n = 1..1024


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
    Runs of one object are serialised by a lock, so threads may share it (they wait for each
    other); for parallel runs give each thread or process its own object.
    """

    def __init__(self, mdl_path: Path | str = MODEL_FILE, use_calibration: bool = True):
        """Load the model; with ``use_calibration`` the estimates in calibration/parameters.csv
        (when that file exists) replace the model file's starting values as defaults."""
        import pysd

        self.mdl_path = Path(mdl_path)
        self._lock = threading.RLock()  # PySD keeps run state in the object: one run at a time
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
        if levers is not None and not isinstance(levers, Mapping):
            raise LeverError(Problem("error_levers_type", type=TypeName(levers), value=quote(levers)))
        table = self._levers.set_index("name")
        checked: dict[str, float] = {}
        for name, value in (levers or {}).items():
            if not isinstance(name, str) or name not in table.index:
                from .scenarios import unknown_name

                raise LeverError(unknown_name("error_what_lever", name, table.index))
            checked[name] = _check_lever(name, value, table.loc[name])
        return checked

    def validate_params(self, params: Mapping[str, object] | None) -> dict[str, float]:
        """Check overrides of non-lever constants (calibration, uncertainty); return floats.

        A name that is a lever is checked as a lever (its range applies), so ``params`` cannot
        set a lever outside the range that ``levers`` would refuse.
        """
        if params is not None and not isinstance(params, Mapping):
            raise PlanSimError(Problem("error_params_type", type=TypeName(params), value=quote(params)))
        # (__init__ checks the calibrated parameters before the lever table exists: none is a lever)
        table = self._levers.set_index("name") if hasattr(self, "_levers") else pd.DataFrame(index=pd.Index([]))
        checked: dict[str, float] = {}
        for name, value in (params or {}).items():
            if isinstance(name, str) and name in table.index:
                checked[name] = _check_lever(name, value, table.loc[name])
                continue
            if not isinstance(name, str) or name not in self._constants:
                from .scenarios import unknown_name

                raise PlanSimError(unknown_name("error_what_constant", name, self._constants))
            number = _as_number(value)
            if number is None or not math.isfinite(number):
                raise PlanSimError(Problem("error_param_not_finite", name=quote(name), value=quote(value)))
            checked[name] = number
        return checked

    def _check_run_arguments(self, final_year: object, initial_year: object, time_step: object) -> tuple:
        """(start, final_year, time_step) as floats, or PlanSimError naming the allowed values."""
        start = self.control["INITIAL TIME"]
        if initial_year is not None:
            number = _as_number(initial_year)
            if number is None or not (math.isfinite(number) and number == int(number) and FIRST_YEAR <= number < LAST_YEAR):
                raise PlanSimError(Problem("error_initial_year", low=FIRST_YEAR, high=LAST_YEAR - 1,
                                           value=quote(initial_year)))
            start = number
        if (isinstance(final_year, bool) or not isinstance(final_year, (int, np.integer))
                or not start < final_year <= LAST_YEAR):
            raise PlanSimError(Problem("error_final_year", low=f"{start + 1:g}", high=LAST_YEAR, value=quote(final_year)))
        dt = self.control["TIME STEP"]
        if time_step is not None:
            number = _as_number(time_step)
            steps = 1 / number if number and math.isfinite(number) and number > 0 else 0
            if not (1 <= round(steps) <= MAX_STEPS_PER_YEAR and abs(steps - round(steps)) < 1e-9 * steps):
                raise PlanSimError(Problem("error_time_step", most=MAX_STEPS_PER_YEAR, example=f"{dt:g}",
                                           value=quote(time_step)))
            dt = number
        return float(start), int(final_year), float(dt)

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
        start, final_year, dt = self._check_run_arguments(final_year, initial_year, time_step)
        columns = variables if variables is not None else self._indicator_variables()
        with self._lock:
            return self._run_locked(overrides, start, final_year, dt, columns)

    def _run_locked(self, overrides: dict, start: float, final_year: int, dt: float, columns: list) -> pd.DataFrame:
        # Reset whatever the previous run changed, then apply this run's overrides.
        run_params = {name: self._constants[name] for name in self._touched}
        run_params.update(overrides)
        self._touched = set(overrides)
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
            time_step=dt,
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
    """A real number as float (a whole number too large for a float gives +-inf); None for
    bools, strings and other types."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _check_lever(name: str, value: object, row: Mapping) -> float:
    """``value`` of lever ``name`` as a float inside its range (``row``: its levers() row), or
    LeverError with the range; a value typed in per cent gets a hint (25 -> 0.25)."""
    from .scenarios import lever_range

    number = _as_number(value)
    fields = {"name": quote(name), "value": quote(value), "range": lever_range(row)}
    if number is None or (isinstance(value, (float, np.floating)) and not math.isfinite(number)):
        raise LeverError(Problem("error_lever_not_finite", **fields))
    if not row["min"] <= number <= row["max"]:
        if row["min"] <= number / 100 <= row["max"] and row["max"] <= 1:
            raise LeverError(Problem("error_lever_range_percent", **fields, hint=f"{number / 100:g}"))
        raise LeverError(Problem("error_lever_range", **fields))
    return number
