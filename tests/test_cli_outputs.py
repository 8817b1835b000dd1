"""What the CLI writes and prints, in Chinese and English: files, units, figures, tables,
compare across many scenarios, per-member outcomes."""
import io
import re
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import model
from model.cli import main
from cli_helpers import run_cli
from model.cli.table import display_width, render
from model.figures.scenarios import module_figure
from model.figures.fonts import cjk_family, font_context
from model.history import observations
from model.metadata import MODULES, indicator_table, plan_targets
from model.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
RAW_UNITS = re.compile(r"wan_|yi_yuan|Dmnl|/Year\b|10\^4|10\^8")


def png_pixels(fig: Figure) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    buffer.seek(0)
    return matplotlib.image.imread(buffer, format="png")


def title_figure(text: str) -> Figure:
    fig = Figure(figsize=(3, 1), dpi=80)
    FigureCanvasAgg(fig)
    fig.suptitle(text, fontsize=20)
    return fig


# -- fonts ---------------------------------------------------------------------------------------
def test_a_cjk_glyph_renders_in_a_saved_figure():
    """With the CJK font no "Glyph ... missing" warning (an error under pytest.ini) and real
    glyphs: the pixels differ from the empty boxes DejaVu Sans draws."""
    assert cjk_family() is not None, "no CJK font: install fonts-noto-cjk"
    with font_context("zh"):
        good = png_pixels(title_figure("上海规划"))
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        with pytest.warns(UserWarning, match="missing from font"):
            tofu = png_pixels(title_figure("上海规划"))
    assert good.shape == tofu.shape and np.abs(good - tofu).sum() > 50


# -- files in each language ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def chinese_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("zh") / "out"
    assert main(["run", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "plan.yaml"), "--out", str(out),
                 "--workers", "1", "--no-progress", "--lang", "zh"]) == 0
    return out


def test_run_files_are_in_the_chosen_language_and_rounded(chinese_run):
    md = (chinese_run / "scorecard.md").read_text(encoding="utf-8")
    assert md.startswith("# 规划目标评分表") and "达成(含超额)/接近/未达成" in md and "十二五 (2015年)" in md
    assert "“十二五”规划情景 (`plan`)" in md  # scenario titles in the header
    assert not RAW_UNITS.search(md) and " about " not in md and " met)" not in md
    results = pd.read_csv(chinese_run / "results.csv")
    assert set(results.loc[results.indicator == "private_cars", "unit"]) == {"万辆"}
    assert set(results.loc[results.indicator == "resident_population", "label"]) == {"常住人口"}
    assert not results["unit"].str.contains(RAW_UNITS).any()
    decimals = results["indicator"].map(indicator_table()["decimals"].astype(int))
    assert all(round(v, d) == v for v, d in zip(results["value"], decimals) if v == v)  # no float noise
    card = pd.read_csv(chinese_run / "scorecard.csv")
    assert set(card["status_label"]) <= {"超额达成", "达成", "接近", "未达成"}
    assert set(card["scenario_title"]) == {"基准情景（延续“十一五”趋势）", "“十二五”规划情景"}


def test_english_tables_spell_units_once(capsys):
    code, out, _ = run_cli(capsys, "levers")
    assert code == 0 and "10^4 cars/year" in out and "wan_car" not in out
    code, out, _ = run_cli(capsys, "levers", "--lang", "zh")
    assert code == 0 and "万辆/年" in out and "wan_car" not in out


# -- figures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seven(shanghai):
    scenarios = [load_scenario(p, shanghai) for p in SHIPPED]
    assert len(scenarios) == len(SHIPPED) >= 7  # the styles below are checked on the first seven
    return {s.name: shanghai.run(s.levers) for s in scenarios}, {s.name: s.title_zh for s in scenarios}


@pytest.mark.parametrize("module", MODULES)
def test_module_figures_read_well(seven, module):
    results, titles = seven
    fig = module_figure(module, results, indicator_table(), observations(), plan_targets(), lang="zh", titles=titles)
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for ax in axes:
        ticks = [x for x in ax.get_xticks() if ax.get_xlim()[0] <= x <= ax.get_xlim()[1]]
        assert ticks and all(x % 5 == 0 for x in ticks), ticks  # 2000, 2005, 2010, ...
        lines = ax.get_lines()[:7]
        styles = {(str(line.get_color()), str(line.get_linestyle()), line.get_marker()) for line in lines}
        assert len({s[0] for s in styles}) == 7 and len({s[1] for s in styles}) >= 4 and len({s[2] for s in styles}) == 7
        frame = ax.get_window_extent(renderer)
        for text in ax.texts:  # target labels: inside the panel
            box = text.get_window_extent(renderer)
            assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1 and frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, \
                (ax.get_title(), text.get_text())
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert set(titles.values()) <= set(legend)


