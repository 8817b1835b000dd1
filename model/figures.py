"""One figure per model module: every indicator of the module as a panel, every scenario as a
line, observed 2000-2010 history as points, plan targets as markers.

Figures are built on ``matplotlib.figure.Figure`` with the Agg canvas (never pyplot), so no
window system or global backend state is involved: safe in worker processes and tests.
Labels are English (the default fonts have no CJK glyphs).
"""
from __future__ import annotations

import io
import math
from typing import Mapping

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .metadata import MODULES

PANEL_COLUMNS = 3
PANEL_SIZE = (4.4, 3.0)  # inches per panel
DPI = 110
LEGEND_SPACE = 1.2  # inches below the panels for the legend
LINE_STYLES = ("-", "--", "-.", ":")
TARGET_STYLE = {  # plan -> marker style of its targets
    "12th": {"marker": "*", "color": "#d62728", "markersize": 13, "label": "12th plan target (2015)"},
    "13th": {"marker": "D", "color": "#7b3294", "markersize": 8, "label": "13th plan target (2020)"},
}
HISTORY_STYLE = {"marker": "o", "color": "black", "markersize": 3.5, "linestyle": "none", "label": "observed 2000-2010"}


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
    """The figure of one module.

    ``results``: scenario name -> run (index year, one column per indicator), drawn in order;
    ``indicators``: the model's indicator table (index id; module, label_en, unit);
    ``history``: ``model.history.observations()`` rows (indicator, year, value);
    ``targets``: ``model.plan_targets()`` rows (plan, year, value, op, model_indicator).
    """
    ids = [i for i in indicators.index if indicators.loc[i, "module"] == module]
    rows = math.ceil(len(ids) / PANEL_COLUMNS)
    fig = Figure(figsize=(PANEL_SIZE[0] * PANEL_COLUMNS, PANEL_SIZE[1] * rows + LEGEND_SPACE), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, PANEL_COLUMNS, squeeze=False).ravel()
    handles: dict[str, Line2D] = {}
    for ax, ind in zip(axes, ids):
        for k, (name, result) in enumerate(results.items()):
            # Dashes as well as colours: scenarios that coincide on a panel stay visible.
            (line,) = ax.plot(result.index, result[ind], linewidth=1.6, label=name,
                              color=f"C{k % 10}", linestyle=LINE_STYLES[k % len(LINE_STYLES)])
            handles.setdefault(name, line)
        if history is not None:
            obs = history[history["indicator"] == ind]
            if len(obs):
                (dots,) = ax.plot(obs["year"], obs["value"], **HISTORY_STYLE)
                handles.setdefault(HISTORY_STYLE["label"], dots)
        if targets is not None:
            for t in targets[targets["model_indicator"] == ind].itertuples(index=False):
                style = dict(TARGET_STYLE.get(t.plan, TARGET_STYLE["13th"]))
                label = style.pop("label")
                (mark,) = ax.plot([t.year], [t.value], linestyle="none", markeredgecolor="white", **style)
                ax.annotate(f"{t.op} {t.value:g}", (t.year, t.value), textcoords="offset points",
                            xytext=(-7, 5), ha="right", fontsize=7, color=style["color"])
                handles.setdefault(label, mark)
        row = indicators.loc[ind]
        ax.set_title(f"{row['label_en']}\n({ind})", fontsize=9.5)  # id: the column in results.csv
        ax.set_ylabel(row["unit"], fontsize=8)
        ax.set_xlabel("year", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    for ax in axes[len(ids):]:
        ax.set_visible(False)
    fig.suptitle(f"{module.capitalize()} module: scenarios, 2000-2010 history and plan targets", fontsize=13)
    height = PANEL_SIZE[1] * rows + LEGEND_SPACE
    fig.legend(list(handles.values()), list(handles.keys()), loc="lower center",
               ncol=min(len(handles), 5), fontsize=9, frameon=False)
    # Fixed margins rather than constrained layout: the same look at a fraction of the cost.
    fig.subplots_adjust(left=0.07, right=0.98, top=1 - 0.9 / height, bottom=(LEGEND_SPACE - 0.1) / height,
                        wspace=0.32, hspace=0.75)
    return fig


def module_figures(results, indicators, history=None, targets=None) -> dict[str, Figure]:
    """``module_figure`` for each module of the model, keyed by module name."""
    return {m: module_figure(m, results, indicators, history, targets) for m in MODULES}


def module_png(module: str, results: Mapping[str, pd.DataFrame], lang: str = "en",
               titles: Mapping[str, str] | None = None) -> bytes:
    """The PNG of ``module_figure`` with the project's indicators, history and plan targets.

    Reads its inputs itself so that a worker process can render it from the results alone.
    """
    from .history import observations
    from .metadata import indicator_table, plan_targets

    fig = module_figure(module, results, indicator_table(), observations(), plan_targets(), lang=lang, titles=titles)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
