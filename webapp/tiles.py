"""The scorecard: one tile per plan target, and how many targets each plan meets.

A tile shows the indicator, the simulated value with its unit, the status and gap by
``model.scorecard.score`` (the command line's rule), the target and the comparison run's value.
With the uncertainty switch on, the status is labelled as the central run's and the probability
of meeting the target stands beside it, so that a green "met" with a low P(met) reads as what it
is: the central run meets the target, most plausible parameter sets do not.
"""
from __future__ import annotations

import streamlit as st

from model import scorecard as scorecard_rule

from . import i18n, runs
from .i18n import t
from .text import shown

STATUS_COLOURS = {"exceeded": "green", "met": "green", "near": "orange", "missed": "red"}  # exceeded is met
TILES_PER_ROW = 4
LIKELY, UNLIKELY = 2 / 3, 1 / 3  # P(met) badge colours: green above, red below, orange between


def fmt(value: float, sign: bool = False) -> str:
    """A figure for display: about three significant digits, thousands separated."""
    if value != value:  # NaN
        return "–"
    size, plus = abs(value), "+" if sign else ""
    return f"{value:{plus},.0f}" if size >= 100 else f"{value:{plus}.1f}" if size >= 10 else f"{value:{plus}.2f}"


def percent(share: float) -> str:
    """A probability (share in [0, 1]) as whole per cent."""
    return f"{100 * share:.0f}"


def chance_colour(share: float) -> str:
    return "green" if share >= LIKELY else "red" if share < UNLIKELY else "orange"


def met_summary(rows: list[dict]) -> tuple[int, int]:
    """(targets met, exceeded included, targets) of one plan's scorecard rows."""
    return sum(scorecard_rule.is_met(row["status"]) for row in rows), len(rows)


def op_text(op: str, lang: str) -> str:
    """A target's operator as a symbol: ≈ (about), ≳ (at least about), ≲ (at most about), ≥, ≤."""
    key = f"op_{op}"
    return t(key, lang) if i18n.has(key) else op


def scorecard(cat: runs.Catalog, card: list[dict], compared: list[dict], compare_title: str, lang: str,
              spread: runs.Spread | None = None) -> None:
    """The tiles of both plans, with a "N of M met" line per plan for the current and the
    comparison run; with an ensemble (``spread``), P(met) beside the central run's status."""
    st.subheader(t("scorecard", lang))
    st.caption(t("scorecard_caption", lang))
    with st.expander(t("scorecard_rule_title", lang)):
        st.markdown(t("scorecard_rule", lang))
    if spread is not None:
        st.caption(t("uncertainty_rule", lang, n=spread.members))
    targets = {(row["plan"], row["id"]): row for row in cat.targets}
    chance = spread.chance() if spread is not None else {}
    other = {(row["plan"], row["target_id"]): row for row in compared}
    for plan in cat.plans:
        rows = [row for row in card if row["plan"] == plan]
        met, total = met_summary(rows)
        other_met, _ = met_summary([row for row in compared if row["plan"] == plan])
        with st.container(key=f"summary_{plan}"):
            st.markdown(f"**{t(f'plan_{plan}', lang)}** · " + t("n_met", lang, n=met, m=total)
                        + " · " + t("n_met_compared", lang, name=shown(compare_title, 120), n=other_met, m=total))
        for start in range(0, len(rows), TILES_PER_ROW):
            columns = st.columns(TILES_PER_ROW)
            for column, row in zip(columns, rows[start:start + TILES_PER_ROW]):
                with column:
                    tile(cat, row, targets[(plan, row["target_id"])], other.get((plan, row["target_id"])),
                         chance.get((plan, row["target_id"])), lang)


def tile(cat: runs.Catalog, row: dict, meta: dict, compared: dict | None, chance, lang: str) -> None:
    ind = cat.indicators[meta["model_indicator"]]
    unit = i18n.units(ind["unit"], lang)
    attribute = str(row["attribute"])
    attr_key = f"attribute_{attribute}"
    attribute_text = t(attr_key, lang) if i18n.has(attr_key) else attribute
    op = op_text(row["op"], lang)
    wording = meta["wording_zh"] if lang == "zh" else meta["indicator"]
    status = t(f"status_{row['status']}", lang)
    title = i18n.label(ind, lang) + (" 🔒" if "binding" in attribute else "")
    with st.container(key=f"tile_{row['plan']}_{row['target_id']}", border=True):
        st.markdown(f"**{title}**")
        st.metric(
            title, f"{fmt(row['value'])}", label_visibility="collapsed",
            delta=f"{status} · {t('gap', lang)} {fmt(row['gap'], sign=True)}",
            delta_color=STATUS_COLOURS.get(row["status"], "gray"), delta_arrow="off",
            help=f"{wording}  \n{attribute_text}",
        )
        lines = [unit, f"{t('target', lang)} {op} {row['target']:g} ({attribute_text})"]
        if compared is not None:
            lines.append(f"{t('compared', lang)}: {fmt(compared['value'])} · {t('status_' + compared['status'], lang)}")
        st.caption("  \n".join(lines))
        if chance is not None:  # P(met) beside the central run's status, in words and as a bar
            met, near = chance
            colour = STATUS_COLOURS.get(row["status"], "gray")
            st.markdown(f":{colour}-badge[{t('central_run', lang)}: {status}] "
                        f":{chance_colour(met)}-badge[{t('p_met', lang, p=percent(met))}]")
            st.progress(met, text=f"{t('p_met', lang, p=percent(met))} · {t('p_near', lang, p=percent(near))}")
