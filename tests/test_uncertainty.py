"""Uncertainty declarations, Latin hypercube sampling, bands and target probabilities."""
import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from model import PlanSimError, Project
from model.experiments.ensemble import EnsembleRunner
from model.paths import CALIBRATED_PARAMETERS_FILE
from model.experiments.uncertainty import (
    BAND_PERCENTILES, UNCERTAINTIES_FILE, Uncertainty, bands, calibrated_uncertainties, ensemble_for_levers,
    load_uncertainties, run_uncertainty, sample, target_probabilities,
)


@pytest.fixture(scope="module")
def runner(shanghai):
    return EnsembleRunner(shanghai.with_engine("simlin"))


@pytest.fixture(scope="module")
def raw_model():
    """The model with the model file's starting values (no calibration), to pair with made-up
    calibration files."""
    return Project(use_calibration=False)


@pytest.fixture(scope="module")
def declared(shanghai):
    """The shipped declarations, with the calibration's estimates where it has them."""
    return load_uncertainties(reference=shanghai)


@pytest.fixture(scope="module")
def plan_ensemble(runner, declared):
    """300 members of the 12th plan's headline levers (R&D 3.3 %, coal share 40 %)."""
    return run_uncertainty({"RD intensity target": 0.033, "coal share target": 0.4}, 300, 11,
                           uncertainties=declared, runner=runner, workers=1)


# -- declarations ---------------------------------------------------------------------------------
def test_declared_uncertainties_are_documented_non_lever_constants(shanghai, declared):
    levers = set(shanghai.levers()["name"])
    file_entries = yaml.safe_load(UNCERTAINTIES_FILE.read_text(encoding="utf-8"))
    assert len(declared) >= 20
    for u in declared:
        assert u.name in shanghai.constants() and u.name not in levers
        assert u.low <= u.centre <= u.high and u.low < u.high
        assert u.reason and u.source and u.basis in ("documented range", "calibration estimate")
        if u.basis == "documented range" and u.distribution == "triangular" and "mode" not in file_entries[u.name]:
            assert u.centre == shanghai.constants()[u.name]  # centred on the model's (calibrated) default


def test_calibration_estimates_take_over_where_they_have_a_standard_error(shanghai, declared):
    """Every calibrated parameter with a standard error (historical levers aside) gets
    normal(estimate, standard error) within its bounds; the others keep their declared range."""
    if not CALIBRATED_PARAMETERS_FILE.exists():
        pytest.skip("no calibration/parameters.csv yet")
    table = pd.read_csv(CALIBRATED_PARAMETERS_FILE).set_index("parameter")
    by_name = {u.name: u for u in declared}
    with_se = table[(table["std_error"] > 0) & ~table["role"].isin(["historical lever", "recorded path"])]
    assert len(with_se) > 0
    for name, row in with_se.iterrows():
        u = by_name[name]
        assert (u.distribution, u.basis, u.centre, u.sd) == ("normal", "calibration estimate", row["value"], row["std_error"])
        assert u.low == pytest.approx(max(row["value"] - 3 * row["std_error"], u.low))
    for name in table.index.difference(with_se.index):
        assert name not in by_name or by_name[name].basis == "documented range"


def _write(tmp_path, entries) -> str:
    path = tmp_path / "unc.yaml"
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")
    return path


GOOD = {"distribution": "triangular", "low": 0.05, "high": 0.09, "basis": "documented range",
        "reason": "r", "source": "s"}


