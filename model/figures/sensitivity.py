"""Bar charts of sensitivity indices: one per plan target, its inputs as bars (Sobol': S1 and
ST with confidence intervals; Morris: mu* with its interval)."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..i18n import t, unit
from .fonts import font_context


def bar_charts(indices: pd.DataFrame, out_dir, units: Mapping[str, str] | None = None, lang: str = "en",
               labels: Mapping[str, str] | None = None) -> list:
    """One horizontal bar chart per target (Sobol': S1 and ST with confidence intervals;
    Morris: mu* with its interval), text in ``lang``; ``labels`` names inputs (e.g. levers by
    their label in ``lang``; default the input's name). Returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with font_context(lang):
        for (plan, target_id, indicator, year), group in indices.groupby(["plan", "target_id", "indicator", "year"], sort=False):
            method = group["method"].iloc[0]
            key = "ST" if method == "sobol" else "mu_star"
            group = group.sort_values(key, na_position="first")
            fig = Figure(figsize=(7, 0.35 * len(group) + 1.5))
            FigureCanvasAgg(fig)
            ax = fig.subplots()
            y = np.arange(len(group))
            if method == "sobol":
                ax.barh(y + 0.2, group["ST"], 0.4, xerr=group["ST_conf"], label=t("fig_sobol_total", lang), color="tab:blue")
                ax.barh(y - 0.2, group["S1"], 0.4, xerr=group["S1_conf"], label=t("fig_sobol_first", lang), color="tab:orange")
                ax.set_xlabel(t("fig_sobol_axis", lang))
                ax.legend(loc="lower right")
            else:
                ax.barh(y, group["mu_star"], 0.6, xerr=group["mu_star_conf"], color="tab:blue")
                ax.set_xlabel(t("fig_morris_axis", lang, unit=unit((units or {}).get(indicator, ""), lang)))
            ax.set_yticks(y, [(labels or {}).get(name, name) for name in group["input"]])
            ax.set_title(t("fig_sensitivity_title", lang, plan=t(f"plan_{plan}", lang), target=target_id, year=year,
                           indicator=indicator), fontsize=10)
            fig.tight_layout()
            path = out_dir / f"{method}_{plan}_{target_id}_{year}.png"
            fig.savefig(path, dpi=100)
            paths.append(path)
    return paths
