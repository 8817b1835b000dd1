"""The Streamlit app (app.py) driven by Streamlit's AppTest: widgets are found by their key.

The model object and run caches live for the whole test process, so after the first test each
script run costs one model run or less.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

pytest.importorskip("streamlit")
from streamlit import dataframe_util  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import model  # noqa: E402
from model.paths import LEVERS_FILE, PROJECT_DIR  # noqa: E402
from webapp import charts, i18n, page, runs, state, tiles  # noqa: E402
from webapp import levers as lever_widgets  # noqa: E402
from app_helpers import plain, start  # noqa: E402

APP = str(PROJECT_DIR / "app.py")
TIMEOUT = 120  # seconds; the first run of the process loads the model
TAB_CHARTS, TAB_TABLE, TAB_MODEL = range(3)


@pytest.fixture(scope="module")
def cat() -> runs.Catalog:
    start()  # fills the process-wide caches inside a script run
    return runs.catalog()


def lang_of(at: AppTest) -> str:
    return at.session_state[state.LANG_KEY]


def select(at: AppTest, name: str):
    """The select box of choice ``name`` (scenario, compare, ...) in the page's language."""
    return at.selectbox(key=state.widget_key(name, lang_of(at)))


def slider(at: AppTest, lever_id: str):
    return at.slider(key=state.lever_key(lever_id))


def set_lever(at: AppTest, row: dict, value: float):
    """Move a lever's slider to ``value`` in model units (the slider shows display units)."""
    return slider(at, row["id"]).set_value(lever_widgets.to_display(row, value))


def sliders(at: AppTest, cat) -> dict[str, object]:
    """Every lever's setting as the page runs it (model units)."""
    return {row["name"]: setting(at, row) for row in cat.levers}


def setting(at: AppTest, row: dict):
    ids = row["id"]
    return lever_widgets.setting_of(row, slider(at, ids).value, at.session_state[state.start_key(ids)],
                                    at.session_state[state.path_key(ids)], at.session_state[state.exact_key(ids)])


def open_tab(at: AppTest, index: int) -> AppTest:
    """Open a main-area tab (only the open tab is drawn)."""
    if page.TAB_INDEX_KEY not in at.session_state or at.session_state[page.TAB_INDEX_KEY] != index:
        at.session_state[page.TAB_INDEX_KEY] = index  # what a click on the tab sets (its callback)
        at.run()
    assert not at.exception
    return at


def results_table(at: AppTest):
    return open_tab(at, TAB_TABLE).tabs[TAB_TABLE].dataframe[0].value


def model_table(at: AppTest):
    return open_tab(at, TAB_MODEL).tabs[TAB_MODEL].dataframe[0].value


def shown(at: AppTest) -> tuple:
    """Every figure on the page: scorecard tiles and the results table (NaN written as null)."""
    tiles = tuple((m.label, m.value, m.delta) for m in at.metric)
    return tiles, results_table(at).select_dtypes("number").round(9).to_json()


def test_app_runs_and_shows_every_lever_and_target(cat):
    at = start(lang="en")
    assert [s.key for s in at.slider] == [state.lever_key(row["id"]) for row in cat.levers]
    for row in cat.levers:
        s = slider(at, row["id"])
        scale = lever_widgets.scale(row)  # shares in %, the model's units otherwise
        assert (s.min, s.max, s.step) == pytest.approx((row["min"] * scale, row["max"] * scale, row["step"] * scale))
        assert s.label == f"{row['label_en']} ({lever_widgets.unit_text(row, 'en')})"
    assert len(at.metric) == len(cat.targets)  # one tile per plan target, 2015 and 2020
    assert at.title[0].value.startswith("PlanSim Shanghai")


def test_scorecard_uses_the_cli_rule(cat):
    """Each tile shows the value and status that model.scorecard.score gives for the same run."""
    at = start(lang="en")
    expected = model.scorecard.score(runs.run(runs.as_items(cat.defaults)))
    assert len(expected) == len(at.metric)
    for metric, row in zip(at.metric, expected.itertuples()):
        assert metric.value == tiles.fmt(row.value)
        assert metric.delta.startswith(row.status)