def test_fan_chart_puts_p_met_in_the_legend(tmp_path, shanghai):
    from model.experiments.ensemble import EnsembleRunner
    from model.experiments.uncertainty import bands, load_uncertainties, run_uncertainty, target_probabilities
    from model.figures.fans import fan_charts

    ensemble = run_uncertainty({}, 40, 3, uncertainties=load_uncertainties(reference=shanghai),
                               runner=EnsembleRunner(shanghai.with_engine("simlin")), workers=1)
    paths = fan_charts(bands(ensemble), tmp_path, ["rail_length"], table=shanghai.indicators(),
                       probabilities=target_probabilities(ensemble), title="计划", lang="zh")
    assert [p.name for p in paths] == ["fan_rail_length.png"] and paths[0].stat().st_size > 10_000


# -- tables --------------------------------------------------------------------------------------
def test_tables_align_chinese_by_display_width():
    text = render(["label", "unit"], [["常住人口", "万人"], ["Population", "10^4 persons"]])
    rows = text.splitlines()
    starts = {display_width(row[:row.index(u)]) for row, u in zip(rows[2:], ["万人", "10^4"])}
    assert len(starts) == 1  # the unit column starts at the same screen column


@pytest.mark.parametrize("argv", [["project"], ["project", "--lang", "zh"], ["levers"], ["levers", "--lang", "zh"],
                                  ["project", "--final-year", "2035"]])
def test_tables_fit_100_columns(capsys, argv):
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0
    assert max(display_width(line) for line in out.splitlines()) <= 100


def test_wide_tables_show_everything(capsys):
    _, out, _ = run_cli(capsys, "project", "--wide")
    assert " 2013 " in out
    _, out, _ = run_cli(capsys, "levers", "--wide")
    assert "description" in out.splitlines()[0]


# -- compare, outcomes ---------------------------------------------------------------------------
def test_compare_any_number_of_scenarios_into_a_file(tmp_path, capsys):
    out = tmp_path / "cmp" / "compare.csv"
    files = [SCENARIOS / f"{n}.yaml" for n in ("baseline", "plan", "rail-first", "low-carbon")]
    code, stdout, _ = run_cli(capsys, "compare", *files, "--out", out, "--lang", "zh")
    assert code == 0 and "Indicators that differ" in stdout
    table = pd.read_csv(out)
    assert list(table.columns) == ["section", "year", "id", "label", "unit", "scenario", "scenario_title", "value",
                                   "status", "difference"]
    assert set(table["scenario"]) == {"baseline", "plan", "rail-first", "low-carbon"}
    assert {"lever", "indicator", "target"} <= set(table["section"])
    cars = table[(table.id == "private_cars") & (table.year == 2020)].set_index("scenario")  # rail-first's plate quota
    assert cars.loc["baseline", "difference"] == 0 and cars.loc["rail-first", "difference"] < 0
    assert set(table.loc[table.section == "target", "status"]) <= {"超额达成", "达成", "接近", "未达成"}
    code, _, err = run_cli(capsys, "compare", *files[:2], "--out", out)
    assert code == 2 and "the file exists" in err and "--force" in err
    assert run_cli(capsys, "compare", *files[:2], "--out", out, "--force")[0] == 0
    assert set(pd.read_csv(out)["scenario"]) == {"baseline", "plan"}


def test_uncertainty_writes_each_member_s_outcomes(tmp_path):
    out = tmp_path / "unc"
    assert main(["uncertainty", str(SCENARIOS / "plan.yaml"), "--samples", "25", "--seed", "3", "--out", str(out),
                 "--workers", "1", "--no-progress", "--lang", "zh"]) == 0
    outcomes = pd.read_csv(out / "outcomes.csv")
    samples = pd.read_csv(out / "samples.csv")
    probabilities = pd.read_csv(out / "target_probabilities.csv")
    assert list(outcomes.columns) == ["member", "indicator", "year", "value"]
    pairs = probabilities[["indicator", "year"]].drop_duplicates()
    assert len(outcomes) == 25 * len(pairs) and set(outcomes["member"]) == set(samples["member"])
    # the share of members meeting a target, from outcomes.csv, is the probability written
    rail = outcomes[(outcomes.indicator == "rail_length") & (outcomes.year == 2015)]["value"]
    target = probabilities[(probabilities.indicator == "rail_length") & (probabilities.year == 2015)].iloc[0]
    assert (rail >= target["target"]).mean() == pytest.approx(target["probability_met"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (out / "figures" / "fan_rail_length.png").stat().st_size > 10_000


def test_english_figures_draw_chinese_names_through_the_fallback_font():
    """English figures use DejaVu Sans first; a Chinese word in a label (居转户) comes from the CJK
    font, with no missing-glyph warning (an error under pytest.ini)."""
    with font_context("en"):
        fig = title_figure("Hukou conversion (居转户)")
        png_pixels(fig)
