"""Anchor the pollutant module on the two sourced totals of 2005 and 2010 (not estimated: 2 points),
and the land each unit of new capital needs on the one land survey point (2009).

With two points per pollutant nothing is fitted (issue 13; /calibration needs three): two numbers
per pollutant are set so that the calibrated 2000-2010 run (committed estimates, recorded policy
paths) passes through both points, everything else being a stated assumption.

- SO2 (10^4 t a year): the coal SO2 factor from 2005, then the 11th plan's desulphurisation
  pace (the 2006-2010 knot of the recorded path, continued after 2010) from 2010.
- COD (10^4 t a year): the COD load per resident from 2005, then the 2006-2010 pace of
  treatment-plant starts from 2010.

Then the 2010 start of a projection: the desulphurised share of coal and the treatment capacity
that give the official 2010 totals with the 2010 figures (observed_2010.csv), and the pipelines
and denitrification coverage read off the calibrated run (derived_2010.csv; ``python -m
calibration`` rewrites those from its own run).

``python -m calibration`` anchors first (with the committed estimates), so the fit sees the
anchored pollutant paths and their abatement cost, and again after the fit (with its estimates,
two rounds), so the committed file passes through the anchor points. By hand:

    python -m calibration.anchors           # print the anchored values
    python -m calibration.anchors --write   # write them to the model file and policy_paths.csv
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import pandas as pd
from scipy.optimize import brentq

from . import results
from .policy import POLICY_FILE
from .problem import Calibration
from model import PlanSimError, Project
from model.history import history_with_derived
from model.lever_paths import KNOTS, knot_name
from model.paths import MODEL_FILE

SO2_SERIES, COD_SERIES = "so2_emissions", "cod_emissions"
DESULPHURISATION = "desulphurisation retrofit rate"
SEWAGE = "sewage treatment capacity starts"
ANCHORED_KNOT = 3  # the recorded paths' 2006-2010 knot (knots 1-2: 2000-2005; 4-5 repeat it)
DERIVED = {  # 2010 state constant -> the calibrated run's variable
    "initial desulphurisation retrofits under way": "desulphurisation retrofits under way",
    "initial denitrified share of coal": "denitrified share of coal",
    "initial denitrification retrofits under way": "denitrification retrofits under way",
    "initial sewage plants under construction": "sewage plants under construction",
    "initial upgraded share of treatment capacity": "upgraded share of treatment capacity",
}
LAND_SERIES, LAND_FACTOR, LAND_YEAR = "construction_land_area_approx", "land per unit of new capital", 2009
# The new-land quota of business as usual: the calibrated run's 2010 need for new construction
# land, rounded up to the lever's step, so the limit binds when the need outgrows it (2011 on),
# never in the history. Its recorded path's knot 3 (from 2010) and the lever's default.
QUOTA, HISTORY_END = "new construction land quota", 2010
VARIABLES = ["construction land", "land demand of new capital", "industrial land redevelopment",
             "coal use", "oil use", "desulphurised share of coal", "SO2 emissions", "COD emissions",
             "resident population", "sewage treatment rate", "industrial COD emissions", "sewage generated",
             *DERIVED.values()]


def _points(series: str) -> dict[int, float]:
    """The sourced (or derived) points of ``series`` by year."""
    history = history_with_derived()
    rows = history[(history["indicator"] == series) & history["quality"].isin(("sourced", "derived"))]
    return dict(zip(rows["year"].astype(int), rows["value"].astype(float)))


def observed(series: str) -> dict[int, float]:
    """The sourced (or derived) 2005 and 2010 points of a pollutant (10^4 t a year), and any others."""
    points = _points(series)
    if not {2005, 2010} <= set(points):
        raise PlanSimError(f"history: {series} needs sourced 2005 and 2010 points, has {sorted(points)}")
    return points


def observed_point(series: str, year: int) -> float:
    """The sourced (or derived) value of ``series`` in ``year``."""
    points = _points(series)
    if year not in points:
        raise PlanSimError(f"history: {series} needs a sourced {year} point")
    return points[year]


class HistoryRun:
    """The calibrated 2000-2010 run with some constants overridden (fast engine)."""

    def __init__(self, estimates=None):
        self.problem = Calibration()
        theta = results.read_estimates(self.problem, new_take_start=True) if estimates is None else estimates
        self.base = self.problem.params(theta)
        self.constants = self.problem.reference.constants()

    def __call__(self, **overrides: float) -> pd.DataFrame:
        params = {**self.base, **overrides}
        values = self.problem.engine.run(params, self.problem.times, VARIABLES)
        return pd.DataFrame(values, index=self.problem.years, columns=VARIABLES)


def knots(lever: str, value: float) -> dict[str, float]:
    """The anchored knot and the knots that repeat it."""
    return {knot_name(lever, k, "value"): value for k in range(ANCHORED_KNOT, KNOTS + 1)}


def anchor(estimates=None) -> dict[str, float]:
    """Every anchored constant of the model file (name -> value); ``estimates`` (default: the
    committed ones) in the order of the calibration problem's parameters."""
    run = HistoryRun(estimates)
    c = run.constants
    so2, cod = observed(SO2_SERIES), observed(COD_SERIES)

    # The two pollutants interact only through the abatement cost (investment -> GDP -> energy):
    # a few rounds settle them.
    anchored: dict[str, float] = {}
    for _ in range(3):
        # SO2: the 2005 point fixes the factor (the 2000-2005 coverage does not depend on it) ...
        y5 = run(**anchored).loc[2005]
        factor = (so2[2005] - y5["oil use"] * c["oil SO2 factor"]) / (
            y5["coal use"] * (1 - c["desulphurisation efficiency"] * y5["desulphurised share of coal"]))
        anchored["coal SO2 factor"] = factor

        def so2_gap(rate):
            return run(**{**anchored, **knots(DESULPHURISATION, rate)}).loc[2010, "SO2 emissions"] - so2[2010]

        rate = brentq(so2_gap, 0.0, 0.6, xtol=1e-10)  # ... the 2010 point the 2006-2010 pace
        anchored.update(knots(DESULPHURISATION, rate))

        # COD: the 2005 point fixes the load per resident, the 2010 point the 2006-2010 plant starts.
        load = (cod[2005] - y5["industrial COD emissions"]) / (
            y5["resident population"] * (1 - c["COD removal efficiency"] * y5["sewage treatment rate"]))
        anchored["COD load per resident"] = load

        def cod_gap(starts):
            return run(**{**anchored, **knots(SEWAGE, starts)}).loc[2010, "COD emissions"] - cod[2010]

        starts = brentq(cod_gap, 0.0, 200.0, xtol=1e-8)
        anchored.update(knots(SEWAGE, starts))
    # Land (one point, the 2nd land survey at the end of 2009): the land each unit of new capital
    # needs, so that the history's new capital takes construction land from its 2000 level to it.
    land = observed_point(LAND_SERIES, LAND_YEAR)
    anchored[LAND_FACTOR] = brentq(lambda f: run(**{**anchored, LAND_FACTOR: f}).loc[LAND_YEAR, "construction land"] - land,
                                   0.001, 0.2, xtol=1e-9)
    # The quota: the 2010 need for new land with the quota out of the way (the lever's maximum).
    lever = run.problem.reference.levers().set_index("name").loc[QUOTA]
    free = run(**{**anchored, **knots(QUOTA, float(lever["max"]))}).loc[HISTORY_END]
    need = free["land demand of new capital"] - free["industrial land redevelopment"]
    quota = math.ceil(need / float(lever["step"]) - 1e-9) * float(lever["step"])
    anchored.update(knots(QUOTA, quota))
    final = run(**anchored)
    derived = {name: float(final.loc[2010, variable]) for name, variable in DERIVED.items()}

    # The 2010 start of a projection: coverage and capacity that give the official 2010 totals.
    start = Project(engine="simlin").run_variables(variables=VARIABLES, final_year=2011).loc[2010]
    share = (1 - (so2[2010] - start["oil use"] * c["oil SO2 factor"]) / (start["coal use"] * factor)) / c[
        "desulphurisation efficiency"]
    treated = (1 - (cod[2010] - start["industrial COD emissions"]) / (start["resident population"] * load)) / c[
        "COD removal efficiency"]
    if not (0 <= share <= 1 and 0 <= treated < 1):
        raise PlanSimError(f"2010 start out of range: desulphurised share {share}, treatment rate {treated}")
    capacity = treated * start["sewage generated"] / c["sewage capacity utilisation"]
    model_knots = {knot_name(lever, k, "value"): value
                   for lever, value in ((DESULPHURISATION, rate), (SEWAGE, starts), (QUOTA, quota))
                   for k in range(1, KNOTS + 1)}
    return {"coal SO2 factor": factor, "COD load per resident": load, LAND_FACTOR: anchored[LAND_FACTOR], **model_knots,
            "initial desulphurised share of coal": share, "initial sewage treatment capacity": capacity, **derived}