# The energy cap acts only when switched on and set below the energy business as usual uses (which
# meets the plan's caps): each of its two levers is tried with the other set so that it binds.
TOGETHER = {"energy cap switch": ("max", "energy cap level", "min"),
            "energy cap level": ("min", "energy cap switch", "max")}


@pytest.mark.parametrize("lever", yaml.safe_load(LEVERS_FILE.read_text(encoding="utf-8")))
def test_each_lever_at_its_maximum_changes_a_shown_indicator(cat, lever):
    rows = {r["name"]: r for r in cat.levers}
    row = rows[lever]
    end, partner, partner_end = TOGETHER.get(lever, ("max", None, None))
    at = start()
    before = shown(at)
    if partner is not None:
        set_lever(at, rows[partner], float(rows[partner][partner_end])).run()
        before = shown(at)
    set_lever(at, row, float(row[end])).run()
    assert not at.exception
    assert shown(at) != before, f"lever {row['name']} at its {end} {row[end]} changed nothing shown"


def test_switching_scenario_moves_the_sliders(cat):
    at = start()
    base = sliders(at, cat)
    other = next(name for name in cat.scenarios if cat.scenario_levers(name) != base)
    select(at, state.SCENARIO_KEY).set_value(other).run()
    moved = sliders(at, cat)
    assert moved != base
    rows = {row["name"]: row for row in cat.levers}
    for name, value in cat.scenario_levers(other).items():  # a number or a path (shipped scenarios use both)
        assert lever_widgets.same_setting(moved[name], value, rows[name]), name
    assert at.query_params[state.SCENARIO_KEY] == other
    # reset to scenario undoes a moved lever
    row = cat.levers[0]
    set_lever(at, row, float(row["max"])).run()
    at.button(key="reset").click().run()
    assert sliders(at, cat) == moved


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key=page.UPLOAD_KEY).set_value((name, content, "application/x-yaml")).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("content, message", [
    (b"levers:\n  investment rate: 0.99\n", "超出允许范围"),  # the page is in Chinese: so is the message
    (b"levers:\n  investmnet rate: 0.3\n", "investment rate"),  # closest valid name suggested
    (b"levers: [unclosed\n", "uploaded.yaml"),
    (b"!!python/object/apply:os.system ['echo unsafe']\n", "uploaded.yaml"),
])
def test_invalid_upload_shows_its_error_and_keeps_the_state(cat, content, message):
    at = start()
    row = next(r for r in cat.levers if r["name"] == "coal share target")
    set_lever(at, row, float(row["min"])).run()
    before, params = sliders(at, cat), dict(at.query_params)
    upload(at, "my scenario.yaml", content)
    assert len(at.error) == 1 and message in plain(at.error[0].value) and "my scenario.yaml" in plain(at.error[0].value)
    assert "plansim-upload" not in at.error[0].value  # no temporary path shown
    assert sliders(at, cat) == before and dict(at.query_params) == params


def test_upload_over_100_kB_is_refused(cat):
    at = start()
    before = sliders(at, cat)
    padding = b"# " + b"x" * page.UPLOAD_LIMIT_BYTES + b"\n"
    upload(at, "big.yaml", padding + b"levers:\n  investment rate: 0.4\n")
    assert len(at.error) == 1 and str(page.UPLOAD_LIMIT_BYTES) in at.error[0].value
    assert sliders(at, cat) == before


def test_valid_upload_sets_the_levers(cat):
    at = start(lang="en")
    text = model.scenarios.scenario_to_yaml(
        name="mine", title_zh="我的", title_en="Mine", description="test", levers={"investment rate": 0.4})
    upload(at, "mine.yaml", text.encode("utf-8"))
    assert not at.error and "Mine" in plain(at.success[0].value)
    assert sliders(at, cat) == cat.full_levers({"investment rate": 0.4})
    assert at.query_params["investment_rate"] == "0.4"


