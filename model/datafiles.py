"""Reading the project's CSV data files, checked: one reader, one schema a file.

Every data file the model and the calibration read goes through ``read_table``: only a regular
file, at most MAX_BYTES, UTF-8 text (not binary, not latin-1 or GBK), a header with the declared
columns, the same number of fields on every line, and each value of the declared type and range.
A problem raises DataFileError naming the file, the row (the line number an editor shows, the
header being line 1) and the column; no pandas or csv exception reaches the user.

The stdlib csv module splits the lines because it knows on which line each record starts (pandas
reports neither that nor a short row); pandas then types the columns.
"""
from __future__ import annotations

import csv
import io
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .errors import PlanSimError
from .paths import BASELINE_FILE, CALIBRATED_PARAMETERS_FILE, HISTORY_FILE, SERIES_FILE, TARGETS_FILE

MAX_BYTES = 2_000_000  # the largest data file is about 60 kB
MAX_QUOTE = 40  # characters of a bad value quoted in a message
REGENERATE = "regenerate it with `python -m calibration`"

# Years of the observed history (calibration/data/) and of the plan targets.
HISTORY_YEARS = (1990, 2010)
BASE_YEAR = 2010
TARGET_YEARS = (2011, 2050)
QUALITIES = ("sourced", "derived", "unverified")  # history_2000_2010.csv
BASELINE_QUALITIES = (*QUALITIES, "assumption")  # baseline_2010.csv: also the model's own assumptions


class DataFileError(PlanSimError):
    """A data file that cannot be read or breaks its declared format."""


@dataclass(frozen=True)
class Column:
    """A declared column. ``kind``: ``text``, ``number`` (finite float) or ``integer``.

    ``blank``: the value may be empty (text "", number NaN). ``optional``: the column may be
    absent (it is then added, blank). Numbers lie in [low, high]; ``low_open`` / ``high_open``
    exclude the bound. ``choices``: the allowed texts. ``unique``: no value twice.
    """

    name: str
    kind: str = "text"
    blank: bool = False
    optional: bool = False
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    unique: bool = False


def quote(value: object) -> str:
    """A value for a message: repr, cut to MAX_QUOTE characters."""
    text = repr(value)
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 4] + "...'"


