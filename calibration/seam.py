"""The 2010 start: one continuous history from the calibrated 2000-2010 run into the projection.

Every stock of the model starts (in a projection, at 2010) from constants. Those named
``initial ...`` are states of 2010; each is either

- observed: an official 2010 figure in the model file, listed with its source in
  ``observed_2010.csv``; or
- derived: read off the calibrated 2000-2010 run's 2010 state, listed in ``derived_2010.csv``
  with how it is read (a sum of products of model variables, over another: a value or a ratio),
  and written to parameters.csv by ``python -m calibration``.

``uncovered`` names every state constant that is neither, so a new stock cannot silently start
2010 from an unexplained value. A stock whose initial value is a plain number must be a
normalisation (NORMALISED, with the reason). Levers continue their recorded path (policy.py).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model import datafiles, mdl
from model.errors import PlanSimError

HERE = Path(__file__).resolve().parent
OBSERVED_FILE = HERE / "observed_2010.csv"
OBSERVED_COLUMNS = (datafiles.Column("parameter", unique=True), datafiles.Column("source"))
STATE_PREFIX = "initial "
# Stocks that start from a number by construction, and why.
_STAGE = ("empty at the start of a run: the lines under construction at the start are the stock 'rail "
          "pipeline at start' (initial rail under construction, observed in 2010)")
NORMALISED = {
    "secondary TFP": "an index, 1 at the start of every run: its level is in the sector's output and capital",
    "tertiary TFP": "an index, 1 at the start of every run: its level is in the sector's output and capital",
    **{f"rail construction stage {k}": _STAGE for k in range(1, 5)},
}


def load_observed(constants, path=OBSERVED_FILE) -> pd.DataFrame:
    """observed_2010.csv, checked: model constants with a source."""
    table = datafiles.read_table(path, OBSERVED_COLUMNS)
    for row, item in table.iterrows():
        if item["parameter"] not in constants:
            raise PlanSimError(f"{datafiles.where(table, row, 'parameter')}: {item['parameter']!r} is not a "
                               "constant of the model")
        if len(item["source"].strip()) < 10:
            raise PlanSimError(f"{datafiles.where(table, row, 'source')}: name the source")
    return table


def initial_expression(var: mdl.Variable) -> str:
    """The initial-value argument of a stock's INTEG(rate, initial)."""
    inner = var.equation[var.equation.index("(") + 1:var.equation.rindex(")")]
    depth = 0
    for i in range(len(inner) - 1, -1, -1):
        if inner[i] == ")":
            depth += 1
        elif inner[i] == "(":
            depth -= 1
        elif inner[i] == "," and depth == 0:
            return inner[i + 1:].strip()
    raise PlanSimError(f"stock {var.name!r}: no initial value in {var.equation!r}")


def state_constants(text: mdl.ModelText) -> dict[str, set[str]]:
    """For every stock, the constants its initial value depends on (through auxiliaries and
    other stocks' initial values)."""
    variables = text.variables
    names = sorted(variables, key=len, reverse=True)

    def reach(expression: str, seen: set[str]) -> set[str]:
        found: set[str] = set()
        for name in mdl._references(expression, names, ""):
            if name in seen:
                continue
            seen.add(name)
            var = variables[name]
            if var.kind == "constant":
                found.add(name)
            elif var.kind == "auxiliary":
                found |= reach(var.equation, seen)
            elif var.is_stock:
                found |= reach(initial_expression(var), seen)
        return found

    return {name: reach(initial_expression(var), set()) for name, var in variables.items() if var.is_stock}


def uncovered(text: mdl.ModelText, derived: set[str], observed: set[str]) -> list[str]:
    """Problems of the 2010 start: state constants neither observed nor derived, constants in
    both, stocks starting from a number that is no declared normalisation."""
    problems = []
    both = sorted(derived & observed)
    if both:
        problems.append(f"both observed and derived: {both}")
    for stock, constants in state_constants(text).items():
        states = {c for c in constants if c.startswith(STATE_PREFIX) or c in derived}
        missing = sorted(c for c in states if c not in derived and c not in observed)
        if missing:
            problems.append(f"stock {stock!r} starts from {missing}, neither in observed_2010.csv nor in derived_2010.csv")
        if not constants and stock not in NORMALISED:
            problems.append(f"stock {stock!r} starts from a number, not from an 'initial ...' constant")
    return problems


def joined_run(problem, estimates: np.ndarray, projection: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """The calibrated history (2000-2010, fast engine) followed by ``projection`` (model
    variables by year from 2010; its 2011 on). Index year; a column ``part`` says which."""
    history = pd.DataFrame(problem.engine.run(problem.params(estimates), problem.times, variables),
                           index=pd.Index(problem.years, name="year"), columns=variables)
    later = projection.loc[projection.index > history.index[-1], variables]
    joined = pd.concat([history.assign(part="history"), later.assign(part="projection")])
    return joined