def test_upload_may_extend_a_shipped_scenario(cat):
    at = start(lang="en")
    text = ("name: mine\ntitle: {zh: 我的, en: Mine}\ndescription: plan with more cars\n"
            "extends: plan\nlevers:\n  car plate quota: 20\n")
    upload(at, "mine.yaml", text.encode("utf-8"))
    assert not at.error, at.error[0].value if at.error else ""
    assert sliders(at, cat) == cat.full_levers({**cat.scenarios["plan"].levers, "car plate quota": 20.0})


def test_downloaded_scenario_loads_back_with_the_cli_loader(cat, tmp_path):
    levers = cat.full_levers({"car plate quota": 20.0, "population control": 0.3})
    path = tmp_path / "custom.yaml"
    path.write_text(page.scenario_yaml(cat, levers, state.default_scenario(list(cat.scenarios))), encoding="utf-8")
    loaded = model.scenarios.load_scenario(path)
    assert cat.full_levers(loaded.levers) == levers
    yaml.safe_load(path.read_text(encoding="utf-8"))  # plain YAML, no Python tags
    from model import cli

    assert cli.main(["validate", str(path)]) == 0  # the command line takes it unchanged


def test_units_are_shown_in_words():
    assert i18n.units("wan_car/Year", "zh") == "万辆/年"
    assert i18n.units("1/Year", "en") == "1/year"
    assert i18n.units("Dmnl", "en") == "dimensionless"


def test_language_switch_changes_the_labels(cat):
    at = start(lang="zh")
    row = cat.levers[0]
    assert slider(at, row["id"]).label.startswith(row["label_zh"])
    zh_title = at.title[0].value
    at.radio(key=state.LANG_KEY).set_value("en").run()
    assert slider(at, row["id"]).label.startswith(row["label_en"])
    assert at.title[0].value != zh_title
    first = next(iter(cat.indicators.values()))
    assert at.metric[0].label in {ind["label_en"] for ind in cat.indicators.values()}
    assert first["label_en"] != first["label_zh"]
    assert at.query_params[state.LANG_KEY] == "en"


def test_query_parameters_restore_the_view(cat):
    at = start()
    rows = {r["name"]: r for r in cat.levers}
    set_lever(at, rows["RD intensity target"], 0.04).run()
    set_lever(at, rows["rail construction starts plan"], 80.0).run()
    at.radio(key=state.LANG_KEY).set_value("en").run()
    params = dict(at.query_params)
    assert params["rd_intensity_target"] == "0.04" and params["rail_construction_starts_plan"] == "80"
    restored = start(**params)
    assert sliders(restored, cat) == sliders(at, cat)
    assert shown(restored) == shown(at)
    assert restored.radio(key=state.LANG_KEY).value == "en"


def test_bad_query_parameters_are_ignored_with_a_warning(cat):
    at = start(investment_rate="9", car_plate_quota="nan", lang="fr", scenario="../../etc/passwd", x="1")
    assert len(at.warning) == 5
    assert sliders(at, cat) == cat.scenario_levers(state.default_scenario(list(cat.scenarios)))


def test_page_figures_are_pysd_figures(cat):
    """Whatever engine serves the page, the results table equals a PySD run of the same levers."""
    at = start(rail_construction_starts_plan="100", coal_share_target="0.3")
    levers = cat.full_levers({"rail construction starts plan": 100.0, "coal share target": 0.3})
    table = results_table(at)
    pysd = runs.project().with_engine("pysd").run(levers)
    shown_values = table[[str(y) for y in pysd.index]].to_numpy(dtype=float)
    np.testing.assert_allclose(shown_values, pysd.T.to_numpy(dtype=float), rtol=1e-9, atol=1e-9)


def chart_frames(at: AppTest) -> list[pd.DataFrame]:
    """The data of every chart on the page (one chart per module)."""
    return [dataframe_util.convert_arrow_bytes_to_pandas_df(chart.proto.data.data)
            for chart in at.get("vega_lite_chart")]


