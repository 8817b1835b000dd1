"""The comparison tab: any number of scenarios side by side.

Scenarios to compare are chosen among the shipped ones, this session's uploaded ones and the
current settings saved under a name ("save current settings as"; names are checked, at most
``NAME_LIMIT`` characters, a name already saved is refused). The tab shows the scorecard matrix
(one row per plan target, one column per scenario; each status with its colour and a text mark,
so it reads without colour), one chart per chosen indicator with one line per scenario (colour
and dash both differ; the legend names the scenarios by title) and offers the printable report
of the same scenarios (``model.report``, the PDF of ``python -m model report``).

Everything chosen or saved lives in this session's state; runs come from ``runs.run``, cached
by full lever set and shared safely between sessions (each caller gets its own copy).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from model import report
from model.metadata import indicator_table
from model.report.pdf import Inputs
from model.report.tables import STATUS_FILLS, target_label

from . import charts, i18n, runs, uploads
from .i18n import t
from .text import shown
from .widgets import choice

SAVED_KEY, CHOSEN_KEY, NAME_KEY, STATUS_KEY = "compare_saved", "compare_chosen", "compare_name", "compare_status"
INDICATORS_KEY = "compare_indicators"
SAVED_PREFIX = "saved:"  # option ids of saved settings (shipped names cannot contain ':')
NAME_LIMIT = 40  # characters of a saved name
MAX_SAVED = 20  # saved settings per session
MAX_COMPARED = 8  # scenarios at once: each keeps its own colour and dash
DEFAULT_CHARTS = 4  # indicators charted at first: the first ones a target is scored on
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
DASHES = ([1, 0], [7, 3], [2, 2], [9, 3, 2, 3], [1, 4], [12, 3], [4, 2, 1, 2, 1, 2], [5, 5])
HISTORY_COLOUR = "#222222"


@dataclass(frozen=True)
class Saved:
    """Current settings saved under a name: every lever's setting (``runs.as_items``)."""

    name: str
    levers: runs.LeverItems

    @property
    def title_zh(self) -> str:
        return self.name

    @property
    def title_en(self) -> str:
        return self.name


def saved() -> dict[str, Saved]:
    """This session's saved settings by option id (``saved:<name>``), oldest first."""
    return st.session_state.setdefault(SAVED_KEY, {})


def options(cat: runs.Catalog) -> dict[str, object]:
    """Every scenario that can be compared: shipped, uploaded, saved (by option id)."""
    return {**uploads.all_scenarios(cat), **saved()}


def title(known: dict, option: str, lang: str) -> str:
    """A scenario's title in ``lang``: uploaded and saved ones are marked as such."""
    if option.startswith(SAVED_PREFIX):
        return t("compare_saved_title", lang, name=known[option].name)
    return uploads.display_title(known[option], option, lang)


def levers_of(cat: runs.Catalog, option: str) -> dict[str, object]:
    """Every lever's setting in a shipped, uploaded or saved scenario."""
    found = saved().get(option)
    return dict(found.levers) if found is not None else uploads.scenario_levers(cat, option)


def check_name(text: object, taken: list[str]) -> tuple[str | None, str | None]:
    """(the name to save under, None) or (None, the labels.yaml key of why not). Spaces are
    collapsed; control and format characters are refused; ``taken`` names compare
    case-insensitively."""
    name = " ".join(str(text or "").split())
    if not name:
        return None, "compare_name_empty"
    if len(name) > NAME_LIMIT:
        return None, "compare_name_long"
    if any(unicodedata.category(c)[0] == "C" for c in name):
        return None, "compare_name_chars"
    if name.casefold() in {n.casefold() for n in taken}:
        return None, "compare_name_taken"
    return name, None


def save_current(levers: dict[str, object], lang: str) -> None:
    """Callback of the save button: keep ``levers`` under the typed name and add it to the
    comparison; a refused name leaves everything as it was and says why."""
    store = saved()
    typed = st.session_state.get(NAME_KEY, "")
    name, problem = check_name(typed, [s.name for s in store.values()])
    if problem is None and len(store) >= MAX_SAVED:
        problem = "compare_too_many_saved"
    if problem is not None:
        st.session_state[STATUS_KEY] = ("error", t(problem, lang, name=shown(" ".join(str(typed).split())),
                                                   limit=NAME_LIMIT, most=MAX_SAVED))
        return
    option = SAVED_PREFIX + name
    store[option] = Saved(name, runs.as_items(levers))
    chosen = list(st.session_state.get(CHOSEN_KEY, []))
    if len(chosen) < MAX_COMPARED:
        st.session_state[CHOSEN_KEY] = [*chosen, option]
    st.session_state[NAME_KEY] = ""
    st.session_state[STATUS_KEY] = ("success", t("compare_saved_ok", lang, name=shown(name)))


