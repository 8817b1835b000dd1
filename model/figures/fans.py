"""Fan charts of an uncertainty ensemble: one per indicator, the p05-p95 and p25-p75 bands, the
median and the plan targets with their probability of being met."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator

from ..i18n import t, unit
from ..metadata import plan_targets
from .fonts import font_context
from .scenarios import YEAR_TICK, target_style, target_text


def fan_charts(
    summary_bands: pd.DataFrame, out_dir: Path | str, indicators: Sequence[str], *,
    table: pd.DataFrame, targets: pd.DataFrame | None = None, probabilities: pd.DataFrame | None = None,
    title: str = "",
    lang: str = "en",
) -> list[Path]:
    """One fan chart per indicator: the p05-p95 and p25-p75 bands, the median, and the plan
    targets scored on the indicator (markers; the legend gives each target with its probability
    of being met when ``probabilities`` is given). ``table`` is the indicator table (units,
    labels); text is in ``lang``. Returns the paths written (``fan_<indicator>.png``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = plan_targets() if targets is None else targets
    chance = {} if probabilities is None else \
        probabilities.set_index(["plan", "target_id"])["probability_met"].to_dict()
    paths = []
    with font_context(lang):
        for ind in indicators:
            data = summary_bands[summary_bands["indicator"] == ind]
            if data.empty:
                continue
            fig = Figure(figsize=(7, 4.6))
            FigureCanvasAgg(fig)
            ax = fig.subplots()
            ax.fill_between(data["year"], data["p05"], data["p95"], alpha=0.25, color="tab:blue", label=t("fig_band_90", lang))
            ax.fill_between(data["year"], data["p25"], data["p75"], alpha=0.45, color="tab:blue", label=t("fig_band_50", lang))
            ax.plot(data["year"], data["p50"], color="tab:blue", label=t("fig_median", lang))
            for _, target in targets[targets["model_indicator"] == ind].iterrows():
                style = target_style(target["plan"], targets)
                key = (target["plan"], target["id"])
                label = target_text(target["op"], target["value"], lang)
                label = t("fig_p_met", lang, plan=t(f"plan_{target['plan']}", lang), op="", value=label,
                          p=f"{chance[key]:.0%}") if key in chance else f"{t('plan_' + target['plan'], lang)}: {label}"
                ax.plot([target["year"]], [target["value"]], linestyle="none", markeredgecolor="white",
                        label=" ".join(label.split()), **style)
            ax.set_title(f"{table.loc[ind, f'label_{lang}']}{' - ' + title if title else ''}", fontsize=10)
            ax.set_ylabel(unit(table.loc[ind, "unit"], lang))
            ax.set_xlabel(t("fig_year", lang))
            ax.xaxis.set_major_locator(MultipleLocator(YEAR_TICK))
            ax.margins(y=0.12)
            ax.grid(alpha=0.3)
            # The legend (with P(met)) below the axes: nothing is written beside the y-axis title.
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8, frameon=False)
            path = out_dir / f"fan_{ind}.png"
            fig.savefig(path, dpi=100, bbox_inches="tight")
            paths.append(path)
    return paths
