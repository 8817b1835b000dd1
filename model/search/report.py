"""What a search writes: the found scenario (a YAML file ``validate`` and ``run`` accept), the
lever changes and the targets as CSV, a markdown report and figures (the changes; the
trade-off front when the targets cannot all be met), every text in Chinese or English."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import i18n
from ..lever_paths import LeverPath
from ..metadata import round_to_precision
from ..scenarios import scenario_to_yaml
from .optimise import Found

DEFAULT_NAME = "search-result"


def shown(value: object, row: pd.Series) -> str:
    """A setting in the units planners read (a number, or a ramp/step with its year)."""
    scale = float(row.get("display_scale", 1.0) or 1.0)
    if isinstance(value, LeverPath):
        if value.kind == "points":
            return ", ".join(f"{v * scale:.4g} ({y})" for y, v in value.points)
        return f"{value.value * scale:.4g} ({value.start}{'+' + format(value.ramp, 'g') if value.ramp else ''})"
    return f"{float(value) * scale:.4g}"


def changes_table(found: Found, levers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per changed lever: its label, unit, current and proposed setting (display units),
    the change as a share of its range, and the lever's model name."""
    table = levers.set_index("name")
    rows = []
    for item in found.changes.itertuples(index=False):
        row = table.loc[item.lever]
        rows.append({
            i18n.t("search_lever", lang): row[f"label_{lang}"],
            i18n.t("search_unit", lang): i18n.unit(row.get("display_unit", row["units"]), lang),
            i18n.t("search_current", lang): shown(item.current, row),
            i18n.t("search_proposed", lang): shown(item.proposed, row),
            i18n.t("search_change_share", lang): round(float(item.change), 4),
            "lever": item.lever,
        })
    return pd.DataFrame(rows)


def targets_table(found: Found, indicators: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The chosen targets in the proposal: plan, id, indicator label, year, target, value
    (rounded to the indicator's precision), shortfall, status (and probability met)."""
    card = found.card
    out = pd.DataFrame({
        "plan": card["plan"], "target_id": card["target_id"], "year": card["year"],
        i18n.t("search_target", lang): card["model_indicator"].map(indicators[f"label_{lang}"]),
        "op": card["op"], i18n.t("search_target_value", lang): card["target"],
        i18n.t("search_value", lang): round_to_precision(card["value"], card["model_indicator"]),
        i18n.t("search_unit", lang): card["unit"].map(lambda u: i18n.unit(u, lang)),
        i18n.t("search_shortfall", lang): card["shortfall"].round(3),
        i18n.t("search_status", lang): card["status"].map(lambda s: i18n.t(f"status_{s}", lang)),
    })
    if "probability_met" in card:
        out[i18n.t("search_probability", lang)] = card["probability_met"].round(3)
    return out


def scenario_text(found: Found, name: str, targets_spec: str, start: str, lang_titles=("zh", "en")) -> str:
    """The found scenario as a YAML file named ``name``."""
    spec = targets_spec if len(targets_spec) <= 60 else targets_spec[:57] + "..."
    titles = {lang: i18n.t("search_scenario_title", lang, targets=spec) for lang in lang_titles}
    description = {lang: i18n.t("search_scenario_description", lang, start=start, targets=spec,
                                objective=i18n.t(f"search_objective_{found.objective}", lang)) for lang in lang_titles}
    return scenario_to_yaml(name, titles["zh"], titles["en"], description, found.levers)


def changes_figure(found: Found, levers: pd.DataFrame, path: Path, lang: str) -> Path | None:
    """A bar chart of each changed lever's change (share of its range); None with no change."""
    if found.changes.empty:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..figures.fonts import font_context

    labels = levers.set_index("name")[f"label_{lang}"]
    data = found.changes.sort_values("change")
    with font_context(lang):
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(data) + 1.4))
        signed = np.sign(data["proposed_level"] - data["current_level"]) * data["change"]
        ax.barh([labels[n] for n in data["lever"]], signed, color=np.where(signed >= 0, "#1f77b4", "#d62728"))
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(i18n.t("search_changes_figure", lang))
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return path


def front_figure(found: Found, indicators: pd.DataFrame, path: Path, lang: str) -> Path | None:
    """The trade-off front: target a's indicator against target b's (or the others' total
    shortfall), with the target figures as lines; None without a front."""
    if found.front is None or found.front.empty:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..figures.fonts import font_context

    card = found.card.set_index(pd.Index(found.goals.keys))
    a, b = found.front_pair
    front = found.front

    def label(key: str) -> str:
        row = card.loc[key]
        return f"{indicators.loc[row['model_indicator'], f'label_{lang}']} {row['year']} " \
               f"({i18n.unit(row['unit'], lang)})"

    with font_context(lang):
        fig, ax = plt.subplots(figsize=(6.5, 4.8))
        x = front[f"value {a}"]
        y = front[f"value {b}"] if b in card.index else front["shortfall others"]
        ax.plot(x, y, "o-", color="#1f77b4")
        ax.axvline(card.loc[a, "target"], color="grey", linestyle="--")
        if b in card.index:
            ax.axhline(card.loc[b, "target"], color="grey", linestyle="--")
        ax.set_xlabel(label(a))
        ax.set_ylabel(label(b) if b in card.index else i18n.t("search_front_others", lang))
        ax.set_title(i18n.t("search_front", lang))
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return path


def markdown(found: Found, changes: pd.DataFrame, targets: pd.DataFrame, lang: str, *, targets_spec: str,
             start: str, scenario_file: str, figures: list[str], members: int | None) -> str:
    """The report: settings, outcome, the changes, the targets, conflicts and the front."""
    t = lambda key, **f: i18n.t(key, lang, **f)  # noqa: E731 - short alias
    lines = [f"# {t('search_title')}", "",
             f"- {t('search_targets')}: {targets_spec}",
             f"- {t('search_objective')}: {t(f'search_objective_{found.objective}')}",
             f"- {t('search_start')}: {start}"]
    if found.robust is not None:
        lines.append(f"- {t('search_robust', p=found.robust, members=members)}")
    lines += [f"- {t('search_cost', start=f'{found.start_cost:,.0f}', found=f'{found.cost:,.0f}')}",
              f"- {t('search_runs', runs=found.runs, seconds=f'{found.seconds:.1f}')}", "",
              t("search_feasible") if found.feasible else t("search_infeasible"), "",
              f"## {t('search_changes')}", ""]
    lines += [_md_table(changes.drop(columns=["lever"])) if not changes.empty else t("search_no_change"), ""]
    lines += [f"## {t('search_targets')}", "", _md_table(targets), ""]
    if not found.feasible:
        lines += [f"## {t('search_conflicts')}", ""]
        lines += [f"- {a} × {b}" for a, b in found.conflicts] or [f"- {t('search_no_pair')}"]
        if found.unreachable:
            lines += ["", f"{t('search_unreachable')}: {', '.join(found.unreachable)}"]
        lines.append("")
    lines += [f"## {t('search_files')}", "", f"- {scenario_file}", *(f"- ![]({f})" for f in figures), ""]
    return "\n".join(lines)


def _md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])
