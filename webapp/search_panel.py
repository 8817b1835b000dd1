"""The "find levers that meet these targets" action: a policy search (model.search) from the
current settings, its proposal shown lever by lever (current, proposed) before an Apply button
moves the sliders. The search module is imported when the button is pressed (it runs Simlin)."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from . import levers as lever_widgets
from .i18n import t
from .widgets import choice

PROPOSAL_KEY = "search_proposal"  # session: the last search's answer, with the settings it started from
TARGETS_KEY, OBJECTIVE_KEY = "search_targets", "search_objective"
DONE_KEY = "search_applied"  # session: Apply was pressed (the next run says so once)
TARGET_CHOICES = ("binding", "all")
OBJECTIVES = ("least-change", "least-cost")
# Sized for a page (a few seconds on an idle core); the command line searches longer.
POPULATION, GENERATIONS = 16, 20


def _find(project, start: dict, targets: str, objective: str) -> None:
    from model.errors import PlanSimError
    from model.search import Settings, search

    try:
        found = search(project, Settings(targets=targets, objective=objective, population=POPULATION,
                                         generations=GENERATIONS), start)
    except PlanSimError as err:
        st.session_state[PROPOSAL_KEY] = {"error": str(err)[:500]}
        return
    missed = found.card.loc[~found.card["status"].isin(("met", "exceeded"))]
    st.session_state[PROPOSAL_KEY] = {
        "start": start, "levers": found.levers, "feasible": found.feasible,
        "changes": list(found.changes["lever"]),
        "missed": [f"{p} {i}" for p, i in zip(missed["plan"], missed["target_id"])],
        "conflicts": [f"{a} × {b}" for a, b in found.conflicts],
    }


def proposal_table(rows: dict, proposal: dict, lang: str) -> pd.DataFrame:
    """Lever, current and proposed setting (the path each makes, in the units planners read)."""
    return pd.DataFrame([{
        t("search_lever", lang): rows[name][f"label_{lang}"],
        t("search_current", lang): lever_widgets.path_text(rows[name], proposal["start"][name], lang),
        t("search_proposed", lang): lever_widgets.path_text(rows[name], proposal["levers"][name], lang),
    } for name in proposal["changes"]])


def render(cat, project, current: dict, lang: str, apply: Callable[[dict], None]) -> None:
    """The panel: choices, the Find button, the proposal and the Apply button (``apply(levers)``
    sets the sliders; it runs as the button's callback, before the sliders are drawn again)."""
    rows = {row["name"]: row for row in cat.levers}
    if st.session_state.pop(DONE_KEY, False):
        st.success(t("search_applied", lang))
    with st.expander(t("search_panel", lang), icon=":material/manage_search:"):  # bundled: renders without an emoji font
        st.caption(t("search_help", lang))
        left, right = st.columns(2)
        # choices in words: keyed per language (widgets.choice), kept by option id across switches
        st.session_state.setdefault(TARGETS_KEY, TARGET_CHOICES[0])
        st.session_state.setdefault(OBJECTIVE_KEY, OBJECTIVES[0])
        with left:
            targets = choice(st.radio, TARGETS_KEY, lang, t("search_targets", lang), list(TARGET_CHOICES),
                             lambda c: t(f"search_targets_{c}", lang), horizontal=True)
        with right:
            objective = choice(st.radio, OBJECTIVE_KEY, lang, t("search_objective", lang), list(OBJECTIVES),
                               lambda c: t(f"search_objective_{c}", lang), horizontal=True)
        if st.button(t("search_run", lang), key="search_run"):
            with st.spinner(t("search_running", lang)):
                _find(project, dict(current), targets, objective)
        proposal = st.session_state.get(PROPOSAL_KEY)
        if proposal and "start" in proposal and not all(
                lever_widgets.same_setting(current[n], proposal["start"][n], rows[n]) for n in rows):
            proposal = st.session_state[PROPOSAL_KEY] = None  # the levers moved since: the proposal is stale
        if not proposal:
            return
        if "error" in proposal:
            st.error(t("search_error", lang, error=proposal["error"]))
            return
        st.markdown(t("search_feasible", lang) if proposal["feasible"] else t("search_infeasible", lang))
        if proposal["conflicts"]:
            st.markdown(f"{t('search_conflicts', lang)}: " + "; ".join(proposal["conflicts"]))
        if proposal["missed"]:
            st.caption(t("search_missed_after", lang, targets=", ".join(proposal["missed"])))
        if not proposal["changes"]:
            st.info(t("search_no_change", lang))
            return
        st.dataframe(proposal_table(rows, proposal, lang), hide_index=True, key="search_table")

        def applied() -> None:
            apply({**current, **proposal["levers"]})
            st.session_state[PROPOSAL_KEY] = None
            st.session_state[DONE_KEY] = True

        st.button(t("search_apply", lang), key="search_apply", on_click=applied, type="primary")