@pytest.mark.parametrize("name, entry, message", [
    # a lever's path level may be uncertain (issue 12), within the lever's range and around its default
    ("investment rate", GOOD, "unc.yaml: 'investment rate': the model default"),
    ("depreciaton rate", GOOD, "unknown model constant 'depreciaton rate'; closest valid names: 'depreciation rate'"),
    ("depreciation rate", {**GOOD, "distribution": "beta"}, "distribution 'beta' is not one of ['uniform', 'triangular', 'normal']"),
    ("depreciation rate", {**GOOD, "low": "low"}, "'low' = 'low' must be a finite number"),
    ("depreciation rate", {**GOOD, "low": 0.07}, "the model default 0.06 (used as mode) must lie in [low, high] = [0.07, 0.09]"),
    ("depreciation rate", {**GOOD, "high": 0.2}, "[0.05, 0.2] leaves the range [0.02, 0.12] the model file declares"),
    ("depreciation rate", {**GOOD, "reason": ""}, "'reason' must be a non-empty text"),
    ("depreciation rate", {**GOOD, "sd": 0.01}, "unknown keys ['sd'] for a triangular distribution"),
    ("depreciation rate", {**GOOD, "distribution": "normal"}, "'sd' = None must be a finite number"),
])
def test_bad_declarations_are_named(tmp_path, shanghai, name, entry, message):
    with pytest.raises(PlanSimError) as error:
        load_uncertainties(_write(tmp_path, {name: entry}), reference=shanghai, calibration=None)
    assert message in str(error.value)


def test_calibrated_standard_errors_replace_documented_ranges(tmp_path, raw_model):
    """A parameter estimated with a standard error gets normal(estimate, se) cut at +-3 se, the
    estimation bounds and the model's range; one without a standard error keeps its declared
    range; historical levers (no effect after 2010) are left out."""
    path = tmp_path / "parameters.csv"
    pd.DataFrame({
        "parameter": ["depreciation rate", "structural shift rate", "tertiary saving effectiveness", "historical investment rate"],
        "value": [0.07, 0.04, 0.5, 0.4], "std_error": [0.005, math.nan, 0.4, 0.01],
        "lower": [0.06, 0.0, math.nan, 0.25], "upper": [0.1, 0.1, math.nan, 0.5],
        "role": ["structural", "structural", "structural", "historical lever"],
    }).to_csv(path, index=False)
    declared = _write(tmp_path, {"depreciation rate": "from calibration", "tertiary saving effectiveness": "from calibration",
                                 "structural shift rate": {**GOOD, "low": 0.03, "high": 0.06}})
    loaded = {u.name: u for u in load_uncertainties(declared, reference=raw_model, calibration=path)}
    dep = loaded["depreciation rate"]
    assert (dep.distribution, dep.centre, dep.sd, dep.basis) == ("normal", 0.07, 0.005, "calibration estimate")
    assert (dep.low, dep.high) == pytest.approx((0.06, 0.085))  # estimation bound below, 3 se above
    saving = loaded["tertiary saving effectiveness"]
    assert (saving.low, saving.high) == (0.0, 1.0)  # the model file's range [0, 1] is narrower than 3 se
    assert loaded["structural shift rate"].basis == "documented range"
    assert "historical investment rate" not in loaded
    assert calibrated_uncertainties(tmp_path / "missing.csv", raw_model) == {}


# -- distributions and sampling -------------------------------------------------------------------
def test_inverse_distributions_at_known_points():
    uniform = Uncertainty("x", "uniform", 2.0, 4.0, 3.0)
    triangular = Uncertainty("x", "triangular", 0.0, 1.0, 0.0)  # density 2(1-x): cdf 1-(1-x)^2
    normal = Uncertainty("x", "normal", -1.0, 1.0, 0.0, sd=0.5)
    np.testing.assert_allclose(uniform.ppf(np.array([0.0, 0.25, 0.5])), [2.0, 2.5, 3.0])
    np.testing.assert_allclose(triangular.ppf(np.array([0.75])), [0.5])
    np.testing.assert_allclose(normal.ppf(np.array([0.5])), [0.0], atol=1e-12)
    assert normal.ppf(np.array([1e-9, 1 - 1e-9])).tolist() == pytest.approx([-1.0, 1.0], abs=1e-6)
    assert Uncertainty("x", "normal", 0.3, 0.3, 0.3, sd=0.1).ppf(np.array([0.1, 0.9])).tolist() == [0.3, 0.3]


