"""Model 2.0 part 2 (issue 13, section 3), the four centres: services split into finance, trade
and shipping, and other services; a port-capacity pipeline whose capacity caps container
throughput driven by trade; the financial-opening and port-investment levers feeding back on
services through the services output multiplier, which is 1 over 2000-2010 and at the default
levers. Both engines must agree."""
import numpy as np
import pandas as pd
import pytest

import model
from model.scenarios import load_scenario
from model.paths import MODEL_FILE

SCENARIO_DIR = MODEL_FILE.parent.parent / "scenarios"
OPENING, PORT = "financial opening", "port capacity starts"
STOCKS = ["port capacity", "port capacity under construction stage 1", "port capacity under construction stage 2",
          "realised financial opening"]
SHARES = ["finance share of GDP", "tertiary share of GDP", "tertiary share of GDP at 2010 prices"]
SEGMENTS = ["finance value added", "trade and shipping value added", "other services value added"]
CENTRES = ["services output multiplier", "container throughput", "container throughput demand",
           "trade", *SEGMENTS, "tertiary value added", "GDP", *SHARES, *STOCKS]


@pytest.fixture(scope="module")
def fast(shanghai):
    return shanghai.with_engine("simlin")


def lever_range(project, name) -> tuple[float, float]:
    row = project.levers().set_index("name").loc[name]
    return float(row["min"]), float(row["max"])


def corners(project) -> list[dict[str, float]]:
    (o_lo, o_hi), (p_lo, p_hi) = lever_range(project, OPENING), lever_range(project, PORT)
    return [{OPENING: o, PORT: p} for o in (o_lo, o_hi) for p in (p_lo, p_hi)]


# -- the levers are declared ----------------------------------------------------------------
def test_the_two_levers_are_declared_with_labels_units_and_a_late_2000s_default(shanghai):
    levers = shanghai.levers().set_index("name")
    assert {OPENING, PORT} <= set(levers.index)
    assert lever_range(shanghai, OPENING) == (0, 1)
    assert lever_range(shanghai, PORT) == (0, 1000)
    # the default path is a constant at the late-2000s value
    assert {v for _, v in shanghai.lever_path(OPENING)} == {0.25}
    assert {v for _, v in shanghai.lever_path(PORT)} == {400}


# -- neutral at the defaults: the history and the default projection are unchanged -------------
def test_default_levers_leave_services_as_the_sector_model_gives_them(fast):
    run = fast.run_variables(variables=CENTRES)
    np.testing.assert_array_equal(run["services output multiplier"], 1.0)
    np.testing.assert_array_equal(run["container throughput"], run["container throughput demand"])


def test_the_centres_parameters_change_nothing_at_the_default_levers(fast):
    """Neutrality by structure, not by chance: at the default levers the opening and port
    elasticities can take any value without moving GDP (the multiplier is exactly 1)."""
    base = fast.run_variables(variables=["GDP", "tertiary share of GDP"])
    strong = fast.run_variables(params={"finance opening elasticity": 2, "trade opening elasticity": 1,
                                        "shipping services elasticity": 1},
                                variables=["GDP", "tertiary share of GDP"])
    pd.testing.assert_frame_equal(base, strong)


def test_the_2000_2010_history_is_unchanged(problem, estimates):
    """The calibration's run from 2000: the port never binds and the multiplier is 1 every year,
    so the calibrated services history does not move; the fitted throughput follows the sourced
    2004-2009 points (offline fit, MAPE 7.9 %) within 12 % on average."""
    run = problem.simulate_pysd(estimates, variables=CENTRES)
    assert run.index[0] == 2000 and run.index[-1] == 2010
    np.testing.assert_allclose(run["services output multiplier"], 1.0, rtol=0, atol=1e-12)
    assert (run["container throughput"].to_numpy() < run["port capacity"].to_numpy()).all()
    sourced = pd.Series({2004: 1455, 2005: 1808, 2006: 2171, 2008: 2800.6, 2009: 2500})
    errors = (run.loc[sourced.index, "container throughput"] / sourced - 1).abs()
    assert errors.mean() < 0.12, errors.to_dict()


def test_the_segments_add_up_to_services(fast):
    for setting in corners(fast) + [{}]:
        run = fast.run_variables(setting, final_year=2030, variables=CENTRES)
        np.testing.assert_allclose(run[SEGMENTS].sum(axis=1), run["tertiary value added"], rtol=1e-12)
        assert (run[SEGMENTS] > 0).all().all(), setting


# -- the port limit ---------------------------------------------------------------------------
@pytest.mark.parametrize("final_year", [2020, 2030])
def test_throughput_never_exceeds_capacity(fast, final_year):
    rng = np.random.default_rng(13)
    (o_lo, o_hi), (p_lo, p_hi) = lever_range(fast, OPENING), lever_range(fast, PORT)
    settings = corners(fast) + [{}] + [{OPENING: float(o), PORT: float(p)}
                                       for o, p in zip(rng.uniform(o_lo, o_hi, 12), rng.uniform(p_lo, p_hi, 12))]
    for setting in settings:
        run = fast.run_variables(setting, final_year=final_year, variables=CENTRES)
        assert (run["container throughput"].to_numpy() <= run["port capacity"].to_numpy() + 1e-9).all(), setting
        assert (run["container throughput"].to_numpy() <= run["container throughput demand"].to_numpy() + 1e-9).all(), setting


