"""One figure per model module: every indicator of the module as a panel, every scenario as a
line, observed 2000-2010 history as points, plan targets as markers; text in Chinese or English.

Every figure of the package is built on ``matplotlib.figure.Figure`` with the Agg canvas (never pyplot), so no
window system or global backend state is involved: safe in worker processes and tests. Text is
drawn in ``model.figures.fonts.font_context(lang)`` (a CJK font for Chinese). Scenarios differ by
colour, dash pattern and marker, so that up to ten stay apart where their lines coincide; the
legend names them by title. Year ticks fall on whole 5-year marks; target labels sit on the side
of the marker away from the lines, on a white box, inside the panel.
"""
from __future__ import annotations

import io
import math
from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MultipleLocator

from .fonts import apply_fonts, font_context
from ..i18n import t, unit

PANEL_COLUMNS = 3
PANEL_SIZE = (4.4, 3.0)  # inches per panel
DPI = 110
LEGEND_SPACE = 1.5  # inches below the panels for the legend
YEAR_TICK = 5  # years between x ticks (2000, 2005, ...)
# One style per scenario, in order: colour, dash pattern and marker all differ.
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1.5)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2)))
MARKERS = ("o", "s", "^", "v", "D", "P", "X", "<", ">", "h")
TARGET_STYLES = (  # the marker of each plan's targets, plans in the order of plan_targets.csv
    {"marker": "*", "color": "#d62728", "markersize": 13},
    {"marker": "D", "color": "#7b3294", "markersize": 8},
)


def target_style(plan: str, targets) -> dict:
    """The marker style of ``plan``'s targets (``targets``: the plan targets table)."""
    plans = list(dict.fromkeys(targets["plan"]))
    return TARGET_STYLES[plans.index(plan) % len(TARGET_STYLES)]
HISTORY_STYLE = {"marker": "o", "color": "black", "markersize": 3.5, "linestyle": "none"}
LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}


def scenario_style(k: int) -> dict:
    """Line style of the k-th scenario (0-based)."""
    return {"color": f"C{k % 10}", "linestyle": LINE_STYLES[k % len(LINE_STYLES)],
            "marker": MARKERS[k % len(MARKERS)], "markersize": 3.5, "markevery": (k % 3, 3)}


def target_text(op: str, value: float, lang: str) -> str:
    """A target as written on a chart: '≥ 600', '约 8' / 'about 8'."""
    return f"{t(f'fig_op_{op}', lang)} {value:g}"


def _target_label(ax, year: float, value: float, text: str, color: str, lines: list[float]) -> None:
    """Label a target marker on the side away from the lines in that year (above it when they run
    below), widening the panel on that side if the edge is too close; at a panel's left or right
    end the label runs inward. Call once the data are drawn."""
    low, high = ax.get_ylim()
    left, right = ax.get_xlim()
    above = not lines or value >= float(np.nanmedian(lines))
    room = 0.2 * (high - low)
    if above and high - value < room:  # widen the panel rather than put the label on the lines
        ax.set_ylim(low, value + room)
    elif not above and value - low < room:
        ax.set_ylim(value - room, high)
    ha = "right" if right - year < 0.15 * (right - left) else "left" if year - left < 0.15 * (right - left) else "center"
    dx = {"right": -4, "left": 4, "center": 0}[ha]
    ax.annotate(text, (year, value), textcoords="offset points", xytext=(dx, 8 if above else -8),
                ha=ha, va="bottom" if above else "top", fontsize=7, color=color, bbox=LABEL_BOX, zorder=5)


def module_figure(
    module: str,
    results: Mapping[str, pd.DataFrame],
    indicators: pd.DataFrame,
    history: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    *,
    lang: str = "en",
    titles: Mapping[str, str] | None = None,
) -> Figure:
    """The figure of one module, its text in ``lang``.

    ``results``: scenario name -> run (index year, one column per indicator), drawn in order;
    ``indicators``: the model's indicator table (index id; module, label_en, label_zh, unit);
    ``history``: ``model.history.observations()`` rows (indicator, year, value);
    ``targets``: ``model.plan_targets()`` rows (plan, year, value, op, model_indicator);
    ``titles``: scenario name -> title shown in the legend (default: the name).
    """
    with font_context(lang):
        return _module_figure(module, results, indicators, history, targets, lang, titles or {})


