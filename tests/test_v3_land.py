"""Land (issue 13, section 2): construction land by use, the new-land quota and industrial-land
redevelopment levers, and the land constraint on capital formation.

Land in km2, GDP in 10^8 yuan a year at 2010 prices, output per km2 in 10^8 yuan per km2 a year.
"""
import numpy as np
import pandas as pd
import pytest

from model.metadata import plan_targets

QUOTA = "new construction land quota"
REDEVELOPMENT = "industrial land redevelopment rate"
CONSTRAINT = "land constraint on capital formation"
STOCKS = ["industrial land", "residential land", "other construction land"]
LAND = [*STOCKS, "construction land", "land left for development", "new construction land",
        "industrial land redevelopment", "land shortage ratio", CONSTRAINT, "GDP",
        "output per km2 of construction land", "secondary capital", "tertiary capital"]
SHANGHAI_AREA = 6340.5  # km2, the municipality's land area (model constant `Shanghai land area`)
SURVEY_2009 = 2960.11  # km2, 2nd land survey, end-2009 (城镇村及工矿用地 + transport land)


def _run(project, levers=None, final_year=2030):
    return project.run_variables(levers=levers or {}, final_year=final_year, variables=LAND)


@pytest.fixture(scope="module")
def lever_range(shanghai):
    """(min, max) of each land lever, read from the model file's knot ranges."""
    levers = shanghai.levers().set_index("name")
    return {name: (float(levers.loc[name, "min"]), float(levers.loc[name, "max"])) for name in (QUOTA, REDEVELOPMENT)}


@pytest.fixture(scope="module")
def bau(shanghai):
    return _run(shanghai)


@pytest.fixture(scope="module")
def history(problem, estimates):
    """The calibrated 2000-2010 run (recorded lever paths, land levers at their defaults)."""
    return problem.simulate_pysd(estimates, LAND)


def test_the_land_levers_are_declared(shanghai):
    levers = shanghai.levers().set_index("name")
    assert {QUOTA, REDEVELOPMENT} <= set(levers.index)
    assert levers.loc[QUOTA, "label_zh"] and levers.loc[REDEVELOPMENT, "label_en"]
    constants = shanghai.constants()
    assert constants["Shanghai land area"] == SHANGHAI_AREA


def test_land_does_not_limit_the_calibrated_history(history):
    """Neutral over 2000-2010: the quota never binds, so capital formation (and GDP) are as
    without the land model; the run passes through the 2009 land survey."""
    assert (history[CONSTRAINT] > 1 - 1e-3).all() and (history[CONSTRAINT] <= 1).all()
    assert history["land shortage ratio"].min() == pytest.approx(1)
    assert history.loc[2009, "construction land"] == pytest.approx(SURVEY_2009, rel=0.01)
    assert (history["construction land"].diff().dropna() > 0).all()


def test_the_default_quota_would_not_bind_in_the_history_either(problem, estimates, shanghai):
    """The late-2000s quota (the lever's default, 110 km2 a year) held over all of 2000-2010
    leaves the calibrated history unchanged too: the recorded path's higher 2000s value only
    guards the fit against parameter sets with more capital."""
    default = shanghai.levers().set_index("name").loc[QUOTA, "default"]
    knots = {f"{QUOTA} point {k} value": default for k in range(1, 6)}
    run = problem.reference.run_variables(params={**problem.params(estimates), **knots}, initial_year=2000,
                                          final_year=2010, variables=LAND)
    assert (run[CONSTRAINT] > 1 - 1e-3).all()
    recorded = problem.simulate_pysd(estimates, ["GDP"])
    np.testing.assert_allclose(run["GDP"], recorded["GDP"], rtol=1e-12)


def test_default_projection_starts_unconstrained(shanghai, bau):
    """The 2010 start: no land shortage, and the land stocks the calibrated run reached in 2010
    (derived 2010 states), a little over the 2009 survey."""
    assert bau.loc[2010, CONSTRAINT] == pytest.approx(1)
    constants = shanghai.constants()
    start = sum(constants[f"initial {stock}"] for stock in STOCKS)
    assert bau.loc[2010, "construction land"] == pytest.approx(start)
    assert SURVEY_2009 < start < SURVEY_2009 * 1.06


