"""The scorecard rule of issue 12, wording by wording: "达到…左右" on an indicator where more (or
less) is better, "力争保持…左右" as a floor, a tolerance per kind of figure, a near band for every
target (binding and sector-plan ones too), "exceeded" counted as met everywhere."""
import numpy as np
import pandas as pd
import pytest

import model
from model import i18n, scorecard
from model.errors import PlanSimError
from model.experiments.ensemble import Ensemble
from model.experiments.uncertainty import target_probabilities
from model.scorecard import status, tolerance

EPS = 1e-3
RATE, SHARE = "% per year", "% of GDP"


@pytest.mark.parametrize("target, unit, expected", [
    (8, "% per year", 0.5),  # growth: half a point, whatever the figure
    (6.5, "% per year", 0.5),
    (-18, "% vs 2010", 0.5),  # a change vs a base year, also in points
    (3.3, "% of GDP", 0.165),  # a share: 5 % of the figure...
    (65, "% of GDP", 1.0),  # ...at most one point (5 % would be 3.25)
    (600, "km", 30.0),  # a level: 5 % of the figure
    (2500, "10^4 persons", 125.0),
])
def test_tolerance_by_kind_of_figure(target, unit, expected):
    assert tolerance(target, unit) == pytest.approx(expected)


# "达到3.3%左右" on the R&D share (more is better; tolerance 0.165 points)
ABOUT_HIGHER = [
    (3.3, "met"),  # exactly at the target
    (3.3 + 0.165, "met"),  # at the upper edge of the tolerance
    (3.3 + 0.165 + EPS, "exceeded"),  # just beyond it
    (3.7, "exceeded"),  # the case: 3.7 against about 3.3
    (3.3 - 0.165, "met"),  # just inside the tolerance below
    (3.3 - 0.165 - EPS, "near"),  # just outside it
    (3.3 - 0.33, "near"),  # edge of the near band
    (3.3 - 0.33 - EPS, "missed"),
]


@pytest.mark.parametrize("value, expected", ABOUT_HIGHER)
def test_about_where_more_is_better(value, expected):
    assert status(value, 3.3, "about", unit=SHARE, better="higher") == expected


@pytest.mark.parametrize("value, expected", [(10.0, "exceeded"), (8.5, "met"), (8.5 + EPS, "exceeded"),
                                             (7.5, "met"), (7.5 - EPS, "near"), (7.0 - EPS, "missed")])
def test_about_8_percent_growth(value, expected):
    """10 % growth against "about 8" is met-exceeded, not missed."""
    assert status(value, 8, "about", unit=RATE, better="higher") == expected


@pytest.mark.parametrize("value, expected", [(100.0, "met"), (105.0, "met"), (105 + EPS, "near"),
                                             (95.0, "met"), (95 - EPS, "exceeded"), (80.0, "exceeded"),
                                             (110.0, "near"), (110 + EPS, "missed")])
def test_about_where_less_is_better_is_mirrored(value, expected):
    assert status(value, 100, "about", unit="10^4 tce/year", better="lower") == expected


@pytest.mark.parametrize("value, expected", [(3.7, "missed"), (3.3 + 0.165, "met"), (3.3 + 0.165 + EPS, "near"),
                                             (3.3 - 0.165 - EPS, "near")])
def test_about_without_direction_stays_two_sided(value, expected):
    assert status(value, 3.3, "about", unit=SHARE, better="none") == expected


# "力争保持在25%左右" (manufacturing share): a floor, tolerance 1 point (5 % of 25 capped at 1)
@pytest.mark.parametrize("value, expected", [
    (25.0, "met"), (24.0, "met"), (24.0 - EPS, "near"), (23.0, "near"), (23.0 - EPS, "missed"),
    (26.0, "met"), (26.0 + EPS, "exceeded"), (31.5, "exceeded"),
])
def test_floor(value, expected):
    # the floor holds whatever the indicator's own direction
    for better in ("none", "higher", "lower"):
        assert status(value, 25, "floor", unit=SHARE, better=better) == expected


@pytest.mark.parametrize("value, expected", [(25.0, "met"), (26.0, "met"), (26.0 + EPS, "near"),
                                             (24.0, "met"), (24.0 - EPS, "exceeded"), (27.0 + EPS, "missed")])
def test_ceiling_mirrors_the_floor(value, expected):
    assert status(value, 25, "ceiling", unit=SHARE) == expected


@pytest.mark.parametrize("value, expected", [
    (2500, "met"), (2500 + EPS, "near"), (2625, "near"), (2625 + EPS, "missed"), (2375 - EPS, "exceeded"),
])
def test_binding_cap_has_a_near_band(value, expected):
    """"常住人口控制在2500万以内": at most 2,500; over by up to 5 % is near (still not met)."""
    assert status(value, 2500, "<=", unit="10^4 persons") == expected