def _module_figure(module, results, indicators, history, targets, lang, titles) -> Figure:
    ids = [i for i in indicators.index if indicators.loc[i, "module"] == module]
    rows = math.ceil(len(ids) / PANEL_COLUMNS)
    height = PANEL_SIZE[1] * rows + LEGEND_SPACE
    fig = Figure(figsize=(PANEL_SIZE[0] * PANEL_COLUMNS, height), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, PANEL_COLUMNS, squeeze=False).ravel()
    handles: dict[str, Line2D] = {}
    history_label = t("fig_history", lang)
    for ax, ind in zip(axes, ids):
        first_year, last_year = math.inf, -math.inf
        for k, (name, result) in enumerate(results.items()):
            (line,) = ax.plot(result.index, result[ind], linewidth=1.5, **scenario_style(k))
            handles.setdefault(titles.get(name, name), line)
            first_year, last_year = min(first_year, result.index[0]), max(last_year, result.index[-1])
        if history is not None:
            obs = history[history["indicator"] == ind]
            if len(obs):
                (dots,) = ax.plot(obs["year"], obs["value"], **HISTORY_STYLE)
                handles.setdefault(history_label, dots)
                first_year = min(first_year, obs["year"].min())
        labels = []
        if targets is not None:
            for target in targets[targets["model_indicator"] == ind].itertuples(index=False):
                style = target_style(target.plan, targets)
                (mark,) = ax.plot([target.year], [target.value], linestyle="none", markeredgecolor="white",
                                  zorder=4, **style)
                at_year = [r.loc[target.year, ind] for r in results.values() if target.year in r.index]
                labels.append((target.year, target.value, target_text(target.op, target.value, lang),
                               style["color"], at_year))
                handles.setdefault(t("fig_target", lang, plan=t(f"plan_{target.plan}", lang)), mark)
        row = indicators.loc[ind]
        ax.set_title(f"{row[f'label_{lang}']}\n({ind})", fontsize=9.5)  # id: the column in results.csv
        ax.set_ylabel(unit(row["unit"], lang), fontsize=8)
        ax.set_xlabel(t("fig_year", lang), fontsize=8)
        ax.tick_params(labelsize=8)
        if math.isfinite(first_year):
            ax.set_xlim(YEAR_TICK * math.floor(first_year / YEAR_TICK) - 0.5, last_year + 0.5)
        ax.xaxis.set_major_locator(MultipleLocator(YEAR_TICK))
        ax.margins(y=0.18)  # room for target labels inside the panel
        ax.grid(alpha=0.3)
        for label in labels:
            _target_label(ax, *label)
    for ax in axes[len(ids):]:
        ax.set_visible(False)
    fig.suptitle(t("fig_module_title", lang, module=t(f"module_{module}", lang)), fontsize=13)
    fig.legend(list(handles.values()), list(handles.keys()), loc="lower center",
               ncol=min(len(handles), 4), fontsize=8.5, frameon=False)
    # Fixed margins rather than constrained layout: the same look at a fraction of the cost.
    fig.subplots_adjust(left=0.07, right=0.98, top=1 - 0.9 / height, bottom=(LEGEND_SPACE - 0.1) / height,
                        wspace=0.32, hspace=0.75)
    apply_fonts(fig, lang)
    return fig


def module_png(module: str, results: Mapping[str, pd.DataFrame], lang: str = "en",
               titles: Mapping[str, str] | None = None) -> bytes:
    """The PNG of ``module_figure`` with the project's indicators, history and plan targets.

    Reads its inputs itself so that a worker process can render it from the results alone.
    """
    from ..history import observations
    from ..metadata import indicator_table, plan_targets

    fig = module_figure(module, results, indicator_table(), observations(), plan_targets(), lang=lang, titles=titles)
    buffer = io.BytesIO()
    with font_context(lang):
        fig.savefig(buffer, format="png")
    return buffer.getvalue()
