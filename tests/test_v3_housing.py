"""Housing and the cost of living (issue 13, section 2): the floor-space stock, the housing cost
index and its two hooks (migrant arrivals, productive investment), the affordable-housing lever
and its investment cost."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import model

HOOKS = ["housing cost effect on arrivals", "business cost effect on investment"]
STOCKS = ["housing floor space", "market housing under construction", "affordable housing under construction",
          "affordable units completed"]
WATCH = [*STOCKS, *HOOKS, "housing cost index", "floor space per resident", "migrant arrivals",
         "productive investment", "affordable housing investment cost", "resident population", "GDP"]
LEVER = "affordable housing starts"


@pytest.fixture(scope="module")
def fast():
    return model.load(engine="simlin")


@pytest.fixture(scope="module")
def bau(fast):
    return fast.run_variables(final_year=2030, variables=WATCH)


def _run(project, levers=None, params=None):
    return project.run_variables(levers, final_year=2030, params=params, variables=WATCH)


def test_the_lever_is_declared_with_its_range_and_a_2010_default(fast):
    row = fast.levers().set_index("name").loc[LEVER]
    assert (row["min"], row["max"], row["default"]) == (0, 40, 10)


@pytest.mark.parametrize("starts, control, investment", list(itertools.product((0, 10, 40), (0, 0.8), (0.2, 0.4))))
def test_cost_index_stays_positive_and_finite_and_no_stock_goes_negative(fast, starts, control, investment):
    run = _run(fast, {LEVER: starts, "population control": control, "investment rate": investment})
    index = run["housing cost index"]
    assert np.isfinite(run.to_numpy()).all()
    assert (index > 0).all() and (index >= 1 - 1e-12).all()
    assert (run[STOCKS] >= 0).all().all()
    assert ((run[HOOKS] > 0) & (run[HOOKS] <= 1 + 1e-12)).all().all()


@pytest.mark.parametrize("params", [
    {"normal market housing starts": 0, "housing demolition rate": 0.02},  # nothing built, fastest demolition
    {"housing construction time": 1, "market housing supply elasticity": 3, "housing cost elasticity": 3},
    {"housing demand income elasticity": 1.5, "arrivals housing cost elasticity": 2,
     "investment housing cost elasticity": 1},
])
def test_limits_at_their_extremes_keep_the_index_finite_and_stocks_positive(fast, params):
    run = _run(fast, {LEVER: 0}, params)
    assert np.isfinite(run.to_numpy()).all()
    assert (run["housing cost index"] > 0).all()
    assert (run[STOCKS] >= 0).all().all()


def test_more_affordable_housing_lowers_cost_raises_arrivals_and_costs_investment(fast, bau):
    more = _run(fast, {LEVER: 40})
    binding = slice(2014, 2030)  # the business-as-usual limit binds from 2013 on
    assert (bau.loc[binding, "housing cost index"] > 1).all()
    assert (more.loc[binding, "housing cost index"] < bau.loc[binding, "housing cost index"]).all()
    assert (more.loc[binding, "migrant arrivals"] > bau.loc[binding, "migrant arrivals"]).all()
    # 30 (10^4) dwellings a year more x 60 m2 x 3000 yuan/m2 = 540 (10^8 yuan) a year diverted
    assert more.loc[2015, "affordable housing investment cost"] == pytest.approx(540)
    assert more.loc[2011, "productive investment"] < bau.loc[2011, "productive investment"]


def test_the_affordable_programme_of_the_2000s_costs_nothing_extra(bau):
    assert (bau["affordable housing investment cost"] == 0).all()


def test_zero_construction_raises_cost_and_cuts_arrivals(fast, bau):
    none = _run(fast, {LEVER: 0}, {"normal market housing starts": 0})
    later = slice(2014, 2030)
    assert (none.loc[later, "housing cost index"] > bau.loc[later, "housing cost index"]).all()
    assert (none.loc[later, "migrant arrivals"] < bau.loc[later, "migrant arrivals"]).all()
    assert none.loc[2030, "floor space per resident"] < bau.loc[2030, "floor space per resident"]


def test_hooks_are_one_over_2000_2010_in_the_calibrated_run(problem, estimates):
    values = problem.engine.run(problem.params(estimates), problem.times, [*HOOKS, "housing cost index"])
    assert np.abs(np.asarray(values) - 1).max() < 1e-3


def test_hooks_are_one_at_2010_at_default_levers(bau):
    assert np.abs(bau.loc[2010:2012, [*HOOKS, "housing cost index"]].to_numpy(float) - 1).max() < 1e-3


def test_hooks_are_one_over_2000_2010_in_the_out_of_sample_run():
    """The 2000-2005 fit run on to 2010 (a different growth path) does not reach the limit either."""
    from calibration import out_of_sample as oos
    from calibration.problem import Calibration

    problem = Calibration(fit_until=oos.FIT_UNTIL, hold=oos.committed_held())
    values = problem.engine.run(problem.params(oos.read_estimates(problem)), problem.times, HOOKS)
    assert np.abs(np.asarray(values) - 1).max() < 1e-3


def test_the_cost_index_binds_once_residents_outgrow_housing(fast):
    """Crowding the same floor space with more residents (no control, no affordable housing) raises
    housing cost and deters arrivals; an emptier city (strong control) keeps it lower."""
    crowded = _run(fast, {LEVER: 0, "population control": 0})
    controlled = _run(fast, {LEVER: 0, "population control": 0.8})
    assert crowded.loc[2020, "housing cost index"] > controlled.loc[2020, "housing cost index"]


def test_affordable_dwellings_are_counted_from_2011_and_scored(fast, bau):
    assert bau.loc[2010, "affordable units completed"] == 0
    # the 2010 pipeline (25) completes over 2.5 years while 10 a year are started: 10 a year completed
    assert bau.loc[2015, "affordable units completed"] == pytest.approx(50, rel=1e-6)
    targets = fast.targets
    row = targets[targets["model_indicator"] == "affordable_units_completed"]
    assert len(row) == 1 and float(row["value"].iloc[0]) == 100 and int(row["year"].iloc[0]) == 2015
    indicators = fast.run(final_year=2015)
    assert indicators.loc[2015, "affordable_units_completed"] == pytest.approx(50, rel=1e-6)


def test_both_engines_give_the_same_housing(fast):
    reference = model.load()
    levers = {LEVER: 35, "population control": 0.2}
    a = reference.run_variables(levers, final_year=2030, variables=WATCH)
    b = fast.run_variables(levers, final_year=2030, variables=WATCH)
    np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-9)


def test_an_investment_slump_eases_housing_costs(fast, bau):
    """Lower incomes want less floor space: a slump lowers the cost index (and so, through it,
    draws migrants back: the housing channel offsets part of the jobs channel)."""
    slump = _run(fast, {"investment rate": 0.2})
    assert slump.loc[2020, "housing cost index"] < bau.loc[2020, "housing cost index"]
    assert slump.loc[2020, "housing cost effect on arrivals"] > bau.loc[2020, "housing cost effect on arrivals"]
