"""Indicators from model variables: the one derivation, for one run and for many members.

Each indicator of model/indicators.yaml reads one model variable and is its level, its growth on
the year before (growth_yoy), its average yearly growth over five years (growth_avg_5y) or its
change against a base year (change_vs), times ``scale`` (100 for a share in per cent). Growth and
change indicators are NaN where the years they need are outside the run.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from .errors import PlanSimError


@dataclass(frozen=True)
class Recipe:
    """How to derive indicators: per indicator (id, variable, kind, lag or base year, scale),
    read from the indicator table once (reading a DataFrame row by row on every run is slow)."""

    ids: tuple[str, ...]
    steps: tuple[tuple[str, str, int, float], ...]
    units: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, table: pd.DataFrame) -> "Recipe":
        steps = []
        for ind, row in zip(table.index, table.to_dict("records")):
            kind = row["kind"]
            if kind not in KINDS:  # metadata.indicator_table rejects unknown kinds; kept for safety
                raise PlanSimError(f"indicator '{ind}': unknown kind '{kind}'")
            number = int(row["base_year"]) if kind == "change_vs" else KINDS[kind]
            steps.append((row["variable"], kind, number, float(row["scale"])))
        return cls(tuple(table.index), tuple(steps), tuple(table["unit"].items()))


KINDS = {"level": 0, "growth_yoy": 1, "growth_avg_5y": 5, "change_vs": 0}  # kind -> lag in years


def derive(raw: np.ndarray, years: Sequence[int], variables: Sequence[str], recipe: "Recipe | pd.DataFrame") -> np.ndarray:
    """Indicators from ``raw`` values (members, years, variables) -> (members, years,
    indicators); ``variables`` names raw's last axis, ``years`` its middle axis; ``recipe``
    is a ``Recipe`` or the indicator table it is made of."""
    if not isinstance(recipe, Recipe):
        recipe = Recipe.of(recipe)
    raw = np.asarray(raw, dtype=float)
    years = np.asarray(years).astype(int)
    position = {int(y): k for k, y in enumerate(years)}
    column = {name: k for k, name in enumerate(variables)}

    def lagged(x: np.ndarray, lag: int) -> np.ndarray:
        prior = np.full_like(x, np.nan)
        for k, y in enumerate(years):
            if int(y) - lag in position:
                prior[:, k] = x[:, position[int(y) - lag]]
        return prior

    out = np.empty(raw.shape[:2] + (len(recipe.steps),))
    for i, (variable, kind, number, scale) in enumerate(recipe.steps):
        x = raw[:, :, column[variable]]
        if kind == "level":
            values = x
        elif kind == "change_vs":
            if number in position:
                values = np.where(years >= number, x / x[:, [position[number]]] - 1, np.nan)
            else:
                values = np.full_like(x, np.nan)
        else:  # growth over ``number`` years, as a yearly rate
            values = (x / lagged(x, number)) ** (1 / number) - 1
        out[:, :, i] = values * scale
    return out


def frame(raw: pd.DataFrame, recipe: "Recipe | pd.DataFrame") -> pd.DataFrame:
    """One run's indicators (index year, one column per indicator id, units in ``attrs``) from
    its yearly model variables ``raw`` (index year, columns by model variable name)."""
    return frame_of(raw.to_numpy(dtype=float), raw.index, list(raw.columns), recipe)


def frame_of(values: np.ndarray, index: pd.Index, variables: Sequence[str], recipe: "Recipe | pd.DataFrame") -> pd.DataFrame:
    """``frame`` from an array (years, variables) with its year ``index``."""
    if not isinstance(recipe, Recipe):
        recipe = Recipe.of(recipe)
    years = np.asarray(index)
    if len(years) > 1 and not (np.diff(years) == 1).all():
        raise PlanSimError("indicators need one row per year")
    result = pd.DataFrame(derive(values[None], years, variables, recipe)[0], index=index, columns=list(recipe.ids))
    result.attrs["units"] = dict(recipe.units)
    return result


def to_long(result: pd.DataFrame, scenario: str | None = None) -> pd.DataFrame:
    """Tidy form of a run: one row per year and indicator, with its unit."""
    long = result.rename_axis(columns="indicator").stack(future_stack=True).rename("value").reset_index()
    long["unit"] = long["indicator"].map(result.attrs.get("units", {}))
    if scenario is not None:
        long.insert(0, "scenario", scenario)
    return long
