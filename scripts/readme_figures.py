"""Redraw the README's figures of "Asking the model questions" into docs/figures/.

    python scripts/readme_figures.py

Each figure is what the README's command writes (search, explain, discover) or the report's
first chart page (report); run again after the model or its calibration changes. Illustrations
only: no test reads them.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "figures"
# (command arguments after `python -m model`, the figure it writes, the README's name for it)
COMMANDS = [
    (["search", "--targets", "binding", "--no-progress"], "changes.png", "search-changes.png"),
    (["explain", "gdp", "--scenario", "plan"], "explain-gdp-en.png", "explain-gdp.png"),
    (["discover", "scenarios/plan.yaml", "--target", "12th:transit_share", "--members", "400", "--seed", "0"],
     "discover.png", "discover-transit.png"),
]
REPORT_SCENARIOS = ["baseline", "plan", "low-carbon"]


def _report_page(target: Path) -> None:
    """The report's first chart page (one line per scenario, history and targets) as a PNG."""
    from model.experiments.batch import load_batch, run_scenarios
    from model.figures.fonts import font_context
    from model.project import Project
    from model.report import ReportScenario
    from model.report.pdf import Inputs, _chart_pages, _page, apply_fonts

    project = Project(engine="simlin")
    scenarios, _ = load_batch([ROOT / "scenarios" / f"{n}.yaml" for n in REPORT_SCENARIOS], project)
    results, _ = run_scenarios(project, scenarios, progress=False)
    items = [ReportScenario(s.name, s.title_zh, s.title_en, s.levers, results[s.name]) for s in scenarios]
    inputs = Inputs.of(project.levers(), targets=project.targets)
    with font_context("en"):
        draw = next(iter(_chart_pages(items, "en", inputs)))
        fig = _page("en", inputs.stamp, 1, 1)
        draw(fig)
        apply_fonts(fig, "en")
        fig.savefig(target, dpi=80)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for args, produced, name in COMMANDS:
            folder = Path(tmp) / name
            subprocess.run([sys.executable, "-m", "model", *args, "--out", str(folder)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
            shutil.copyfile(folder / produced, OUT / name)
            print(f"wrote docs/figures/{name}")
    _report_page(OUT / "report-charts.png")
    print("wrote docs/figures/report-charts.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
