"""A bad file of any kind costs only itself: run, validate, compare and uncertainty report it by
name (no traceback) and finish the good files."""
import os
from pathlib import Path

import pandas as pd
import pytest

import model.experiments.batch
from cli_helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PLAN = ROOT / "scenarios" / "plan.yaml"
HEADER = "title: {zh: 坏, en: Bad}\ndescription: a hostile file\n"


def bad_files(folder: Path) -> dict[str, Path]:
    """One file of each kind that crashed a batch (issue 10, item 3)."""
    files = {}
    files["huge-int"] = folder / "huge-int.yaml"
    files["huge-int"].write_text(f"name: huge-int\n{HEADER}levers:\n  investment rate: {'9' * 400}\n", encoding="utf-8")
    files["deep"] = folder / "deep.yaml"
    files["deep"].write_text(f"name: deep\n{HEADER}levers: " + "[" * 300 + "]" * 300 + "\n", encoding="utf-8")
    files["long-extends"] = folder / "long-extends.yaml"
    files["long-extends"].write_text(f"name: long-extends\n{HEADER}extends: {'x' * 256}\nlevers: {{}}\n",
                                     encoding="utf-8")
    files["zero"] = folder / "zero.yaml"
    files["zero"].symlink_to("/dev/zero")
    files["fifo"] = folder / "fifo.yaml"
    os.mkfifo(files["fifo"])
    files["folder"] = folder / "folder.yaml"
    files["folder"].mkdir()
    return files


@pytest.fixture
def hostile(tmp_path) -> dict[str, Path]:
    if not hasattr(os, "mkfifo") or not Path("/dev/zero").exists():
        pytest.skip("needs a POSIX system")
    (tmp_path / "bad").mkdir()
    return bad_files(tmp_path / "bad")


def assert_each_named(text: str, files: dict[str, Path]) -> None:
    assert "Traceback" not in text
    for path in files.values():
        assert str(path) in text, path.name
    assert max(len(line) for line in text.splitlines()) < 2000  # bounded messages


def test_run_writes_the_good_results_beside_every_kind_of_bad_file(tmp_path, capsys, hostile):
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, "run", BASELINE, *hostile.values(), PLAN, "--out", out, "--workers", "1",
                                "--final-year", "2012", "--no-progress")
    assert code == 1
    assert_each_named(err, hostile)
    assert "wrote 2 scenario(s)" in stdout
    assert list(dict.fromkeys(pd.read_csv(out / "results.csv")["scenario"])) == ["baseline", "plan"]
    assert "not a regular file" in err and "is a folder" in err  # the loader's own words


def test_validate_and_compare_go_on_after_bad_files(capsys, hostile):
    code, stdout, _ = run_cli(capsys, "validate", BASELINE, *hostile.values(), PLAN)
    assert code == 1 and stdout.count("ok      ") == 2
    assert_each_named(stdout, hostile)
    code, stdout, err = run_cli(capsys, "compare", BASELINE, *hostile.values(), PLAN, "--final-year", "2015")
    assert code == 1 and "Indicators that differ" in stdout
    assert_each_named(err, hostile)


@pytest.mark.parametrize("kind", ["huge-int", "deep", "long-extends", "zero", "fifo", "folder"])
def test_uncertainty_names_a_bad_file(tmp_path, capsys, hostile, kind):
    code, _, err = run_cli(capsys, "uncertainty", hostile[kind], "--samples", "5", "--out", tmp_path / "u",
                           "--no-progress")
    assert code == 1 and str(hostile[kind]) in err and "Traceback" not in err
    assert not (tmp_path / "u").exists()


def test_a_crash_inside_the_loader_is_that_file_s_failure_only(tmp_path, capsys, monkeypatch):
    """Whatever the loader raises for one file (here a bug: ZeroDivisionError), that file is
    reported as an internal error with a bounded message; the batch finishes the others."""
    real = model.scenarios._load

    def flaky(path, *args):
        if Path(path).name == "plan.yaml":
            raise ZeroDivisionError("x" * 100_000)
        return real(path, *args)

    monkeypatch.setattr(model.scenarios, "_load", flaky)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "run", BASELINE, PLAN, "--out", out, "--workers", "1", "--final-year", "2011",
                           "--no-progress")
    assert code == 1 and f"{PLAN}: unexpected error while reading ('ZeroDivisionError')" in err
    assert len(err) < 3000 and "Traceback" not in err
    assert set(pd.read_csv(out / "results.csv")["scenario"]) == {"baseline"}
