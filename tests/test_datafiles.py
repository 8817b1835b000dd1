"""Damaged data files end in one clear error naming file, row (editor line) and column; never a
traceback, never a silently accepted impossible value (issue 10, item 9)."""
import csv
import io
import os
import shutil

import pytest

from calibration import results, spec
from calibration.__main__ import main as calibration_main
from model import PlanSimError, datafiles, declaration
from model import history as h
from model import metadata
from model.paths import BASELINE_FILE, CALIBRATED_PARAMETERS_FILE, HISTORY_FILE, SERIES_FILE, TARGETS_FILE
from target_rows import target_rows

POPULATION_LINE = 119  # resident_pop_yearend_nbs_revised, 2000 (万人) in history_2000_2010.csv


def _lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _spoil_cell(src, dst, line: int, column: str, value: str) -> None:
    """Copy ``src`` to ``dst`` with the cell at editor line ``line`` and ``column`` replaced."""
    lines = _lines(src)
    header = next(csv.reader([lines[0]]))
    cells = next(csv.reader([lines[line - 1]]))
    cells[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    lines[line - 1] = out.getvalue()
    dst.write_text("".join(lines), encoding="utf-8")


def _variant(tmp_path, src, kind: str):
    """A damaged copy of ``src``; returns (path, expected row or None, expected column or None)."""
    dst = tmp_path / src.name
    lines = _lines(src)
    if kind == "empty":
        dst.write_bytes(b"")
        return dst, None, None
    if kind == "header only":
        dst.write_text(lines[0], encoding="utf-8")
        return dst, None, None
    if kind == "binary":
        dst.write_bytes(lines[0].encode() + bytes(range(256)) * 4)
        return dst, 2, None
    if kind == "gbk":  # a Chinese file saved as GBK by a spreadsheet
        dst.write_bytes("".join(lines).encode("gb18030"))
        return dst, None, None
    if kind == "latin-1":
        lines = lines[:4] + [lines[4].rstrip("\n") + " Montréal\n"] + lines[5:]
        dst.write_bytes(b"".join(line.encode("utf-8") if i != 4 else line.encode("latin-1")
                                 for i, line in enumerate(lines)))
        return dst, 5, None
    if kind == "extra field":
        lines[5] = lines[5].rstrip("\n") + ",surplus\n"
        dst.write_text("".join(lines), encoding="utf-8")
        return dst, 6, None
    if kind == "short row":
        lines[6] = lines[6].split(",")[0] + "\n"
        dst.write_text("".join(lines), encoding="utf-8")
        return dst, 7, None
    if kind == "open quote":
        lines[7] = lines[7].replace(",", ',"', 1)
        dst.write_text("".join(lines), encoding="utf-8")
        return dst, 8, None
    if kind == "missing column":
        header = lines[0].rstrip("\n").split(",")
        rows = list(csv.reader(lines))
        keep = [i for i, name in enumerate(header) if name != "quality"]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])
        dst.write_text(out.getvalue(), encoding="utf-8")
        return dst, None, None
    raise ValueError(kind)


FILE_KINDS = ["empty", "header only", "binary", "gbk", "latin-1", "extra field", "short row", "open quote",
              "missing column"]
# (cell value, line, column, expected words) in history_2000_2010.csv
HISTORY_CELLS = [
    ("n/a", 6, "value", "'n/a' is not a number"),
    ("nan", 6, "value", "'nan' is not a number"),
    ("inf", 6, "value", "'inf' is not a finite number"),
    ("9" * 400, 6, "value", "is not a finite number"),  # no OverflowError
    ("", 6, "value", "the cell is empty"),
    ("0", POPULATION_LINE, "value", "'0' is out of range: must be > 0"),
    ("-1609", POPULATION_LINE, "value", "'-1609' is out of range: must be > 0"),
    ("157", 105, "value", r"is out of range: must be in \[0, 100\] \(a share in '% of GDP'\)"),
    ("twothousand", 6, "year", "'twothousand' is not a number"),
    ("2000.5", 6, "year", "'2000.5' is not a whole number"),
    ("1899", 6, "year", "1899 is outside 1990-2010"),
    ("good", 6, "quality", "'good' is not one of sourced, derived, unverified"),
    ("", 6, "indicator", "a value is required"),
]


