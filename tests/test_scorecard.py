"""The scorecard rule on hand-made cases on both sides of every edge, and score() on runs."""
import math

import pandas as pd
import pytest

import model
from model.errors import PlanSimError
from model.scorecard import COLUMNS, score, status

EPS = 1e-3  # a step clearly beyond floating-point noise, well inside the bands below

CASES = [
    # about 8 (expected): met within 0.4 (5% of 8), near within 0.8 (10%)
    (8.0, 8, "about", "expected", "met"),
    (8.4, 8, "about", "expected", "met"),
    (8.4 + EPS, 8, "about", "expected", "near"),
    (7.6, 8, "about", "expected", "met"),
    (7.6 - EPS, 8, "about", "expected", "near"),
    (8.8, 8, "about", "expected", "near"),
    (8.8 + EPS, 8, "about", "expected", "missed"),
    (7.2, 8, "about", "expected", "near"),
    (7.2 - EPS, 8, "about", "expected", "missed"),
    # about, sector plan: near still allowed (only binding removes it)
    (4.0 * 1.1, 4.0, "about", "sector plan", "near"),
    (4.0 * 1.1 + EPS, 4.0, "about", "sector plan", "missed"),
    # about, binding: met within 5% or missed
    (8.4, 8, "about", "binding", "met"),
    (8.4 + EPS, 8, "about", "binding", "missed"),
    # about a negative figure: the band is 5% of its magnitude (0.5 around -10)
    (-10.5, -10, "about", "expected", "met"),
    (-9.5, -10, "about", "expected", "met"),
    (-10.5 - EPS, -10, "about", "expected", "near"),
    (-11.0 - EPS, -10, "about", "expected", "missed"),
    # >= 600 expected: met at or above, near down to 570 (5% of 600)
    (600, 600, ">=", "expected", "met"),
    (650, 600, ">=", "expected", "met"),
    (600 - EPS, 600, ">=", "expected", "near"),
    (570, 600, ">=", "expected", "near"),
    (570 - EPS, 600, ">=", "expected", "missed"),
    # >= 50 sector plan: no near
    (50, 50, ">=", "sector plan", "met"),
    (50 - EPS, 50, ">=", "sector plan", "missed"),
    # <= -18 binding: at most -18; -17.999 is missed (binding is never near)
    (-18, -18, "<=", "binding", "met"),
    (-25, -18, "<=", "binding", "met"),
    (-18 + EPS, -18, "<=", "binding", "missed"),
    (-17.1, -18, "<=", "binding", "missed"),
    # <= -18 if it were expected: near up to -17.1 (0.9 = 5% of 18 points)
    (-18 + EPS, -18, "<=", "expected", "near"),
    (-17.1, -18, "<=", "expected", "near"),
    (-17.1 + EPS, -18, "<=", "expected", "missed"),
    # <= 2500 binding cap
    (2500, 2500, "<=", "binding cap", "met"),
    (2500 + EPS, 2500, "<=", "binding cap", "missed"),
    (2400, 2500, "<=", "binding cap", "met"),
    # <= 14000 expected: near up to 14700
    (14700, 14000, "<=", "expected", "near"),
    (14700 + EPS, 14000, "<=", "expected", "missed"),
    (14000 + EPS, 14000, "<=", "sector plan", "missed"),
]


@pytest.mark.parametrize("value, target, op, attribute, expected", CASES)
def test_status_on_both_sides_of_each_edge(value, target, op, attribute, expected):
    assert status(value, target, op, attribute) == expected


def test_status_refuses_what_it_cannot_score():
    with pytest.raises(PlanSimError, match="op '>' is not one of"):
        status(1, 1, ">", "expected")
    with pytest.raises(PlanSimError, match="not finite"):
        status(math.nan, 1, "about", "expected")


def _hand_made_run(years=(2010, 2015, 2020)) -> pd.DataFrame:
    """Every indicator the targets read, at values chosen to give known statuses."""
    values = {
        # indicator: (2015, 2020)
        "gdp_growth_avg_5y": (7.5, 6.2),
        "tertiary_share": (65.0, 70.0),
        "rd_share": (2.9, 4.0),
        "energy_intensity_change_vs_2010": (-18.0, -30.0),
        "co2_intensity_change_vs_2010": (-18.5, -30.0),
        "energy_total": (14500.0, 12500.0),
        "rail_length": (600.0, 700.0),
        "transit_share": (49.0, 50.0),
        "resident_population": (2400.0, 2500.5),
        "energy_intensity_change_vs_2015": (0.0, -17.0),
        "co2_intensity_change_vs_2015": (0.0, -21.0),
        "manufacturing_share": (30.0, 27.0),
        "coal_share": (40.0, 33.0),
        "gas_share": (11.0, 12.0),
        "nonfossil_share": (12.0, 14.0),
    }
    frame = pd.DataFrame({k: [0.0, *v] for k, v in values.items()}, index=pd.Index(list(years), name="year"))
    return frame


