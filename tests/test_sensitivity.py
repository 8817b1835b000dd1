"""Global sensitivity with SALib: an input the model ignores scores near 0; real drivers score high."""
import json

import numpy as np
import pandas as pd
import pytest

import model
from model import PlanSimError
from model.experiments.ensemble import EnsembleRunner
from model.experiments.sensitivity import DUMMY, factors, run_sensitivity, sample_unit
from model.experiments.uncertainty import load_uncertainties
from target_rows import target_rows


@pytest.fixture(scope="module")
def runner(shanghai):
    return EnsembleRunner(shanghai.with_engine("simlin"))


@pytest.fixture(scope="module")
def sobol_levers(runner):
    """Sobol' over the 11 levers plus the dummy, N = 256 (3584 runs)."""
    return run_sensitivity(runner, {}, method="sobol", n=256, seed=2, dummy=True)


def test_sobol_indices_of_an_ignored_input_are_near_zero(sobol_levers):
    dummy = sobol_levers[sobol_levers["input"] == DUMMY]
    assert len(dummy) == sobol_levers[["plan", "target_id"]].drop_duplicates().shape[0]
    assert dummy["ST"].abs().max() < 0.01 and dummy["S1"].abs().max() < 0.01


def test_sobol_finds_the_lever_that_drives_a_target(sobol_levers):
    """R&D share in 2015 follows only its target lever in the model (the R&D stock adjusts toward
    the lever): that lever carries nearly all of the variance, the other levers none."""
    rd = sobol_levers[(sobol_levers["plan"] == "12th") & (sobol_levers["target_id"] == "rd_share")].set_index("input")
    assert rd.loc["RD intensity target", "ST"] > 0.95
    assert rd.drop(index="RD intensity target")["ST"].abs().max() < 0.01
    energy = sobol_levers[(sobol_levers["plan"] == "12th") & (sobol_levers["target_id"] == "energy_intensity")]
    top_two = set(energy.nlargest(2, "ST")["input"])
    assert top_two == {"energy saving effort", "capacity retirement rate"}


def test_sobol_table_has_every_scored_target_and_input(sobol_levers, shanghai):
    assert list(sobol_levers.columns) == ["method", "plan", "target_id", "indicator", "year", "input", "input_kind",
                                          "S1", "S1_conf", "ST", "ST_conf"]
    assert set(sobol_levers["input"]) == set(shanghai.levers()["name"]) | {DUMMY}
    assert len(sobol_levers[["plan", "target_id"]].drop_duplicates()) == target_rows()  # every 12th and 13th plan target
    assert (sobol_levers["ST_conf"] >= 0).all()


def test_morris_over_uncertainties_ranks_the_dummy_last(runner, shanghai):
    unknowns = load_uncertainties(reference=shanghai)
    indices = run_sensitivity(runner, {}, method="morris", n=12, seed=4, over_levers=False,
                              uncertainties=unknowns, dummy=True)
    dummy = indices[indices["input"] == DUMMY]
    # the dummy moves nothing; outputs no uncertain input moves (R&D, coal and non-fossil shares: lever paths) are NaN
    np.testing.assert_array_equal(np.nan_to_num(dummy["mu_star"].to_numpy()), 0.0)
    assert set(indices["input_kind"]) == {"uncertainty", "dummy"}
    transit = indices[(indices["plan"] == "12th") & (indices["target_id"] == "transit_share")]
    assert transit.nlargest(1, "mu_star")["input"].item() == "initial public transport share"


def test_bad_settings_are_named(runner):
    inputs = factors(runner)
    with pytest.raises(PlanSimError, match="must be a power of 2"):
        sample_unit(inputs, "sobol", 1000, 0)
    with pytest.raises(PlanSimError, match="method 'fast' is not one of"):
        sample_unit(inputs, "fast", 64, 0)
    with pytest.raises(PlanSimError, match="at least two inputs"):
        factors(runner, levers=False)


def test_sensitivity_command_writes_indices_and_charts(tmp_path):
    from model.cli import main
    from model.paths import PROJECT_DIR

    out = tmp_path / "sobol"
    assert main(["sensitivity", str(PROJECT_DIR / "scenarios" / "plan.yaml"), "--method", "sobol", "--samples", "16",
                 "--out", str(out), "--workers", "1", "--no-progress", "--dummy"]) == 0
    indices = pd.read_csv(out / "indices.csv")
    assert {"target_id", "input", "S1", "S1_conf", "ST", "ST_conf"} <= set(indices.columns)
    manifest = json.loads((out / "manifest.json").read_text())
    inputs = len(model.levers()) + 1  # every lever and the dummy input
    assert manifest["details"]["runs"] == 16 * (inputs + 2)  # Saltelli: N (D + 2) with second order off
    assert manifest["schema"] == "plansim-output/1" and manifest["command"] == "sensitivity"
    charts = [f for f in manifest["outputs"] if f.endswith(".png")]
    assert len(charts) == target_rows() and all((out / f).exists() for f in charts)


def test_command_reports_bad_input_without_a_traceback(tmp_path, capsys):
    from model.cli import main
    from model.paths import PROJECT_DIR

    code = main(["sensitivity", str(PROJECT_DIR / "scenarios" / "plan.yaml"), "--samples", "1000",
                 "--out", str(tmp_path / "x"), "--no-progress"])
    assert code == 2
    assert "error: --samples for Sobol' must be a power of 2 (e.g. 1024), got 1000" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
