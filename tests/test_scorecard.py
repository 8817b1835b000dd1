"""The scorecard rule on hand-made cases on both sides of every edge, and score() on runs."""
import math

import pandas as pd
import pytest

import model
from model.errors import PlanSimError
from model.scorecard import COLUMNS, score, status, target_status
from target_rows import target_rows

EPS = 1e-3  # a step clearly beyond floating-point noise, well inside the bands below
RATE, SHARE, LEVEL = "% per year", "% of GDP", "km"

CASES = [  # value, target, op, unit, the indicator's better, status
    # about 8 % per year, indicator without direction: met within 0.5 points, near within 1
    (8.0, 8, "about", RATE, "none", "met"),
    (8.5, 8, "about", RATE, "none", "met"),
    (8.5 + EPS, 8, "about", RATE, "none", "near"),
    (7.5, 8, "about", RATE, "none", "met"),
    (7.5 - EPS, 8, "about", RATE, "none", "near"),
    (9.0, 8, "about", RATE, "none", "near"),
    (9.0 + EPS, 8, "about", RATE, "none", "missed"),
    (7.0, 8, "about", RATE, "none", "near"),
    (7.0 - EPS, 8, "about", RATE, "none", "missed"),
    # about 4.0 % of GDP (a share: 5 % of 4.0 = 0.2 points)
    (4.4, 4.0, "about", SHARE, "none", "near"),
    (4.4 + EPS, 4.0, "about", SHARE, "none", "missed"),
    # about a negative change: 0.5 points around -10
    (-10.5, -10, "about", "% vs 2010", "none", "met"),
    (-9.5, -10, "about", "% vs 2010", "none", "met"),
    (-10.5 - EPS, -10, "about", "% vs 2010", "none", "near"),
    (-11.0 - EPS, -10, "about", "% vs 2010", "none", "missed"),
    # >= 600 km: met at or above, exceeded beyond 630 (5 % of 600), near down to 570
    (600, 600, ">=", LEVEL, "none", "met"),
    (630, 600, ">=", LEVEL, "none", "met"),
    (630 + EPS, 600, ">=", LEVEL, "none", "exceeded"),
    (600 - EPS, 600, ">=", LEVEL, "none", "near"),
    (570, 600, ">=", LEVEL, "none", "near"),
    (570 - EPS, 600, ">=", LEVEL, "none", "missed"),
    # >= 50 % of trips: a share's tolerance is at most 1 point (5 % of 50 would be 2.5)
    (50, 50, ">=", "% of motorised trips", "none", "met"),
    (49, 50, ">=", "% of motorised trips", "none", "near"),
    (49 - EPS, 50, ">=", "% of motorised trips", "none", "missed"),
    # <= -18 % vs 2010: at most -18, exceeded below -18.5, near up to -17.5
    (-18, -18, "<=", "% vs 2010", "none", "met"),
    (-18.5, -18, "<=", "% vs 2010", "none", "met"),
    (-18.5 - EPS, -18, "<=", "% vs 2010", "none", "exceeded"),
    (-18 + EPS, -18, "<=", "% vs 2010", "none", "near"),
    (-17.5, -18, "<=", "% vs 2010", "none", "near"),
    (-17.5 + EPS, -18, "<=", "% vs 2010", "none", "missed"),
    # <= 2500 10^4 persons (a cap): tolerance 125
    (2500, 2500, "<=", "10^4 persons", "none", "met"),
    (2500 + EPS, 2500, "<=", "10^4 persons", "none", "near"),
    (2625 + EPS, 2500, "<=", "10^4 persons", "none", "missed"),
    (2375, 2500, "<=", "10^4 persons", "none", "met"),
    (2375 - EPS, 2500, "<=", "10^4 persons", "none", "exceeded"),
    # <= 14000 10^4 tce/year: near up to 14700
    (14700, 14000, "<=", "10^4 tce/year", "none", "near"),
    (14700 + EPS, 14000, "<=", "10^4 tce/year", "none", "missed"),
]


@pytest.mark.parametrize("value, target, op, unit, better, expected", CASES)
def test_status_on_both_sides_of_each_edge(value, target, op, unit, better, expected):
    assert status(value, target, op, unit=unit, better=better) == expected


def test_status_refuses_what_it_cannot_score():
    with pytest.raises(PlanSimError, match="op '>' is not one of"):
        status(1, 1, ">", unit=RATE)
    with pytest.raises(PlanSimError, match="not finite"):
        status(math.nan, 1, "about", unit=RATE)


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
        "finance_share": (14.0, 15.0),
        "construction_land": (3100.0, 3200.0),
        "income_vs_gdp_growth_avg_5y": (-0.3, 0.0),
        "affordable_units_completed": (106.0, 200.0),
        "sei_value_added_change_vs_2010": (100.0, 150.0),
        "sei_share": (10.0, 19.0),
        "so2_change_vs_2010": (-13.7, -20.0),
        "nox_change_vs_2010": (-20.0, -25.0),
        "cod_change_vs_2010": (-11.5, -15.0),
        "nh3n_change_vs_2010": (-10.0, -15.0),
    }
    frame = pd.DataFrame({k: [0.0, *v] for k, v in values.items()}, index=pd.Index(list(years), name="year"))
    return frame


