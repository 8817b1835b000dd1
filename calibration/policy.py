"""Recorded policy paths of 2000-2010 (``policy_paths.csv``): the levers' knots in the 2000 runs.

Every lever X is a path in the model file: five knots ``X point k year`` / ``X point k value``
(k = 1..5), linear between knots, flat before the first and after the last, a step where two
knots share a year (docs: model/shanghai.mdl, group Levers). The history runs set the knots to
the path recorded here, one row per knot in time order (at most five per lever):

- ``value``: a number in the lever's model units (``unit`` must match the model file's), within
  the lever's range; or ``estimated``: a calibration parameter named ``X point k value`` with
  bounds ``lower``/``upper`` (the knot's constant itself: it goes to estimates.csv and, with
  the recorded knots, to parameters.csv, so that the business-as-usual projection continues the
  path's 2010 value);
- ``year``: the model's Time, a year-end: a change that takes effect in calendar year Y is at
  Y - 1 (the 11th plan's campaign from 2006: a step at 2005);
- ``basis``: sourced (``source`` names the release), assumed or estimated (the reason).

Knots a lever does not use repeat its last knot. Every lever of the model has a path.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from model import datafiles, lever_paths
from model.errors import PlanSimError

from .spec import END_YEAR, START_YEAR

HERE = Path(__file__).resolve().parent
POLICY_FILE = HERE / "policy_paths.csv"
KNOTS = lever_paths.KNOTS
ESTIMATED = "estimated"
BASES = ("sourced", "assumed", "estimated")
COLUMNS = (
    datafiles.Column("lever"), datafiles.Column("year", "number"), datafiles.Column("value"),
    datafiles.Column("lower", "number", blank=True), datafiles.Column("upper", "number", blank=True),
    datafiles.Column("unit"), datafiles.Column("basis"), datafiles.Column("source"),
)
ROLE = "recorded path"


def year_knot(lever: str, k: int) -> str:
    return lever_paths.knot_name(lever, k, "year")


def value_knot(lever: str, k: int) -> str:
    return lever_paths.knot_name(lever, k, "value")


@dataclass(frozen=True)
class PolicyPaths:
    """The recorded paths: ``table`` (one row per knot, with ``knot`` = k and ``parameter`` =
    the value knot's constant) and the estimated knots as parameter rows."""

    table: pd.DataFrame

    @property
    def estimated(self) -> pd.DataFrame:
        """Estimated knots: parameter, lower, upper, start (mid-range), source."""
        rows = self.table[self.table["basis"] == ESTIMATED]
        return pd.DataFrame({"parameter": rows["parameter"], "lower": rows["lower"], "upper": rows["upper"],
                             "start": (rows["lower"] + rows["upper"]) / 2, "why_uncertain": rows["source"]})

    def knots(self, estimates: Mapping[str, float] | None = None) -> dict[str, float]:
        """Every knot constant of every lever (10 per lever) for the given estimated values."""
        estimates = estimates or {}
        out: dict[str, float] = {}
        for lever, rows in self.table.groupby("lever", sort=False):
            points = []
            for item in rows.itertuples():
                value = estimates.get(item.parameter, np.nan) if item.basis == ESTIMATED else float(item.value)
                points.append((float(item.year), float(value)))
            points += [points[-1]] * (KNOTS - len(points))
            for k, (year, value) in enumerate(points, start=1):
                out[year_knot(lever, k)] = year
                out[value_knot(lever, k)] = value
        return out

    @property
    def copy_of(self) -> dict[str, str]:
        """Value knots that repeat an estimated last knot -> that knot's parameter."""
        out = {}
        for lever, rows in self.table.groupby("lever", sort=False):
            last = rows.iloc[-1]
            if last["basis"] == ESTIMATED:
                for k in range(len(rows) + 1, KNOTS + 1):
                    out[value_knot(lever, k)] = last["parameter"]
        return out

    def sources(self) -> dict[str, str]:
        """Each value knot's basis and source (for the report and parameters.csv's notes)."""
        return {item.parameter: f"{item.basis}: {item.source}" for item in self.table.itertuples()}


def load_policy_paths(levers: pd.DataFrame, constants: Mapping[str, float], doc: pd.DataFrame,
                      path=POLICY_FILE) -> PolicyPaths:
    """Read and check policy_paths.csv against the model's levers (``levers``: name, min, max)."""
    table = datafiles.read_table(path, COLUMNS)
    ranges = levers.set_index("name")[["min", "max"]]

    def where(row, column):
        return datafiles.where(table, row, column)

    counts: dict[str, int] = {}
    last_year: dict[str, float] = {}
    knots, parameters = [], []
    for row, item in table.iterrows():
        lever = item["lever"]
        if lever not in ranges.index:
            raise PlanSimError(f"{where(row, 'lever')}: {lever!r} is not a lever of the model "
                               f"(one of {sorted(ranges.index)})")
        k = counts[lever] = counts.get(lever, 0) + 1
        if k > KNOTS:
            raise PlanSimError(f"{where(row, 'lever')}: {lever!r} has more than {KNOTS} knots")
        if value_knot(lever, k) not in constants:
            raise PlanSimError(f"{where(row, 'lever')}: the model has no knot constant {value_knot(lever, k)!r} "
                               "(levers are five-knot paths)")
        year = float(item["year"])
        if not (START_YEAR <= year <= END_YEAR and year == int(year)):
            raise PlanSimError(f"{where(row, 'year')}: {item['year']} is not a whole year in [{START_YEAR}, {END_YEAR}]")
        if year < last_year.get(lever, -np.inf):
            raise PlanSimError(f"{where(row, 'year')}: {lever!r}'s knots must be in time order "
                               f"({year:g} after {last_year[lever]:g})")
        last_year[lever] = year
        unit = str(doc.loc[value_knot(lever, k), "Units"]).strip()
        if item["unit"].strip() != unit:
            raise PlanSimError(f"{where(row, 'unit')}: {item['unit']!r}, but the model's unit of {lever!r} is {unit!r}")
        if item["basis"] not in BASES:
            raise PlanSimError(f"{where(row, 'basis')}: {item['basis']!r} is not one of {BASES}")
        low, high = float(ranges.loc[lever, "min"]), float(ranges.loc[lever, "max"])
        if item["basis"] == ESTIMATED:
            if item["value"].strip() != ESTIMATED:
                raise PlanSimError(f"{where(row, 'value')}: an estimated knot has the value 'estimated'")
            lower, upper = float(item["lower"]), float(item["upper"])
            if not (low <= lower < upper <= high):
                raise PlanSimError(f"{where(row, 'upper')}: bounds [{lower:g}, {upper:g}] must be increasing and "
                                   f"within the lever's range [{low:g}, {high:g}]")
        else:
            try:
                value = float(item["value"])
            except ValueError:
                raise PlanSimError(f"{where(row, 'value')}: {item['value']!r} is not a number (or 'estimated' "
                                   "with basis estimated)") from None
            if not low <= value <= high:
                raise PlanSimError(f"{where(row, 'value')}: {value:g} outside the lever's range [{low:g}, {high:g}]")
        if len(item["source"].strip()) < 10:
            raise PlanSimError(f"{where(row, 'source')}: name the source or the reason")
        knots.append(k)
        parameters.append(value_knot(lever, k))
    missing = sorted(set(ranges.index) - set(counts))
    if missing:
        raise PlanSimError(f"{path}: no recorded path for the lever(s) {missing} (give at least one knot)")
    table = table.assign(knot=knots, parameter=parameters)
    return PolicyPaths(table)
