"""The printed report (issue 14, 3): ``python -m model report`` and ``model.report``: A4 pages,
fonts embedded, the scenarios' titles and the model's hash in the text, every target and lever
in the tables, in Chinese and English; bad input refused with no PDF left behind."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import model.project
from model.cli.main import main
from model.paths import PROJECT_DIR, SCENARIO_DIR
from model.report import lever_matrix, model_stamp, scorecard_matrix
from model.scenarios import load_scenario
from model.scorecard import score

from pdf_reading import fonts, page_sizes, text
from target_rows import target_rows

A4_POINTS = (595.28, 841.89)  # ISO 216, in points
NAMES = ("baseline", "plan", "low-carbon")


@pytest.fixture(scope="module")
def project(shanghai):
    """The session's model on the fast engine: the command's own project, built once."""
    return shanghai.with_engine("simlin")


@pytest.fixture
def cli(project, monkeypatch):
    """``python -m model`` in this process, on the shared project (the declaration is read once)."""
    monkeypatch.setattr(model.project, "Project", lambda *args, **kwargs: project)
    return lambda *argv: main([*map(str, argv), "--no-progress"] if argv[0] == "report" else list(argv))


@pytest.fixture(scope="module")
def reports(project, tmp_path_factory, shanghai):
    """The report of three shipped scenarios in each language (one by name, two by file)."""
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model.project, "Project", lambda *args, **kwargs: project)
        for lang in ("zh", "en"):
            path = folder / f"report-{lang}.pdf"
            code = main(["report", NAMES[0], *(str(SCENARIO_DIR / f"{n}.yaml") for n in NAMES[1:]), "--lang", lang,
                         "--out", str(path), "--no-progress"])
            assert code == 0
            out[lang] = path.read_bytes()
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_is_a4_with_embedded_fonts(reports, lang):
    data = reports[lang]
    assert data.startswith(b"%PDF")
    sizes = page_sizes(data)
    assert len(sizes) >= 3  # scorecard, levers, charts
    for width, height in sizes:
        assert abs(width - A4_POINTS[0]) < 1 and abs(height - A4_POINTS[1]) < 1
    found = fonts(data)
    assert found and all(f["subtype"] != "Type3" for f in found)
    assert all(f["embedded"] for f in found if not f["composite"])  # each glyph program is in the file
    if lang == "zh":
        assert any("CJK" in f["name"] for f in found)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_text_names_scenarios_model_hash_targets_and_levers(reports, project, lang):
    shown = "".join(text(reports[lang]).split())  # spaces dropped: a wrapped cell's lines are drawn apart
    for name in NAMES:
        scenario = load_scenario(SCENARIO_DIR / f"{name}.yaml", model=project.declaration)
        assert "".join(getattr(scenario, f"title_{lang}").split()) in shown
    stamp = model_stamp()
    assert stamp.sha256 in shown and stamp.version in shown
    levers = project.levers()
    assert all("".join(label.split()) in shown for label in levers[f"label_{lang}"])
    other = "en" if lang == "zh" else "zh"
    assert "".join(levers[f"label_{other}"].iloc[0].split()) not in shown  # one language


def test_scorecard_matrix_has_a_row_per_target_and_a_column_per_scenario(project):
    runs = {name: project.run(load_scenario(SCENARIO_DIR / f"{name}.yaml", model=project.declaration).levers)
            for name in NAMES}
    cards = {name: score(result, targets=project.targets) for name, result in runs.items()}
    matrix = scorecard_matrix(cards, project.targets)
    assert matrix.shape == (target_rows(), len(NAMES)) and list(matrix.columns) == list(NAMES)
    for name, card in cards.items():  # each cell is that scenario's status of that target
        assert dict(zip(zip(card["plan"], card["target_id"]), card["status"])) == matrix[name].to_dict()
    assert set(scorecard_matrix({"short": cards["plan"].iloc[:3]}, project.targets)["short"]) <= \
        {"", *cards["plan"]["status"]}  # a target not scored is blank, not made up


def test_lever_matrix_shows_paths_from_2010(project):
    plan = load_scenario(SCENARIO_DIR / "plan.yaml", model=project.declaration)
    table = lever_matrix({"plan": plan.levers, "defaults": {}}, project.levers(), "en")
    assert len(table) == len(project.levers())
    rd = project.levers().set_index("name").loc["RD intensity target"]
    path = project.lever_path("RD intensity target", plan.levers["RD intensity target"])
    assert table.loc["RD intensity target", "plan"].endswith(
        f"→ {path[-1][1] * rd['display_scale']:.4g} ({int(rd['target_year'])})")
    assert "→" not in table.loc["RD intensity target", "defaults"]


def test_missing_and_invalid_scenarios_are_named_and_left_out(cli, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: {zh: 坏, en: Bad}\ndescription: x\nlevers:\n  car plate quota: 1e9\n",
                   encoding="utf-8")
    out = tmp_path / "r.pdf"
    assert cli("report", "plan", tmp_path / "missing.yaml", bad, "--out", out) == 1
    err = capsys.readouterr().err
    assert "missing.yaml" in err and "bad.yaml" in err and "car plate quota" in err
    assert out.read_bytes().startswith(b"%PDF")  # the valid scenario is reported
    nothing = tmp_path / "none.pdf"
    assert cli("report", tmp_path / "missing.yaml", "--out", nothing) == 2
    assert not nothing.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "r.pdf"]


@pytest.mark.parametrize("out, message", [
    ("no-such-folder/r.pdf", "does not exist"),
    ("report.txt", "ending in .pdf"),
    ("", "is a folder"),
])
def test_unusable_out_is_refused_before_anything_runs(tmp_path, out, message):
    """In a fresh process: the command stops before reading the model (exit 2, nothing written)."""
    done = subprocess.run([sys.executable, "-m", "model", "report", "plan", "--out", str(tmp_path / out)],
                          cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_is_refused(cli, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("this user writes into read-only folders (root)")
        assert cli("report", "plan", "--out", locked / "r.pdf") == 2
        assert "not writable" in capsys.readouterr().err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_a_failed_write_leaves_no_pdf(cli, tmp_path, monkeypatch, capsys):
    """A page that fails half-way: no report and no temporary file are left."""
    import model.report.pdf as pdf

    def broken(*args, **kwargs):
        yield from ()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf, "figures", broken)
    out = tmp_path / "r.pdf"
    assert cli("report", "plan", "--out", out) == 2
    assert "No space left" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_report_help_gives_the_engine_and_an_example():
    from model.cli.main import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices["report"]
    text = " ".join(sub.format_help().split())
    assert "--engine {pysd,simlin}" in text and "default simlin" in text and "--lang zh --out report.pdf" in text
    assert sub.parse_args(["plan", "--out", "r.pdf"]).lang == "en"