def test_latin_hypercube_fills_every_stratum_once():
    """With n members, each input has exactly one member in each of its n equal-probability strata."""
    unknowns = [Uncertainty("a", "uniform", 0.0, 1.0, 0.5), Uncertainty("b", "uniform", 10.0, 20.0, 15.0)]
    drawn = sample(unknowns, 50, seed=5)
    assert sorted(np.floor(drawn["a"] * 50).astype(int)) == list(range(50))
    assert sorted(np.floor((drawn["b"] - 10) / 10 * 50).astype(int)) == list(range(50))


def test_same_seed_same_sample_and_ensemble(runner, declared):
    assert sample(declared, 20, seed=1).equals(sample(declared, 20, seed=1))
    assert not sample(declared, 20, seed=1).equals(sample(declared, 20, seed=2))
    first = run_uncertainty({}, 40, 9, uncertainties=declared, runner=runner, workers=1)
    again = run_uncertainty({}, 40, 9, uncertainties=declared, runner=runner, workers=1)
    np.testing.assert_array_equal(first.values, again.values)
    assert first.inputs.equals(again.inputs)


def test_zero_width_distributions_repeat_the_deterministic_run(shanghai, runner, declared, default_run):
    """Every uncertainty collapsed onto its default: every member is the deterministic projection
    (bit for bit the Simlin run, and PySD's to 1e-9)."""
    defaults = shanghai.constants()
    collapsed = [Uncertainty(u.name, u.distribution, defaults[u.name], defaults[u.name], defaults[u.name])
                 for u in declared]
    ensemble = run_uncertainty({}, 8, 3, uncertainties=collapsed, runner=runner, workers=1)
    simlin_run = shanghai.with_engine("simlin").run()
    for m in range(len(ensemble)):
        np.testing.assert_array_equal(ensemble.member(m).to_numpy(), simlin_run.to_numpy())
        np.testing.assert_allclose(ensemble.member(m).to_numpy(), default_run.to_numpy(), rtol=1e-9)


# -- bands and probabilities ----------------------------------------------------------------------
def test_bands_are_ordered_percentiles(plan_ensemble):
    table = bands(plan_ensemble)
    levels = table[[f"p{p:02d}" for p in BAND_PERCENTILES]].to_numpy()
    assert (np.diff(levels, axis=1) >= 0).all()
    assert (levels[:, 0] < levels[:, -1]).any()  # the uncertainties do spread the members
    gdp_2015 = table.set_index(["indicator", "year"]).loc[("gdp", 2015)]
    np.testing.assert_allclose(gdp_2015["p50"], np.median(plan_ensemble.indicator("gdp")[2015]))
    # growth in 2010 needs 2009: undefined, so left out rather than written as NaN
    assert not ((table["indicator"] == "gdp_growth") & (table["year"] == 2010)).any()
    assert not table.iloc[:, 2:].isna().any().any()


def test_probabilities_are_shares_of_members_meeting_the_target(plan_ensemble):
    """probability_met equals the share of members whose own scorecard says 'met'."""
    from model.scorecard import score

    probabilities = target_probabilities(plan_ensemble).set_index(["plan", "target_id"])
    assert probabilities["probability_met"].between(0, 1).all()
    met = pd.concat([score(plan_ensemble.member(m)) for m in range(len(plan_ensemble))])
    share = met["status"].isin(["met", "exceeded"]).groupby([met["plan"], met["target_id"]]).mean()
    pd.testing.assert_series_equal(probabilities["probability_met"].sort_index(), share.sort_index(),
                                   check_names=False)
    assert 0 < probabilities["probability_met"].mean() < 1


