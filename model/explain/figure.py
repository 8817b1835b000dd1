"""The band chart of an explanation: each year, the share of the loops that matter for the
indicator (stacked to 1), declared loops by name, the strongest other loops by Simlin's id and
the rest together. Built on ``matplotlib.figure.Figure`` (no pyplot: safe in servers and
workers); text in Chinese or English with a CJK font (``model.figures.fonts``)."""
from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..figures.fonts import apply_fonts, font_context
from ..i18n import t
from . import Explanation
from .text import loop_label

SIZE = (8.0, 4.2)  # inches
DPI = 110


def figure(explanation: Explanation, label: str, scenario: str, lang: str) -> Figure:
    """The band chart (a matplotlib Figure)."""
    found = explanation.dominance
    bands = found.bands()
    with font_context(lang):
        fig = Figure(figsize=SIZE, dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        if bands:
            shown = found.years >= found.years[found.active][0]
            ax.stackplot(found.years[shown], *(b[shown] for b in bands.values()), labels=[loop_label(explanation, k, lang) for k in bands],
                         alpha=0.85)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        else:
            ax.text(0.5, 0.5, t("explain_no_loops", lang), ha="center", va="center", wrap=True, transform=ax.transAxes)
        ax.set_xlim(found.years[found.active][0] if found.active.any() else found.years[0], found.years[-1])
        ax.set_ylim(0, 1)
        ax.set_xlabel(t("explain_year", lang))
        ax.set_ylabel(t("explain_share", lang))
        ax.set_title(t("explain_figure_title", lang, label=label, scenario=scenario), fontsize=10)
        fig.tight_layout()
        apply_fonts(fig, lang)
    return fig


def save(explanation: Explanation, label: str, scenario: str, lang: str, path: Path | str) -> Path:
    """Write the band chart as a PNG; returns the path."""
    path = Path(path)
    with font_context(lang):
        figure(explanation, label, scenario, lang).savefig(path, format="png")
    return path