EXPECTED = {  # (plan, target_id): (status, gap)
    ("12th", "gdp_growth"): ("near", -0.5),  # about 8: 0.5 off, beyond 0.4, within 0.8
    ("12th", "tertiary_share"): ("met", 0.0),
    ("12th", "rd_share"): ("missed", -0.4),  # 0.4 > 10% of 3.3
    ("12th", "energy_intensity"): ("met", 0.0),
    ("12th", "co2_intensity"): ("missed", 0.5),  # binding: never near
    ("12th", "energy_total"): ("missed", 500.0),  # sector plan <=: no near
    ("12th", "rail_length"): ("met", 0.0),
    ("12th", "transit_share"): ("missed", -1.0),
    ("13th", "gdp_growth"): ("near", -0.3),  # >= 6.5 expected: 0.3 short, within 0.325
    ("13th", "population_cap"): ("missed", 0.5),
    ("13th", "rail_length"): ("missed", -100.0),
    ("13th", "rd_share"): ("met", 0.0),
    ("13th", "energy_intensity"): ("met", 0.0),
    ("13th", "co2_intensity"): ("met", -0.5),
    ("13th", "energy_total"): ("met", 0.0),
    ("13th", "manufacturing_share"): ("near", 2.0),  # about 25: 2 off, beyond 1.25, within 2.5
    **{(plan, fuel): ("met", 0.0) for plan in ("12th", "13th") for fuel in ("coal_share", "gas_share", "nonfossil_share")},
}


def test_score_of_a_hand_made_run():
    card = score(_hand_made_run())
    assert list(card.columns) == COLUMNS
    assert len(card) == len(model.plan_targets()) == 22
    got = {(r.plan, r.target_id): (r.status, round(r.gap, 9)) for r in card.itertuples()}
    assert got == EXPECTED
    row = card.set_index(["plan", "target_id"]).loc[("12th", "energy_intensity")]
    assert (row["year"], row["value"], row["target"], row["op"], row["attribute"]) == (2015, -18.0, -18.0, "<=", "binding")


def test_targets_after_the_last_year_are_left_out():
    card = score(_hand_made_run().loc[[2010, 2015]])
    assert set(card["plan"]) == {"12th"} and len(card) == 11


def test_a_target_on_a_missing_indicator_is_an_error():
    with pytest.raises(PlanSimError, match="column 'model_indicator': 'rail_length' is not an indicator"):
        score(_hand_made_run().drop(columns="rail_length"))


def test_score_of_a_model_run_reads_the_target_year(default_run):
    card = score(default_run).set_index(["plan", "target_id"])
    targets = model.plan_targets().set_index(["plan", "id"])
    for key, row in card.iterrows():
        indicator, year = targets.loc[key, "model_indicator"], targets.loc[key, "year"]
        assert row["value"] == default_run.loc[year, indicator]
        assert row["status"] == status(row["value"], row["target"], row["op"], row["attribute"])


def test_export_table_names_rounds_and_translates():
    import model
    from model import scorecard as sc

    card = sc.score(model.run(final_year=2020))
    card.insert(0, "scenario", "baseline")
    zh = sc.export_table(card, "zh", titles={"baseline": "基准"})
    en = sc.export_table(card, "en")
    assert len(zh) == len(card) and set(zh["scenario_title"]) == {"基准"}
    assert set(en["scenario_title"]) == {"baseline"}  # no title given: the name
    row = zh[(zh["plan"] == "13th") & (zh["target_id"] == "energy_total")].iloc[0]
    assert row["unit"] == "万吨标准煤/年" and row["plan_label"] == "十三五 (2020年)"
    assert row["label"] == "能源消费总量" and row["status_label"] in ("达成", "接近", "未达成")
    # rounded to the indicator's declared precision (energy_total: 1 decimal)
    assert row["value"] == round(row["value"], 1)
    assert en.loc[row.name, "unit"] == "10^4 tce/year" and en.loc[row.name, "attribute_label"] == "binding"
    for column in ("value", "gap"):
        text = zh[column].astype(str)
        assert not text.str.contains(r"\.\d{5,}").any(), "float noise left in the export"