def test_charts_show_current_comparison_history_and_targets(cat):
    at = start(lang="en", compare="plan")
    names = charts.series_names("en", cat.scenarios["plan"].title_en, cat.plans)
    frames = chart_frames(at)
    shown_ids = sum((charts.default_indicators(cat, m) for m in page.MODULES), [])
    assert len(frames) == len(shown_ids)  # one chart per indicator shown
    data = pd.concat(frames)
    runs_shown = data[data["kind"] == "run"]
    assert set(runs_shown["series"]) == {names["current"], names["compare"]}
    assert set(runs_shown["year"]) == set(range(2010, 2021))
    assert (data["kind"] == "target").sum() == len(cat.targets)  # every target is drawn by default
    history = data[data["kind"] == "history"]
    assert len(history) == len(cat.observations) and history["year"].max() <= 2010
    # moving a lever moves the current line only
    set_lever(at, next(r for r in cat.levers if r["name"] == "energy saving effort"), 0.05).run()
    moved = pd.concat(chart_frames(at))
    for series, should_change in ((names["current"], True), (names["compare"], False)):
        old = runs_shown[runs_shown["series"] == series]["value"].to_numpy()
        new = moved[(moved["kind"] == "run") & (moved["series"] == series)]["value"].to_numpy()
        assert (not np.allclose(old, new)) == should_change, series
    # the indicator picker adds a panel
    picker = state.widget_key("chart_transport", "en")
    at.multiselect(key=picker).select("private_cars").run()
    assert "private_cars" in at.multiselect(key=picker).value
    assert any(title.startswith("Private cars") for title in pd.concat(chart_frames(at))["indicator"])


@pytest.fixture
def engine_setting(monkeypatch):
    """Set PLANSIM_APP_ENGINE for one test; the process-wide project and runs are rebuilt around it."""
    def clear():
        for cached in (runs.project, runs.run, runs.score):
            cached.clear()

    def use(value: str) -> None:
        monkeypatch.setenv(runs.ENGINE_VARIABLE, value)
        clear()

    yield use
    monkeypatch.undo()
    clear()


def test_pysd_engine_serves_the_same_page(cat, engine_setting):
    query = {"lang": "en", "coal_share_target": "0.3", "population_control": "0.5"}
    fast = results_table(start(**query))
    engine_setting("pysd")
    at = start(**query)
    assert runs.project().engine_name == "pysd"
    np.testing.assert_allclose(results_table(at).select_dtypes("number").to_numpy(dtype=float),
                               fast.select_dtypes("number").to_numpy(dtype=float), rtol=1e-9, atol=1e-9)


def test_unknown_engine_setting_is_reported(cat, engine_setting):
    engine_setting("vensim")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "PLANSIM_APP_ENGINE" in at.error[0].value and "simlin, pysd" in at.error[0].value


def test_model_tab_views(cat):
    at = start(lang="en")
    assert len(model_table(at)) == len(cat.levers)
    at.radio(key=state.widget_key("model_view", "en")).set_value("equations").run()
    equations = model_table(at)
    assert {"Stateful", "Constant", "Auxiliary"} <= set(equations["Type"])
    assert equations["Equation"].str.startswith("INTEG").sum() == (equations["Type"] == "Stateful").sum()
    at.radio(key=state.widget_key("model_view", "en")).set_value("diagram").run()
    for module in ("population", "economy", "energy", "transport"):
        at.selectbox(key=state.widget_key("diagram_module", "en")).set_value(module).run()
        assert not at.exception
    assert "private cars" in page.model_tab.structure().dot("transport")
    at.radio(key=state.widget_key("model_view", "en")).set_value("calibration").run()
    assert not at.exception
    parameters = model.declaration.calibrated_parameters()
    if parameters:  # the calibrated defaults are the ones the app lists and uses
        shown_parameters = model_table(at)
        assert dict(zip(shown_parameters["Model variable"], shown_parameters["value"])) == parameters


# -- the uncertainty switch (issue 6) ---------------------------------------------------------
def bands_shown(at: AppTest) -> pd.DataFrame:
    data = pd.concat(chart_frames(at))
    return data[data["kind"] == "band"]