def default_choice(cat: runs.Catalog) -> list[str]:
    """At first: the first three shipped scenarios in file order (the sidebar's comparison first)."""
    return list(cat.scenarios)[:3]


# -- what is shown -------------------------------------------------------------------------------
def matrix_table(cat: runs.Catalog, cards: dict[str, pd.DataFrame], titles: dict[str, str], lang: str) -> pd.DataFrame:
    """The scorecard matrix as shown: one row per plan target (its label), one column per
    scenario (its title), each cell the status's mark and word."""
    matrix = report.scorecard_matrix(cards, cat.target_table)
    table = indicator_table()
    rows = [target_label(target, table, lang) for target in cat.targets]
    shown_matrix = matrix.apply(lambda column: column.map(lambda s: report.status_text(s, lang)))
    shown_matrix.index = pd.Index(rows, name=t("compare_target", lang))
    shown_matrix.columns = [titles[o] for o in matrix.columns]
    return shown_matrix


def styled(table: pd.DataFrame, marks: pd.DataFrame):
    """``table`` with each cell's background in its status's colour (``marks``: the statuses)."""
    colours = marks.map(lambda s: f"background-color: {STATUS_FILLS[s]}" if s in STATUS_FILLS else "")
    colours.index, colours.columns = table.index, table.columns
    return table.style.apply(lambda _: colours, axis=None)


def chart_data(cat: runs.Catalog, ind: str, results: dict[str, pd.DataFrame], titles: dict[str, str],
               lang: str) -> pd.DataFrame:
    """Long table of one indicator's chart: indicator (its title), series (a scenario's title,
    history, a plan's targets), kind (run, history, target), year, value, note."""
    rows = []
    for option, result in results.items():
        rows += [(titles[option], "run", int(y), float(v), "") for y, v in result[ind].items() if v == v]
    obs = cat.observations[cat.observations["indicator"] == ind]
    rows += [(t("series_history", lang), "history", int(y), float(v), "") for y, v in zip(obs["year"], obs["value"])]
    for target in cat.targets:
        if target["model_indicator"] == ind:
            rows.append((t(f"series_target_{target['plan']}", lang), "target", int(target["year"]),
                         float(target["value"]), f"{t('fig_op_' + target['op'], lang)} {target['value']:g}"))
    data = pd.DataFrame(rows, columns=["series", "kind", "year", "value", "note"])
    data.insert(0, "indicator", charts.panel_title(cat.indicators[ind], lang))
    return data


def chart_spec(title: str, names: list[str], data: pd.DataFrame, lang: str, plans: list[tuple[str, str]]) -> dict:
    """Vega-Lite: one line per scenario (``names``, in order: colour and dash from
    ``COLOURS``/``DASHES``; the legend below names them), history points, and each plan's
    target diamonds (``plans``: the series name of its targets, its colour)."""
    x = {"field": "year", "type": "quantitative", "title": None, "axis": {"format": "d", "tickMinStep": 1},
         "scale": {"nice": False, "domain": charts.x_domain(data)}}
    y = {"field": "value", "type": "quantitative", "title": None,
         "scale": {"zero": False, "nice": False, "domain": charts.y_domain(data)}}
    tooltip = [{"field": "series", "title": t("field_series", lang)}, {"field": "year", "title": t("axis_year", lang)},
               {"field": "value", "title": t("axis_value", lang), "format": ",.4~g"}, {"field": "note", "title": " "}]
    legend = {"orient": "bottom", "title": None, "labelLimit": 0, "symbolStrokeWidth": 2.5, "symbolSize": 400,
              "columns": 2}
    colour = {"field": "series", "type": "nominal", "legend": legend,
              "scale": {"domain": names, "range": list(COLOURS[:len(names)])}}
    dash = {"field": "series", "type": "nominal", "legend": legend,
            "scale": {"domain": names, "range": [list(d) for d in DASHES[:len(names)]]}}

    def only(kind: str) -> list[dict]:
        return [{"filter": f"datum.kind == '{kind}'"}]

    return {
        "title": {"text": title, "anchor": "start", "fontSize": 13, "limit": 0},
        "height": charts.PANEL_HEIGHT + 40,
        "layer": [
            {"transform": only("run"), "mark": {"type": "line", "strokeWidth": 2.2},
             "encoding": {"x": x, "y": y, "color": colour, "strokeDash": dash, "tooltip": tooltip}},
            {"transform": only("history"), "mark": {"type": "point", "filled": True, "size": 35, "color": HISTORY_COLOUR},
             "encoding": {"x": x, "y": y, "tooltip": tooltip}},
            *({"transform": [{"filter": {"field": "series", "equal": plan}}, *only("target")],
               "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 150, "color": colour},
               "encoding": {"x": x, "y": y, "tooltip": tooltip}} for plan, colour in plans),
        ],
    }