def _number(value: float) -> str:
    return f"{value:.8g}"


def write_model(values: dict[str, float], path: Path = MODEL_FILE) -> None:
    text = path.read_text(encoding="utf-8")
    for name, value in values.items():
        pattern = re.compile(rf"(\n{re.escape(name)}=\n\t)([^\n]+)(\n)")
        if len(pattern.findall(text)) != 1:
            raise PlanSimError(f"{path.name}: constant {name!r} not found once")
        text = pattern.sub(lambda m: m.group(1) + _number(value) + m.group(3), text)
    path.write_text(text, encoding="utf-8")


def write_policy(values: dict[str, float], path: Path = POLICY_FILE) -> None:
    """Set the anchored knot's value; the rest of the file is left as written."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for lever in (DESULPHURISATION, SEWAGE, QUOTA):
        rows = [i for i, line in enumerate(lines) if line.startswith(f"{lever},")]
        lever_, year, _, rest = lines[rows[ANCHORED_KNOT - 1]].split(",", 3)
        value = _number(values[knot_name(lever, ANCHORED_KNOT, "value")])
        lines[rows[ANCHORED_KNOT - 1]] = ",".join([lever_, year, value, rest])
    path.write_text("".join(lines), encoding="utf-8")


def anchor_and_write(estimates=None) -> dict[str, float]:
    """Anchor the pollutants, land and quota on the calibrated history and write the anchored
    constants (``estimates``: see ``anchor``)."""
    values = anchor(estimates)
    write_model(values)
    write_policy(values)
    return values


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write the values to the model file and policy paths")
    args = parser.parse_args(argv)
    values = anchor()
    for name, value in values.items():
        if " point " not in name or f"point {ANCHORED_KNOT} " in name:
            print(f"{name} = {_number(value)}")
    if args.write:
        write_model(values)
        write_policy(values)
    return 0


if __name__ == "__main__":
    sys.exit(main())
