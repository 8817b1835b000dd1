"""One hindcast figure per indicator: the projection as a line, the user's actual figures as
points, the observed 2000-2010 history as small black points where the project has it; text in
Chinese or English. Built on ``matplotlib.figure.Figure`` with the Agg canvas, as every figure
of the package (see ``model.figures.scenarios``)."""
from __future__ import annotations

import io
from typing import Mapping

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..i18n import t, unit
from .fonts import apply_fonts, font_context
from .scenarios import HISTORY_STYLE

SIZE = (6.4, 4.0)  # inches
DPI = 110
PROJECTION_STYLE = {"color": "C0", "linewidth": 2.0}
ACTUAL_STYLE = {"marker": "D", "color": "#d62728", "markersize": 6, "linestyle": "none"}


def indicator_figure(meta: Mapping[str, object], projection: pd.Series, actuals: pd.DataFrame,
                     history: pd.DataFrame | None, lang: str, scenario_title: str) -> Figure:
    """``meta``: the indicator's row of indicators.yaml (labels, unit); ``projection``: its
    values by year; ``actuals``: rows year, value; ``history``: rows year, value (or None)."""
    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    line = projection.dropna()
    ax.plot(line.index, line.to_numpy(), label=t("fig_hindcast_projection", lang, scenario=scenario_title),
            **PROJECTION_STYLE)
    if history is not None and len(history):
        ax.plot(history["year"], history["value"], label=t("fig_history", lang), **HISTORY_STYLE)
    ax.plot(actuals["year"], actuals["value"], label=t("fig_hindcast_actual", lang), **ACTUAL_STYLE)
    ax.set_title(t("fig_hindcast_title", lang, label=meta[f"label_{lang}"]), fontsize=11)
    ax.set_xlabel(t("fig_year", lang))
    ax.set_ylabel(unit(str(meta["unit"]), lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8.5, frameon=False, loc="best")
    fig.subplots_adjust(left=0.13, right=0.97, top=0.9, bottom=0.13)
    apply_fonts(fig, lang)
    return fig


def indicator_png(meta: Mapping[str, object], projection: pd.Series, actuals: pd.DataFrame,
                  history: pd.DataFrame | None, lang: str, scenario_title: str) -> bytes:
    """The PNG of ``indicator_figure``."""
    fig = indicator_figure(meta, projection, actuals, history, lang, scenario_title)
    buffer = io.BytesIO()
    with font_context(lang):
        fig.savefig(buffer, format="png")
    return buffer.getvalue()