@pytest.mark.parametrize("value, expected", [(50, "met"), (49.9, "near"), (49, "near"), (49 - EPS, "missed"),
                                             (51 + EPS, "exceeded")])
def test_sector_plan_target_has_a_near_band(value, expected):
    """Transit share >= 50 % (sector plan): 49.9 is near, no longer missed."""
    assert status(value, 50, ">=", unit="% of motorised trips") == expected


def test_the_plan_targets_declare_each_wording():
    """Every "力争保持…左右" target is a floor; every "…左右" one is about (or a floor); the
    indicators of the "达到/提高到…左右" targets say more is better, of "降至…左右" less."""
    targets = model.plan_targets()
    for t in targets.itertuples():
        if "保持" in t.wording_zh and "左右" in t.wording_zh:
            assert t.op == "floor", t.id
        elif "左右" in t.wording_zh:
            assert t.op == "about", t.id
            # "降至…左右" (coal share) asks for less; every other "…左右" for more
            expected = "lower" if "降至" in t.wording_zh else "higher"
            assert scorecard.better(t.model_indicator) == expected, t.model_indicator
    assert (targets["op"] == "floor").sum() == 1


def test_every_status_and_operator_has_words_in_both_languages():
    for s in scorecard.STATUSES:
        assert i18n.t(f"status_{s}", "zh") and i18n.t(f"status_{s}", "en")
    assert i18n.t("status_exceeded", "en") == "exceeded" and i18n.t("status_exceeded", "zh") == "超额达成"
    for op in scorecard.OPS:
        assert i18n.t(f"fig_op_{op}", "zh") and i18n.t(f"fig_op_{op}", "en")
    for lang in ("zh", "en"):
        assert "0.5" in i18n.t("scorecard_rule", lang)


def test_direction_and_better_are_checked():
    with pytest.raises(PlanSimError, match="better 'up' is not one of"):
        status(1, 1, "about", unit=RATE, better="up")
    assert scorecard.better("not_an_indicator") == "none"


def test_a_bad_better_in_indicators_yaml_is_refused(tmp_path, monkeypatch):
    from model import metadata

    text = metadata.INDICATORS_FILE.read_text(encoding="utf-8").replace("better: higher", "better: upward", 1)
    path = tmp_path / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(metadata, "INDICATORS_FILE", path)
    with pytest.raises(PlanSimError, match="better must be one of"):
        metadata.indicator_table()


def test_probability_met_counts_exceeded():
    """Three members above "about 3.3" R&D by more than the tolerance, one short: P(met) = 3/4."""
    targets = model.plan_targets()
    rd = targets[(targets["plan"] == "12th") & (targets["id"] == "rd_share")]
    values = np.array([3.7, 3.9, 3.35, 2.0]).reshape(4, 1, 1)
    ensemble = Ensemble(years=np.array([2015]), indicators=["rd_share"], values=values,
                        inputs=pd.DataFrame(index=range(4)), levers={})
    row = target_probabilities(ensemble, rd).iloc[0]
    assert row["probability_met"] == 0.75 and row["probability_near"] == 0.0


def test_cli_scorecard_counts_exceeded_as_met():
    from model.experiments.batch import scorecard_markdown

    card = pd.DataFrame([
        {"plan": "12th", "target_id": "rd_share", "year": 2015, "value": 3.7, "target": 3.3, "op": "about",
         "attribute": "expected", "gap": 0.4, "status": "exceeded"},
        {"plan": "12th", "target_id": "gdp_growth", "year": 2015, "value": 8.0, "target": 8.0, "op": "about",
         "attribute": "expected", "gap": 0.0, "status": "met"},
    ]).assign(scenario="x")
    md = scorecard_markdown(scorecard.export_table(card, "en"), 2015, "en")
    assert "3.7 (exceeded)" in md and "| 2/0/0 |" in md
    assert "met (incl. exceeded)/near/missed" in md


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_app_shows_exceeded_and_the_rule(lang):
    """The tiles show "exceeded" in words where the rule says so, and the help states the rule."""
    pytest.importorskip("streamlit")
    from app_helpers import start
    from webapp import runs
    from webapp.i18n import t

    at = start(lang=lang)
    card = runs.score(runs.as_items(runs.catalog().defaults))
    exceeded = [row for row in card if row["status"] == "exceeded"]
    assert exceeded  # the default run exceeds some target (e.g. rail km, manufacturing floor)
    deltas = [m.delta for m in at.metric]
    assert sum(d.startswith(t("status_exceeded", lang)) for d in deltas) == len(exceeded)
    rule = [e for e in at.expander if e.label == t("scorecard_rule_title", lang)]
    assert rule and any(m.value == t("scorecard_rule", lang) for m in rule[0].markdown)
