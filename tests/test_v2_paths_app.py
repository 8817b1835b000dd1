"""The app's lever paths (issue 12): a start year beside every slider, sliders in the units
planners use, the path shown, and paths that survive the link and the YAML download."""
from __future__ import annotations

import pytest

import model
from model.lever_paths import LeverPath
from webapp import levers as lever_widgets
from webapp import page, runs, state

from app_helpers import plain, start  # noqa: E402


@pytest.fixture(scope="module")
def cat() -> runs.Catalog:
    start()
    return runs.catalog()


def row_of(cat, name: str) -> dict:
    return next(r for r in cat.levers if r["name"] == name)


def setting(at, row):
    ids = row["id"]
    return lever_widgets.setting_of(row, at.slider(key=state.lever_key(ids)).value, at.session_state[state.start_key(ids)],
                                    at.session_state[state.path_key(ids)], at.session_state[state.exact_key(ids)])


def caption_of(at, row) -> str:
    """The caption drawn under a lever (its path in words)."""
    label = lever_widgets.path_text(row, setting(at, row), at.session_state[state.LANG_KEY])
    found = [c.value for c in at.sidebar.caption if label in c.value]
    assert found, label
    return found[0]


def test_every_lever_has_a_start_year_keyed_per_language(cat):
    at = start(lang="en")
    for row in cat.levers:
        box = at.selectbox(key=state.widget_key(state.start_key(row["id"]), "en"))
        assert box.value == 2011 and box.label == "from" and "2018" in box.options
    at.radio(key=state.LANG_KEY).set_value("zh").run()
    box = at.selectbox(key=state.widget_key(state.start_key(cat.levers[0]["id"]), "zh"))
    assert box.label == "开始年份" and "2018年" in box.options


def test_shares_are_shown_in_per_cent_and_reform_in_words(cat):
    at = start(lang="en")
    rate = row_of(cat, "investment rate")
    s = at.slider(key=state.lever_key(rate["id"]))
    assert s.label.endswith("(%)") and (s.min, s.max) == (20, 40)
    assert s.value == pytest.approx(rate["default"] * 100)
    effort = at.slider(key=state.lever_key(row_of(cat, "energy saving effort")["id"]))
    assert effort.label.endswith("(%/year)") and effort.max == pytest.approx(6)
    reform = row_of(cat, "service sector reform")
    assert "the pace of the 2000s" in caption_of(at, reform)
    at.slider(key=state.lever_key(reform["id"])).set_value(2.0).run()
    assert "twice the pace of the 2000s" in caption_of(at, reform)
    at.slider(key=state.lever_key(reform["id"])).set_value(1.3).run()
    assert "1.3 times the pace" in caption_of(at, reform)


def test_a_start_year_makes_a_path_that_runs_and_is_shown(cat):
    at = start(lang="en")
    row = row_of(cat, "population control")
    at.slider(key=state.lever_key(row["id"])).set_value(30.0).run()  # 30 %
    at.selectbox(key=state.widget_key(state.start_key(row["id"]), "en")).set_value(2014).run()
    assert not at.exception
    assert setting(at, row) == LeverPath.from_year(0.3, 2014, 0)
    assert "30 from 2014" in caption_of(at, row)
    assert at.query_params["population_control"] == "0.3@2014"
    shown = runs.run(runs.as_items(cat.full_levers({"population control": LeverPath.from_year(0.3, 2014)})))
    expected = runs.project().run({"population control": {"value": 0.3, "from": 2014}})
    assert shown.equals(expected)
    assert not shown.equals(runs.project().run({"population control": 0.3}))


def test_a_path_survives_the_link(cat):
    at = start(lang="en", population_control="0.3@2014+2", car_plate_quota="2013:10;2016:6")
    assert not at.warning
    pc, cars = row_of(cat, "population control"), row_of(cat, "car plate quota")
    assert setting(at, pc) == LeverPath.from_year(0.3, 2014, 2)
    assert setting(at, cars) == LeverPath.at_points({2013: 10, 2016: 6})
    assert "path from the scenario file" in caption_of(at, cars)
    params = dict(at.query_params)
    assert params["population_control"] == "0.3@2014+2" and params["car_plate_quota"] == "2013:10;2016:6"
    again = start(**params)
    assert setting(again, cars) == setting(at, cars) and setting(again, pc) == setting(at, pc)
    assert [m.value for m in again.metric] == [m.value for m in at.metric]
    # moving the slider replaces the kept path by a step at the start year shown (its first year)
    again.slider(key=state.lever_key(cars["id"])).set_value(20.0).run()
    assert setting(again, cars) == LeverPath.from_year(20, 2013) and again.query_params["car_plate_quota"] == "20@2013"
    assert "path from the scenario file" not in caption_of(again, cars)


@pytest.mark.parametrize("value", ["0.3@2009", "0.9@2014", "2016:0.2;2014:0.3", "0.3@2014+-2", "x@2014"])
def test_a_bad_path_in_the_link_is_ignored_with_a_warning(cat, value):
    at = start(lang="en", population_control=value)
    assert len(at.warning) == 1 and "not a valid lever path" in plain(at.warning[0].value)
    assert setting(at, row_of(cat, "population control")) == cat.defaults["population control"]


def test_the_yaml_download_round_trips_paths(cat, tmp_path):
    at = start(lang="en", population_control="0.3@2014+2", car_plate_quota="2013:10;2016:6", investment_rate="0.35")
    current = {row["name"]: setting(at, row) for row in cat.levers}
    text = page.scenario_yaml(cat, current, state.default_scenario(list(cat.scenarios)))
    path = tmp_path / "custom.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = model.scenarios.load_scenario(path)
    assert cat.full_levers(loaded.levers) == current
    assert "from: 2014" in text and "2013: 10" in text


def test_an_uploaded_scenario_with_a_path_keeps_it(cat):
    at = start(lang="en")
    text = ("name: mine\ntitle: {zh: 我的, en: Mine}\ndescription: control from 2014\n"
            "levers:\n  population control: {points: {2014: 0.2, 2016: 0.4}}\n")
    at.file_uploader(key=page.UPLOAD_KEY).set_value(("mine.yaml", text.encode(), "application/x-yaml")).run()
    assert not at.exception and not at.error
    row = row_of(cat, "population control")
    assert setting(at, row) == LeverPath.at_points({2014: 0.2, 2016: 0.4})
    assert "20 from 2014" in caption_of(at, row) and "40 by 2016" in caption_of(at, row)
