"""What the model is: its declaration, read once from the model file and its companion files.

Constants with their defaults (the model file's values, replaced by the calibration's estimates
in calibration/parameters.csv), control times, levers (ranges from the model file, labels from
model/levers.yaml), indicators (model/indicators.yaml), plan targets and the plans they belong
to (model/data/plan_targets.csv), and the validation of levers, parameters and run arguments.
Imports no engine: engines, experiments and faces take a ``Declaration``.

Units follow the model file: population 10^4 persons (万人), money 10^8 yuan (亿元) at 2010
prices, energy 10^4 tce (万吨标准煤).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from . import lever_paths, mdl, metadata
from .errors import LeverError, PlanSimError, Problem, TypeName, lever_range, names, quote, unknown_name
from .lever_paths import LeverPath
from .paths import CALIBRATED_PARAMETERS_FILE, MODEL_FILE

DEFAULT_FINAL_YEAR = 2020
LAST_YEAR = 2100  # the latest final_year a run accepts (the model is a plan-period model)
FIRST_YEAR = 1990  # the earliest initial_year (calibration starts in 2000)
MAX_STEPS_PER_YEAR = 1024  # time_step is 1/n year, n = 1..1024
CONTROL_VARIABLES = mdl.CONTROL_VARIABLES
_PYSD_TYPES = {"stock": "Stateful", "constant": "Constant", "control": "Constant", "auxiliary": "Auxiliary"}


@dataclass(frozen=True)
class Plan:
    """A plan the targets belong to: ``id`` as in plan_targets.csv ('12th'), the year its
    targets are scored in (the last target year of the plan)."""

    id: str
    year: int


@dataclass(frozen=True)
class RunTimes:
    """A run's start year, final year and time step (years), checked."""

    start: float
    final_year: int
    dt: float


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