def _check_message(err: PlanSimError, path, row, column) -> None:
    message = str(err)
    assert str(path) in message and "\n" not in message and len(message) < 600, message
    if row is not None:
        assert f"row {row}" in message, message
    if column is not None:
        assert f"column '{column}'" in message, message


# -- the history ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", FILE_KINDS)
def test_damaged_history_file_is_one_clear_error(tmp_path, kind):
    path, row, column = _variant(tmp_path, HISTORY_FILE, kind)
    with pytest.raises(PlanSimError) as err:
        h.fit_observations(history_path=path)
    _check_message(err.value, path, row, column)


@pytest.mark.parametrize("value, line, column, words", HISTORY_CELLS, ids=[f"{c[2]}={c[0][:12]!r}" for c in HISTORY_CELLS])
def test_bad_history_value_names_row_and_column(tmp_path, value, line, column, words):
    path = tmp_path / HISTORY_FILE.name
    _spoil_cell(HISTORY_FILE, path, line, column, value)
    with pytest.raises(PlanSimError, match=words) as err:
        h.fit_observations(history_path=path)
    _check_message(err.value, path, line, column)


def test_population_line_is_a_population():
    table = datafiles.read_history()
    row = table.attrs["lines"].index(POPULATION_LINE)
    assert table.loc[row, "unit"] == "万人" and table.loc[row, "value"] == 1609
    assert table.loc[table.attrs["lines"].index(105), "unit"].startswith("%")


def test_a_row_after_a_blank_line_keeps_its_editor_line(tmp_path):
    lines = _lines(HISTORY_FILE)
    lines.insert(3, "\n")  # a blank line 4: the record that was on line 6 is now on line 7
    path = tmp_path / HISTORY_FILE.name
    path.write_text("".join(lines), encoding="utf-8")
    _spoil_cell(path, path, 7, "value", "n/a")
    with pytest.raises(PlanSimError, match=r"row 7, column 'value': 'n/a'"):
        datafiles.read_history(path)


def test_not_a_regular_file_is_refused_without_reading(tmp_path):
    fifo = tmp_path / "history.csv"
    os.mkfifo(fifo)  # opening a FIFO would block forever
    for path in (fifo, tmp_path, tmp_path / "missing.csv"):
        with pytest.raises(PlanSimError, match="not a regular file|no such file"):
            datafiles.read_history(path)
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(PlanSimError, match="zero.csv: not a regular file"):
        datafiles.read_history(link)


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(HISTORY_FILE.read_text(encoding="utf-8") * 40, encoding="utf-8")
    assert path.stat().st_size > datafiles.MAX_BYTES
    with pytest.raises(PlanSimError, match=rf"big.csv: \d+ bytes, more than the {datafiles.MAX_BYTES}"):
        datafiles.read_history(path)


def test_a_huge_bad_value_is_quoted_short(tmp_path):
    path = tmp_path / HISTORY_FILE.name
    _spoil_cell(HISTORY_FILE, path, 6, "value", "9" * 50_000 + "x")
    with pytest.raises(PlanSimError, match="row 6, column 'value'") as err:
        datafiles.read_history(path)
    assert len(str(err.value)) < 300


# -- series.csv and derived_series.csv ------------------------------------------------------------
@pytest.mark.parametrize("value, column, words", [
    ("heavy", "weight", "'heavy' is not a number"),
    ("-1", "weight", "must be >= 0"),
    ("0", "conversion", "must be > 0"),
    ("", "conversion", "a number is required"),
    ("resident_pop_yearend_nbs_revised", "series", "is given twice"),
])
def test_bad_series_value(tmp_path, value, column, words):
    path = tmp_path / SERIES_FILE.name
    _spoil_cell(SERIES_FILE, path, 5, column, value)
    with pytest.raises(PlanSimError, match=words) as err:
        h.fit_observations(series_path=path)
    _check_message(err.value, path, 5, column)


