"""Credibility checks of model/shanghai.mdl: baseline, identities, extreme conditions, time step,
units, second engine, and clean state between runs."""
import math

import numpy as np
import pandas as pd
import pytest

import model
from lever_cases import extreme_cases
from model.paths import BASELINE_FILE, MODEL_FILE

BASELINE = pd.read_csv(BASELINE_FILE)


def scored_indicators() -> list[tuple[str, int]]:
    """(indicator, year) of every plan target, from model/data/plan_targets.csv."""
    targets = model.plan_targets()
    return sorted(set(zip(targets["model_indicator"], targets["year"])))


# -- baseline ---------------------------------------------------------------------------------
@pytest.mark.parametrize("row", BASELINE.to_dict("records"), ids=list(BASELINE["indicator"]))
def test_2010_equals_baseline_figure(default_run, row):
    """At t = 2010 each indicator equals its 2010 figure in model/data/baseline_2010.csv."""
    value = default_run.loc[2010, row["indicator"]]
    assert value == pytest.approx(row["value"], rel=1e-6), row["source"]


COUNTED_FROM_2010 = {"affordable_units_completed"}  # cumulative counts from the projection's start: 0 in 2010


def test_every_level_indicator_has_a_baseline_or_is_derived(shanghai, default_run):
    """Every indicator is either in the baseline file, or a change/growth indicator whose
    2010 value is 0 or undefined (NaN), or an internal level reported without a data figure."""
    table = shanghai.indicators()
    for ind, row in table.iterrows():
        value = default_run.loc[2010, ind]
        if row["kind"] == "change_vs" and row["base_year"] == 2010:
            assert value == 0
        elif row["kind"] in ("growth_yoy", "growth_avg_5y", "change_vs"):
            assert math.isnan(value)
        elif ind in COUNTED_FROM_2010:
            assert value == 0
        else:
            assert np.isfinite(value) and value > 0


# -- accounting identities ----------------------------------------------------------------------
IDENTITIES = {
    "resident = registered + migrant": ("resident population", ["registered population", "migrant residents"]),
    "GDP = sum of sectors": ("GDP", ["primary value added", "secondary value added", "tertiary value added"]),
    "energy = sum of parts": ("total energy use", [
        "primary energy use", "secondary energy use", "tertiary energy use", "household energy use",
        "private car fuel use"]),
    "registered = five age bands": ("registered population", [
        "registered children", "registered aged 15 to 54", "registered aged 55 to 59", "registered aged 60 to 64",
        "registered elderly"]),
    "migrants = five age bands": ("migrant residents", [
        "migrant children", "migrants aged 15 to 54", "migrants aged 55 to 59", "migrants aged 60 to 64",
        "migrant elderly"]),
}


@pytest.mark.parametrize("levers", [{}, {"investment rate": 0.4, "population control": 0.8}], ids=["default", "pushed"])
@pytest.mark.parametrize("identity", IDENTITIES, ids=list(IDENTITIES))
def test_accounting_identity_holds_at_every_saved_time(shanghai, identity, levers):
    total, parts = IDENTITIES[identity]
    raw = shanghai.run_variables(levers, variables=[total, *parts])
    np.testing.assert_allclose(raw[total], raw[parts].sum(axis=1), rtol=1e-12)


# -- extreme conditions, written as data ----------------------------------------------------------
EXTREME_CASES = extreme_cases()


@pytest.fixture(scope="module")
def checked_variables(shanghai):
    doc = shanghai.doc
    stocks = doc.index[doc["Subtype"] == "Integ"].tolist()
    shares = [n for n in doc.index if "share" in n and doc.loc[n, "Units"] == "Dmnl" and doc.loc[n, "Type"] != "Constant"]
    assert len(stocks) >= 12 and len(shares) >= 8
    return stocks, shares


@pytest.mark.parametrize("case", EXTREME_CASES, ids=list(EXTREME_CASES))
def test_extreme_levers_keep_stocks_finite_nonnegative_and_shares_in_unit_interval(shanghai, checked_variables, case):
    stocks, shares = checked_variables
    raw = shanghai.run_variables(EXTREME_CASES[case], final_year=2020, variables=stocks + shares)
    assert np.isfinite(raw[stocks].to_numpy()).all()
    negative = raw[stocks].min()
    assert (negative >= 0).all(), negative[negative < 0].to_dict()
    assert ((raw[shares] >= 0) & (raw[shares] <= 1)).all().all()