def report_pdf(cat: runs.Catalog, chosen: list[str], titles: dict[str, dict[str, str]], lang: str) -> bytes:
    """The printable report (``python -m model report``) of the chosen scenarios, in ``lang``."""
    items = []
    for option in chosen:
        key = runs.as_items(levers_of(cat, option))
        items.append(report.ReportScenario(option, titles["zh"][option], titles["en"][option], dict(key),
                                           runs.run(key)))
    inputs = Inputs(runs.project().levers(), indicator_table(), cat.target_table, cat.observations,
                    report.model_stamp())
    return report.report_bytes(items, lang, inputs)


# -- the tab -------------------------------------------------------------------------------------
def render(cat: runs.Catalog, current_levers: dict[str, object], lang: str) -> None:
    st.caption(t("compare_caption", lang, most=MAX_COMPARED))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.text_input(t("compare_save_label", lang), key=NAME_KEY, max_chars=NAME_LIMIT,
                    placeholder=t("compare_save_placeholder", lang))
    right.button(t("compare_save", lang), key="compare_save", on_click=save_current, args=(current_levers, lang),
                 width="stretch")
    status = st.session_state.get(STATUS_KEY)
    if status:
        (st.error if status[0] == "error" else st.success)(status[1])

    known = options(cat)
    st.session_state.setdefault(CHOSEN_KEY, default_choice(cat))
    st.session_state[CHOSEN_KEY] = [o for o in st.session_state[CHOSEN_KEY] if o in known][:MAX_COMPARED]
    chosen = choice(st.multiselect, CHOSEN_KEY, lang, t("compare_pick", lang), list(known),
                    lambda o: title(known, o, lang), max_selections=MAX_COMPARED,
                    help=t("compare_pick_help", lang, most=MAX_COMPARED))
    if not chosen:
        st.info(t("compare_none", lang))
        return
    titles = {code: {o: title(known, o, code) for o in chosen} for code in i18n.LANGUAGES}
    keys = {o: runs.as_items(levers_of(cat, o)) for o in chosen}
    results = {o: runs.run(keys[o]) for o in chosen}
    cards = {o: pd.DataFrame(runs.score(keys[o])) for o in chosen}

    st.subheader(t("compare_matrix", lang))
    st.caption(t("compare_matrix_caption", lang) + "  " + "  ".join(
        report.status_text(s, lang) for s in report.STATUS_MARKS))
    table = matrix_table(cat, cards, titles[lang], lang)
    with st.container(key="compare_matrix"):  # a plain HTML table: its text prints and reads in the page
        st.table(styled(table, report.scorecard_matrix(cards, cat.target_table)))

    st.download_button(t("compare_report", lang), data=lambda: report_pdf(cat, chosen, titles, lang),
                       file_name=f"plansim-report-{lang}.pdf", mime="application/pdf", key="compare_report",
                       help=t("compare_report_help", lang), on_click="ignore")

    st.subheader(t("compare_charts", lang))
    targeted = list(dict.fromkeys(row["model_indicator"] for row in cat.targets))
    st.session_state.setdefault(INDICATORS_KEY, targeted[:DEFAULT_CHARTS])
    picked = choice(st.multiselect, INDICATORS_KEY, lang, t("compare_chart_pick", lang), list(cat.indicators),
                    lambda ind: i18n.label(cat.indicators[ind], lang))
    st.caption(t("compare_chart_note", lang))
    names = [titles[lang][o] for o in chosen]
    plans = [(t(f"series_target_{plan}", lang), charts.PLAN_COLOURS[k % len(charts.PLAN_COLOURS)])
             for k, plan in enumerate(cat.plans)]
    columns = st.columns(charts.COLUMNS)
    for position, ind in enumerate(picked):
        data = chart_data(cat, ind, results, titles[lang], lang)
        with columns[position % charts.COLUMNS]:
            st.vega_lite_chart(data, chart_spec(charts.panel_title(cat.indicators[ind], lang), names, data, lang, plans),
                               width="stretch")
