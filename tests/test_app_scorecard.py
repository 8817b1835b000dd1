"""The scorecard's tiles and the charts (issue 9): units, comparison and "N of M met" on the
page, P(met) beside the central run's status, targets inside every chart, a band legend."""
from __future__ import annotations

import json

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit import dataframe_util  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from webapp import charts, i18n, runs, tiles  # noqa: E402
from app_helpers import plain, start  # noqa: E402
from webapp.i18n import t  # noqa: E402


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiles_show_unit_target_and_comparison(lang):
    at = start(lang=lang, compare="plan")
    cat = runs.catalog()
    captions = [c.value for c in at.caption]
    plan_card = runs.score(runs.as_items(cat.scenario_levers("plan")))
    for target, compared in zip(cat.targets, plan_card):
        unit = i18n.units(cat.indicators[target["model_indicator"]]["unit"], lang)
        expected = f"{t('compared', lang)}: {tiles.fmt(compared['value'])}"
        assert any(c.startswith(unit + "  \n" + t("target", lang)) and expected in c for c in captions), target["id"]


def test_each_plan_says_how_many_targets_are_met():
    at = start(lang="en", compare="plan")
    cat = runs.catalog()
    card = runs.score(runs.as_items(cat.defaults))
    for plan in runs.catalog().plans:
        met, total = tiles.met_summary([r for r in card if r["plan"] == plan])
        line = plain(at.markdown[[m.value.startswith(f"**{t(f'plan_{plan}', 'en')}**") for m in at.markdown].index(True)].value)
        assert t("n_met", "en", n=met, m=total) in line and "comparison “The 12th Five-Year Plan as written”" in line


def chart_specs(at: AppTest) -> list[tuple[pd.DataFrame, dict]]:
    return [(dataframe_util.convert_arrow_bytes_to_pandas_df(c.proto.data.data), json.loads(c.proto.spec))
            for c in at.get("vega_lite_chart")]


def test_targets_sit_inside_every_chart():
    """Manufacturing 25 % fell below the axis, GDP growth 6.5 and transit 50 sat on its border."""
    at = start(lang="en", uncertainty="1")
    specs = chart_specs(at)
    assert len(specs) == sum(len(charts.default_indicators(runs.catalog(), m)) for m in charts.MODULES)
    for data, spec in specs:
        low, high = spec["layer"][-1]["encoding"]["y"]["scale"]["domain"]
        span = high - low
        shown = pd.concat([data["value"], data.get("p05", pd.Series(dtype=float)), data.get("p95", pd.Series(dtype=float))]).dropna()
        assert (shown > low + 0.02 * span).all() and (shown < high - 0.02 * span).all(), spec["title"]
        assert spec.get("width", "container") == "container" or "width" not in spec  # as wide as its column


def test_band_has_a_legend_entry_and_a_base_year_note():
    at = start(lang="en", uncertainty="1")
    legends = [h.proto.body for h in at.get("html") if "━" in h.proto.body]
    assert legends and all(t("series_band", "en", n=runs.ENSEMBLE_MEMBERS) in h for h in legends)
    bands = runs.spread(runs.as_items(runs.catalog().defaults)).bands
    wide = [ind for ind in runs.catalog().indicators if charts.wide_base_band(bands, ind)]
    notes = [c for c in at.caption if c.value == t("band_wide_2010", "en")]
    shown_wide = [ind for m in charts.MODULES for ind in charts.default_indicators(runs.catalog(), m) if ind in wide]
    assert len(notes) == len(shown_wide) > 0


def test_uncertainty_puts_the_probability_beside_the_status():
    at = start(lang="zh", uncertainty="1")
    rule = t("uncertainty_rule", "zh", n=runs.ENSEMBLE_MEMBERS)
    assert any(c.value == rule for c in at.caption)
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == len(runs.catalog().targets)
    assert all(t("central_run", "zh") in b and "P(达成)" in b for b in badges)
