"""``--engine pysd|simlin`` on every command that runs the model: equal results (1e-9, relative),
and the files of ``run`` independent of the engine and of the number of workers."""
import numpy as np
import pandas as pd
import pytest

from model.cli import build_parser, main
from model.paths import PROJECT_DIR

SCENARIOS = PROJECT_DIR / "scenarios"
PLAN = SCENARIOS / "plan.yaml"
COMMANDS = ("project", "run", "compare", "uncertainty", "sensitivity")


def assert_tables_close(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal text columns, numbers equal to 1e-9 (relative)."""
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for column in a.columns:
        if pd.api.types.is_numeric_dtype(a[column]):
            np.testing.assert_allclose(a[column].to_numpy(float), b[column].to_numpy(float), rtol=1e-9, atol=1e-12)
        else:
            assert a[column].equals(b[column]), column


@pytest.mark.parametrize("command, default", [("project", "pysd"), ("run", "pysd"), ("compare", "pysd"),
                                              ("uncertainty", "simlin"), ("sensitivity", "simlin")])
def test_every_command_that_runs_the_model_has_engine_in_its_help(command, default):
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    text = sub.format_help()
    assert "--engine {pysd,simlin}" in text and f"default {default}" in " ".join(text.split())
    minimal = {"project": [], "run": ["X", "--out", "o"], "compare": ["X", "Y"]}.get(command, ["X", "--out", "o"])
    assert sub.parse_args(minimal).engine == default


def test_project_prints_the_same_table_on_either_engine(capsys):
    printed = {}
    for engine in ("pysd", "simlin"):
        assert main(["project", "--wide", "--final-year", "2030", "--engine", engine]) == 0
        printed[engine] = capsys.readouterr().out
    assert printed["pysd"] == printed["simlin"] and "2030" in printed["pysd"]


def test_run_files_do_not_depend_on_the_engine_or_the_workers(tmp_path, capsys):
    files = [str(SCENARIOS / f"{name}.yaml") for name in ("baseline", "plan", "rail-first")]
    outputs = {}
    for engine, workers in (("pysd", "1"), ("simlin", "1"), ("pysd", "2"), ("simlin", "2")):
        out = tmp_path / f"{engine}-{workers}"
        assert main(["run", *files, "--out", str(out), "--workers", workers, "--engine", engine,
                     "--no-progress"]) == 0
        outputs[engine, workers] = {name: (out / name).read_bytes()
                                    for name in ("results.csv", "scorecard.csv", "scorecard.md")}
    capsys.readouterr()
    first = outputs["pysd", "1"]
    assert all(other == first for other in outputs.values())


def test_compare_gives_the_same_differences_on_either_engine(tmp_path, capsys):
    tables = {}
    for engine in ("pysd", "simlin"):
        out = tmp_path / f"{engine}.csv"
        assert main(["compare", str(SCENARIOS / "baseline.yaml"), str(PLAN), "--out", str(out),
                     "--engine", engine]) == 0
        tables[engine] = pd.read_csv(out)
    capsys.readouterr()
    assert len(tables["pysd"]) > 0
    assert_tables_close(tables["pysd"], tables["simlin"])


@pytest.mark.parametrize("command, options, files", [
    ("uncertainty", ["--samples", "6", "--seed", "3"], ["bands.csv", "target_probabilities.csv", "samples.csv",
                                                        "outcomes.csv"]),
    ("sensitivity", ["--method", "morris", "--samples", "2", "--seed", "1"], ["indices.csv"]),
])
def test_ensemble_commands_give_the_same_files_on_either_engine(tmp_path, capsys, command, options, files):
    """A small sample: the PySD engine runs every member as a single run, Simlin in chunks."""
    tables = {}
    for engine in ("pysd", "simlin"):
        out = tmp_path / engine
        assert main([command, str(PLAN), *options, "--out", str(out), "--workers", "1", "--engine", engine,
                     "--no-progress"]) == 0
        tables[engine] = {name: pd.read_csv(out / name) for name in files}
    capsys.readouterr()
    for name in files:
        assert_tables_close(tables["pysd"][name], tables["simlin"][name])
