"""The command line: run (end to end, parallel = serial, failures), validate, levers, compare."""
import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

import model
from model.experiments.batch import RESULTS_FILE, run_scenarios, write_atomic
from model.cli import main
from cli_helpers import run_cli
from model.cli.scenarios import compare_runs
from model.metadata import MODULES, indicator_table
from model.scenarios import Scenario
from target_rows import target_rows

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
BAD = Path(__file__).resolve().parent / "bad_scenarios"
OUTPUTS = {"results.csv", "scorecard.csv", "scorecard.md", "manifest.json", *(f"{m}.png" for m in MODULES)}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def shipped_parallel(tmp_path_factory):
    """All shipped scenarios, two worker processes."""
    out = tmp_path_factory.mktemp("parallel") / "out"
    assert main(["run", *SHIPPED, "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    return out


@pytest.fixture(scope="module")
def shipped_serial(tmp_path_factory):
    """All shipped scenarios, in this process."""
    out = tmp_path_factory.mktemp("serial") / "out"
    assert main(["run", *SHIPPED, "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    return out


# -- run -----------------------------------------------------------------------------------------
def test_end_to_end_run_of_every_shipped_scenario(shipped_parallel, shanghai):
    out = shipped_parallel
    assert {p.name for p in out.iterdir()} == OUTPUTS  # and no temporary files left behind
    names = [Path(p).stem for p in SHIPPED]
    n_years, n_indicators = 2020 - 2010 + 1, len(shanghai.indicators())

    results = pd.read_csv(out / "results.csv")
    assert list(results.columns) == ["scenario", "year", "indicator", "value", "unit", "label"]
    assert list(dict.fromkeys(results["scenario"])) == names  # in the order given
    assert len(results) == len(names) * n_years * n_indicators
    plan = load_plan(shanghai)
    row = results[(results.scenario == "plan") & (results.year == 2015) & (results.indicator == "rail_length")]
    decimals = int(indicator_table().loc["rail_length", "decimals"])
    assert row["value"].item() == round(plan.loc[2015, "rail_length"], decimals)  # rounded to its precision
    assert row["unit"].item() == "km" and row["label"].item() == indicator_table().loc["rail_length", "label_en"]

    card = pd.read_csv(out / "scorecard.csv")
    assert list(card.columns)[:11] == ["scenario", "scenario_title", "plan", "target_id", "year", "value", "target",
                                       "op", "attribute", "gap", "status"]
    assert {"label", "unit", "plan_label", "attribute_label", "status_label"} <= set(card.columns)
    assert len(card) == len(names) * len(model.plan_targets())
    assert set(card["status"]) <= {"exceeded", "met", "near", "missed"}

    md = (out / "scorecard.md").read_text(encoding="utf-8")
    header = next(line for line in md.splitlines() if line.startswith("| plan |"))
    assert header.rstrip(" |").endswith(f"(`{names[-1]}`)")
    assert all(f"(`{n}`) |" in header for n in names)
    assert md.count("\n| 12th plan (2015) |") == target_rows("12th") and md.count("\n| 13th plan (2020) |") == target_rows("13th")

    for module in MODULES:
        png = (out / f"{module}.png").read_bytes()
        assert png.startswith(PNG_SIGNATURE) and len(png) > 20_000

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model_file"]["path"] == "model/shanghai.mdl" and len(manifest["model_file"]["sha256"]) == 64
    assert "model/data/plan_targets.csv" in manifest["data_files"]
    assert {"python", "pysd", "pandas", "matplotlib"} <= set(manifest["packages"])
    assert [s["name"] for s in manifest["scenarios"]] == names
    as_run = {s["name"]: s["levers"] for s in manifest["scenarios"]}
    assert set(as_run["baseline"]) == set(shanghai.levers()["name"])  # every lever, not only overrides
    assert as_run["rail-first"]["rail construction starts plan"] == 150
    assert manifest["failures"] == [] and manifest["started"] <= manifest["finished"]
    assert manifest["schema"] == "plansim-output/1" and manifest["complete"] is True
    assert manifest["outputs"][-1] == "manifest.json" and set(manifest["outputs"]) == OUTPUTS


def load_plan(shanghai):
    from model.scenarios import load_scenario

    return shanghai.run(load_scenario(SCENARIOS / "plan.yaml", shanghai).levers)


def test_parallel_equals_serial(shipped_parallel, shipped_serial):
    for name in ("results.csv", "scorecard.csv", "scorecard.md"):
        assert (shipped_parallel / name).read_bytes() == (shipped_serial / name).read_bytes(), name


def test_a_bad_file_is_reported_and_the_others_are_written(tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(capsys, "run", SCENARIOS / "baseline.yaml", BAD / "out-of-range.yaml",
                                   SCENARIOS / "plan.yaml", "--out", out, "--workers", "1")
    assert code == 1
    assert "FAILED" in stderr and "out-of-range.yaml" in stderr
    assert "outside its allowed range [0.2, 0.55]" in stderr
    assert "100%" in stderr  # the progress bar
    assert "wrote 2 scenario(s)" in stdout
    assert list(dict.fromkeys(pd.read_csv(out / RESULTS_FILE)["scenario"])) == ["baseline", "plan"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in manifest["scenarios"]] == ["baseline", "plan"]
    assert len(manifest["failures"]) == 1 and "out-of-range.yaml" in manifest["failures"][0]["source"]


class _FailingProject:
    """Stands in for a Project: fails the run whose levers ask for it."""

    def __init__(self):
        self.real = model.load()

    def run(self, levers, final_year):
        if levers.get("car plate quota") == 13:
            raise RuntimeError("solver blew up")
        return self.real.run(levers, final_year)


def test_a_failed_run_is_reported_and_the_others_kept():
    good = Scenario("good", "好", "Good", "d", None, {})
    bad = Scenario("bad", "坏", "Bad", "d", None, {"car plate quota": 13})
    results, failures = run_scenarios(_FailingProject(), [good, bad], final_year=2012, progress=False)
    assert list(results) == ["good"] and list(results["good"].index) == [2010, 2011, 2012]
    assert len(failures) == 1 and failures[0].reason == "run failed: RuntimeError: solver blew up"


def test_refuses_a_non_empty_folder_unless_forced(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    code, _, stderr = run_cli(capsys, "run", SCENARIOS / "baseline.yaml", "--out", out, "--workers", "1")
    assert code == 2 and "not empty" in stderr and "--force" in stderr
    assert {p.name for p in out.iterdir()} == {"keep.txt"}  # nothing written
    # --force replaces only a folder PlanSim wrote: a user's folder is never deleted
    code, _, stderr = run_cli(capsys, "run", SCENARIOS / "baseline.yaml", "--out", out, "--workers", "1", "--force")
    assert code == 2 and "replaces only a folder written by PlanSim" in stderr
    assert {p.name for p in out.iterdir()} == {"keep.txt"}
    (out / "keep.txt").unlink()
    assert run_cli(capsys, "run", SCENARIOS / "baseline.yaml", "--out", out, "--workers", "1", "--no-progress")[0] == 0
    code, _, _ = run_cli(capsys, "run", SCENARIOS / "baseline.yaml", "--out", out, "--workers", "1",
                         "--final-year", "2015", "--force", "--no-progress")
    assert code == 0
    assert {p.name for p in out.iterdir()} == OUTPUTS  # the whole folder replaced, nothing of the old run
    assert {p.name for p in tmp_path.iterdir()} == {"out"}  # no lock, no temporary folder left
    card = pd.read_csv(out / "scorecard.csv")
    assert set(card["plan"]) == {"12th"}  # 2020 targets are outside a run to 2015
    assert pd.read_csv(out / RESULTS_FILE)["year"].max() == 2015


def test_files_appear_whole_or_not_at_all(tmp_path):
    def broken(path):
        path.write_text("half a fi", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(tmp_path / "results.csv", broken)
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary
    write_atomic(tmp_path / "results.csv", lambda p: p.write_text("whole", encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_bad_options(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", str(SCENARIOS / "baseline.yaml"), "--out", str(tmp_path / "o"), "--workers", "0"])
    assert caught.value.code == 2 and "0 is outside the allowed range 1 to" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["run", str(SCENARIOS / "baseline.yaml"), "--out", str(tmp_path / "o"), "--final-year", "2010"])
    assert caught.value.code == 2 and "2,010 is outside the allowed range 2,011 to 2,050" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# -- help ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["run", "validate", "levers", "compare"])
def test_help_has_an_example(command, capsys):
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "example:" in out and f"python -m model {command}" in out


# -- validate, levers ----------------------------------------------------------------------------
def test_validate_shipped_and_bad(capsys):
    code, out, _ = run_cli(capsys, "validate", *SHIPPED)
    assert code == 0 and out.count("ok ") == len(SHIPPED)
    code, out, err = run_cli(capsys, "validate", SCENARIOS / "plan.yaml", BAD / "nan-value.yaml", BAD / "unknown-lever.yaml")
    assert code == 1 and "2 of 3 file(s) invalid" in err
    assert "ok      " in out and "nan is not a finite number" in out and "closest valid names: 'coal share target'" in out


def test_levers_table(capsys, shanghai):
    code, out, _ = run_cli(capsys, "levers")
    assert code == 0
    for name in shanghai.levers()["name"]:
        assert name in out
    code, out, _ = run_cli(capsys, "levers", "--csv")
    table = pd.read_csv(StringIO(out))
    expected = shanghai.levers()[["name", "min", "max", "default"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(table[["name", "min", "max", "default"]], expected)
    assert {"label_zh", "label_en", "units", "description"} <= set(table.columns)


# -- compare -------------------------------------------------------------------------------------
def test_compare_runs_finds_exactly_what_differs(default_run):
    a, b = default_run.copy(), default_run.copy()
    a.attrs = default_run.attrs
    a.loc[2015, "rail_length"] = 700.0  # >= 600: met
    b.loc[2015, "rail_length"] = 100.0  # missed
    b.loc[2012, "gdp"] += 1.0  # not a compared year
    values, statuses = compare_runs(a, b, [2015, 2020])
    assert values[["year", "indicator", "unit", "A", "B"]].values.tolist() == [[2015, "rail_length", "km", 700.0, 100.0]]
    assert statuses[["plan", "target_id", "status A", "status B"]].values.tolist() == [["12th", "rail_length", "exceeded", "missed"]]  # 700 >= 600 + 30


def test_compare_command(capsys):
    code, out, _ = run_cli(capsys, "compare", SCENARIOS / "plan.yaml", SCENARIOS / "plan.yaml")
    assert code == 0 and "No indicator differs." in out and "No target status differs." in out
    code, out, _ = run_cli(capsys, "compare", SCENARIOS / "plan.yaml", SCENARIOS / "rail-first.yaml")
    assert code == 0
    assert "Levers that differ" in out and "car plate quota" in out
    assert "Indicators that differ" in out and "Public transport share" in out and "Private cars" in out
    code, _, err = run_cli(capsys, "compare", SCENARIOS / "plan.yaml", BAD / "empty.yaml")
    assert code == 1 and "empty.yaml: empty file" in err
