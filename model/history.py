"""Observed 2000-2010 history, mapped to model indicators (calibration/data/series.csv).

The history file keeps its sources and quality flags; ``unverified`` points are never returned
for fitting or plotting as data.
"""
from __future__ import annotations

import pandas as pd

from .errors import PlanSimError
from .paths import HISTORY_FILE, SERIES_FILE

HISTORY_COLUMNS = ("indicator", "year", "value", "unit", "quality", "source")
SERIES_COLUMNS = ("series", "indicator", "conversion", "weight")
USABLE_QUALITY = ("sourced", "derived")


def _require(table: pd.DataFrame, columns, path) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise PlanSimError(f"{path}: missing column(s) {missing}")


def load_history(path=HISTORY_FILE) -> pd.DataFrame:
    """The raw history table (one figure a row, with unit, quality and source)."""
    table = pd.read_csv(path, dtype={"value": str})
    _require(table, HISTORY_COLUMNS, path)
    # A leading "~" marks an approximate figure in the source ("~1845"); keep the number, flag it.
    text = table["value"].astype(str).str.strip()
    table["approximate"] = text.str.startswith("~")
    values = pd.to_numeric(text.str.lstrip("~"), errors="coerce")
    bad = table.index[values.isna()]
    if len(bad):
        row = int(bad[0])
        raise PlanSimError(
            f"{path}: row {row + 2}, column 'value': {table.loc[row, 'value']!r} is not a number"
        )
    table["value"] = values
    return table


def observations(history_path=HISTORY_FILE, series_path=SERIES_FILE) -> pd.DataFrame:
    """Usable observations of mapped series in indicator units.

    Columns: series, indicator, year, value, quality, weight.
    """
    history = load_history(history_path)
    series = pd.read_csv(series_path)
    _require(series, SERIES_COLUMNS, series_path)
    known = set(history["indicator"])
    for row, name in enumerate(series["series"]):
        if name not in known:
            raise PlanSimError(f"{series_path}: row {row + 2}, column 'series': unknown series {name!r}")
    merged = history.rename(columns={"indicator": "series"}).merge(
        series[["series", "indicator", "conversion", "weight"]], on="series"
    )
    merged = merged[merged["quality"].isin(USABLE_QUALITY)].copy()
    merged["value"] = merged["value"] * merged["conversion"]
    return merged[["series", "indicator", "year", "value", "quality", "weight"]].reset_index(drop=True)
