"""Observed 2000-2010 history, mapped to the model (calibration/data/series.csv).

Three declared files, all in calibration/data/:

- ``history_2000_2010.csv``: one figure a row with unit, quality flag and source;
- ``derived_series.csv``: series computed from the history (the real GDP index chained from the
  real growth rates of one vintage: one source, or the years up to ``year``; the 2010 GDP level
  at 2010 prices, the investment rate);
- ``series.csv``: every series, history or derived, with the model indicator (or, for series that
  no indicator reports, the model variable) it is compared with, the conversion from the data's
  unit to that indicator's unit, its weight and how it is fitted (``level``, ``shape``: known up
  to a factor, or ``none`` with the reason in ``note``).

``unverified`` points are never returned. Bad input raises PlanSimError naming file, row, column.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from . import datafiles
from .errors import PlanSimError
from .metadata import indicator_table
from .paths import DERIVED_SERIES_FILE as DERIVED_FILE
from .paths import HISTORY_FILE, SERIES_FILE

QUALITIES = datafiles.QUALITIES
USABLE_QUALITY = ("sourced", "derived")
FIT_MODES = ("level", "shape", "none")
DERIVE_METHODS = ("chain_index", "base_year_level", "ratio")


def load_history(path=None) -> pd.DataFrame:
    """The raw history table (one figure a row, with unit, quality and source), checked by
    model.datafiles: types, years, each value within the range of its unit (a population is
    positive, a share in [0, 100]); a leading "~" (an approximate figure) sets ``approximate``."""
    return datafiles.read_history(HISTORY_FILE if path is None else path)


def _usable(history: pd.DataFrame, series: str) -> pd.DataFrame:
    return history[(history["indicator"] == series) & history["quality"].isin(USABLE_QUALITY)]


def _derive_one(history: pd.DataFrame, spec: pd.Series, where) -> pd.DataFrame:
    """Rows of one derived series (history columns; quality ``derived``)."""
    inputs = [s.strip() for s in str(spec["inputs"]).split(";")]
    method = spec["method"]
    if method == "chain_index":
        rows = _usable(history, inputs[0])
        if spec["source_contains"]:
            rows = rows[rows["source"].str.contains(spec["source_contains"], regex=False)]
        if not pd.isna(spec["year"]):  # the last year chained (the rates of one vintage end there)
            rows = rows[rows["year"] <= int(spec["year"])]
        if rows.empty or rows["year"].duplicated().any() or np.any(np.diff(np.sort(rows["year"])) != 1):
            raise PlanSimError(
                f"{where('inputs')}: chain_index needs one usable growth rate a year over consecutive "
                f"years of one vintage (a source, or the years up to 'year'); got years {sorted(rows['year'])}")
        rows = rows.sort_values("year")
        # Index = 100 in the last year; each earlier year divides by that year's growth factor.
        factors = (1 + rows["value"].to_numpy() / 100)[::-1]
        values = 100 / np.concatenate([[1.0], np.cumprod(factors)])[::-1]
        years = np.arange(rows["year"].min() - 1, rows["year"].max() + 1)
        source = f"derived: chained from {inputs[0]} {dict(zip(rows['year'], rows['value']))} ({rows['source'].iloc[0]})"
        return pd.DataFrame({"year": years, "value": values, "source": source})
    if method == "base_year_level":
        if pd.isna(spec["year"]):
            raise PlanSimError(f"{where('year')}: base_year_level needs a year")
        rows = _usable(history, inputs[0])
        rows = rows[rows["year"] == int(spec["year"])]
        if len(rows) != 1:
            raise PlanSimError(f"{where('year')}: {inputs[0]} has {len(rows)} usable rows in {spec['year']}, need 1")
        return pd.DataFrame({"year": rows["year"], "value": rows["value"],
                             "source": f"derived: {inputs[0]} in its own price year ({rows['source'].iloc[0]})"})
    # ratio: numerator / denominator of the same release (same source) and year
    if len(inputs) != 2:
        raise PlanSimError(f"{where('inputs')}: ratio needs 'numerator;denominator', got {spec['inputs']!r}")
    num, den = (_usable(history, s).set_index("year") for s in inputs)
    out = []
    for year in sorted(set(num.index) & set(den.index)):
        a, b = num.loc[[year]], den.loc[[year]]
        if len(a) == 1 and len(b) == 1 and a["source"].iloc[0] == b["source"].iloc[0]:
            out.append({"year": year, "value": a["value"].iloc[0] / b["value"].iloc[0],
                        "source": f"derived: {inputs[0]} / {inputs[1]} ({a['source'].iloc[0]})"})
    if not out:
        raise PlanSimError(f"{where('inputs')}: no year has both {inputs} from one source")
    return pd.DataFrame(out)


def derived_series(history: pd.DataFrame, path=None) -> pd.DataFrame:
    """Rows of the series declared in derived_series.csv, in the history's columns."""
    specs = datafiles.read_table(DERIVED_FILE if path is None else path, datafiles.DERIVED_SERIES_COLUMNS,
                                 min_rows=0)
    known = set(history["indicator"])
    frames = []
    for row, spec in specs.iterrows():
        def where(column, row=row):
            return datafiles.where(specs, row, column)
        if spec["method"] not in DERIVE_METHODS:
            raise PlanSimError(f"{where('method')}: {spec['method']!r} is not one of {DERIVE_METHODS}")
        for name in str(spec["inputs"]).split(";"):
            if name.strip() not in known:
                raise PlanSimError(f"{where('inputs')}: unknown history series {name.strip()!r}")
        if spec["series"] in known:
            raise PlanSimError(f"{where('series')}: {spec['series']!r} is already a history series")
        rows = _derive_one(history, spec, where)
        rows = rows.assign(indicator=spec["series"], unit=spec["unit"], quality="derived",
                           notes=spec["note"], approximate=False)
        frames.append(rows)
    return pd.concat(frames, ignore_index=True) if frames else history.iloc[:0]