# -- time step ---------------------------------------------------------------------------------
def test_halving_the_time_step_moves_no_scored_indicator_by_more_than_0_1_percent(shanghai, default_run):
    halved = shanghai.run(time_step=shanghai.control["TIME STEP"] / 2)
    table = shanghai.indicators()
    for indicator, year in scored_indicators():
        a, b = default_run.loc[year, indicator], halved.loc[year, indicator]
        if table.loc[indicator, "kind"] == "change_vs":  # a change near 0 has no relative precision:
            scale = table.loc[indicator, "scale"]  # compare the level it is the change of
            a, b = 1 + a / scale, 1 + b / scale
        assert abs(a / b - 1) < 1e-3, (indicator, year, a, b)


# -- units and the second engine --------------------------------------------------------------
@pytest.fixture(scope="module")
def simlin_model(shanghai):
    return shanghai.with_engine("simlin")


def test_simlin_finds_no_model_or_unit_issues(simlin_model):
    import simlin

    loaded = simlin.load(MODEL_FILE)
    assert loaded.check() == ()
    assert loaded.check_units() == ()


@pytest.mark.parametrize("case", ["default", "all at min", "all at max"])
def test_simlin_trajectories_equal_pysd_for_scored_indicators(shanghai, simlin_model, case):
    levers = {} if case == "default" else EXTREME_CASES[case]
    ours, theirs = shanghai.run(levers), simlin_model.run(levers)
    for indicator in {ind for ind, _ in scored_indicators()}:
        a, b = ours[indicator].dropna(), theirs[indicator].dropna()
        assert list(a.index) == list(b.index)
        np.testing.assert_allclose(a, b, rtol=1e-6, err_msg=indicator)


# -- clean state between runs --------------------------------------------------------------------
def test_levers_do_not_leak_into_the_next_run(shanghai):
    fresh_default = model.load().run()
    shanghai.run(EXTREME_CASES["all at max"])
    shanghai.run(params={"depreciation rate": 0.1})
    pd.testing.assert_frame_equal(shanghai.run(), fresh_default)


def test_a_lever_changes_the_run_it_is_given_to(shanghai, default_run):
    pushed = shanghai.run({"RD intensity target": {"value": 0.06, "from": 2012}})  # a step at its maximum from 2012 (a number ramps to 2015)
    assert pushed.loc[2015, "rd_share"] > default_run.loc[2015, "rd_share"] + 0.5
    assert pushed.loc[2010, "rd_share"] == default_run.loc[2010, "rd_share"]


def test_remembered_call_counts_change_no_result(shanghai):
    """The engine's speed-up of PySD's cache set-up (pysd_engine.memoize_call_counts) gives the same
    trajectories as PySD's own set-up, for several lever sets in a row."""
    import pysd

    from model.engines.pysd_engine import translate

    plain = pysd.load(str(translate(MODEL_FILE)))
    columns = shanghai.declaration.indicator_variables()
    for levers in ({}, EXTREME_CASES["all at max"], {"RD intensity target": 0.05}, {}):
        params = {**shanghai.constants(), **shanghai.overrides(levers)}  # levers as their knot constants
        ours = shanghai.run_variables(levers, variables=columns)
        theirs = plain.run(params=params, return_columns=columns)
        np.testing.assert_allclose(ours.to_numpy(), theirs[columns].to_numpy(), rtol=1e-12)


def test_pysd_without_the_private_call_counter_runs_plain_and_equal(shanghai):
    """The speed-up uses PySD's private ``_count_calls``; a PySD release without it must run
    plain PySD (slower, same results), not fail."""
    from model.engines.pysd_engine import PySDEngine, memoize_call_counts

    class NoCounter:  # stands in for a PySD model object of a release without _count_calls
        pass

    assert memoize_call_counts(NoCounter(), [()]) is False
    engine = PySDEngine(shanghai.declaration)
    assert engine.memoized  # this PySD has it
    del engine._pysd._count_calls  # the instance's wrapper: PySD's own method is used again
    plain = model.Project(shanghai.declaration, engine)
    levers = {"RD intensity target": 0.05, "car plate quota": 6}
    pd.testing.assert_frame_equal(plain.run(levers), shanghai.run(levers), check_exact=True)