def test_port_investment_raises_throughput_and_the_services_share(fast):
    """No new terminals: capacity binds before 2020, throughput and services fall behind; the
    most investment keeps the port ahead of trade."""
    low, high = lever_range(fast, PORT)
    none = fast.run_variables({PORT: low}, variables=CENTRES).loc[2020]
    most = fast.run_variables({PORT: high}, variables=CENTRES).loc[2020]
    assert none["container throughput"] == pytest.approx(none["port capacity"])  # the limit binds
    assert none["container throughput"] < 0.9 * most["container throughput"]
    assert none["services output multiplier"] < 1 == pytest.approx(most["services output multiplier"])
    assert none["tertiary share of GDP"] < most["tertiary share of GDP"] - 0.005
    assert none["GDP"] < most["GDP"]


def test_the_pipeline_delays_new_capacity(fast):
    """Capacity started from 2011 enters service over about three years, not at once."""
    default = fast.run_variables(variables=["port capacity"])["port capacity"]
    more = fast.run_variables({PORT: 1000}, variables=["port capacity"])["port capacity"]
    extra = more - default
    assert extra.loc[2011] < 0.2 * 600  # under a fifth of the first year's extra starts in service
    assert extra.loc[2016] > 0.6 * 600 * 5  # most of five years' extra starts in service by 2016


# -- financial opening -------------------------------------------------------------------------
def test_opening_raises_the_finance_and_tertiary_shares_and_trade(fast):
    low, high = lever_range(fast, OPENING)
    closed = fast.run_variables({OPENING: low}, variables=CENTRES)
    default = fast.run_variables(variables=CENTRES)
    opened = fast.run_variables({OPENING: high}, variables=CENTRES)
    for year in (2015, 2020):
        assert closed.loc[year, "finance share of GDP"] < default.loc[year, "finance share of GDP"] \
            < opened.loc[year, "finance share of GDP"] - 0.01
        assert closed.loc[year, "tertiary share of GDP"] < default.loc[year, "tertiary share of GDP"] \
            < opened.loc[year, "tertiary share of GDP"] - 0.005
        assert closed.loc[year, "trade"] < default.loc[year, "trade"] < opened.loc[year, "trade"]
    # a stock: a policy set from 2011 leaves the 2010 base (GDP 17165.98) as it is
    for run in (closed, opened):
        pd.testing.assert_series_equal(run.loc[2010], default.loc[2010])


def test_the_65_percent_target_responds_to_the_centres_levers(shanghai):
    """一(4)'s 65 % tertiary share responds to these levers, not only to the investment split and
    the reform pace: the four-centres scenario beats the plan scenario in 2015."""
    plan = shanghai.run(load_scenario(SCENARIO_DIR / "plan.yaml", shanghai).levers)
    centres = shanghai.run(load_scenario(SCENARIO_DIR / "four-centres.yaml", shanghai).levers)
    assert centres.loc[2015, "tertiary_share"] > plan.loc[2015, "tertiary_share"]
    assert centres.loc[2020, "finance_share"] > plan.loc[2020, "finance_share"] + 1  # percentage points
    assert centres.loc[2020, "container_throughput"] >= plan.loc[2020, "container_throughput"]


def test_the_four_centres_scenario_pushes_both_levers_up(shanghai):
    levers = load_scenario(SCENARIO_DIR / "four-centres.yaml", shanghai).levers
    year = model.lever_paths.model_time(2020)
    for lever in (OPENING, PORT):
        default = model.lever_paths.value_at(shanghai.lever_path(lever), year)
        assert model.lever_paths.value_at(shanghai.lever_path(lever, levers[lever]), year) > default, lever


# -- extreme conditions -------------------------------------------------------------------------
@pytest.mark.parametrize("params", [{}, {"initial port capacity": 0, "initial port capacity under construction": 0},
                                    {"finance opening elasticity": 2, "trade opening elasticity": 1,
                                     "shipping services elasticity": 1}])
def test_extreme_levers_and_limits_stay_finite_with_shares_in_the_unit_interval(fast, params):
    for setting in corners(fast):
        run = fast.run_variables(setting, final_year=2030, params=params, variables=CENTRES)
        assert np.isfinite(run.to_numpy()).all(), (setting, params)
        assert (run[STOCKS] >= 0).all().all(), (setting, params)
        assert (run[SHARES] >= 0).all().all() and (run[SHARES] <= 1).all().all(), (setting, params)
        assert (run["container throughput"].to_numpy() <= run["port capacity"].to_numpy() + 1e-9).all(), (setting, params)


def test_no_port_at_all_leaves_trade_and_shipping_services_with_nothing_to_handle(fast):
    run = fast.run_variables({PORT: 0}, params={"initial port capacity": 0, "initial port capacity under construction": 0},
                             variables=CENTRES)
    assert (run["container throughput"] == 0).all()
    assert (run["trade and shipping value added"] == 0).all()
    assert (run["finance value added"] > 0).all() and (run["other services value added"] > 0).all()


# -- both engines --------------------------------------------------------------------------------
def test_both_engines_agree_on_the_centres(shanghai, fast):
    settings = corners(shanghai) + [load_scenario(SCENARIO_DIR / "four-centres.yaml", shanghai).levers]
    for setting in settings:
        a = shanghai.run_variables(setting, final_year=2030, variables=CENTRES)
        b = fast.run_variables(setting, final_year=2030, variables=CENTRES)
        np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-12, err_msg=str(setting))