def test_a_tight_quota_cuts_capital_formation_and_gdp(shanghai, bau, lever_range):
    low, high = lever_range[QUOTA]
    none = _run(shanghai, {QUOTA: low}, 2020)
    loose = _run(shanghai, {QUOTA: high}, 2020)
    years = list(range(2012, 2021))
    assert (none.loc[years, CONSTRAINT] < 1).all()
    assert (none.loc[years, "GDP"] < bau.loc[years, "GDP"]).all()
    assert (bau.loc[years, "GDP"] <= loose.loc[years, "GDP"] + 1e-6).all()
    capital = lambda run: run["secondary capital"] + run["tertiary capital"]  # noqa: E731
    assert (capital(none).loc[years] < capital(bau).loc[years]).all()


def test_no_quota_and_no_redevelopment_freeze_land_and_lower_gdp(shanghai, bau, lever_range):
    frozen = _run(shanghai, {QUOTA: lever_range[QUOTA][0], REDEVELOPMENT: lever_range[REDEVELOPMENT][0]})
    for stock in [*STOCKS, "construction land"]:
        assert np.allclose(frozen[stock], frozen.loc[2010, stock]), stock
    later = frozen.index > 2010
    assert (frozen.loc[later, "GDP"] < bau.loc[later, "GDP"]).all()


def test_redevelopment_raises_output_per_km2(shanghai, lever_range):
    low, high = lever_range[REDEVELOPMENT]
    none = _run(shanghai, {REDEVELOPMENT: low}, 2020)
    most = _run(shanghai, {REDEVELOPMENT: high}, 2020)
    years = list(range(2012, 2021))
    assert (most.loc[years, "output per km2 of construction land"]
            > none.loc[years, "output per km2 of construction land"]).all()
    assert (most.loc[years, "industrial land"] < none.loc[years, "industrial land"]).all()


@pytest.mark.parametrize("quota_end", ["min", "max"])
@pytest.mark.parametrize("redevelopment_end", ["min", "max"])
def test_extremes_stay_within_the_land_area(shanghai, lever_range, quota_end, redevelopment_end):
    """Every corner of the land levers, with the fastest growth the investment lever allows:
    construction land never exceeds Shanghai's area, no stock goes negative, the constraint is a
    share, all finite (2000-2030)."""
    pick = {"min": 0, "max": 1}
    levers = {QUOTA: lever_range[QUOTA][pick[quota_end]],
              REDEVELOPMENT: lever_range[REDEVELOPMENT][pick[redevelopment_end]],
              "investment rate": shanghai.levers().set_index("name").loc["investment rate", "max"]}
    run = _run(shanghai, levers)
    assert np.isfinite(run.to_numpy(float)).all()
    assert (run["construction land"] <= SHANGHAI_AREA).all()
    assert (run["land left for development"] >= 0).all()
    assert (run[STOCKS] >= 0).all().all()
    assert run[CONSTRAINT].between(0, 1).all() and run["land shortage ratio"].between(0, 1).all()


def test_the_area_binds_at_the_largest_quota(shanghai, lever_range):
    """At the largest quota and investment, land approaches the area without crossing it."""
    run = _run(shanghai, {QUOTA: lever_range[QUOTA][1], REDEVELOPMENT: 0,
                          "investment rate": shanghai.levers().set_index("name").loc["investment rate", "max"]})
    assert run.loc[2030, "construction land"] > 0.95 * SHANGHAI_AREA
    assert run["construction land"].max() <= SHANGHAI_AREA


def test_both_engines_agree_when_land_binds(shanghai):
    levers = {QUOTA: 20, REDEVELOPMENT: 0.02}
    pysd = _run(shanghai, levers, 2025)
    simlin = _run(shanghai.with_engine("simlin"), levers, 2025)
    assert pysd.loc[2025, CONSTRAINT] < 0.9  # the limit acts in this comparison
    pd.testing.assert_frame_equal(pysd, simlin, rtol=1e-9, atol=1e-9)


def test_construction_land_cap_is_scored(shanghai, bau):
    targets = plan_targets()
    row = targets[targets["model_indicator"] == "construction_land"]
    assert len(row) == 1 and row["op"].iloc[0] == "<=" and float(row["value"].iloc[0]) == 3185
    indicators = shanghai.run(final_year=2020)
    assert {"construction_land", "output_per_km2"} <= set(indicators.columns)
    assert indicators.loc[2010, "construction_land"] == pytest.approx(bau.loc[2010, "construction land"])
