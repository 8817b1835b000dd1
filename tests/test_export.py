"""``python -m model export``: the exported files load back into another engine and run the same
as PlanSim's own run of the calibrated model; bad options end with exit 2 and no file."""
from __future__ import annotations


import numpy as np
import pytest

import model
from model import export as exporter
from model.cli import main
from cli_helpers import run_cli
from model.mdl import ident

FINAL_YEAR = 2020
RTOL = 1e-7  # numbers are written in their shortest exact form: only float noise may differ


@pytest.fixture(scope="module")
def reference():
    """The calibrated model's run (Simlin, tested equal to PySD), every indicator variable."""
    project = model.Project(engine="simlin")
    return project, project.run_variables(final_year=FINAL_YEAR)


def test_the_mdl_export_runs_the_same_in_pysd(tmp_path, capsys, reference):
    project, expected = reference
    out = tmp_path / "shanghai_calibrated.mdl"
    code, text, err = run_cli(capsys, "export", "--format", "mdl", "--out", out)
    assert code == 0 and err == "" and str(out) in text
    changed = exporter.changed_constants(project.declaration)
    assert changed, "the calibration changes some constants: the export must carry them"
    import pysd

    # PySD translates the exported file itself (no PlanSim declaration or calibration on top)
    translated = pysd.read_vensim(str(out))
    got = translated.run(final_time=FINAL_YEAR, return_columns=list(expected.columns))
    assert list(got.index) == list(expected.index)
    np.testing.assert_allclose(got[list(expected.columns)].to_numpy(), expected.to_numpy(), rtol=RTOL, atol=1e-9)
    # and without the calibration the model differs: the comparison can fail
    plain = model.Project(use_calibration=False, engine="simlin").run_variables(final_year=FINAL_YEAR)
    assert not np.allclose(plain.to_numpy(), expected.to_numpy(), rtol=1e-4)


def test_the_xmile_export_runs_the_same_in_simlin(tmp_path, capsys, reference):
    import simlin

    _, expected = reference
    out = tmp_path / "shanghai.stmx"
    code, _, err = run_cli(capsys, "export", "--format", "xmile", "--out", out, "--lang", "zh")
    assert code == 0 and err == ""
    assert out.read_bytes().startswith(b"<?xml") and b"<xmile" in out.read_bytes()[:400]
    loaded = simlin.load(out)
    control = model.Project(engine="simlin").control
    loaded.project.set_sim_specs(start=control["INITIAL TIME"], stop=float(FINAL_YEAR), dt=control["TIME STEP"],
                                 save_step=control["SAVEPER"])
    with loaded.simulate() as sim:
        sim.run_to_end()
        got = np.column_stack([np.asarray(sim.get_series(ident(name)), dtype=float) for name in expected.columns])
    np.testing.assert_allclose(got, expected.to_numpy(), rtol=RTOL, atol=1e-9)


def test_bad_options_end_with_exit_2_and_no_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["export", "--format", "vensim", "--out", str(tmp_path / "m.mdl")])
    assert caught.value.code == 2 and "invalid choice" in capsys.readouterr().err
    code, _, err = run_cli(capsys, "export", "--format", "xmile", "--out", tmp_path / "m.mdl")
    assert code == 2 and "must end in .stmx or .xmile or .xml" in err
    code, _, err = run_cli(capsys, "export", "--format", "mdl", "--out", tmp_path)
    assert code == 2 and "is a folder" in err
    code, _, err = run_cli(capsys, "export", "--format", "mdl", "--out", tmp_path / "no" / "such" / "m.mdl")
    assert code == 2 and "does not exist" in err
    existing = tmp_path / "old.mdl"
    existing.write_text("keep me", encoding="utf-8")
    code, _, err = run_cli(capsys, "export", "--format", "mdl", "--out", existing)
    assert code == 2 and "--force" in err and existing.read_text(encoding="utf-8") == "keep me"
    code, _, err = run_cli(capsys, "export", "--format", "mdl", "--out", existing, "--force", "--lang", "zh")
    assert code == 0 and "keep me" not in existing.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.mdl"]


def test_a_failed_conversion_leaves_no_file(tmp_path, monkeypatch):
    from model.engines import simlin_engine

    def broken(path):
        raise RuntimeError("converter failed")

    monkeypatch.setattr(simlin_engine, "to_xmile", broken)
    with pytest.raises(RuntimeError):
        exporter.export("xmile", tmp_path / "m.xmile")
    assert list(tmp_path.iterdir()) == []


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["export", "--help"])
    assert caught.value.code == 0 and "python -m model export" in capsys.readouterr().out


def test_messages_exist_in_both_languages():
    from model.i18n import words

    keys = [k for k in words() if k.startswith("export_")]
    assert keys and all(words()[k]["zh"] and words()[k]["en"] for k in keys)
