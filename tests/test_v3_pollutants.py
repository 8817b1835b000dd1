"""Model 2.0 part 2 (issue 13, section 3), pollutants: SO2 and NOx from coal and oil net of
desulphurisation and denitrification retrofits, COD and ammonia nitrogen from residents and
industry net of sewage treatment; the retrofits and plants cost investment; the 2005 and 2010
totals (two points each: anchored, not estimated) are reproduced; both engines agree."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

import model
from model.history import history_with_derived

EMISSIONS = ["SO2 emissions", "NOx emissions", "COD emissions", "ammonia nitrogen emissions"]
SHARES = ["desulphurised share of coal", "denitrified share of coal", "sewage treatment rate",
          "upgraded share of treatment capacity", "desulphurisation retrofits under way",
          "denitrification retrofits under way"]
STOCKS = ["sewage treatment capacity", "sewage plants under construction"]
CHECKED = [*EMISSIONS, *SHARES, *STOCKS, "abatement investment cost", "GDP"]
LEVERS = ["desulphurisation retrofit rate", "denitrification retrofit rate", "sewage treatment capacity starts",
          "treatment upgrade rate"]
ANCHORS = {"so2_emissions": "SO2 emissions", "cod_emissions": "COD emissions"}


@pytest.fixture(scope="module")
def fast(shanghai):
    return shanghai.with_engine("simlin")


@pytest.fixture(scope="module")
def ranges(shanghai):
    return shanghai.levers().set_index("name").loc[LEVERS, ["min", "max", "default"]]


@pytest.fixture(scope="module")
def bau(fast):
    return fast.run_variables(variables=CHECKED, final_year=2030)


def assert_sound(raw: pd.DataFrame, where: str) -> None:
    """Finite, emissions and stocks never negative, shares within [0, 1]."""
    assert np.isfinite(raw.to_numpy()).all(), where
    assert (raw[EMISSIONS + STOCKS + ["abatement investment cost"]] >= 0).all().all(), (where, raw.min().to_dict())
    shares = raw[SHARES].to_numpy()
    assert (shares >= 0).all() and (shares <= 1 + 1e-12).all(), (where, raw[SHARES].max().to_dict())


# -- extreme conditions ---------------------------------------------------------------------------
@pytest.mark.parametrize("corner", ["min", "max"])
def test_pollutant_levers_at_their_bounds_keep_emissions_nonnegative_and_shares_in_unit_interval(fast, ranges, corner):
    setting = dict(ranges[corner])
    assert_sound(fast.run_variables(setting, variables=CHECKED, final_year=2030), f"{corner}: {setting}")


def test_emissions_never_negative_over_a_hypercube_of_every_lever(fast):
    levers = fast.levers().set_index("name")
    sample = qmc.LatinHypercube(d=len(levers), seed=13).random(30)
    for point in qmc.scale(sample, levers["min"].to_numpy(), levers["max"].to_numpy()):
        setting = dict(zip(levers.index, point))
        assert_sound(fast.run_variables(setting, variables=CHECKED, final_year=2030), str(setting))


@pytest.mark.parametrize("params", [
    {"desulphurisation efficiency": 1, "denitrification efficiency": 1, "COD removal efficiency": 1,
     "upgraded ammonia removal efficiency": 1, "basic ammonia removal efficiency": 1},
    {"desulphurisation efficiency": 0, "denitrification efficiency": 0, "COD removal efficiency": 0,
     "upgraded ammonia removal efficiency": 0, "basic ammonia removal efficiency": 0},
    {"initial sewage treatment capacity": 0, "initial sewage plants under construction": 0, "sewage per resident": 0},
    {"initial desulphurised share of coal": 1, "initial desulphurisation retrofits under way": 0,
     "initial denitrified share of coal": 1, "initial denitrification retrofits under way": 0,
     "initial upgraded share of treatment capacity": 1},
], ids=["perfect removal", "no removal", "no sewage, no plants", "everything covered"])
@pytest.mark.parametrize("corner", ["min", "max"])
def test_limits_at_zero_or_one_keep_the_pollutant_part_sound(fast, ranges, params, corner):
    setting = dict(ranges[corner])
    raw = fast.run_variables(setting, params=params, variables=CHECKED, final_year=2030)
    assert_sound(raw, f"{params} {corner}")


def test_perfect_removal_leaves_only_the_uncovered_and_oil_emissions(fast):
    """Everything covered and removed: SO2 is the oil part only, NOx the oil part only."""
    params = {"desulphurisation efficiency": 1, "denitrification efficiency": 1, "initial desulphurised share of coal": 1,
              "initial desulphurisation retrofits under way": 0, "initial denitrified share of coal": 1,
              "initial denitrification retrofits under way": 0}
    raw = fast.run_variables(params=params, variables=["SO2 emissions", "NOx emissions", "oil use"])
    constants = fast.constants()
    np.testing.assert_allclose(raw["SO2 emissions"], raw["oil use"] * constants["oil SO2 factor"], rtol=1e-9)
    np.testing.assert_allclose(raw["NOx emissions"], raw["oil use"] * constants["oil NOx factor"], rtol=1e-9)


# -- levers: effect and cost ------------------------------------------------------------------------
def test_more_retrofits_lower_so2_and_nox_cost_more_and_lower_gdp(fast, bau, ranges):
    more = fast.run_variables({"desulphurisation retrofit rate": ranges.loc["desulphurisation retrofit rate", "max"],
                               "denitrification retrofit rate": ranges.loc["denitrification retrofit rate", "max"]},
                              variables=CHECKED, final_year=2030)
    later = more.index > 2011
    assert (more.loc[later, "SO2 emissions"] < bau.loc[later, "SO2 emissions"]).all()
    assert (more.loc[later, "NOx emissions"] < bau.loc[later, "NOx emissions"]).all()
    # the retrofits are paid for as they start: more investment in the plan period (later less is
    # left to retrofit), taken from productive investment, so GDP is lower
    plan = slice(2011, 2015)
    assert more.loc[plan, "abatement investment cost"].sum() > bau.loc[plan, "abatement investment cost"].sum() + 10
    assert more.loc[2011, "abatement investment cost"] > bau.loc[2011, "abatement investment cost"]
    assert (more.loc[2012:2015, "GDP"] < bau.loc[2012:2015, "GDP"]).all()
    assert more.loc[2010, "GDP"] == bau.loc[2010, "GDP"]


def test_no_retrofits_raise_so2_and_nox_above_business_as_usual(fast, bau):
    none = fast.run_variables({"desulphurisation retrofit rate": 0, "denitrification retrofit rate": 0},
                              variables=CHECKED, final_year=2030)
    later = none.index > 2011
    assert (none.loc[later, "SO2 emissions"] > bau.loc[later, "SO2 emissions"]).all()
    assert (none.loc[later, "NOx emissions"] > bau.loc[later, "NOx emissions"]).all()
    assert (none.loc[later, "GDP"] > bau.loc[later, "GDP"]).all()  # the retrofits' investment stays productive


def test_zero_treatment_expansion_leaves_cod_and_ammonia_above_business_as_usual(fast, bau):
    none = fast.run_variables({"sewage treatment capacity starts": 0}, variables=CHECKED, final_year=2030)
    later = none.index >= 2012
    assert (none.loc[later, "COD emissions"] > bau.loc[later, "COD emissions"]).all()
    assert (none.loc[later, "ammonia nitrogen emissions"] > bau.loc[later, "ammonia nitrogen emissions"]).all()
    assert (none.loc[later, "sewage treatment rate"] < bau.loc[later, "sewage treatment rate"]).all()
    # a growing population with no new plants: the treated share falls
    assert none.loc[2030, "sewage treatment rate"] < none.loc[2013, "sewage treatment rate"]


def test_plant_upgrades_cut_ammonia_not_cod(fast, bau):
    more = fast.run_variables({"treatment upgrade rate": 0.5}, variables=CHECKED, final_year=2030)
    later = more.index > 2011
    assert (more.loc[later, "ammonia nitrogen emissions"] < bau.loc[later, "ammonia nitrogen emissions"]).all()
    np.testing.assert_allclose(more.loc[later, "COD emissions"], bau.loc[later, "COD emissions"], rtol=2e-3)


def test_abatement_cost_is_the_sum_of_its_parts(fast):
    parts = ["desulphurisation investment", "denitrification investment", "sewage treatment investment",
             "treatment upgrade investment"]
    raw = fast.run_variables({"denitrification retrofit rate": 0.3}, variables=[*parts, "abatement investment cost"])
    np.testing.assert_allclose(raw[parts].sum(axis=1), raw["abatement investment cost"], rtol=1e-12)
    assert (raw[parts] > 0).all().all()


# -- 2010 start and the 2005 and 2010 anchors --------------------------------------------------------
def anchor_points() -> pd.DataFrame:
    history = history_with_derived()
    rows = history[history["indicator"].isin(list(ANCHORS)) & (history["quality"] == "sourced")]
    assert set(zip(rows["indicator"], rows["year"])) == {(s, y) for s in ANCHORS for y in (2005, 2010)}
    return rows


def test_projection_starts_from_the_official_2010_totals(default_run):
    points = anchor_points().set_index(["indicator", "year"])["value"]
    assert default_run.loc[2010, "so2"] == pytest.approx(points[("so2_emissions", 2010)], rel=1e-6)
    assert default_run.loc[2010, "cod"] == pytest.approx(points[("cod_emissions", 2010)], rel=1e-6)


def test_calibrated_2000_run_reproduces_the_2005_and_2010_totals_within_5_percent(problem, estimates):
    run = problem.simulate_pysd(estimates, variables=list(ANCHORS.values()))
    for row in anchor_points().itertuples():
        simulated = run.loc[row.year, ANCHORS[row.indicator]]
        assert simulated == pytest.approx(row.value, rel=0.05), (row.indicator, row.year, simulated)
    assert (run > 0).all().all()


def test_business_as_usual_continues_the_recorded_2006_2010_pace(shanghai, problem, estimates):
    """The default of each anchored lever is its recorded 2010 knot (the late-2000s pace)."""
    knots = problem.knot_values(estimates)
    defaults = shanghai.levers().set_index("name")["default"]
    for lever in LEVERS:
        assert defaults[lever] == pytest.approx(knots[f"{lever} point 5 value"], rel=1e-9), lever


# -- targets and both engines ---------------------------------------------------------------------------
def test_the_pollutant_cuts_are_scored_relative_to_2010_and_flagged_unverified():
    targets = model.plan_targets().set_index("model_indicator")
    for indicator, cut in {"so2_change_vs_2010": -13.7, "nox_change_vs_2010": -17.5, "cod_change_vs_2010": -11.9,
                           "nh3n_change_vs_2010": -13.2}.items():
        row = targets.loc[indicator]
        assert (row["value"], row["relative_to"], row["year"], row["op"]) == (cut, 2010, 2015, "<="), indicator
        assert "unverified" in row["notes"], indicator


@pytest.mark.parametrize("case", ["default", "min", "max"])
def test_simlin_equals_pysd_for_the_pollutant_part(shanghai, fast, ranges, case):
    setting = {} if case == "default" else dict(ranges[case])
    ours = shanghai.run_variables(setting, variables=CHECKED)
    theirs = fast.run_variables(setting, variables=CHECKED)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=1e-12)
