"""Hindcast (issue 12, section 6): a projection against actual figures from a CSV file.

The tests make their own files from the model's own projection (the repository holds no actual
figures after 2010): a known error gives exactly that error; bad files are refused naming file,
row and column; the command's exit codes; the figures; the same view in the app.
"""
import json

import numpy as np
import pandas as pd
import pytest

import model
from model import hindcast
from model.cli import main
from cli_helpers import run_cli
from model.datafiles import DataFileError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHECKED = ["gdp", "resident_population", "rd_share", "energy_intensity_change_vs_2010"]
YEARS = [2012, 2015, 2018]


@pytest.fixture(scope="module")
def projection():
    return model.Project(engine="simlin").run(final_year=2020)


def write_actuals(path, rows, header="indicator,year,value,source"):
    lines = [header] + [",".join(str(x) for x in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scaled(projection, factor, indicators=CHECKED, years=YEARS):
    """Actual figures = the projection times ``factor`` (full float precision, repr)."""
    return [(ind, y, repr(float(projection.loc[y, ind]) * factor), "made by the test")
            for ind in indicators for y in years]


# -- the computation -----------------------------------------------------------------------------
def test_projection_ten_percent_above_the_actual_is_a_ten_percent_error(projection, tmp_path):
    """actual = projection / 1.1: the projection is 10 % above every actual figure."""
    path = write_actuals(tmp_path / "a.csv", scaled(projection, 1 / 1.1))
    table = hindcast.compare(projection, hindcast.read_actuals(path, (2010, 2020)))
    assert len(table) == len(CHECKED) * len(YEARS)
    # relative to |actual|: a negative change (energy intensity -x % vs 2010) projected 10 %
    # further below zero is -10 %, every positive figure +10 %
    np.testing.assert_allclose(table["percent_error"], 10.0 * np.sign(table["actual"]), rtol=1e-9)
    assert (table["actual"] < 0).sum() == len(YEARS)
    np.testing.assert_allclose(table["difference"], table["projected"] - table["actual"], rtol=1e-12)
    summary = hindcast.summary(table).set_index("indicator")
    np.testing.assert_allclose(summary.loc[CHECKED, "mape"], 10.0, rtol=1e-9)
    assert (summary["points"] == len(YEARS)).all() and (summary["first_year"] == 2012).all()


def test_actual_ten_percent_above_the_projection(projection, tmp_path):
    """actual = projection x 1.1: the projection is short by 0.1 x projection, i.e. -1/11 of the
    actual figure (-9.09 %); MAPE 9.09 %. The error is relative to the actual figure."""
    path = write_actuals(tmp_path / "a.csv", scaled(projection, 1.1))
    table = hindcast.compare(projection, hindcast.read_actuals(path, (2010, 2020)))
    np.testing.assert_allclose(table["percent_error"], -100 / 11 * np.sign(table["actual"]), rtol=1e-9)
    np.testing.assert_allclose(table["difference"], -0.1 * table["projected"], rtol=1e-9)
    assert hindcast.summary(table)["mape"].round(2).tolist() == [9.09] * len(CHECKED)


def test_exact_actuals_give_zero_error_and_mape_mixes_years(projection, tmp_path):
    rows = [("gdp", 2015, repr(float(projection.loc[2015, "gdp"])), ""),
            ("gdp", 2020, repr(float(projection.loc[2020, "gdp"]) / 1.25), "")]  # +25 %
    table = hindcast.compare(projection, hindcast.read_actuals(write_actuals(tmp_path / "a.csv", rows), (2010, 2020)))
    np.testing.assert_allclose(table["percent_error"], [0.0, 25.0], atol=1e-9)
    assert hindcast.summary(table)["mape"].iloc[0] == pytest.approx(12.5)


def test_a_year_without_projected_value_is_kept_blank(projection, tmp_path):
    """Growth in 2010 needs 2009: no projected value, so no error, and MAPE leaves it out."""
    rows = [("gdp_growth", 2010, 10.3, ""), ("gdp_growth", 2012, repr(float(projection.loc[2012, "gdp_growth"]) / 1.1), "")]
    table = hindcast.compare(projection, hindcast.read_actuals(write_actuals(tmp_path / "a.csv", rows), (2010, 2020)))
    assert np.isnan(table["percent_error"].iloc[0]) and table["percent_error"].iloc[1] == pytest.approx(10)
    summary = hindcast.summary(table).iloc[0]
    assert summary["points"] == 1 and summary["mape"] == pytest.approx(10)


def test_localised_tables_round_and_translate(projection, tmp_path):
    path = write_actuals(tmp_path / "a.csv", scaled(projection, 1 / 1.1))
    table = hindcast.compare(projection, hindcast.read_actuals(path, (2010, 2020)))
    zh = hindcast.localised(table, "zh")
    row = zh[zh["indicator"] == "rd_share"].iloc[0]
    assert row["label"] == "研发经费占GDP比例" and row["percent_error"] == 10.0
    assert row["projected"] == round(row["projected"], 2)  # rd_share: 2 decimals
    assert list(hindcast.localised(hindcast.summary(table), "en").columns) == [
        "indicator", "label", "unit", "points", "first_year", "last_year", "mape", "mean_difference"]


# -- bad files -----------------------------------------------------------------------------------
BAD = [
    ("indicator,year\ngdp,2015\n", "missing column(s) ['value']"),
    ("indicator,year,value\ngpd,2015,1\n", "row 2, column 'indicator': 'gpd' is not an indicator id; did you mean 'gdp'"),
    ("indicator,year,value\nfoo_bar_baz,2015,1\n", "row 2, column 'indicator': 'foo_bar_baz' is not an indicator id; "
                                                  "the ids are those of model/indicators.yaml"),
    ("indicator,year,value\ngdp,2009,1\n", "row 2, column 'year': 2009 is outside the run 2010-2020 (the projection starts in 2010"),
    ("indicator,year,value\ngdp,2015,1\ngdp,2021,1\n", "row 3, column 'year': 2021 is outside the run 2010-2020"),
    ("indicator,year,value\ngdp,2015,1\nrd_share,2015,3\ngdp,2015,2\n", "row 4, column 'indicator': 'gdp' in 2015 is given twice (also on row 2)"),
    ("indicator,year,value\ngdp,2015.5,1\n", "row 2, column 'year': '2015.5' is not a whole number"),
    ("indicator,year,value\ngdp,2015,lots\n", "row 2, column 'value': 'lots' is not a number"),
    ("indicator,year,value\nrd_share,2015,\n", "row 2, column 'value': a value is required, the cell is empty"),
    ("indicator,year,value\nrd_share,2015,120\n", "row 2, column 'value': '120' is out of range: must be in [0, 100]"),
    ("indicator,year,value\nresident_population,2015,-5\n", "row 2, column 'value': '-5' is out of range: must be > 0"),
    ("indicator,year,value\ngdp,2015,1,extra\n", "row 2: 4 fields, more than the header's 3"),
    ("", "empty file"),
    ("indicator,year,value\n", "no data rows"),
]


@pytest.mark.parametrize("content, words", BAD, ids=[w[:40] for _, w in BAD])
def test_bad_files_are_refused_naming_file_row_and_column(tmp_path, content, words):
    path = tmp_path / "actuals.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        hindcast.read_actuals(path, (2010, 2020))
    assert str(err.value).startswith(f"{path}: ") and words in str(err.value)


def test_binary_latin1_and_huge_files_are_refused(tmp_path):
    cases = {"binary.csv": bytes(range(256)), "latin1.csv": "indicator,year,value\ngdp,2015,1 \u00e9\n".encode("latin-1"),
             "huge.csv": b"indicator,year,value\n" + b"gdp,2015,1\n" * (hindcast.MAX_BYTES // 10)}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(DataFileError, match="NUL byte|not UTF-8|more than the"):
            hindcast.read_actuals(tmp_path / name, (2010, 2020))


def test_uploaded_bytes_are_named_as_uploaded():
    with pytest.raises(DataFileError) as err:
        hindcast.read_actuals_bytes(b"indicator,year,value\ngpd,2015,1\n", (2010, 2020), name="mine.csv")
    text = str(err.value)
    assert text.startswith("mine.csv: row 2, column 'indicator'") and "plansim-actuals" not in text


# -- the command ---------------------------------------------------------------------------------
def test_cli_writes_tables_figures_and_manifest(projection, tmp_path, capsys):
    actuals = write_actuals(tmp_path / "a.csv", scaled(projection, 1 / 1.1))
    out = tmp_path / "out"
    code, stdout, _ = run_cli(capsys, "hindcast", "--actuals", actuals, "--out", out, "--engine", "simlin", "--lang", "en")
    assert code == 0
    assert "Hindcast: the projection of “business as usual" in stdout and "MAPE %" in stdout
    files = {p.name for p in out.iterdir()}
    figures = {f"hindcast_{ind}.png" for ind in CHECKED}
    assert files == {"hindcast.csv", "hindcast_summary.csv", "manifest.json", *figures}
    for name in figures:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000
    table = pd.read_csv(out / "hindcast.csv")
    assert list(table.columns) == ["indicator", "label", "unit", "year", "projected", "actual", "difference",
                                   "percent_error", "source"]
    assert (table["percent_error"].abs() == 10.0).all() and set(table["source"]) == {"made by the test"}
    summary = pd.read_csv(out / "hindcast_summary.csv")
    assert (summary["mape"] == 10.0).all()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "hindcast" and manifest["outputs"][-1] == "manifest.json"
    assert manifest["argv"][:6] == ["python", "-m", "model", "hindcast", "--actuals", str(actuals)]
    assert sorted(manifest["outputs"][:-1]) == sorted(files - {"manifest.json"})


def test_cli_in_chinese_with_a_scenario(projection, tmp_path, capsys):
    from model.paths import SCENARIO_DIR

    actuals = write_actuals(tmp_path / "a.csv", [("rail_length", 2015, 600, "")])
    code, stdout, _ = run_cli(capsys, "hindcast", "--actuals", actuals, "--scenario", SCENARIO_DIR / "plan.yaml",
                              "--engine", "simlin", "--lang", "zh")
    assert code == 0 and "轨道交通运营里程" in stdout and "逐年对比" in stdout and "“十二五”规划" in stdout


def test_cli_exit_codes(projection, tmp_path, capsys):
    good = write_actuals(tmp_path / "good.csv", [("gdp", 2015, 20000, "")])
    bad = write_actuals(tmp_path / "bad.csv", [("gpd", 2015, 20000, "")])
    code, _, err = run_cli(capsys, "hindcast", "--actuals", bad, "--engine", "simlin")
    assert code == 1 and f"error: {bad}: row 2, column 'indicator'" in err and "did you mean 'gdp'" in err
    code, _, err = run_cli(capsys, "hindcast", "--actuals", tmp_path / "none.csv", "--engine", "simlin")
    assert code == 1 and "no such file" in err
    later = write_actuals(tmp_path / "later.csv", [("gdp", 2025, 20000, "")])
    assert run_cli(capsys, "hindcast", "--actuals", later, "--engine", "simlin")[0] == 1
    assert run_cli(capsys, "hindcast", "--actuals", later, "--engine", "simlin", "--final-year", "2025")[0] == 0
    bad_scenario = tmp_path / "s.yaml"
    bad_scenario.write_text("levers:\n  no such lever: 1\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "hindcast", "--actuals", good, "--scenario", bad_scenario, "--engine", "simlin")
    assert code == 1 and "invalid scenario file" in err
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x", encoding="utf-8")
    code, _, err = run_cli(capsys, "hindcast", "--actuals", good, "--out", full, "--engine", "simlin")
    assert code == 2 and "not empty" in err and (full / "keep.txt").exists()
    with pytest.raises(SystemExit) as exit_:
        main(["hindcast"])  # --actuals is required
    assert exit_.value.code == 2
    capsys.readouterr()


def test_cli_help_says_the_display_unit(capsys):
    with pytest.raises(SystemExit):
        main(["hindcast", "--help"])
    text = capsys.readouterr().out
    assert "indicator,year,value[,source]" in text and "DISPLAY UNIT" in text and "not 0.031" in text


def test_figure_has_projection_history_and_actuals(projection):
    from model.figures.hindcast import indicator_figure
    from model.history import observations
    from model.metadata import indicator_table

    history = observations()
    history = history[history["indicator"] == "resident_population"]
    actuals = pd.DataFrame({"year": [2012, 2015], "value": [2300.0, 2400.0]})
    fig = indicator_figure(indicator_table().loc["resident_population"], projection["resident_population"],
                           actuals, history, "en", "business as usual")
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["projection (business as usual)", "observed 2000-2010", "actual (the file given)"]
    assert list(ax.get_lines()[2].get_xdata()) == [2012, 2015]
    assert len(ax.get_lines()[1].get_xdata()) == len(history) > 0
    assert ax.get_ylabel() == "10^4 persons"


# -- the app -------------------------------------------------------------------------------------
def _open_hindcast(lang="en"):
    pytest.importorskip("streamlit")
    from app_helpers import start
    from webapp import page

    at = start(lang=lang)
    at.session_state[page.TAB_INDEX_KEY] = page.TABS.index("hindcast")
    at.run()
    assert not at.exception
    return at


def _upload(at, content: bytes, name="actuals.csv"):
    from webapp import hindcast_tab

    at.file_uploader(key=hindcast_tab.UPLOAD_KEY).set_value((name, content, "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_app_shows_table_and_charts_of_an_upload(projection, lang):
    from webapp import runs
    from webapp.i18n import t

    current = runs.run(runs.as_items(runs.catalog().defaults))
    rows = scaled(current, 1 / 1.1, indicators=["gdp", "rd_share"], years=[2015])
    content = ("indicator,year,value,source\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode()
    at = _upload(_open_hindcast(lang), content)
    assert not at.error
    summary, table = (at.dataframe[0].value, at.dataframe[1].value)
    assert summary[t("hindcast_mape", lang)].tolist() == [10.0, 10.0]
    assert table[t("hindcast_percent_error", lang)].tolist() == [10.0, 10.0]
    assert set(table[t("hindcast_indicator", lang)]) == {runs.catalog().indicators["gdp"][f"label_{lang}"],
                                                         runs.catalog().indicators["rd_share"][f"label_{lang}"]}
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert [s["title"] for s in specs] == [
        t("fig_hindcast_title", lang, label=runs.catalog().indicators[i][f"label_{lang}"]) for i in ("gdp", "rd_share")]


def test_app_refuses_a_bad_upload_with_a_clear_message():
    from app_helpers import plain

    at = _upload(_open_hindcast("en"), b"indicator,year,value\ngpd,2015,1\n", name="my actuals.csv")
    assert len(at.error) == 1
    message = plain(at.error[0].value)
    assert "File my actuals.csv is not a valid actuals file" in message
    assert "uploaded.csv: row 2, column 'indicator'" in message and "did you mean 'gdp'" in message
    assert "plansim-actuals" not in message and "/tmp" not in message
    assert not at.get("vega_lite_chart")