EXPECTED = {  # (plan, target_id): (status, gap)
    ("12th", "gdp_growth"): ("met", -0.5),  # about 8, more is better: 0.5 short is within the tolerance
    ("12th", "tertiary_share"): ("met", 0.0),
    ("12th", "rd_share"): ("missed", -0.4),  # 0.4 short, beyond 2 x 0.165
    ("12th", "energy_intensity"): ("met", 0.0),
    ("12th", "co2_intensity"): ("near", 0.5),  # binding targets have a near band too
    ("12th", "energy_total"): ("near", 500.0),  # so do sector-plan ones (within 700)
    ("12th", "rail_length"): ("met", 0.0),
    ("12th", "transit_share"): ("near", -1.0),  # sector plan, 1 point short (a share's tolerance)
    ("12th", "income_in_step"): ("near", -0.3),  # >= 0 on a rate: 0.3 short, within 0.5
    ("12th", "affordable_housing"): ("exceeded", 6.0),  # about 100, more is better: 6 above, beyond 5
    ("13th", "gdp_growth"): ("near", -0.3),  # >= 6.5: 0.3 short, within 0.5
    ("13th", "population_cap"): ("near", 0.5),
    ("13th", "rail_length"): ("missed", -100.0),
    ("13th", "rd_share"): ("met", 0.0),
    ("13th", "energy_intensity"): ("met", 0.0),
    ("13th", "co2_intensity"): ("met", -0.5),  # 0.5 below: not beyond the tolerance, so not exceeded
    ("13th", "energy_total"): ("met", 0.0),
    ("13th", "manufacturing_share"): ("exceeded", 2.0),  # a floor of about 25: 27 is 2 above, beyond 1
    ("13th", "construction_land_cap"): ("near", 15.0),  # <= 3185 km2: 15 over, within 5% of the cap
    ("12th", "sei_value_added"): ("met", 0.0),  # doubled: at least 100 % more
    ("13th", "sei_share"): ("met", -1.0),  # about 20, more is better: 1 point short is within a share's tolerance
    ("12th", "so2_emissions"): ("met", 0.0),  # binding cut reached exactly
    ("12th", "nox_emissions"): ("exceeded", -2.5),  # cut 2.5 points deeper than -17.5
    ("12th", "cod_discharge"): ("near", 0.4),  # 0.4 short of a binding -11.9: in the near band, not met
    ("12th", "nh3n_discharge"): ("missed", 3.2),  # 3.2 short of -13.2: beyond the near band
    ("12th", "finance_share"): ("near", -1.0),  # about 15 (unverified target): 1 point short, beyond its 0.75
    **{(plan, fuel): ("met", 0.0) for plan in ("12th", "13th") for fuel in ("coal_share", "gas_share", "nonfossil_share")},
}


def test_score_of_a_hand_made_run():
    card = score(_hand_made_run())
    assert list(card.columns) == COLUMNS
    assert len(card) == len(model.plan_targets()) == target_rows()
    got = {(r.plan, r.target_id): (r.status, round(r.gap, 9)) for r in card.itertuples()}
    assert got == EXPECTED
    row = card.set_index(["plan", "target_id"]).loc[("12th", "energy_intensity")]
    assert (row["year"], row["value"], row["target"], row["op"], row["attribute"]) == (2015, -18.0, -18.0, "<=", "binding")


def test_targets_after_the_last_year_are_left_out():
    card = score(_hand_made_run().loc[[2010, 2015]])
    assert set(card["plan"]) == {"12th"} and len(card) == target_rows("12th")


def test_a_target_on_a_missing_indicator_is_an_error():
    with pytest.raises(PlanSimError, match="column 'model_indicator': 'rail_length' is not an indicator"):
        score(_hand_made_run().drop(columns="rail_length"))


def test_score_of_a_model_run_reads_the_target_year(default_run):
    card = score(default_run).set_index(["plan", "target_id"])
    targets = model.plan_targets().set_index(["plan", "id"])
    for key, row in card.iterrows():
        indicator, year = targets.loc[key, "model_indicator"], targets.loc[key, "year"]
        assert row["value"] == default_run.loc[year, indicator]
        assert row["status"] == target_status(row["value"], targets.loc[key])


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
    assert row["label"] == "能源消费总量" and row["status_label"] in ("超额达成", "达成", "接近", "未达成")
    # rounded to the indicator's declared precision (energy_total: 1 decimal)
    assert row["value"] == round(row["value"], 1)
    assert en.loc[row.name, "unit"] == "10^4 tce/year" and en.loc[row.name, "attribute_label"] == "binding"
    for column in ("value", "gap"):
        text = zh[column].astype(str)
        assert not text.str.contains(r"\.\d{5,}").any(), "float noise left in the export"