class Declaration:
    """The model as declared: read once, shared read-only by engines, experiments and faces."""

    def __init__(self, mdl_path: Path | str = MODEL_FILE, use_calibration: bool = True):
        """Read the model file and its companion files; with ``use_calibration`` the estimates in
        calibration/parameters.csv (when that file exists) replace the file's values as defaults."""
        self.mdl_path = Path(mdl_path)
        self.text = mdl.read(self.mdl_path)
        variables = self.text.variables
        self.file_constants = {n: v.value for n, v in variables.items() if v.kind == "constant"}
        self.control = {name: variables[name].value for name in CONTROL_VARIABLES}
        self._constants = dict(self.file_constants)
        calibrated = self.expand_recorded_paths(calibrated_parameters() if use_calibration else {})
        self.validate_params(calibrated)
        self.calibrated = dict(calibrated)
        self._constants.update(calibrated)
        readers = {name: v.depends for name, v in variables.items() if v.kind == "auxiliary"}
        lever_names = metadata.lever_names()
        self._levers = metadata.lever_table(self.doc, self._constants,
                                            metadata.effective_variables(readers, lever_names))
        self._lever_rows = {row["name"]: row for row in self._levers.to_dict("records")}  # quick to read
        self._indicators = metadata.indicator_table()
        missing = sorted(set(self._indicators["variable"]) - set(variables))
        if missing:
            raise PlanSimError(f"{metadata.INDICATORS_FILE.name}: variables not in the model: {missing}")

    # -- what the model is --------------------------------------------------------------------
    @cached_property
    def doc(self) -> pd.DataFrame:
        """One row per variable, indexed by its name, with PySD's documentation columns (Real
        Name, Py Name, Units, Limits, Type, Subtype, Comment), read from the model file."""
        rows = [{
            "Real Name": v.name, "Py Name": mdl.py_name(v.name), "Subscripts": None, "Units": v.units,
            "Limits": v.limits if v.limits else (math.nan, math.nan), "Type": _PYSD_TYPES[v.kind],
            "Subtype": "Integ" if v.is_stock else "Normal", "Comment": v.comment,
        } for v in self.text.variables.values()]
        rows.append({"Real Name": "Time", "Py Name": "time", "Subscripts": None, "Units": math.nan,
                     "Limits": (math.nan, math.nan), "Type": math.nan, "Subtype": math.nan,
                     "Comment": "Current time of the model."})
        return pd.DataFrame(rows).set_index("Real Name", drop=False).sort_index()

    def levers(self) -> pd.DataFrame:
        """The levers: name, module, labels, units, min, max, step, default, description."""
        return self._levers.copy()

    def indicators(self) -> pd.DataFrame:
        """The indicators: id, module, labels, unit, model variable, how it is derived."""
        return self._indicators.copy()

    def constants(self) -> dict[str, float]:
        """Every constant of the model (lever path knots and parameters) with its default value."""
        return dict(self._constants)

    def expand_recorded_paths(self, params: Mapping[str, float]) -> dict[str, float]:
        """``params`` with every lever name (a recorded constant path, as the calibration
        estimates it) replaced by its five value knots at that value; other names unchanged."""
        out: dict[str, float] = {}
        for name, value in params.items():
            if isinstance(name, str) and name not in self.file_constants \
                    and lever_paths.knot_name(name, 1, "value") in self.file_constants:
                out.update(lever_paths.recorded_constant(name, value))
            else:
                out[name] = value
        return out

    def lever_constants(self, levers: Mapping[str, "float | LeverPath"]) -> dict[str, float]:
        """The knot constants of checked ``levers`` (``validate_levers``'s result): each lever's
        path on top of its default path (see ``model.lever_paths``)."""
        out: dict[str, float] = {}
        for name, path in levers.items():
            row = self._lever_rows[name]
            knots = lever_paths.knots(path, row["default_path"], _target_year(row))
            out.update(lever_paths.constants(name, knots))
        return out

    def path_inputs(self) -> dict[str, tuple[str, str]]:
        """Ensemble inputs that are parts of a lever path: ``X`` (its level) and ``X start year``
        (when it starts), each -> (lever, 'level' or 'start')."""
        out = {}
        for name in self._lever_rows:
            out[name] = (name, "level")
            out[name + lever_paths.START_SUFFIX] = (name, "start")
        return out

    def member_constants(self, levers: Mapping[str, "float | LeverPath"], inputs: pd.DataFrame) -> pd.DataFrame:
        """Ensemble inputs as model constants, one row per member. Columns that are constants
        stay; a lever path's level (column ``X``) and start year (``X start year``) become the
        knots of lever X for each member, on top of its path in ``levers`` (checked levers; a
        number keeps its meaning: a step in 2011, or for a target lever a ramp to its year,
        unless the start year is varied: then a step at that year; a ``{value, from, ramp}``
        path keeps its ramp; a path by points is replaced by the level, or moved to start in
        the start year)."""
        parts = self.path_inputs()
        by_lever: dict[str, dict[str, str]] = {}
        for column in inputs.columns:
            if column in parts and column not in self._constants:
                lever, part = parts[column]
                by_lever.setdefault(lever, {})[part] = column
        out = inputs[[c for c in inputs.columns if c not in parts or c in self._constants]].copy()
        for lever, columns in by_lever.items():
            base = levers.get(lever, self._lever_rows[lever]["default"])
            base = base if isinstance(base, LeverPath) else LeverPath.number(base)
            rows = []
            levels = inputs[columns["level"]].to_numpy(float) if "level" in columns else None
            starts = inputs[columns["start"]].to_numpy(float) if "start" in columns else None
            for m in range(len(inputs)):
                path = base if levels is None else base.with_level(levels[m])
                path = path if starts is None else path.with_start(starts[m])
                rows.append(self.lever_constants({lever: path}))
            knots = pd.DataFrame(rows, index=inputs.index, columns=lever_paths.knot_names(lever))
            out = pd.concat([out.drop(columns=[c for c in knots.columns if c in out.columns]), knots], axis=1)
        return out

    def lever_path(self, name: str, path: "float | LeverPath | None" = None) -> tuple[tuple[float, float], ...]:
        """The five (year, value) knots lever ``name`` follows for ``path`` (None: its default)."""
        row = self._lever_rows[name]
        if path is None:
            return tuple(row["default_path"])
        return lever_paths.knots(path, row["default_path"], _target_year(row))

    def indicator_variables(self) -> list[str]:
        """The model variables the indicators are derived from, sorted."""
        return sorted(set(self._indicators["variable"]))

    @cached_property
    def targets(self) -> pd.DataFrame:
        """The plan targets (model/data/plan_targets.csv), each mapped to an indicator."""
        return metadata.plan_targets()

    @cached_property
    def plans(self) -> tuple[Plan, ...]:
        """The plans of the targets, in the order they first appear, each with its scoring year."""
        years = self.targets.groupby("plan", sort=False)["year"].max()
        return tuple(Plan(str(plan), int(year)) for plan, year in years.items())

    # -- validation ---------------------------------------------------------------------------
    def validate_levers(self, levers: Mapping[str, object] | None) -> dict[str, "float | LeverPath"]:
        """Check lever names and values or paths; return each as a float (a number) or a
        ``LeverPath`` (a path: ``{value, from, ramp}``, ``{points: {year: value}}`` or a
        LeverPath), or raise LeverError naming the lever, the key and what is allowed."""
        if levers is not None and not isinstance(levers, Mapping):
            raise LeverError(Problem("error_levers_type", type=TypeName(levers), value=quote(levers)))
        rows = self._lever_rows
        checked: dict[str, float | LeverPath] = {}
        for name, value in (levers or {}).items():
            if not isinstance(name, str) or name not in rows:
                raise LeverError(unknown_name("error_what_lever", name, list(rows)))
            checked[name] = check_lever_path(name, value, rows[name])
        return checked

    def validate_params(self, params: Mapping[str, object] | None) -> dict[str, float]:
        """Check overrides of non-lever constants (calibration, uncertainty); return floats.

        A name that is a lever is checked as a lever (its range applies), so ``params`` cannot
        set a lever outside the range that ``levers`` would refuse, and is returned as its knot
        constants (a number: as ``levers`` takes it). The result names model constants only.
        """
        if params is not None and not isinstance(params, Mapping):
            raise PlanSimError(Problem("error_params_type", type=TypeName(params), value=quote(params)))
        # (__init__ checks the calibrated parameters before the lever table exists: none is a lever)
        rows = getattr(self, "_lever_rows", {})
        checked: dict[str, float] = {}
        for name, value in (params or {}).items():
            if isinstance(name, str) and name in rows:
                checked.update(self.lever_constants({name: check_lever(name, value, rows[name])}))
                continue
            if not isinstance(name, str) or name not in self._constants:
                raise PlanSimError(unknown_name("error_what_constant", name, self._constants))
            number = as_number(value)
            if number is None or not math.isfinite(number):
                raise PlanSimError(Problem("error_param_not_finite", name=quote(name), value=quote(value)))
            checked[name] = number
        return checked

    def run_times(self, final_year: object, initial_year: object = None, time_step: object = None) -> RunTimes:
        """A run's (start, final_year, time step), checked, or PlanSimError naming the allowed values."""
        start = self.control["INITIAL TIME"]
        if initial_year is not None:
            number = as_number(initial_year)
            if number is None or not (math.isfinite(number) and number == int(number) and FIRST_YEAR <= number < LAST_YEAR):
                raise PlanSimError(Problem("error_initial_year", low=FIRST_YEAR, high=LAST_YEAR - 1,
                                           value=quote(initial_year)))
            start = number
        if (isinstance(final_year, bool) or not isinstance(final_year, (int, np.integer))
                or not start < final_year <= LAST_YEAR):
            raise PlanSimError(Problem("error_final_year", low=f"{start + 1:g}", high=LAST_YEAR, value=quote(final_year)))
        dt = self.control["TIME STEP"]
        if time_step is not None:
            number = as_number(time_step)
            steps = 1 / number if number and math.isfinite(number) and number > 0 else 0
            if not (1 <= round(steps) <= MAX_STEPS_PER_YEAR and abs(steps - round(steps)) < 1e-9 * steps):
                raise PlanSimError(Problem("error_time_step", most=MAX_STEPS_PER_YEAR, example=f"{dt:g}",
                                           value=quote(time_step)))
            dt = number
        return RunTimes(float(start), int(final_year), float(dt))