@pytest.mark.parametrize("kind", ["binary", "extra field", "missing column"])
def test_damaged_series_file(tmp_path, kind):
    path, row, column = _variant(tmp_path, SERIES_FILE, kind)
    if kind == "missing column":  # series.csv has no quality column: drop a required one instead
        text = "\n".join(",".join(r[:3] + r[4:]) for r in csv.reader(_lines(SERIES_FILE)))
        path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanSimError) as err:
        h.fit_observations(series_path=path)
    _check_message(err.value, path, row, column)


def test_derived_series_year_must_be_a_year(tmp_path):
    path = tmp_path / h.DERIVED_FILE.name
    _spoil_cell(h.DERIVED_FILE, path, 3, "year", "twenty ten")
    with pytest.raises(PlanSimError, match=r"derived_series.csv: row 3, column 'year': 'twenty ten' is not a number"):
        h.fit_observations(derived_path=path)


# -- calibration/parameters.csv -------------------------------------------------------------------
@pytest.mark.parametrize("value, column, words", [
    ("high", "value", "'high' is not a number"),
    ("NaN", "value", "'NaN' is not a number"),
    ("", "value", "a number is required"),
    ("-0.5", "std_error", "must be >= 0"),
    ("autonomous TFP growth secondary", "parameter", "is given twice"),
])
def test_bad_calibrated_parameter_says_how_to_regenerate(tmp_path, value, column, words):
    path = tmp_path / CALIBRATED_PARAMETERS_FILE.name
    _spoil_cell(CALIBRATED_PARAMETERS_FILE, path, 3, column, value)
    with pytest.raises(PlanSimError, match=words) as err:
        declaration.calibrated_parameters(path)
    _check_message(err.value, path, 3, column)
    assert "python -m calibration" in str(err.value)


@pytest.mark.parametrize("kind", ["empty", "binary", "extra field"])
def test_damaged_parameters_file(tmp_path, kind):
    path, row, column = _variant(tmp_path, CALIBRATED_PARAMETERS_FILE, kind)
    with pytest.raises(PlanSimError, match="python -m calibration") as err:
        declaration.calibrated_parameters(path)
    _check_message(err.value, path, row, column)


def test_parameters_file_without_value_column(tmp_path):
    path = tmp_path / "parameters.csv"
    rows = list(csv.reader(_lines(CALIBRATED_PARAMETERS_FILE)))
    path.write_text("\n".join(",".join(r[:1] + r[2:]) for r in rows), encoding="utf-8")
    with pytest.raises(PlanSimError, match=r"parameters.csv: missing column\(s\) \['value'\].*python -m calibration"):
        declaration.calibrated_parameters(path)


def test_model_load_refuses_a_damaged_parameters_file(tmp_path, monkeypatch):
    """What every `python -m model` command does first: load the model with the calibration."""
    path = tmp_path / "parameters.csv"
    _spoil_cell(CALIBRATED_PARAMETERS_FILE, path, 2, "value", "abc")
    monkeypatch.setattr(declaration, "CALIBRATED_PARAMETERS_FILE", path)
    with pytest.raises(PlanSimError, match=r"parameters.csv: row 2, column 'value': 'abc' is not a number"):
        declaration.Declaration()


def test_estimates_file_is_checked(tmp_path):
    path = tmp_path / "estimates.csv"
    _spoil_cell(results.ESTIMATES_FILE, path, 4, "value", "")
    with pytest.raises(PlanSimError, match=r"estimates.csv: row 4, column 'value': a number is required"):
        results.read_estimates(None, path)


