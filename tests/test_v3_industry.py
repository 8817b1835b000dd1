"""Issue 13, industry: basic vs advanced industry, policies that cost, an energy cap that binds.

Energy-saving effort costs investment (so GDP), retirement draws down a finite stock of basic
industry, the energy cap (off by default) curbs basic industry when switched on, and the strategic
emerging industry share is a share."""
from __future__ import annotations

import numpy as np
import pytest

import model
from model.lever_paths import knot_name

LATER = (3, 4, 5)  # the knots that carry a scenario's value from 2010 on


def _from_2010(lever: str, value: float) -> dict[str, float]:
    """Knot constants holding ``lever`` at ``value`` from 2010 (the recorded path before)."""
    return {knot_name(lever, k, "value"): value for k in LATER}


def _cap(level: float) -> dict[str, float]:
    return {**_from_2010("energy cap switch", 1), **_from_2010("energy cap level", level)}


@pytest.fixture(scope="module")
def fast():
    return model.load(engine="simlin")


@pytest.fixture(scope="module")
def bau(fast):
    return fast.run_variables(final_year=2030, variables=VARIABLES)


VARIABLES = ["GDP", "total energy use", "secondary value added", "basic industry value added",
             "advanced industry value added", "basic industry capital", "advanced industry capital",
             "secondary capital", "energy saving investment cost", "basic industry utilisation",
             "strategic emerging industry share of GDP", "basic industry share of GDP"]


def test_sums_keep_the_names_other_parts_read(bau):
    assert np.allclose(bau["secondary capital"], bau["basic industry capital"] + bau["advanced industry capital"])
    assert np.allclose(bau["secondary value added"],
                       bau["basic industry value added"] + bau["advanced industry value added"])


@pytest.mark.parametrize("lever", ["energy saving effort"])
def test_energy_saving_effort_costs_gdp_and_saves_energy(fast, lever):
    low, high = fast.doc.loc[knot_name(lever, 3, "value"), "Limits"][:2]
    none = fast.run_variables(final_year=2020, params=_from_2010(lever, low), variables=VARIABLES)
    most = fast.run_variables(final_year=2020, params=_from_2010(lever, high), variables=VARIABLES)
    assert (none.loc[2011:, "energy saving investment cost"] == 0).all()
    assert (most.loc[2011:, "energy saving investment cost"] > 0).all()
    assert most.loc[2020, "GDP"] < none.loc[2020, "GDP"] * 0.998  # the effort is paid for
    assert most.loc[2020, "total energy use"] < none.loc[2020, "total energy use"] * 0.8


def test_retirement_at_its_maximum_exhausts_basic_industry_but_never_below_zero(fast, bau):
    high = fast.doc.loc[knot_name("capacity retirement rate", 3, "value"), "Limits"][1]
    run = fast.run_variables(final_year=2040, params=_from_2010("capacity retirement rate", high),
                             variables=VARIABLES + ["capacity retirement"])
    basic = run["basic industry capital"]
    assert (basic >= 0).all() and (run["capacity retirement"] >= 0).all()
    assert basic.loc[2030] < 0.01 * basic.loc[2010]  # exhausted
    assert run.loc[2030, "basic industry value added"] < 0.01 * bau.loc[2030, "basic industry value added"]
    # only basic industry is retired: advanced capital is not drawn down
    assert (run.loc[2011:2030, "advanced industry capital"] >= bau.loc[2011:2030, "advanced industry capital"] * 0.999).all()
    assert run.loc[2015, "GDP"] < bau.loc[2015, "GDP"]  # scrapped capital costs output
    assert run.loc[2020, "total energy use"] < bau.loc[2020, "total energy use"] * 0.9


def test_cap_below_business_as_usual_binds_and_costs_gdp(fast, bau):
    level = float(bau.loc[2013, "total energy use"])  # business-as-usual energy of 2013: binds from 2014
    assert bau.loc[2020, "total energy use"] > level * 1.05
    run = fast.run_variables(final_year=2020, params=_cap(level), variables=VARIABLES)
    energy = run.loc[2011:2020, "total energy use"]
    assert (energy <= level * (1 + 1e-9)).all()
    binding = run.loc[2016:2020]
    assert (binding["total energy use"] >= level * 0.99).all()  # held at the cap, not far below
    assert (binding["basic industry utilisation"] < 1).all()
    assert run.loc[2020, "GDP"] < bau.loc[2020, "GDP"] * 0.98  # the cap's price


def test_cap_off_is_business_as_usual_exactly(fast, bau):
    params = {**_from_2010("energy cap switch", 0), **_from_2010("energy cap level", 8000)}
    run = fast.run_variables(final_year=2030, params=params, variables=VARIABLES)
    assert run.equals(bau)
    assert (bau["basic industry utilisation"] == 1).all()


def test_cap_above_energy_use_changes_nothing(fast, bau):
    run = fast.run_variables(final_year=2030, params=_cap(20000), variables=VARIABLES)
    assert np.allclose(run.loc[:2025].to_numpy(), bau.loc[:2025].to_numpy(), rtol=1e-12)


def test_cap_below_the_rest_of_the_economy_idles_basic_industry_without_going_negative(fast):
    low = fast.doc.loc[knot_name("energy cap level", 3, "value"), "Limits"][0]
    run = fast.run_variables(final_year=2030, params=_cap(low), variables=VARIABLES)
    assert (run.loc[2013:, "basic industry utilisation"] == 0).all()  # the rest alone exceeds 8000 from 2012
    assert (run[VARIABLES].to_numpy() >= 0).all() and np.isfinite(run.to_numpy()).all()


@pytest.mark.parametrize("corner", ["min", "max"])
def test_shares_stay_in_zero_one_at_every_lever_corner(fast, corner):
    params = {}
    for lever in ("capacity retirement rate", "energy saving effort", "energy cap switch", "energy cap level"):
        low, high = fast.doc.loc[knot_name(lever, 3, "value"), "Limits"][:2]
        params.update(_from_2010(lever, high if corner == "max" else low))
    run = fast.run_variables(final_year=2030, params=params, variables=VARIABLES)
    for share in ("strategic emerging industry share of GDP", "basic industry share of GDP", "basic industry utilisation"):
        assert ((run[share] >= 0) & (run[share] <= 1)).all(), share
    assert (run[["basic industry capital", "advanced industry capital"]].to_numpy() >= 0).all()


def test_strategic_emerging_share_is_a_share_near_its_2010_estimate(bau):
    share = bau["strategic emerging industry share of GDP"]
    assert ((share > 0) & (share < 1)).all()
    assert 0.06 < share.loc[2010] < 0.1  # 7.6 % of GDP in 2010 (model file)


def test_both_engines_agree_on_a_cap_on_scenario(fast, bau):
    reference = model.load(engine="pysd")
    level = float(bau.loc[2013, "total energy use"])  # binds before 2025 even with retirement
    params = {**_cap(level), **_from_2010("capacity retirement rate", 0.02)}
    a = fast.run_variables(final_year=2025, params=params, variables=VARIABLES)
    b = reference.run_variables(final_year=2025, params=params, variables=VARIABLES)
    assert (a["basic industry utilisation"] < 1).any()
    assert np.allclose(a.to_numpy(), b.to_numpy(), rtol=1e-6)