def history_with_derived(history_path=None, derived_path=None) -> pd.DataFrame:
    """History rows followed by the derived series' rows."""
    history = load_history(history_path)
    return pd.concat([history, derived_series(history, derived_path)], ignore_index=True)


def load_series(
    path=None,
    known_series: Iterable[str] | None = None,
    model_variables: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The series table, checked: known series, known level indicators (indicators.yaml) or
    model variables (when ``model_variables`` is given), numeric conversion and weight."""
    table = datafiles.read_series(SERIES_FILE if path is None else path)
    indicators = indicator_table()
    known = set(known_series) if known_series is not None else None
    variables = set(model_variables) if model_variables is not None else None
    for row, item in table.iterrows():
        if known is not None and item["series"] not in known:
            raise PlanSimError(f"{datafiles.where(table, row, 'series')}: unknown series {item['series']!r} "
                               "(not in the history file nor in derived_series.csv)")
        if item["fit"] not in FIT_MODES:
            raise PlanSimError(f"{datafiles.where(table, row, 'fit')}: {item['fit']!r} is not one of {FIT_MODES}")
        ind, var = item["indicator"], item["model_variable"]
        if ind and var:
            raise PlanSimError(f"{datafiles.where(table, row, 'model_variable')}: give an indicator or a model "
                               "variable, not both")
        if item["fit"] != "none" and not (ind or var):
            raise PlanSimError(f"{datafiles.where(table, row, 'indicator')}: series {item['series']!r} is fitted "
                               "but mapped to no indicator or model variable")
        if ind:
            if ind not in indicators.index:
                raise PlanSimError(f"{datafiles.where(table, row, 'indicator')}: unknown indicator {ind!r} "
                                   "(model/indicators.yaml)")
            if indicators.loc[ind, "kind"] != "level":
                raise PlanSimError(f"{datafiles.where(table, row, 'indicator')}: indicator {ind!r} is of kind "
                                   f"{indicators.loc[ind, 'kind']!r}; only level indicators can be fitted")
            var = indicators.loc[ind, "variable"]
            column = "indicator"
        else:
            column = "model_variable"
        if var and variables is not None and var not in variables:
            raise PlanSimError(f"{datafiles.where(table, row, column)}: series {item['series']!r} maps to "
                               f"{var!r}, which is not a variable of the model")
    # model units: data * conversion / indicator scale (1 for series mapped to a model variable)
    scale = table["indicator"].map(indicators["scale"]).astype(float).fillna(1.0)
    table["variable"] = table["indicator"].map(indicators["variable"]).where(
        table["indicator"] != "", table["model_variable"])
    table["to_model"] = table["conversion"] / scale
    return table


def _mapped(history_path, series_path, derived_path, model_variables=None) -> pd.DataFrame:
    history = history_with_derived(history_path, derived_path)
    series = load_series(series_path, set(history["indicator"]), model_variables)
    merged = history.rename(columns={"indicator": "series"}).merge(
        series.drop(columns=["note"]), on="series")
    merged = merged[merged["quality"].isin(USABLE_QUALITY)].copy()
    merged.attrs.clear()  # the files' line numbers mean nothing in the merged table
    merged["value"] = merged["value"] * merged["conversion"]
    return merged.sort_values(["series", "year"]).reset_index(drop=True)


def observations(history_path=None, series_path=None, derived_path=None) -> pd.DataFrame:
    """Usable observations in indicator units, for plotting against model indicators.

    Columns: series, indicator, year, value, quality, weight. Series fitted for their shape only
    (an index known up to a factor) are left out: they are not in the indicator's unit.
    """
    merged = _mapped(history_path, series_path, derived_path)
    merged = merged[(merged["indicator"] != "") & (merged["fit"] != "shape")]
    return merged[["series", "indicator", "year", "value", "quality", "weight"]].reset_index(drop=True)


def fit_observations(
    history_path=None, series_path=None, derived_path=None, model_variables=None,
) -> pd.DataFrame:
    """Usable observations of the fitted series (fit ``level`` or ``shape``).

    Columns: series, indicator, variable (model variable), year, value (indicator units),
    model_value (the value in the model variable's units), quality, weight, fit, unit, source.
    """
    merged = _mapped(history_path, series_path, derived_path, model_variables)
    merged = merged[merged["fit"] != "none"].copy()
    merged["model_value"] = merged["value"] / merged["conversion"] * merged["to_model"]
    columns = ["series", "indicator", "variable", "year", "value", "model_value", "quality", "weight",
               "fit", "unit", "source"]
    return merged[columns].reset_index(drop=True)

