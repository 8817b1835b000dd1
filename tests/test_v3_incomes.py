"""Incomes and jobs (model/shanghai.mdl group .Incomes; issue 13 section 3, seed 一(4)):
per-capita disposable income anchored on 2010, wages tied to output per worker, an
unemployment rate inside [0, 1], the "income in step with the economy" target, two engines."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

import model
from lever_cases import extreme_cases
from model.paths import SCENARIO_DIR
from model.project import Project
from model.scorecard import score

ANCHOR_2010 = 31837.0  # yuan per person, urban per-capita disposable income 2010 (derived, see the mdl)
INCOME_INDICATORS = ["disposable_income", "disposable_income_growth", "disposable_income_growth_avg_5y",
                     "income_vs_gdp_growth_avg_5y", "unemployment_rate", "labour_productivity", "average_wage",
                     "jobs_available"]
LABOUR = ["unemployment rate", "unemployed", "labour supply", "employment", "jobs available",
          "disposable income per capita", "average wage", "labour productivity", "wage to marginal product ratio"]


@pytest.fixture(scope="module")
def fast():
    return Project(engine="simlin")


CASES = extreme_cases()


# -- the 2010 anchor ------------------------------------------------------------------------------
def test_2010_income_equals_the_anchor_within_1_percent(default_run):
    assert default_run.loc[2010, "disposable_income"] == pytest.approx(ANCHOR_2010, rel=0.01)


def test_the_calibrated_history_reaches_the_anchor_in_2010(problem, estimates):
    """One continuous history: the run from 2000 meets the same 2010 income (the income shares
    are fixed constants, not initial states), within 2 % (its 2010 residents differ from the
    2303 (10^4) of the projection's start)."""
    run = problem.simulate_pysd(estimates, ["disposable income per capita", "GDP", "resident population"])
    assert run.loc[2010, "disposable income per capita"] * 1e4 == pytest.approx(ANCHOR_2010, rel=0.02)
    # and income below the anchor in 2000, at 2010 prices: it grew over the decade
    assert run.loc[2000, "disposable income per capita"] < 0.6 * run.loc[2010, "disposable income per capita"]


def test_income_shares_reproduce_the_anchor_at_the_reference_state(shanghai):
    """The two shares are set from the 2010 anchor: at the reference GDP per resident and wage
    ratio, wage plus other income is the anchor exactly (a change of the wage share of income
    moves the split, not the total)."""
    for share in (0.5, 0.7, 0.9):
        raw = shanghai.run_variables(params={"wage share of disposable income": share}, final_year=2011,
                                     variables=["disposable wage share of output", "other income share of output"])
        c = shanghai.constants()
        total = (raw.loc[2010, "disposable wage share of output"] * c["reference wage to marginal product ratio"]
                 + raw.loc[2010, "other income share of output"]) * c["reference GDP per capita"]
        assert total == pytest.approx(c["reference disposable income per capita"], rel=1e-12)


# -- unemployment inside [0, 1] ---------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_unemployment_rate_in_unit_interval_and_income_finite_at_extreme_levers(fast, case):
    raw = fast.run_variables(CASES[case], final_year=2030, variables=LABOUR)
    assert np.isfinite(raw.to_numpy()).all()
    assert ((raw["unemployment rate"] >= 0) & (raw["unemployment rate"] <= 1)).all()
    assert (raw["unemployed"] >= 0).all() and (raw["employment"] <= raw["labour supply"] * (1 + 1e-12)).all()
    assert (raw["disposable income per capita"] > 0).all() and (raw["average wage"] > 0).all()
    ratio = raw["wage to marginal product ratio"]
    assert ((ratio > 0) & (ratio <= 1)).all()


@pytest.mark.parametrize("params", [
    {"frictional unemployment rate": 0.0}, {"frictional unemployment rate": 0.1},
    {"employment rate": 0.4}, {"employment rate": 0.8}, {"wage adjustment time": 6},
    {"employment rate": 0.0},  # outside its range: the minimum labour supply keeps the rate defined
], ids=lambda p: ", ".join(f"{k} = {v}" for k, v in p.items()))
def test_unemployment_rate_in_unit_interval_at_extreme_parameters(fast, params):
    for levers in ({}, CASES["all at min"], CASES["all at max"]):
        raw = fast.run_variables(levers, final_year=2030, params=params, variables=LABOUR)
        assert np.isfinite(raw.to_numpy()).all()
        assert ((raw["unemployment rate"] >= 0) & (raw["unemployment rate"] <= 1)).all(), params


def test_unemployment_rate_in_unit_interval_over_a_lever_hypercube(fast):
    """300 members, every lever drawn across its range (a step at 2011), to 2030."""
    levers = fast.levers().set_index("name")
    unit = qmc.LatinHypercube(d=len(levers), seed=13).random(300)
    inputs = pd.DataFrame(qmc.scale(unit, levers["min"].to_numpy(float), levers["max"].to_numpy(float)),
                          columns=levers.index)
    declaration = fast.declaration
    members = declaration.member_constants({}, inputs)
    times = declaration.run_times(2030)
    overrides = {**fast.constants(), **declaration.lever_constants({})}
    raw = fast.engine.run_members(overrides, list(members.columns), members.to_numpy(), times, LABOUR)
    rate = raw[:, :, LABOUR.index("unemployment rate")]
    assert np.isfinite(raw).all()
    assert rate.min() >= 0 and rate.max() <= 1


def test_unemployment_is_frictional_plus_the_shortfall(problem, estimates):
    """In 2000 the calibrated run has fewer jobs than workers (its estimated wage index is above
    the market-clearing wage): the rate is the frictional rate plus the shortfall's share of the
    rest; once jobs outnumber workers it is the frictional rate alone."""
    run = problem.simulate_pysd(estimates, LABOUR + ["frictional unemployment rate"])
    f = run["frictional unemployment rate"]
    expected = f + (1 - f) * run["unemployed"] / run["labour supply"]
    np.testing.assert_allclose(run["unemployment rate"], expected, rtol=1e-12)
    assert run.loc[2000, "unemployed"] > 0 and run.loc[2000, "unemployment rate"] > f[2000]
    slack = run["jobs available"] >= run["labour supply"]
    assert slack.any()
    np.testing.assert_allclose(run.loc[slack, "unemployment rate"], f[slack], rtol=1e-12)


# -- wages and output per worker --------------------------------------------------------------------
def test_income_and_wage_grow_with_gdp_per_worker(fast):
    """Business as usual: the wage and income rise every year with output per worker. Across the
    levers: the run with the higher output per worker in 2020 has the higher wage, and income
    rises with output per worker (rank correlation over the lever cases)."""
    raw = fast.run_variables(final_year=2030, variables=LABOUR + ["GDP"])
    for column in ("labour productivity", "average wage", "disposable income per capita"):
        assert (raw[column].diff().dropna() > 0).all(), column
    rows = []
    for levers in CASES.values():
        run = fast.run_variables(levers, final_year=2020, variables=LABOUR)
        rows.append(run.loc[2020] / run.loc[2010])
    table = pd.DataFrame(rows)
    assert table["labour productivity"].corr(table["average wage"], method="spearman") > 0.95
    assert table["labour productivity"].corr(table["disposable income per capita"], method="spearman") > 0.5


def test_faster_productivity_growth_raises_the_wage_in_proportion(fast):
    """More TFP growth raises output per worker; the wage is a share of it, so it rises by the
    same factor up to the wage lag (within 2 %)."""
    base = fast.run_variables(final_year=2020, variables=LABOUR)
    params = {"autonomous TFP growth secondary": fast.constants()["autonomous TFP growth secondary"] + 0.01,
              "autonomous TFP growth tertiary": fast.constants()["autonomous TFP growth tertiary"] + 0.01}
    more = fast.run_variables(final_year=2020, params=params, variables=LABOUR)
    productivity = more.loc[2020, "labour productivity"] / base.loc[2020, "labour productivity"]
    wage = more.loc[2020, "average wage"] / base.loc[2020, "average wage"]
    assert productivity > 1.05
    assert wage == pytest.approx(productivity, rel=0.02)
    assert more.loc[2020, "disposable income per capita"] > base.loc[2020, "disposable income per capita"]


def test_incomes_feed_nothing_back(fast):
    """No feedback to the economy or population (issue 13: none required): the income parameters
    leave GDP, residents and employment unchanged."""
    variables = ["GDP", "resident population", "employment", "disposable income per capita"]
    a = fast.run_variables(final_year=2020, params={"wage share of disposable income": 0.5,
                                                     "frictional unemployment rate": 0.0}, variables=variables)
    b = fast.run_variables(final_year=2020, params={"wage share of disposable income": 0.9,
                                                     "frictional unemployment rate": 0.1}, variables=variables)
    pd.testing.assert_frame_equal(a[variables[:3]], b[variables[:3]])
    assert not np.allclose(a["disposable income per capita"].iloc[1:], b["disposable income per capita"].iloc[1:])


# -- indicators and the target ----------------------------------------------------------------------
def test_income_vs_gdp_indicator_is_the_ratio_of_growth_factors(default_run):
    """Growth of income per unit of GDP = (1 + income growth) / (1 + GDP growth) - 1, so its sign
    is the sign of income growth minus GDP growth."""
    run = default_run
    for year in (2015, 2020):
        income, gdp = run.loc[year, "disposable_income_growth_avg_5y"], run.loc[year, "gdp_growth_avg_5y"]
        expected = ((1 + income / 100) / (1 + gdp / 100) - 1) * 100
        assert run.loc[year, "income_vs_gdp_growth_avg_5y"] == pytest.approx(expected, rel=1e-9)
        assert np.sign(run.loc[year, "income_vs_gdp_growth_avg_5y"]) == np.sign(income - gdp)


def test_the_income_target_is_scored_as_a_floor_and_responds_to_population_control(fast):
    """The target reuses the ``>=`` op on a rate (tolerance 0.5 point); with income tied to output
    per resident, population growth decides it: business as usual grows residents faster than
    the income share moves, so per-capita income trails GDP; strict population control helps."""
    targets = model.plan_targets()
    row = targets[(targets["plan"] == "12th") & (targets["id"] == "income_in_step")].iloc[0]
    assert row["op"] == ">=" and row["value"] == 0 and row["model_indicator"] == "income_vs_gdp_growth_avg_5y"
    assert "持续稳定增长" in row["wording_zh"] and "unverified" in row["notes"]
    bau = fast.run(final_year=2015)
    controlled = fast.run({"population control": fast.levers().set_index("name").loc["population control", "max"]},
                          final_year=2015)
    card = {name: score(run).set_index("target_id").loc["income_in_step"]
            for name, run in (("bau", bau), ("controlled", controlled))}
    assert card["bau"]["value"] < 0 and card["bau"]["status"] == "missed"
    assert card["controlled"]["value"] > card["bau"]["value"]


def test_seed_wording_of_the_target_is_in_the_seed():
    seed = (SCENARIO_DIR / "seed" / "shanghai-12th-fyp-proposal-2010.txt").read_text(encoding="utf-8")
    assert "城乡居民收入持续稳定增长" in seed and "就业岗位持续增长" in seed


# -- two engines --------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["default", "all at min", "all at max"])
def test_both_engines_equal_on_income_indicators(shanghai, fast, case):
    levers = {} if case == "default" else CASES[case]
    ours, theirs = shanghai.run(levers, final_year=2030), fast.run(levers, final_year=2030)
    for indicator in INCOME_INDICATORS:
        a, b = ours[indicator].dropna(), theirs[indicator].dropna()
        assert list(a.index) == list(b.index) and len(a) > 0, indicator
        np.testing.assert_allclose(a, b, rtol=1e-6, err_msg=indicator)