def test_uncertainty_switch_shows_probabilities_and_bands_and_goes_away(cat):
    at = start(lang="en")
    plain_tiles = [(m.label, m.value, m.delta) for m in at.metric]
    assert not at.progress and "kind" in pd.concat(chart_frames(at)) and bands_shown(at).empty
    assert not set(charts.PERCENTILES) & set(pd.concat(chart_frames(at)).columns)  # off: as before

    at.toggle(key=state.UNCERTAINTY_KEY).set_value(True).run()
    assert not at.exception and not at.error
    assert at.query_params[state.UNCERTAINTY_KEY] == "1"
    # one probability bar per tile, each a whole per cent in [0, 100], equal to the ensemble's share
    assert len(at.progress) == len(at.metric) == len(cat.targets)
    spread = runs.spread(runs.as_items(cat.defaults))
    assert spread.members == runs.ENSEMBLE_MEMBERS == 500
    expected = model.scorecard.score(runs.run(runs.as_items(cat.defaults)))
    chance = spread.chance()
    for bar, row in zip(at.progress, expected.itertuples()):
        shown_percent = int(bar.text.split("%")[0].split()[-1])
        assert 0 <= shown_percent <= 100 and 0 <= bar.value <= 100
        assert shown_percent == round(100 * chance[(row.plan, row.target_id)][0]), row.target_id
    # the tiles keep value and status; the central run's status and P(met) stand side by side
    prefix = page.t("central_run", "en") + ": "
    assert [(m.label, m.value, m.delta) for m in at.metric] == plain_tiles
    badges = [md.value for md in at.markdown if md.value.startswith(":") and "-badge[" in md.value]
    assert len(badges) == len(cat.targets) and all("P(met)" in b and prefix.strip() in b for b in badges)

    bands = bands_shown(at)
    assert not bands.empty and set(bands["year"]) <= set(range(2010, 2021))
    assert (bands["p05"] <= bands["p25"] + 1e-12).all() and (bands["p25"] <= bands["p75"] + 1e-12).all()
    assert (bands["p75"] <= bands["p95"] + 1e-12).all() and (bands["p05"] < bands["p95"]).any()
    # every panel with a current line has its band, for the same years
    runs_shown = pd.concat(chart_frames(at)).query("kind == 'run'")
    assert set(bands["indicator"]) == set(runs_shown["indicator"])

    at.toggle(key=state.UNCERTAINTY_KEY).set_value(False).run()
    assert not at.progress and bands_shown(at).empty
    assert state.UNCERTAINTY_KEY not in at.query_params
    assert [(m.label, m.value, m.delta) for m in at.metric] == plain_tiles


def test_uncertainty_follows_the_levers_and_the_link_restores_it(cat):
    at = start(lang="en", uncertainty="1", coal_share_target="0.3")
    assert at.toggle(key=state.UNCERTAINTY_KEY).value is True and len(at.progress) == len(cat.targets)
    levers = cat.full_levers({"coal share target": 0.3})
    expected = runs.spread(runs.as_items(levers)).bands
    bands = bands_shown(at)
    gdp = charts.panel_title(cat.indicators["gdp"], "en")
    np.testing.assert_allclose(bands[bands["indicator"] == gdp]["p95"].to_numpy(),
                               expected[expected["indicator"] == "gdp"]["p95"].to_numpy())
    # moving a lever with the switch on recomputes the bands of the new lever set
    row = next(r for r in cat.levers if r["name"] == "energy saving effort")
    set_lever(at, row, float(row["max"])).run()
    assert not at.exception and at.query_params[state.UNCERTAINTY_KEY] == "1"
    assert not bands_shown(at).reset_index(drop=True).equals(bands.reset_index(drop=True))


def test_bad_uncertainty_parameter_is_ignored_with_a_warning(cat):
    at = start(uncertainty="yes")
    assert len(at.warning) == 1 and "uncertainty" in at.warning[0].value
    assert at.toggle(key=state.UNCERTAINTY_KEY).value is False and not at.progress
