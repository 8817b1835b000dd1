"""The Why? panel under each chart: which feedback loops dominate the indicator in which years
(a band chart of loop shares and the periods table), the strongest loop on the stock-flow
diagram, and the causes tree with each cause's change between the current levers and the
comparison scenario (``model.explain``).

Opened by a toggle, so a closed panel costs nothing. The loop analysis (about 2 s) is cached
per lever set and the explanation per (indicator, lever set, comparison) with ``st.cache_data``,
which gives each caller its own copy: nothing shared is mutated.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from model import PlanSimError
from model import explain as why
from model.explain.figure import figure
from model.explain.text import cause_lines, chain, loop_label, period_rows, variable_name

from . import i18n, model_tab, runs
from .i18n import t

OTHERS_LISTED = 3  # other loops described under the periods table


@st.cache_data(show_spinner=False, max_entries=16)
def analysis(levers: runs.LeverItems) -> dict:
    """Simlin's loop analysis of the run with ``levers`` (a full lever set)."""
    project = runs.project()
    return why.loop_analysis(project, dict(levers), int(project.control["FINAL TIME"]))


@st.cache_data(show_spinner=False, max_entries=64)
def explanation(ind: str, levers: runs.LeverItems, against: runs.LeverItems) -> why.Explanation:
    return why.explain(runs.project(), ind, dict(levers), dict(against), analysis=analysis(levers))


def render(cat: runs.Catalog, ind: str, levers: runs.LeverItems, against: runs.LeverItems,
           compare_title: str, lang: str) -> None:
    """The toggle and, when on, the panel for indicator ``ind``."""
    if not st.toggle(t("why_button", lang), key=f"why_{ind}", help=t("why_help", lang)):
        return
    try:
        with st.spinner(t("why_running", lang)):
            found = explanation(ind, levers, against)
    except PlanSimError as err:
        st.error(t("why_failed", lang, error="; ".join(err.messages(lang))[:500]))
        return
    label, current = i18n.label(cat.indicators[ind], lang), t("series_current", lang)
    st.caption(t("explain_loops_header", lang))
    dominance = found.dominance
    if dominance.loops:
        st.pyplot(figure(found, label, current, lang), clear_figure=False)
        rows = period_rows(found, lang)
        st.dataframe(pd.DataFrame(rows, columns=[t("explain_years", lang), t("explain_dominant", lang)]),
                     hide_index=True)
        start = (found.variable, *(c.name for c in found.causes.children))
        shown = list(dict.fromkeys(k for period in dominance.periods for k in period[2]))
        for key in [k for k in shown if dominance.loops[k]["declared"] is None][:OTHERS_LISTED]:
            loop = dominance.loops[key]
            st.caption(f"{loop_label(found, key, lang)}: " + t(
                "explain_loop_variables", lang, polarity=t(f"explain_{loop['polarity']}", lang),
                n=len(loop["variables"]), chain=chain(loop["variables"], lang, start)))
        diagram(found, lang)
    else:
        st.info(t("explain_no_loops", lang))
    if dominance.missing:
        st.caption(t("explain_missing", lang, loops=", ".join(loop_label(found, k, lang) for k in dominance.missing)))
    st.caption(t("explain_causes_header", lang, year=found.year, scenario=current, against=compare_title))
    st.text("\n".join(cause_lines(found.causes, lang)))


def diagram(found: why.Explanation, lang: str) -> None:
    """The strongest loop of the last period on the stock-flow diagram, in red."""
    dominance = found.dominance
    keys = dominance.periods[-1][2] if dominance.periods else ()
    if not keys:
        return
    key = keys[0]
    variables = dominance.loops[key]["variables"]
    structure = model_tab.structure()
    names = {n: variable_name(n, lang) for n in structure.kind}
    units = {n: i18n.units(u, lang) for n, u in structure.units.items() if isinstance(u, str)}
    st.caption(t("why_diagram", lang, loop=loop_label(found, key, lang)))
    st.graphviz_chart(structure.dot(None, names=names, units=units, docs={}, highlight=tuple(variables)),
                      width="content")