# -- the calibration's declared inputs ------------------------------------------------------------
@pytest.mark.parametrize("src, line, column, value, words", [
    (spec.SPEC_FILE, 2, "lower", "low", "'low' is not a number"),
    (spec.SPEC_FILE, 2, "twin_tolerance", "5", "must be in (0, 1]"),
    (spec.SPEC_FILE, 3, "upper", "", "a number is required"),
    (spec.INITIAL_FILE, 2, "conversion", "-1", "must be > 0"),
    (spec.INITIAL_FILE, 3, "parameter", "initial registered population", "is given twice"),
    (spec.GOALS_FILE, 2, "threshold", "three", "'three' is not a number"),
])
def test_bad_calibration_input(tmp_path, shanghai, src, line, column, value, words):
    path = tmp_path / src.name
    _spoil_cell(src, path, line, column, value)
    constants = shanghai.constants()  # only names are checked before the numbers
    read = {spec.SPEC_FILE: lambda: spec.load_parameter_spec(constants, shanghai.levers()["name"], path),
            spec.INITIAL_FILE: lambda: spec.load_initial_2000(datafiles.read_history(), {}, None, path),
            spec.GOALS_FILE: lambda: spec.load_goals([], path)}[src]
    with pytest.raises(PlanSimError, match=words.replace("(", r"\(").replace("[", r"\[")) as err:
        read()
    _check_message(err.value, path, line, column)


# -- model/data ---------------------------------------------------------------------------------
@pytest.mark.parametrize("line, column, value, words", [
    (2, "year", "2051", "must be in [2011, 2050]"),
    (2, "op", "=<", "'=<' is not one of about, floor, ceiling, >=, <="),
    (2, "value", "eight", "'eight' is not a number"),
    (2, "relative_to", "last year", "'last year' is not a number"),
])
def test_bad_plan_target(tmp_path, line, column, value, words):
    path = tmp_path / TARGETS_FILE.name
    _spoil_cell(TARGETS_FILE, path, line, column, value)
    with pytest.raises(PlanSimError, match=words.replace("[", r"\[")) as err:
        datafiles.read_plan_targets(path)
    _check_message(err.value, path, line, column)


@pytest.mark.parametrize("line, column, value, words", [
    (2, "value", "-2303", "must be > 0"),
    (2, "year", "2011", "2011 is outside 2010-2010"),
    (5, "value", "110", "must be in [0, 100]"),
])
def test_bad_baseline_figure(tmp_path, line, column, value, words):
    path = tmp_path / BASELINE_FILE.name
    _spoil_cell(BASELINE_FILE, path, line, column, value)
    with pytest.raises(PlanSimError, match=words.replace("[", r"\[")) as err:
        datafiles.read_baseline(path)
    _check_message(err.value, path, line, column)


def test_every_shipped_data_file_passes():
    """The committed files are valid and read as pandas would read them."""
    assert len(datafiles.read_history()) > 100
    baseline = datafiles.read_baseline()
    assert baseline.set_index("indicator").loc["resident_population", "value"] == 2303
    targets = metadata.plan_targets()
    assert len(targets) == target_rows() and targets["year"].dtype.kind == "i" and targets["relative_to"].isna().any()
    assert declaration.calibrated_parameters()  # non-empty
    for read in (h.load_series, h.history_with_derived):
        assert len(read()) > 10


# -- python -m calibration ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["negative population", "zero population", "latin-1", "extra field"])
def test_calibration_command_with_damaged_history_exits_with_one_error(tmp_path, monkeypatch, capsys, kind):
    path = tmp_path / "data" / HISTORY_FILE.name
    path.parent.mkdir()
    if kind.endswith("population"):
        _spoil_cell(HISTORY_FILE, path, POPULATION_LINE, "value", "-1609" if kind.startswith("negative") else "0")
    else:
        variant, _, _ = _variant(tmp_path, HISTORY_FILE, kind)
        shutil.move(variant, path)
    monkeypatch.setattr(h, "HISTORY_FILE", path)
    out = tmp_path / "out"
    assert calibration_main(["--out", str(out), "--popsize", "2", "--maxiter", "1", "--no-twin", "--quiet"]) == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith("error: ") and stderr.count("\n") == 1 and "Traceback" not in stderr
    assert f"{path}: row" in stderr
    assert not (out / "parameters.csv").exists()  # nothing written from bad data
