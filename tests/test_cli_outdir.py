"""Output folders: one complete run or nothing, one writer at a time, checked before running."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import model.figures.scenarios
from model.cli import main
from cli_helpers import run_cli
from model.experiments.outdir import INCOMPLETE_FILE, OutputDirError, OutputFolder

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PLAN = ROOT / "scenarios" / "plan.yaml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def siblings(folder: Path) -> set[str]:
    return {p.name for p in folder.parent.iterdir()}


@pytest.fixture
def finished_run(tmp_path, capsys):
    """A complete run of the baseline to 2015 in tmp_path/out."""
    out = tmp_path / "out"
    assert run_cli(capsys, "run", BASELINE, "--out", out, "--workers", "1", "--final-year", "2015",
                   "--no-progress")[0] == 0
    return out


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_forced_rerun_keeps_the_old_complete_folder(finished_run, capsys, monkeypatch, failure):
    """The rerun fails after writing its CSVs (while drawing figures): the folder is still the
    first run, byte for byte, and nothing of the rerun is left beside it."""
    before = snapshot(finished_run)

    def broken_figure(*args, **kwargs):
        raise failure("stopped while drawing")

    monkeypatch.setattr(model.figures.scenarios, "module_png", broken_figure)
    code, _, err = run_cli(capsys, "run", BASELINE, PLAN, "--out", finished_run, "--workers", "1",
                           "--final-year", "2020", "--force", "--no-progress")
    assert code == (130 if failure is KeyboardInterrupt else 2)
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("interrupted") if failure is KeyboardInterrupt else "RuntimeError: stopped while drawing" in last
    assert snapshot(finished_run) == before
    assert siblings(finished_run) == {"out"}  # no temporary folder, no lock


def test_a_killed_writer_leaves_a_folder_marked_incomplete_and_a_stale_lock(tmp_path, capsys):
    """A writer killed with SIGKILL leaves only its hidden .partial folder (holding
    INCOMPLETE.txt) and its lock; the next run takes the stale lock over and clears both."""
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from model.experiments.outdir import OutputFolder\n"
                               "with OutputFolder(sys.argv[1]) as tmp:\n"
                               "    (tmp / 'results.csv').write_text('half')\n"
                               "    print('ready', flush=True); time.sleep(120)", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        # a second writer is refused while the first one writes
        code, _, err = run_cli(capsys, "run", BASELINE, "--out", out, "--workers", "1", "--no-progress")
        assert code == 2 and f"another run (process {holder.pid}) is writing this folder" in err
        assert not out.exists()
        partial = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
        assert len(partial) == 1 and (partial[0] / INCOMPLETE_FILE).exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    assert (tmp_path / ".out.lock").exists()  # left by the killed writer
    assert run_cli(capsys, "run", BASELINE, "--out", out, "--workers", "1", "--no-progress")[0] == 0
    assert siblings(out) == {"out"}  # stale lock and .partial folder cleared
    assert not (out / INCOMPLETE_FILE).exists() and (out / "manifest.json").exists()


def test_two_concurrent_writers_one_wins_the_other_is_refused(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "model", "run", str(BASELINE), "--out", str(out), "--workers", "1",
               "--final-year", "2012", "--no-progress"]
    writers = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    results = [w.communicate(timeout=300) for w in writers]
    codes = sorted(w.returncode for w in writers)
    assert codes == [0, 2], results
    refused = next(err for w, (_, err) in zip(writers, results) if w.returncode == 2)
    assert "another run" in refused or "not empty" in refused
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["settings"]["final_year"] == 2012
    assert pd.read_csv(out / "results.csv")["year"].max() == 2012
    assert siblings(out) == {"out"}


UNUSABLE = {
    "parent is a file": lambda tmp: (tmp / "file.txt", tmp / "file.txt" / "out", "is a file, not a folder"),
    "target is a file": lambda tmp: (tmp / "out", tmp / "out", "exists and is not a folder"),
    "read-only file system": lambda tmp: (None, Path("/proc/self/plansim-out"), "cannot write in"),
}


@pytest.mark.parametrize("case", UNUSABLE)
@pytest.mark.parametrize("command", [
    ["run", str(BASELINE), "--workers", "1"],
    ["uncertainty", str(PLAN), "--samples", "10", "--workers", "1"],
    ["sensitivity", str(PLAN), "--samples", "4", "--workers", "1"],
])
def test_an_unusable_out_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch, command, case):
    if case == "read-only file system" and not Path("/proc/self").is_dir():
        pytest.skip("needs Linux /proc")
    blocker, out, message = UNUSABLE[case](tmp_path)
    if blocker is not None:
        blocker.write_text("a file", encoding="utf-8")

    def must_not_run(*args, **kwargs):
        raise AssertionError("a run started before --out was checked")

    monkeypatch.setattr("model.experiments.batch.Project", must_not_run)
    monkeypatch.setattr("model.cli.ensembles._setup", must_not_run)
    code, _, err = run_cli(capsys, *command, "--out", out, "--no-progress")
    assert code == 2 and message in err and err.startswith("error: --out ")
    assert "Traceback" not in err


def test_help_states_the_folder_rule(capsys):
    for command in ("run", "uncertainty", "sensitivity"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "one complete run or nothing" in text and "--force" in text and "--lang" in text


def test_force_never_replaces_a_folder_plansim_did_not_write(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("years of work", encoding="utf-8")
    with pytest.raises(OutputDirError, match="replaces only a folder written by PlanSim"):
        with OutputFolder(tmp_path / "mine", force=True):
            pass
    assert (tmp_path / "mine" / "thesis.tex").read_text(encoding="utf-8") == "years of work"


def test_a_completed_folder_replaces_the_old_one_whole(tmp_path):
    target = tmp_path / "out"
    with OutputFolder(target) as tmp:
        (tmp / "old.csv").write_text("old", encoding="utf-8")
        (tmp / "manifest.json").write_text("{}", encoding="utf-8")
        assert not target.exists()  # nothing appears before the end
    with OutputFolder(target, force=True) as tmp:
        (tmp / "new.csv").write_text("new", encoding="utf-8")
        (tmp / "manifest.json").write_text("{}", encoding="utf-8")
        assert (target / "old.csv").exists()  # the old run stays whole until the new one is complete
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "new.csv"]
    assert siblings(target) == {"out"}
    assert oct(target.stat().st_mode & 0o777) == oct(0o777 & ~current_umask())


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
