"""The comparison tab (issue 14, 3): any number of scenarios side by side, the current settings
saved under a name, the scorecard matrix and one line per scenario on the charts."""
from __future__ import annotations

import json

import pytest
from streamlit import dataframe_util

from app_helpers import start
from target_rows import target_rows
from webapp import compare, page, runs, state

TAB = page.TABS.index("compare")
CHOSEN = ("baseline", "plan", "low-carbon", "rail-first")


def open_compare(at):
    at.session_state[page.TAB_INDEX_KEY] = TAB  # what a click on the tab sets
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def choose(at, options, lang="en"):
    at.multiselect(key=state.widget_key(compare.CHOSEN_KEY, lang)).set_value(list(options)).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def matrix(at):
    (table,) = at.table  # the only table of the page
    return table.value


def specs(at):
    """(spec, data) of every chart of the tab."""
    return [(json.loads(chart.proto.spec), dataframe_util.convert_arrow_bytes_to_pandas_df(chart.proto.data.data))
            for chart in at.get("vega_lite_chart")]


@pytest.fixture(scope="module")
def cat():
    return runs.catalog()


def test_four_scenarios_side_by_side(cat):
    at = choose(open_compare(start(lang="en")), CHOSEN)
    titles = [cat.scenarios[name].title_en for name in CHOSEN]
    table = matrix(at)
    assert list(table.columns) == titles  # one column per scenario, by title
    assert len(table) == target_rows()  # one row per plan target
    for name, title in zip(CHOSEN, titles):  # each cell is that scenario's status, with its mark
        card = runs.score(runs.as_items(cat.scenario_levers(name)))
        assert [cell.split(" ", 1)[0] for cell in table[title]] == [compare.report.STATUS_MARKS[r["status"]] for r in card]
    charts = specs(at)
    assert charts
    for spec, data in charts:
        lines = spec["layer"][0]["encoding"]
        assert lines["color"]["scale"]["domain"] == titles == lines["strokeDash"]["scale"]["domain"]
        colours, dashes = lines["color"]["scale"]["range"], lines["strokeDash"]["scale"]["range"]
        assert len(set(colours)) == len(titles) and len({tuple(d) for d in dashes}) == len(titles)
        assert lines["color"]["legend"]["labelLimit"] == 0  # whole titles in the legend
        assert set(data[data["kind"] == "run"]["series"]) == set(titles)
    assert at.get("download_button")  # the report of the same scenarios


def test_save_current_settings_under_a_name(cat):
    at = open_compare(start(lang="en", car_plate_quota="20"))
    at.text_input(key=compare.NAME_KEY).input("  My   plan ").run()
    at.button(key="compare_save").click().run()
    assert not at.exception
    store = at.session_state[compare.SAVED_KEY]
    assert list(store) == ["saved:My plan"]
    assert dict(store["saved:My plan"].levers)["car plate quota"] == 20.0  # the settings as they were
    chosen = at.multiselect(key=state.widget_key(compare.CHOSEN_KEY, "en")).value
    assert "saved:My plan" in chosen
    assert "My plan (saved)" in matrix(at).columns
    assert any("My plan" in s.value for s in at.success)
    # the same name again (any case, any spacing) is refused and nothing changes
    at.text_input(key=compare.NAME_KEY).input("my PLAN").run()
    at.button(key="compare_save").click().run()
    assert list(at.session_state[compare.SAVED_KEY]) == ["saved:My plan"]
    assert any("already used" in e.value and "my PLAN" in e.value for e in at.error)
    # in Chinese the saved settings keep their name
    at.radio(key=state.LANG_KEY).set_value("zh").run()
    assert not at.exception and "My plan (已保存)" in matrix(at).columns


@pytest.mark.parametrize("text, problem", [
    ("", "compare_name_empty"), ("   ", "compare_name_empty"), ("x" * (compare.NAME_LIMIT + 1), "compare_name_long"),
    ("a\x00b", "compare_name_chars"), ("a\u202eb", "compare_name_chars"), ("Plan A", "compare_name_taken"),
])
def test_names_are_checked(text, problem):
    assert compare.check_name(text, ["plan a"]) == (None, problem)
    assert compare.check_name(" 我的  方案 ", ["plan a"]) == ("我的 方案", None)


def test_every_scenario_keeps_its_own_line_style():
    """Up to MAX_COMPARED scenarios: colour and dash both differ between any two."""
    assert len(set(compare.COLOURS)) == len(compare.COLOURS) >= compare.MAX_COMPARED
    assert len({tuple(d) for d in compare.DASHES}) == len(compare.DASHES) >= compare.MAX_COMPARED


def test_the_tab_in_chinese_is_chinese(cat):
    """Every text of the tab in Chinese (the rule of tests/test_app_i18n.py), a saved name kept."""
    from test_app_i18n import walk

    at = start(lang="zh")
    before = walk(at, "zh")  # the sidebar and scorecard are test_app_i18n.py's: only what the tab adds here
    at = choose(open_compare(at), CHOSEN[:3], "zh")
    assert list(matrix(at).columns) == [cat.scenarios[name].title_zh for name in CHOSEN[:3]]
    added = {where: items - before.get(where, set()) for where, items in walk(at, "zh").items()}
    assert {where: items for where, items in added.items() if items} == {}


def test_the_report_download_is_the_report_of_the_compared_scenarios(cat, monkeypatch):
    """What the download button hands over: the PDF of ``model.report`` for the same scenarios."""
    from pdf_reading import page_sizes, text

    monkeypatch.setattr(compare, "saved", dict)  # no session here: nothing saved
    chosen = list(CHOSEN[:3])
    titles = {lang: {name: getattr(cat.scenarios[name], f"title_{lang}") for name in chosen} for lang in ("zh", "en")}
    data = compare.report_pdf(cat, chosen, titles, "zh")
    shown = "".join(text(data).split())
    assert all("".join(titles["zh"][name].split()) in shown for name in chosen)
    assert compare.report.model_stamp().sha256 in shown and page_sizes(data)
