"""Population 2.0 (issue 12): arrivals that hukou conversion does not shrink, a labour market
whose jobs and workers behave, the jobs -> migration loops as documented, and age bands for
registered and migrant residents (pension age and 65+)."""
import itertools
import math

import numpy as np
import pandas as pd
import pytest

import model
from model import mdl
from model.paths import MODEL_FILE

POPULATION = {n: v for n, v in mdl.read(MODEL_FILE).variables.items() if v.group == "Population"}
STOCKS = [n for n, v in POPULATION.items() if v.is_stock]
BANDS_REGISTERED = ["registered children", "registered aged 15 to 54", "registered aged 55 to 59",
                    "registered aged 60 to 64", "registered elderly"]
BANDS_MIGRANT = ["migrant children", "migrants aged 15 to 54", "migrants aged 55 to 59",
                 "migrants aged 60 to 64", "migrant elderly"]
LABOUR = ["jobs available", "labour supply", "employment", "unemployed", "unfilled jobs",
          "labour demand supply ratio", "labour market pull", "wage index", "capital per job"]
OUTPUTS = ["resident population", "registered population", "migrant residents", "GDP",
           "migrant arrivals", "hukou conversions", "hukou conversions of children",
           "hukou conversions of workers", "share of residents aged 65 plus",
           "share of residents above pension age", "registered ageing to 65",
           *STOCKS, *LABOUR]


@pytest.fixture(scope="module")
def fast():
    return model.load("simlin")


@pytest.fixture(scope="module")
def bau(fast):
    return fast.run_variables(final_year=2020, variables=OUTPUTS)


def _lever_range(project, name):
    row = project.levers().set_index("name").loc[name]
    return float(row["min"]), float(row["max"])


# -- 1. hukou conversion does not shrink the city -----------------------------------------------
def test_raising_hukou_conversion_keeps_residents_and_raises_the_register(fast):
    low, high = _lever_range(fast, "hukou conversion rate")
    runs = {v: fast.run_variables({"hukou conversion rate": v}, final_year=2020, variables=OUTPUTS)
            for v in (low, 0.013, high)}
    residents = [runs[v].loc[2020, "resident population"] for v in (low, 0.013, high)]
    register = [runs[v].loc[2020, "registered population"] for v in (low, 0.013, high)]
    arrivals = [runs[v].loc[2020, "migrant arrivals"] for v in (low, 0.013, high)]
    assert residents == sorted(residents) and residents[-1] > residents[0]
    assert register == sorted(register) and register[-1] > register[0] + 100
    assert arrivals == sorted(arrivals)  # talent attraction: easier hukou draws more, never fewer


def test_arrivals_are_not_driven_by_the_migrant_stock():
    """Converting a migrant must not cut arrivals: no path from the migrant stock to arrivals
    except through the resident population (which conversion leaves unchanged)."""
    variables = mdl.read(MODEL_FILE).variables
    assert "migrant residents" not in variables["potential migrant arrivals"].depends
    assert "migrant residents" not in variables["migrant arrivals"].depends
    assert "resident population" in variables["potential migrant arrivals"].depends


# -- 2. the jobs -> migration loops behave as documented ----------------------------------------
def test_knocking_out_jobs_to_migration_lowers_population_and_growth(fast, bau):
    """Jobs outnumber workers while capital deepens (pull > 1), so the link draws migrants who
    add output: without it (elasticity 0) the city and its economy are smaller."""
    knocked = fast.run_variables(final_year=2020, params={"migration job elasticity": 0}, variables=OUTPUTS)
    assert (knocked["labour market pull"] == 1).all()
    assert bau.loc[2015:2020, "labour market pull"].min() > 1
    assert knocked.loc[2020, "resident population"] < bau.loc[2020, "resident population"] - 20
    growth = lambda run: (run.loc[2020, "GDP"] / run.loc[2015, "GDP"]) ** 0.2 - 1  # noqa: E731
    assert growth(knocked) < growth(bau)


# The polarity of the jobs -> migration loops (B1 jobs fill, R3 jobs - migration - output) is read
# from Simlin's loop analysis with the members declared once in model/loops.yaml: tests/test_v2_loops.py.


# -- 3. no division by zero ---------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    {"employment rate": 0.0}, {"employment rate": 1.0}, {"migration job elasticity": 5.0},
    {"wage adjustment time": 0.5}, {"wage adjustment time": 6.0}, {"maximum labour market pull": 3.0},
    {"migrant outflow rate": 0.0}, {"migrant arrival rate": 0.0}, {"registered birth rate": 0.03},
])
def test_extreme_parameters_run_finite_and_non_negative(fast, params):
    run = fast.run_variables(final_year=2030, params=params, variables=OUTPUTS)
    assert np.isfinite(run.to_numpy()).all()
    assert (run[STOCKS] >= -1e-9).all().all()
    assert (run[["unemployed", "unfilled jobs"]] >= -1e-9).all().all()


def test_employment_rate_zero_on_the_reference_engine(shanghai):
    run = shanghai.run_variables(final_year=2012, params={"employment rate": 0.0},
                                 variables=["employment", "GDP", "resident population"])
    assert np.isfinite(run.to_numpy()).all()
    assert run["employment"].max() <= 0.01 + 1e-9


# -- 4. jobs and workers behave ------------------------------------------------------------------
def test_jobs_grow_with_employment_and_the_gaps_stay_non_negative(bau):
    assert bau["jobs available"].is_monotonic_increasing
    assert bau["employment"].is_monotonic_increasing
    assert (bau["employment"] <= bau["jobs available"] + 1e-9).all()
    assert (bau["employment"] <= bau["labour supply"] + 1e-9).all()
    assert np.allclose(bau["unemployed"] + bau["employment"], bau["labour supply"])
    assert np.allclose(bau["unfilled jobs"] + bau["employment"], bau["jobs available"])