def _target_year(row: Mapping) -> int | None:
    """The lever's ``target_year`` (levers.yaml) or None (a table cell may hold NaN)."""
    year = row.get("target_year")
    return None if year is None or (isinstance(year, float) and math.isnan(year)) else int(year)


def as_number(value: object) -> float | None:
    """A real number as float (a whole number too large for a float gives +-inf); None for
    bools, strings and other types."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def check_lever(name: str, value: object, row: Mapping) -> float:
    """``value`` of lever ``name`` as a float inside its range (``row``: its levers() row), or
    LeverError with the range; a value typed in per cent gets a hint (25 -> 0.25)."""
    number = as_number(value)
    fields = {"name": quote(name), "value": quote(value), "range": lever_range(row)}
    if number is None or (isinstance(value, (float, np.floating)) and not math.isfinite(number)):
        raise LeverError(Problem("error_lever_not_finite", **fields))
    if not row["min"] <= number <= row["max"]:
        if row["min"] <= number / 100 <= row["max"] and row["max"] <= 1:
            raise LeverError(Problem("error_lever_range_percent", **fields, hint=f"{number / 100:g}"))
        raise LeverError(Problem("error_lever_range", **fields))
    return number


def check_lever_path(name: str, value: object, row: Mapping) -> "float | LeverPath":
    """``value`` of lever ``name`` checked: a number (as ``check_lever``: a float) or a path
    (a LeverPath): ``{value: v, from: S, ramp: R}`` or ``{points: {year: value}}`` with whole
    years in [2011, 2100], at most 4 increasing points, ramp >= 0 and every value in range.
    Raises LeverError listing every problem of the lever (its name, the key, what is allowed)."""
    if isinstance(value, LeverPath):
        value = value.as_data()
    if not isinstance(value, Mapping):
        if isinstance(value, (str, list, tuple, set, type(None))):
            raise LeverError(Problem("error_lever_path_type", name=quote(name), type=TypeName(value),
                                     value=quote(value), range=lever_range(row)))
        return check_lever(name, value, row)
    problems: list[Problem] = []
    years = {"low": lever_paths.FIRST_YEAR, "high": lever_paths.LAST_YEAR}

    def year(part: str, raw: object) -> int | None:
        text = raw.strip() if isinstance(raw, str) else None
        number = int(text) if text is not None and text.isdigit() and len(text) <= 6 else raw
        if not lever_paths.is_whole_year(number) or not years["low"] <= number <= years["high"]:
            problems.append(Problem("error_lever_path_year", name=quote(name), part=part, value=quote(raw), **years))
            return None
        return int(number)

    def level(part: str, raw: object) -> float | None:
        number = as_number(raw)
        if number is None or not math.isfinite(number):
            problems.append(Problem("error_lever_path_number", name=quote(name), part=part, value=quote(raw),
                                    range=lever_range(row)))
            return None
        if not row["min"] <= number <= row["max"]:
            problems.append(Problem("error_lever_path_range", name=quote(name), part=part, value=quote(raw),
                                    range=lever_range(row)))
            return None
        return number

    keys = set(value)
    if lever_paths.POINTS_KEY in keys:
        if keys != {lever_paths.POINTS_KEY}:
            problems.append(Problem("error_lever_path_keys", name=quote(name),
                                    keys=names(sorted(map(str, keys - {lever_paths.POINTS_KEY})))))
        points = value[lever_paths.POINTS_KEY]
        if not isinstance(points, Mapping) or not 1 <= len(points) <= lever_paths.MAX_POINTS:
            problems.append(Problem("error_lever_points", name=quote(name), type=TypeName(points),
                                    value=quote(points), most=lever_paths.MAX_POINTS))
            raise LeverError(problems)
        checked, previous = [], None
        for raw_year, raw_value in points.items():
            y = year(f"points.{quote(raw_year, 20)}", raw_year)
            v = level(f"points.{quote(raw_year, 20)}", raw_value)
            if y is not None and previous is not None and y <= previous:
                problems.append(Problem("error_lever_points_order", name=quote(name), year=y, previous=previous))
            if y is not None:
                previous = y
            checked.append((y, v))
        if problems:
            raise LeverError(problems)
        return LeverPath("points", points=tuple(checked))
    unknown = keys - set(lever_paths.PATH_KEYS)
    if unknown:
        problems.append(Problem("error_lever_path_keys", name=quote(name), keys=names(sorted(map(str, unknown)))))
    for key in ("value", "from"):
        if key not in value:
            problems.append(Problem("error_lever_path_missing", name=quote(name), part=key))
    v = level("value", value["value"]) if "value" in value else None
    start = year("from", value["from"]) if "from" in value else None
    ramp = 0.0
    if "ramp" in value:
        number = as_number(value["ramp"])
        last = lever_paths.LAST_YEAR - (start or lever_paths.FIRST_YEAR)
        if number is None or not math.isfinite(number) or not 0 <= number <= last:
            problems.append(Problem("error_lever_path_ramp", name=quote(name), value=quote(value["ramp"]),
                                    most=last, high=lever_paths.LAST_YEAR))
        else:
            ramp = number
    if problems:
        raise LeverError(problems)
    return LeverPath.from_year(v, start, ramp)
