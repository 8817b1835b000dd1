"""The discovery's figure: PRIM's peeling trajectory (coverage against density, the reported
box marked) and each box's ranges as bars on the sampled range of every input it restricts."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..figures.fonts import apply_fonts, font_context
from ..i18n import t
from ..i18n import unit as unit_word
from .core import Discovery

COLOURS = ("tab:red", "tab:purple", "tab:orange", "tab:brown", "tab:pink")


def discovery_figure(result: Discovery, path: Path | str, lang: str = "en") -> Path:
    """Write the figure to ``path`` (PNG) and return it; text in ``lang``."""
    path = Path(path)
    table = result.table(lang)
    with font_context(lang):
        panels = 2 if result.trajectory is not None else 1
        rows = max(len(table), 1)
        fig = Figure(figsize=(6 * panels + 1, max(3.5, 0.45 * rows + 2)))
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, panels, squeeze=False)[0]
        if result.trajectory is not None:
            _trajectory(axes[0], result, lang)
        _limits(axes[-1], result, table, lang)
        fig.suptitle(t("discover_fig_title", lang, target=result.name, method=result.method.upper()), fontsize=11)
        fig.tight_layout()
        apply_fonts(fig, lang)
        fig.savefig(path, dpi=100)
    return path


def _trajectory(ax, result: Discovery, lang: str) -> None:
    path = result.trajectory
    points = ax.scatter(path["coverage"], path["density"], c=path["res_dim"], cmap="viridis", s=18)
    chosen = path.iloc[result.chosen]
    ax.scatter([chosen["coverage"]], [chosen["density"]], s=120, facecolors="none", edgecolors="tab:red",
               linewidths=2, label=t("discover_fig_chosen", lang))
    ax.axhline(result.threshold, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel(t("discover_fig_coverage", lang))
    ax.set_ylabel(t("discover_fig_density", lang))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(t("discover_fig_trajectory", lang), fontsize=10)
    ax.legend(loc="lower left")
    ax.figure.colorbar(points, ax=ax, label=t("discover_fig_restricted", lang))


def _limits(ax, result: Discovery, table, lang: str) -> None:
    if table.empty:
        ax.text(0.5, 0.5, t("discover_fig_none", lang), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    sampled = result.inputs
    y = np.arange(len(table))[::-1]
    labels = []
    for k, (_, row) in zip(y, table.iterrows()):
        low, high = sampled[row["input"]].min(), sampled[row["input"]].max()
        width = (high - low) or 1.0
        start, stop = (row["low"] - low) / width, (row["high"] - low) / width
        ax.barh(k, stop - start, left=start, color=COLOURS[(row["box"] - 1) % len(COLOURS)], alpha=0.7)
        ax.text(1.01, k, f"{row['low']:.4g} - {row['high']:.4g}", va="center", fontsize=8,
                transform=ax.get_yaxis_transform())
        unit = f" ({row['unit']})" if row["unit"] and row["unit"] != unit_word("Dmnl", lang) else ""
        labels.append(f"[{row['box']}] {row['label']}{unit}")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel(t("discover_fig_limits", lang))
    ax.set_title("; ".join(t("discover_box", lang, box=k, coverage=f"{b.coverage:.0%}", density=f"{b.density:.0%}",
                             mass=f"{b.mass:.0%}") for k, b in enumerate(result.boxes, start=1)), fontsize=9)
