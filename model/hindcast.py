"""Hindcast: a projection against actual figures a user supplies.

The actuals file is CSV with columns ``indicator,year,value[,source]``: ``indicator`` an id of
model/indicators.yaml, ``value`` in that indicator's display unit (the unit of the scorecard and
of ``results.csv``: % for shares and growth, 10^4 persons, 10^4 tce/year, km, ...). It is read
like every data file of the project (``model.datafiles``: bounded size, UTF-8, one error naming
file, row and column): an unknown id gets the closest ids as a hint, a year outside the run and
an indicator-year given twice are refused, each value must lie in its unit's range.

Errors, per indicator and year: ``difference = projected - actual`` in the indicator's unit and
``percent_error = 100 * difference / |actual|`` (positive: the projection was above the actual
figure; undefined where the actual figure is 0); per indicator ``mape``, the mean absolute
percent error, and ``mean_difference`` (the bias), over the years with a projected value.

The project ships no actual figures after 2010 (its credibility rule: nothing after 2010 sets a
parameter, default or structure); a hindcast only compares, it changes nothing in the model.
"""
from __future__ import annotations

import difflib
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import datafiles
from .datafiles import Column, DataFileError, fail
from .errors import PlanSimError

ACTUALS_COLUMNS = (
    Column("indicator"), Column("year", "integer"), Column("value"),  # value: checked against its unit below
    Column("source", blank=True, optional=True),
)
MAX_BYTES = 300_000  # about 7,000 rows: every indicator and year 2010-2050 is about 1,500 rows
UPLOAD_NAME = "uploaded.csv"  # the name an uploaded file is checked under (no server path in messages)
TABLE_COLUMNS = ["indicator", "year", "projected", "actual", "difference", "percent_error", "source"]
SUMMARY_COLUMNS = ["indicator", "points", "first_year", "last_year", "mape", "mean_difference"]
PERCENT_DECIMALS = 2


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else \
        "; the ids are those of model/indicators.yaml (python -m model project lists them)"


def read_actuals(path: Path | str, years: tuple[int, int], indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """The actuals file, checked (module docstring): columns indicator, year, value, source.

    ``years``: the run's first and last year (inclusive); ``indicators``: the indicator table
    (``model.metadata.indicator_table()`` by default). Raises ``DataFileError``.
    """
    from .metadata import indicator_table

    table = indicator_table() if indicators is None else indicators
    actuals = datafiles.read_table(path, ACTUALS_COLUMNS, max_bytes=MAX_BYTES)
    known = list(table.index)
    actuals["indicator"] = actuals["indicator"].str.strip()
    unknown = np.flatnonzero(~actuals["indicator"].isin(known).to_numpy())
    if unknown.size:
        row = int(unknown[0])
        name = actuals["indicator"].iloc[row]
        raise fail(actuals, row, "indicator", f"{datafiles.quote(name)} is not an indicator id{_hint(name, known)}")
    low, high = years
    for row, year in enumerate(actuals["year"]):
        if not low <= year <= high:
            extra = (f" (the projection starts in {low}; 2000-{low} is the calibration's history)" if year < low
                     else " (the command line's --final-year sets a later last year, up to 2050)")
            raise fail(actuals, row, "year", f"{year} is outside the run {low}-{high}{extra}")
    seen: dict[tuple[str, int], int] = {}
    for row, key in enumerate(zip(actuals["indicator"], actuals["year"])):
        if key in seen:
            first = actuals.attrs["lines"][seen[key]]
            raise fail(actuals, row, "indicator", f"{key[0]!r} in {key[1]} is given twice (also on row {first})")
        seen[key] = row
    units = actuals["indicator"].map(table["unit"])
    low_, high_, low_open, why = zip(*(datafiles.unit_range(u) for u in units)) if len(units) else ((), (), (), ())
    actuals["value"] = datafiles.numbers(actuals, "value", low=list(low_), high=list(high_), low_open=list(low_open),
                      why=[f"{w} ({ind})" for w, ind in zip(why, actuals["indicator"])])
    actuals["source"] = actuals["source"].astype(str).str.strip()
    out = actuals[["indicator", "year", "value", "source"]].copy()
    out.attrs.clear()
    return out.reset_index(drop=True)


def read_actuals_bytes(content: bytes, years: tuple[int, int], name: str = UPLOAD_NAME,
                       indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """``read_actuals`` of uploaded bytes, checked in a temporary folder; messages name the file
    ``name``, never the folder."""
    with tempfile.TemporaryDirectory(prefix="plansim-actuals-") as folder:
        path = Path(folder) / UPLOAD_NAME
        path.write_bytes(content[:MAX_BYTES + 1])
        try:
            return read_actuals(path, years, indicators)
        except DataFileError as err:
            raise DataFileError(str(err).replace(str(path), name).replace(folder, "")) from None


def compare(projection: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Projected against actual, one row per row of ``actuals`` (sorted by indicator, year).

    ``projection``: a run (``Project.run`` output: index year, one column per indicator id).
    Columns: indicator, year, projected, actual, difference, percent_error, source (the
    projected value, and so the errors, are NaN where the run has none, e.g. growth in 2010).
    """
    missing = sorted(set(actuals["indicator"]) - set(projection.columns))
    if missing:
        raise PlanSimError(f"the run has no indicator {missing}")
    rows = []
    for r in actuals.itertuples(index=False):
        year = int(r.year)
        projected = float(projection.loc[year, r.indicator]) if year in projection.index else np.nan
        actual = float(r.value)
        difference = projected - actual
        percent = 100 * difference / abs(actual) if actual != 0 else np.nan
        rows.append([r.indicator, year, projected, actual, difference, percent, getattr(r, "source", "")])
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table.sort_values(["indicator", "year"], kind="stable").reset_index(drop=True)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per indicator of a ``compare`` table: points (years with a projected value and a
    percent error), first and last year, MAPE (%) and mean difference (indicator's unit)."""
    rows = []
    for ind, part in table.groupby("indicator", sort=False):
        usable = part[np.isfinite(part["percent_error"])]
        rows.append({
            "indicator": ind, "points": len(usable),
            "first_year": int(part["year"].min()), "last_year": int(part["year"].max()),
            "mape": float(usable["percent_error"].abs().mean()) if len(usable) else np.nan,
            "mean_difference": float(part["difference"].dropna().mean()) if part["difference"].notna().any() else np.nan,
        })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def localised(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A ``compare`` or ``summary`` table as users read it in a CSV: the indicator's label and
    unit in ``lang`` beside its id, figures rounded to the indicator's declared precision
    (per cent errors and MAPE to 2 decimals)."""
    from . import i18n
    from .metadata import indicator_table, round_to_precision

    meta = indicator_table()
    out = table.copy()
    out.insert(1, "label", out["indicator"].map(meta[f"label_{lang}"]))
    out.insert(2, "unit", out["indicator"].map(meta["unit"]).map(lambda u: i18n.unit(u, lang)))
    for column in ("projected", "actual", "difference", "mean_difference"):
        if column in out:
            out[column] = round_to_precision(out[column], out["indicator"])
    for column in ("percent_error", "mape"):
        if column in out:
            out[column] = out[column].round(PERCENT_DECIMALS)
    return out