def test_ensemble_for_levers_for_the_app(shanghai):
    summary = ensemble_for_levers(shanghai, {"energy saving effort": 0.04}, n_members=100)
    assert set(summary.bands.columns) == {"indicator", "year", "p05", "p25", "p50", "p75", "p95"}
    assert summary.probabilities["probability_met"].between(0, 1).all()
    assert len(summary.ensemble) == 100
    again = ensemble_for_levers(shanghai.with_engine("simlin"), {"energy saving effort": 0.04}, n_members=100)
    pd.testing.assert_frame_equal(summary.bands, again.bands)
    one_thread = ensemble_for_levers(shanghai, {"energy saving effort": 0.04}, n_members=100, threads=1)
    pd.testing.assert_frame_equal(summary.probabilities, one_thread.probabilities)
    np.testing.assert_array_equal(summary.ensemble.values, one_thread.ensemble.values)


def test_uncertainty_command_writes_its_files(tmp_path):
    from model.cli import main
    from model.paths import PROJECT_DIR

    out = tmp_path / "unc"
    assert main(["uncertainty", str(PROJECT_DIR / "scenarios" / "plan.yaml"), "--samples", "60", "--seed", "4",
                 "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    table = pd.read_csv(out / "bands.csv")
    assert list(table.columns) == ["indicator", "year", "p05", "p25", "p50", "p75", "p95"]
    probabilities = pd.read_csv(out / "target_probabilities.csv")
    assert {"target_id", "year", "probability_met"} <= set(probabilities.columns)
    assert len(pd.read_csv(out / "samples.csv")) == 60
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["seed"] == 4 and manifest["details"]["members"] == 60
    assert manifest["schema"] == "plansim-output/1" and manifest["command"] == "uncertainty"
    assert all((out / f).exists() for f in manifest["outputs"])
    assert any(f.endswith(".png") for f in manifest["outputs"])


def test_bad_calibrated_row_is_named(tmp_path, shanghai):
    path = tmp_path / "parameters.csv"
    pd.DataFrame({"parameter": ["depreciation rate"], "value": [0.2], "lower": [0.04], "upper": [0.1],
                  "std_error": [0.01]}).to_csv(path, index=False)
    with pytest.raises(PlanSimError, match=r"parameters.csv: row 2, parameter 'depreciation rate': the estimate 0.2 "
                                           r"lies outside its bounds \[0.17, 0.1\]"):
        load_uncertainties(reference=shanghai, calibration=path)


def test_each_uncertain_range_is_declared_once(shanghai):
    """A parameter the calibration estimates with a standard error is 'from calibration' in
    uncertainties.yaml (its range is the estimate's); a range beside it is refused, and
    'from calibration' without an estimate is refused."""
    if not CALIBRATED_PARAMETERS_FILE.exists():
        pytest.skip("no calibration/parameters.csv yet")
    entries = yaml.safe_load(UNCERTAINTIES_FILE.read_text(encoding="utf-8"))
    estimated = set(calibrated_uncertainties(CALIBRATED_PARAMETERS_FILE, shanghai))
    assert {n for n, e in entries.items() if e == "from calibration"} == estimated & set(entries)
    assert all(isinstance(e, dict) for n, e in entries.items() if n not in estimated)


@pytest.mark.parametrize("entry, message", [
    ("from calibration", "'depreciation rate' is 'from calibration', but parameters.csv gives it no estimate"),
])
def test_from_calibration_needs_an_estimate(tmp_path, raw_model, entry, message):
    path = tmp_path / "parameters.csv"
    pd.DataFrame({"parameter": ["structural shift rate"], "value": [0.04], "std_error": [0.01],
                  "lower": [0.0], "upper": [0.1], "role": ["structural"]}).to_csv(path, index=False)
    with pytest.raises(PlanSimError, match=message):
        load_uncertainties(_write(tmp_path, {"depreciation rate": entry}), reference=raw_model, calibration=path)
    with pytest.raises(PlanSimError, match="'structural shift rate' has a range, but the calibration estimates it"):
        load_uncertainties(_write(tmp_path, {"structural shift rate": {**GOOD, "low": 0.0, "high": 0.1}}),
                           reference=raw_model, calibration=path)