def read_text(path: Path | str, *, max_bytes: int = MAX_BYTES, hint: str = "") -> str:
    """The text of a regular UTF-8 file of at most ``max_bytes`` bytes (a leading BOM dropped)."""
    path = Path(path)
    suffix = f"; {hint}" if hint else ""
    try:
        info = os.stat(path)  # follows a symlink: what matters is what would be read
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file{suffix}") from None
    except OSError as err:
        raise DataFileError(f"{path}: cannot be read ({err.strerror}){suffix}") from None
    if not stat.S_ISREG(info.st_mode):
        raise DataFileError(f"{path}: not a regular file (a folder, device or pipe){suffix}")
    if info.st_size > max_bytes:
        raise DataFileError(f"{path}: {info.st_size} bytes, more than the {max_bytes} a data file may have{suffix}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise DataFileError(f"{path}: cannot be read ({err.strerror}){suffix}") from None
    if len(data) > max_bytes:  # grew since stat
        raise DataFileError(f"{path}: more than the {max_bytes} bytes a data file may have{suffix}")
    if b"\x00" in data:
        line = data[:data.index(b"\x00")].count(b"\n") + 1
        raise DataFileError(f"{path}: row {line}: a binary or UTF-16 file (NUL byte), not UTF-8 CSV text{suffix}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise DataFileError(f"{path}: row {line}: byte 0x{data[err.start]:02x} is not UTF-8; save the file as "
                            f"UTF-8 (it looks like latin-1, GBK or a binary file){suffix}") from None


def _records(text: str, path: Path, suffix: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, records and the line on which each record starts (blank lines skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines = [], []
    start = 1
    try:
        for record in reader:
            if record:
                rows.append(record)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise DataFileError(f"{path}: row {start}: not valid CSV ({err}){suffix}") from None
    if not rows:
        raise DataFileError(f"{path}: empty file; expected a header line{suffix}")
    return rows[0], rows[1:], lines[1:]


def where(table: pd.DataFrame, row: int, column: str) -> str:
    """'file: row N, column 'c'' for the ``row``-th record of a table from ``read_table``."""
    return f"{table.attrs['path']}: row {table.attrs['lines'][row]}, column '{column}'"


def fail(table: pd.DataFrame, row: int, column: str, message: str) -> DataFileError:
    """The error for a bad value (with the table's hint, e.g. how to regenerate the file)."""
    hint = table.attrs.get("hint", "")
    return DataFileError(f"{where(table, row, column)}: {message}" + (f"; {hint}" if hint else ""))


def _span(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if math.isinf(high):
        return f"{'>' if low_open else '>='} {low:g}"
    if math.isinf(low):
        return f"{'<' if high_open else '<='} {high:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def numbers(table: pd.DataFrame, column: str, *, blank: bool = False, low=-math.inf, high=math.inf,
            low_open=False, high_open=False, why: Sequence[str] | None = None) -> pd.Series:
    """The text column ``column`` as finite floats (NaN for an empty cell where ``blank``), each
    within its bounds; a bound is one value or one per row, ``why`` a reason per row for the message."""
    text = table[column].astype(str).str.strip()
    values = pd.to_numeric(text.where(text != "", None), errors="coerce").astype(float)
    v, empty = values.to_numpy(), (text == "").to_numpy()
    for row in np.flatnonzero(~np.isfinite(v) & ~(empty & blank)):
        row = int(row)
        if empty[row]:
            raise fail(table, row, column, "a number is required, the cell is empty")
        what = "is not a number" if np.isnan(v[row]) else "is not a finite number"
        raise fail(table, row, column, f"{quote(table[column].iloc[row])} {what}")
    n = len(table)
    lows, highs = (np.broadcast_to(np.asarray(b, float), n) for b in (low, high))
    low_opens, high_opens = (np.broadcast_to(np.asarray(o, bool), n) for o in (low_open, high_open))
    with np.errstate(invalid="ignore"):
        outside = np.where(low_opens, v <= lows, v < lows) | np.where(high_opens, v >= highs, v > highs)
    bad = np.flatnonzero(outside & np.isfinite(v))
    if bad.size:
        row = int(bad[0])
        reason = f" ({why[row]})" if why is not None else ""
        raise fail(table, row, column, f"{quote(table[column].iloc[row])} is out of range: must be "
                   f"{_span(lows[row], highs[row], low_opens[row], high_opens[row])}{reason}")
    return values


def read_table(path: Path | str, columns: Sequence[Column], *, hint: str = "", min_rows: int = 1,
               max_bytes: int = MAX_BYTES) -> pd.DataFrame:
    """The file as a DataFrame with the declared columns typed (extra columns kept as text).

    ``table.attrs``: ``path``, ``lines`` (the line of each row) and ``hint`` (appended to every
    message, e.g. how to regenerate the file). Use ``where``/``fail`` for further checks.
    """
    path = Path(path)
    suffix = f"; {hint}" if hint else ""
    header, records, lines = _records(read_text(path, max_bytes=max_bytes, hint=hint), path, suffix)
    header = [h.strip() for h in header]
    if len(set(header)) != len(header) or "" in header:
        twice = sorted({h for h in header if header.count(h) > 1 or not h})
        raise DataFileError(f"{path}: row 1: column names empty or given twice: {quote(twice)}{suffix}")
    missing = [c.name for c in columns if not c.optional and c.name not in header]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {missing}; expected {[c.name for c in columns]}{suffix}")
    for record, line in zip(records, lines):
        if len(record) != len(header):
            more = "more" if len(record) > len(header) else "fewer"
            raise DataFileError(f"{path}: row {line}: {len(record)} fields, {more} than the header's "
                                f"{len(header)} (a stray or missing comma, or an unquoted comma in a text){suffix}")
    if len(records) < min_rows:
        raise DataFileError(f"{path}: no data rows under the header{suffix}")
    table = pd.DataFrame(records, columns=header) if records else pd.DataFrame(columns=header, dtype=str)
    table.attrs.update(path=path, lines=lines, hint=hint)
    for col in columns:
        if col.name not in table.columns:
            table[col.name] = ""
        text = table[col.name]
        if col.kind == "text":
            for row in range(len(table)):
                value = text.iloc[row]
                if not col.blank and not value.strip():
                    raise fail(table, row, col.name, "a value is required, the cell is empty")
                if col.choices and value not in col.choices and not (col.blank and value == ""):
                    raise fail(table, row, col.name, f"{quote(value)} is not one of {', '.join(col.choices)}")
        else:
            values = numbers(table, col.name, blank=col.blank, low=col.low, high=col.high,
                             low_open=col.low_open, high_open=col.high_open)
            if col.kind == "integer":
                fractional = np.flatnonzero(values.notna().to_numpy() & (values.to_numpy() % 1 != 0))
                if fractional.size:
                    raise fail(table, int(fractional[0]), col.name, f"{quote(text.iloc[fractional[0]])} is not "
                               "a whole number")
                values = values.astype(int) if values.notna().all() else values
            table[col.name] = values
        if col.unique:
            seen: set = set()
            for row, value in enumerate(table[col.name]):
                if value in seen and value != "":
                    raise fail(table, row, col.name, f"{quote(value)} is given twice")
                seen.add(value)
    return table


# -- the files ------------------------------------------------------------------------------------
def unit_range(unit: str) -> tuple[float, float, bool, str]:
    """Allowed values of a measurement in ``unit``: (low, high, low excluded, why).

    Changes ('% y/y', '% vs 2005') are above -100 %; other per cent units are shares in [0, 100];
    'per mille' rates in [0, 1000]; every other unit is a level (population, money, energy,
    length, years), which must be positive.
    """
    unit = unit.strip()
    if unit.startswith(("% y/y", "% vs", "% per year")):
        return -100.0, math.inf, True, f"a change in '{unit}'"
    if unit.startswith("%"):
        return 0.0, 100.0, False, f"a share in '{unit}'"
    if unit.startswith("per mille"):
        return 0.0, 1000.0, False, f"a rate in '{unit}'"
    return 0.0, math.inf, True, f"a level in '{unit}' is positive"


def read_measurements(path: Path | str, years: tuple[int, int], qualities: tuple[str, ...] = QUALITIES
                      ) -> pd.DataFrame:
    """A table of figures (history_2000_2010.csv, baseline_2010.csv): indicator, year, value,
    unit, quality, source, notes. A leading '~' marks an approximate figure (column
    ``approximate``); each value lies in the range of its unit (``unit_range``); years in
    ``years`` (inclusive)."""
    table = read_table(path, (
        Column("indicator"), Column("year", "integer"), Column("value"), Column("unit"),
        Column("quality", choices=qualities), Column("source", blank=True), Column("notes", blank=True, optional=True),
    ))
    bad = np.flatnonzero(~table["year"].between(*years).to_numpy())
    if bad.size:
        row = int(bad[0])
        raise fail(table, row, "year", f"{table['year'].iloc[row]} is outside {years[0]}-{years[1]}")
    text = table["value"].str.strip()
    table["approximate"] = text.str.startswith("~")
    table["value"] = text.str.lstrip("~")
    low, high, low_open, why = zip(*(unit_range(u) for u in table["unit"]))
    table["value"] = numbers(table, "value", low=low, high=high, low_open=low_open, why=why)
    return table


def read_history(path: Path | str = HISTORY_FILE) -> pd.DataFrame:
    """calibration/data/history_2000_2010.csv, checked (see ``read_measurements``)."""
    return read_measurements(path, HISTORY_YEARS)


def read_baseline(path: Path | str = BASELINE_FILE) -> pd.DataFrame:
    """model/data/baseline_2010.csv: the 2010 figures, checked (see ``read_measurements``)."""
    return read_measurements(path, (BASE_YEAR, BASE_YEAR), BASELINE_QUALITIES)


SERIES_COLUMNS = (
    Column("series", unique=True), Column("indicator", blank=True), Column("model_variable", blank=True, optional=True),
    Column("conversion", "number", low=0, low_open=True), Column("weight", "number", low=0),
    Column("fit", blank=True, optional=True), Column("note", blank=True, optional=True),
)
DERIVED_SERIES_COLUMNS = (
    Column("series", unique=True), Column("method"), Column("inputs"), Column("source_contains", blank=True),
    Column("year", "integer", blank=True, low=HISTORY_YEARS[0], high=HISTORY_YEARS[1]), Column("unit"),
    Column("note", blank=True),
)
# calibration/parameters.csv and estimates.csv (written by python -m calibration).
PARAMETER_COLUMNS = (
    Column("parameter", unique=True), Column("value", "number"),
    Column("std_error", "number", blank=True, optional=True, low=0),
    Column("at_bound", blank=True, optional=True),
    Column("lower", "number", blank=True, optional=True), Column("upper", "number", blank=True, optional=True),
    Column("start", "number", blank=True, optional=True), Column("model_value", "number", blank=True, optional=True),
    Column("role", blank=True, optional=True), Column("note", blank=True, optional=True),
)
PARAMETER_SPEC_COLUMNS = (
    Column("parameter", unique=True), Column("role"), Column("lower", "number", blank=True),
    Column("upper", "number", blank=True), Column("start", "number", blank=True),
    Column("twin_tolerance", "number", blank=True, low=0, high=1, low_open=True), Column("why_uncertain"),
)
INITIAL_2000_COLUMNS = (
    Column("parameter", unique=True), Column("basis"), Column("value", "number", blank=True),
    Column("series", blank=True), Column("conversion", "number", blank=True, low=0, low_open=True),
    Column("note", blank=True),
)
DERIVED_2010_COLUMNS = (
    Column("parameter", unique=True), Column("numerator"), Column("denominator", blank=True), Column("note", blank=True),
)
GOALS_COLUMNS = (
    Column("goal", unique=True), Column("series"), Column("statistic"), Column("threshold", "number", low=0, low_open=True),
    Column("unit", blank=True),
)
PLAN_TARGET_COLUMNS = (
    Column("plan"), Column("id"), Column("indicator"),
    Column("year", "integer", low=TARGET_YEARS[0], high=TARGET_YEARS[1]),
    Column("op", choices=("about", "floor", "ceiling", ">=", "<=")), Column("value", "number"), Column("unit"),
    Column("relative_to", "integer", blank=True, low=BASE_YEAR, high=TARGET_YEARS[1]),
    Column("attribute"), Column("wording_zh"), Column("source"), Column("notes", blank=True),
    Column("model_indicator"),
)


def read_parameters(path: Path | str = CALIBRATED_PARAMETERS_FILE) -> pd.DataFrame:
    """calibration/parameters.csv (or estimates.csv), checked; a bad file says how to regenerate it."""
    return read_table(path, PARAMETER_COLUMNS, hint=REGENERATE)


def read_series(path: Path | str = SERIES_FILE) -> pd.DataFrame:
    """calibration/data/series.csv, typed (conversion > 0, weight >= 0); fit defaults to level."""
    table = read_table(path, SERIES_COLUMNS)
    table["fit"] = table["fit"].where(table["fit"] != "", "level")
    return table


def read_plan_targets(path: Path | str = TARGETS_FILE) -> pd.DataFrame:
    """model/data/plan_targets.csv, checked; ``relative_to`` is a year or NaN."""
    table = read_table(path, PLAN_TARGET_COLUMNS)
    table["relative_to"] = table["relative_to"].astype(float)
    table.attrs.clear()  # a plain table for its users (attrs would travel into every copy)
    return table