def test_an_investment_slump_brings_unemployment_and_fewer_arrivals(fast, bau):
    low, _ = _lever_range(fast, "investment rate")
    slump = fast.run_variables({"investment rate": low}, final_year=2030, variables=OUTPUTS)
    assert slump.loc[2030, "labour demand supply ratio"] < bau.loc[2020, "labour demand supply ratio"]
    # the jobs channel alone: a slump also eases housing costs (lower incomes want less space),
    # which draws arrivals back (tests/test_v3_housing.py), so housing is held neutral here
    neutral = {"arrivals housing cost elasticity": 0, "investment housing cost elasticity": 0}
    both = [fast.run_variables(levers, final_year=2020, params=neutral, variables=["migrant arrivals"])
            for levers in ({}, {"investment rate": low})]
    assert both[1].loc[2020, "migrant arrivals"] < both[0].loc[2020, "migrant arrivals"]
    assert (slump["unemployed"] >= -1e-9).all()


# -- 5. population that ages -----------------------------------------------------------------------
def test_the_2010_start_matches_the_census_and_the_register(bau):
    start = bau.loc[2010]
    assert start["resident population"] == pytest.approx(2303)
    assert start["registered population"] == pytest.approx(1412.32)
    assert start["share of residents aged 65 plus"] == pytest.approx(0.1012)
    registered_60_plus = start["registered aged 60 to 64"] + start["registered elderly"]
    assert registered_60_plus == pytest.approx(331.02, abs=0.05)  # ageing monitoring, end 2010
    assert sum(start[b] for b in BANDS_REGISTERED) == pytest.approx(start["registered population"])
    assert sum(start[b] for b in BANDS_MIGRANT) == pytest.approx(start["migrant residents"])


def test_migrants_age_and_their_children_and_elderly_are_counted(bau):
    elderly_share = bau["migrant elderly"] / bau["migrant residents"]
    assert elderly_share.max() - elderly_share.min() > 0.002  # not a constant share
    assert (bau["migrants aged 60 to 64"] > 0).all() and (bau["migrant children"] > 0).all()


def test_hukou_conversions_arrive_by_age(bau):
    workers, children = bau["hukou conversions of workers"], bau["hukou conversions of children"]
    assert (children > 0).all() and (workers > 5 * children).all()
    assert np.allclose(workers + children, bau["hukou conversions"])


def test_pension_age_share_lies_above_the_65_plus_share(default_run, bau):
    pension, aged = bau["share of residents above pension age"], bau["share of residents aged 65 plus"]
    assert ((pension > aged) & (pension < 1)).all()
    assert "share_pension_age" in default_run.columns
    assert default_run.loc[2020, "share_pension_age"] == pytest.approx(100 * pension.loc[2020], rel=1e-6)


def test_one_ageing_structure_for_both_decades(shanghai):
    """No ageing-rate constant: the flow to 65 comes from the 60-64 band, so the 2000s run's
    ageing rises with the cohorts (no seam between a 2000s and a 2010s rate)."""
    from calibration.problem import Calibration

    assert not any("ageing rate" in name for name in shanghai.constants())
    problem = Calibration()
    history = problem.reference.run_variables(params=problem.params(problem.spec.start), initial_year=2000,
                                              final_year=2010, variables=["registered ageing to 65",
                                                                          "registered aged 60 to 64"])
    rate = history["registered ageing to 65"] / history["registered aged 60 to 64"]
    assert np.allclose(rate, 1 / 5)
    assert history.loc[2010, "registered ageing to 65"] > 1.2 * history.loc[2000, "registered ageing to 65"]


# -- 6. the 2010 start is read off the calibrated run -----------------------------------------------
def test_unobserved_population_states_are_derived_from_the_calibrated_run():
    derived = set(pd.read_csv(MODEL_FILE.parent.parent / "calibration" / "derived_2010.csv")["parameter"])
    unobserved = {"initial child share of registered population", "initial registered share aged 55 to 59",
                  "initial migrant child share", "initial migrant share aged 55 to 59",
                  "initial migrant share aged 60 to 64", "initial migrant elderly share", "initial wage index"}
    assert unobserved <= derived
    assert "migrant inflow base rate" not in derived  # no rescaled arrival rate at 2010


# -- 7. plausibility with every lever at its limits ----------------------------------------------
GROWTH_LEVERS = ["investment rate", "RD intensity target", "tertiary share of investment",
                 "population control", "hukou conversion rate"]


def test_residents_stay_under_3200_with_every_lever_at_its_limits(fast):
    corners = [_lever_range(fast, name) for name in GROWTH_LEVERS]
    worst = 0.0
    for values in itertools.product(*corners):
        run = fast.run_variables(dict(zip(GROWTH_LEVERS, values)), final_year=2020,
                                 variables=["resident population", *STOCKS])
        assert (run[STOCKS] >= -1e-9).all().all(), values
        worst = max(worst, run.loc[2020, "resident population"])
    assert 2303 < worst < 3200


# -- engines ----------------------------------------------------------------------------------------
def test_both_engines_agree_on_the_population_variables(shanghai, fast):
    levers = {"hukou conversion rate": 0.04, "population control": 0.3, "investment rate": 0.4}
    reference = shanghai.run_variables(levers, final_year=2020, variables=OUTPUTS)
    other = fast.run_variables(levers, final_year=2020, variables=OUTPUTS)
    assert np.allclose(reference.to_numpy(), other.to_numpy(), rtol=1e-6, atol=1e-9)
    assert math.isclose(reference.loc[2020, "resident population"], other.loc[2020, "resident population"],
                        rel_tol=1e-9)
