"""The calibration's declared inputs, read and checked (bad input names file, row and column).

- ``parameters_spec.csv``: what is estimated: model constant, role, bounds, start (blank: the
  model file's value), twin-experiment tolerance (fraction of the bound range), why uncertain;
- ``initial_2000.csv``: how every 2000 stock-setting constant is set: from data (a history series'
  2000 point times ``conversion``), an assumption (``value``), the model file value, or estimated;
- ``derived_2010.csv``: stock-setting constants whose 2010 value is read off the calibrated run
  (ratio of model variables at 2010), so that projections start from a consistent state;
- ``goals.csv``: the issue's goals (statistic and threshold per series or group of series);
  ``goals_out_of_sample.csv`` the same for the 2006-2010 projection of the 2000-2005 fit;
- ``bounds.csv``: why an estimate may rest on a bound (parameter, bound, justification): the
  report lists every estimate on a bound with its justification, or says it has none.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model import datafiles
from model.errors import PlanSimError
from model.history import USABLE_QUALITY

HERE = Path(__file__).resolve().parent
SPEC_FILE = HERE / "parameters_spec.csv"
INITIAL_FILE = HERE / "initial_2000.csv"
DERIVED_2010_FILE = HERE / "derived_2010.csv"
GOALS_FILE = HERE / "goals.csv"
OUT_OF_SAMPLE_GOALS_FILE = HERE / "goals_out_of_sample.csv"
BOUNDS_FILE = HERE / "bounds.csv"
BOUND_COLUMNS = (datafiles.Column("parameter", unique=True), datafiles.Column("bound"),
                 datafiles.Column("justification"))
BOUND_SIDES = ("lower", "upper")

ROLES = ("structural", "initial 2000", "2000-2010 only", "recorded path")
# Roles whose estimate becomes a projection default (calibration/parameters.csv); the others
# (2000 states, and parameters whose 2000s value is known not to hold after 2010) serve the
# 2000-2010 runs only.
PROJECTION_ROLES = ("structural", "recorded path")
NOT_ESTIMATED = "not estimated"
BASES = ("data", "assumption", "model", "estimated")
START_YEAR = 2000
END_YEAR = 2010


def _where(table: pd.DataFrame, row: int, column: str) -> str:
    return datafiles.where(table, row, column)


def _number(table: pd.DataFrame, row: int, column: str, *, empty_ok: bool = False) -> float:
    """A value of a number column (typed by model.datafiles); NaN only where ``empty_ok``."""
    value = float(table[column].iloc[row])
    if np.isnan(value) and not empty_ok:
        raise datafiles.fail(table, row, column, "a number is required, the cell is empty")
    return value


@dataclass(frozen=True)
class ParameterSpec:
    """Estimated parameters in declaration order (arrays aligned with ``names``)."""

    table: pd.DataFrame  # estimated parameters
    not_estimated: pd.DataFrame  # declared uncertain but kept, with the reason (why_uncertain)

    @property
    def names(self) -> list[str]:
        return list(self.table["parameter"])

    @property
    def lower(self) -> np.ndarray:
        return self.table["lower"].to_numpy(float)

    @property
    def upper(self) -> np.ndarray:
        return self.table["upper"].to_numpy(float)

    @property
    def start(self) -> np.ndarray:
        return self.table["start"].to_numpy(float)

    @property
    def roles(self) -> list[str]:
        return list(self.table["role"])

    def with_parameters(self, rows: pd.DataFrame) -> "ParameterSpec":
        """This spec with more estimated parameters (columns as ``table``), e.g. policy knots."""
        clash = sorted(set(rows["parameter"]) & set(self.names))
        if clash:
            raise PlanSimError(f"{SPEC_FILE.name}: {clash} are estimated knots of policy_paths.csv; "
                               "declare them there only")
        table = pd.concat([self.table, rows[self.table.columns]], ignore_index=True) if len(rows) else self.table
        return ParameterSpec(table, self.not_estimated)

    def without(self, names) -> "ParameterSpec":
        """This spec with ``names`` held fixed (not estimated)."""
        keep = ~self.table["parameter"].isin(set(names))
        return ParameterSpec(self.table[keep].reset_index(drop=True), self.not_estimated)


def load_parameter_spec(constants: dict[str, float], lever_names, path=SPEC_FILE, limits=None) -> ParameterSpec:
    """Read and check parameters_spec.csv against the model's constants (raw file values) and,
    when ``limits`` (name -> (min, max), NaN where none) is given, the ranges the model file
    declares: bounds outside them would let an estimate leave what the model is built for."""
    table = datafiles.read_table(path, datafiles.PARAMETER_SPEC_COLUMNS)
    levers = set(lever_names)
    rows, kept = [], []
    for row, item in table.iterrows():
        name = item["parameter"]
        if name in levers or " point " in name and name.split(" point ")[0] in levers:
            raise PlanSimError(f"{_where(table, row, 'parameter')}: {name!r} is a policy lever; declare its "
                               "recorded path in policy_paths.csv (a knot may be 'estimated') instead")
        if name not in constants:
            raise PlanSimError(f"{_where(table, row, 'parameter')}: {name!r} is not a constant of the model")
        if item["role"] == NOT_ESTIMATED:
            kept.append({"parameter": name, "value": constants[name], "reason": item["why_uncertain"]})
            continue
        if item["role"] not in ROLES:
            raise PlanSimError(f"{_where(table, row, 'role')}: {item['role']!r} is not one of "
                               f"{(*ROLES, NOT_ESTIMATED)}")
        lower, upper = _number(table, row, "lower"), _number(table, row, "upper")
        start = _number(table, row, "start", empty_ok=True)
        if np.isnan(start):
            if item["role"] == "initial 2000":
                raise PlanSimError(f"{_where(table, row, 'start')}: a 2000 state needs a start value")
            start = constants[name]
        tolerance = _number(table, row, "twin_tolerance")
        if not lower < upper:
            raise PlanSimError(f"{_where(table, row, 'upper')}: upper {upper} must exceed lower {lower}")
        low, high = (limits or {}).get(name, (np.nan, np.nan))[:2]
        if lower < low or upper > high:
            raise PlanSimError(f"{_where(table, row, 'upper' if upper > high else 'lower')}: bounds [{lower:g}, {upper:g}] "
                               f"leave the model file's range [{low:g}, {high:g}] of {name!r}")
        if not lower <= start <= upper:
            raise PlanSimError(f"{_where(table, row, 'start')}: start {start} outside [{lower}, {upper}]")
        if not 0 < tolerance <= 1:
            raise PlanSimError(f"{_where(table, row, 'twin_tolerance')}: {tolerance} must be in (0, 1] "
                               "(a fraction of the bound range)")
        rows.append({"parameter": name, "role": item["role"], "lower": lower, "upper": upper, "start": start,
                     "twin_tolerance": tolerance, "why_uncertain": item["why_uncertain"],
                     "model_value": constants[name]})
    return ParameterSpec(pd.DataFrame(rows), pd.DataFrame(kept, columns=["parameter", "value", "reason"]))


def load_initial_2000(history: pd.DataFrame, constants: dict[str, float], spec: ParameterSpec,
                      path=INITIAL_FILE) -> pd.DataFrame:
    """Read initial_2000.csv; return it with the value of every non-estimated row filled in.

    Every model constant named 'initial ...' must be declared (so that no 2010 stock silently
    starts a 2000 run), and the estimated rows must be exactly the spec's 'initial 2000' rows.
    """
    table = datafiles.read_table(path, datafiles.INITIAL_2000_COLUMNS)
    values = []
    for row, item in table.iterrows():
        name, basis = item["parameter"], item["basis"]
        if name not in constants:
            raise PlanSimError(f"{_where(table, row, 'parameter')}: {name!r} is not a constant of the model")
        if basis not in BASES:
            raise PlanSimError(f"{_where(table, row, 'basis')}: {basis!r} is not one of {BASES}")
        if basis == "data":
            points = history[(history["indicator"] == item["series"]) & (history["year"] == START_YEAR)
                             & history["quality"].isin(USABLE_QUALITY)]
            if len(points) != 1:
                raise PlanSimError(f"{_where(table, row, 'series')}: series {item['series']!r} has "
                                   f"{len(points)} usable {START_YEAR} points, need 1")
            values.append(float(points["value"].iloc[0]) * _number(table, row, "conversion"))
        elif basis == "assumption":
            values.append(_number(table, row, "value"))
        elif basis == "model":
            values.append(constants[name])
        else:
            values.append(np.nan)
    table["value"] = values
    declared = set(table["parameter"])
    missing = sorted(n for n in constants if n.startswith("initial ") and n not in declared)
    if missing:
        raise PlanSimError(f"{path}: model constants {missing} set 2010 stocks but have no 2000 setting")
    estimated = set(table.loc[table["basis"] == "estimated", "parameter"])
    spec_2000 = {n for n, r in zip(spec.names, spec.roles) if r == "initial 2000"}
    if estimated != spec_2000:
        raise PlanSimError(f"{path}: estimated rows {sorted(estimated ^ spec_2000)} do not match the "
                           f"'initial 2000' rows of {SPEC_FILE.name}")
    return table


def load_derived_2010(variables, path=DERIVED_2010_FILE) -> pd.DataFrame:
    """Read derived_2010.csv: numerator and denominator are sums of products of model variables
    ('a + b', 'a * b'; a blank denominator is 1)."""
    table = datafiles.read_table(path, datafiles.DERIVED_2010_COLUMNS)
    known = set(variables)
    for row, item in table.iterrows():
        for column in ("numerator", "denominator"):
            for product in terms(item[column]):
                for name in product:
                    if name not in known:
                        raise PlanSimError(f"{_where(table, row, column)}: {name!r} is not a model variable")
        if not terms(item["numerator"]):
            raise PlanSimError(f"{_where(table, row, 'numerator')}: empty")
    return table


def terms(expression: str) -> list[list[str]]:
    """A sum of products 'a * b + c' as [['a', 'b'], ['c']] (empty for a blank expression)."""
    return [[f.strip() for f in term.split("*")] for term in expression.split("+") if term.strip()]


def evaluate(expression: str, values) -> float:
    """Value of a sum of products; ``values`` maps model variables to numbers. Blank is 1."""
    parts = terms(expression)
    if not parts:
        return 1.0
    return float(sum(np.prod([values[name] for name in product]) for product in parts))


def load_goals(series_names, path=GOALS_FILE) -> pd.DataFrame:
    """Read goals.csv (or goals_out_of_sample.csv); ``series`` is ';'-separated fitted series
    (pooled) or '*' (each one)."""
    table = datafiles.read_table(path, datafiles.GOALS_COLUMNS)
    known = set(series_names)
    for row, item in table.iterrows():
        if item["series"] != "*":
            for name in item["series"].split(";"):
                if name not in known:
                    raise PlanSimError(f"{_where(table, row, 'series')}: {name!r} is not a fitted series")
        if item["statistic"] not in ("mape", "mae", "theil_um", "rmse"):
            raise PlanSimError(f"{_where(table, row, 'statistic')}: unknown statistic {item['statistic']!r}")
    return table


def load_bounds(names, path=BOUNDS_FILE) -> pd.DataFrame:
    """Read bounds.csv: each row an estimated parameter, the bound it may rest on and why."""
    table = datafiles.read_table(path, BOUND_COLUMNS, min_rows=0)
    known = set(names)
    for row, item in table.iterrows():
        if item["parameter"] not in known:
            raise PlanSimError(f"{_where(table, row, 'parameter')}: {item['parameter']!r} is not an estimated parameter")
        if item["bound"] not in BOUND_SIDES:
            raise PlanSimError(f"{_where(table, row, 'bound')}: {item['bound']!r} is not one of {BOUND_SIDES}")
        if len(item["justification"].strip()) < 20:
            raise PlanSimError(f"{_where(table, row, 'justification')}: say why (at least 20 characters)")
    return table
