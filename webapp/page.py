"""The page: sidebar with scenario, uncertainty switch, levers and files; scorecard; charts,
table, model and hindcast tabs."""
from __future__ import annotations

import decimal

import pandas as pd
import streamlit as st

import model
from model.metadata import MODULES, round_to_precision

from . import charts, hindcast_tab, i18n, model_tab, runs, search_panel, state, style, tiles, uploads, why_panel
from . import compare as compare_tab
from . import levers as lever_widgets
from .widgets import choice
from .i18n import t
from .text import shown

INIT_KEY, IGNORED_KEY = "initialised", "url_ignored"
UPLOAD_KEY, UPLOAD_STATUS_KEY = uploads.UPLOAD_KEY, uploads.STATUS_KEY
UPLOAD_LIMIT_BYTES = uploads.LIMIT_BYTES
TABS = ("charts", "table", "model", "hindcast", "compare")
TAB_KEY, TAB_INDEX_KEY = "tab", "tab_index"


# -- helpers ---------------------------------------------------------------------------------
def decimals(step: float) -> int:
    """Decimal places that show every slider position of ``step`` exactly."""
    return max(0, -decimal.Decimal(str(step)).normalize().as_tuple().exponent)


def scenario_title(sc, lang: str) -> str:
    return getattr(sc, f"title_{lang}", None) or sc.name


def scenario_description(sc, lang: str) -> str:
    """The scenario's description in ``lang`` (the one text when the file gives one)."""
    return getattr(sc, f"description_{lang}", None) or sc.description


def set_levers(values: dict[str, object]) -> None:
    """Move the sliders and start years to lever settings (numbers or paths; call only from a
    callback or before the sliders are drawn)."""
    for row in runs.catalog().levers:
        shown, start, kept = lever_widgets.widgets_of(row, values[row["name"]])
        st.session_state[state.lever_key(row["id"])] = shown
        st.session_state[state.exact_key(row["id"])] = lever_widgets.level(values[row["name"]])
        st.session_state[state.start_key(row["id"])] = start
        st.session_state[state.path_key(row["id"])] = kept


def current_levers(cat: runs.Catalog) -> dict[str, object]:
    """Every lever's setting as the widgets show it: a number (model units) or a path."""
    return {row["name"]: lever_setting(row) for row in cat.levers}


def lever_setting(row: dict):
    """One lever's setting from its slider, start year and kept path (see webapp/levers.py)."""
    lever_id = row["id"]
    return lever_widgets.setting_of(row, st.session_state[state.lever_key(lever_id)],
                                    st.session_state.get(state.start_key(lever_id), lever_widgets.START_YEARS[0]),
                                    st.session_state.get(state.path_key(lever_id)),
                                    st.session_state.get(state.exact_key(lever_id)))


def lever_controls(row: dict, lang: str) -> None:
    """One lever: its slider in the units planners read, its start year beside it, and the
    path the two make (or the scenario's own path) below."""
    lever_id = row["id"]

    def touched() -> None:  # moving the slider or the year replaces a path kept from a file
        st.session_state[state.path_key(lever_id)] = None

    step = float(row["step"]) * lever_widgets.scale(row)
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    with left:
        st.slider(
            f"{i18n.label(row, lang)} ({lever_widgets.unit_text(row, lang)})",
            min_value=lever_widgets.to_display(row, row["min"]), max_value=lever_widgets.to_display(row, row["max"]),
            step=step, format=f"%.{decimals(round(step, 10))}f", key=state.lever_key(lever_id),
            help=lever_help(row, lang), on_change=touched,
            # the value the session holds, given: without it Streamlit copies the whole session
            # state to learn the slider's kind (23 levers, about 170 keys, on every rerun)
            value=st.session_state[state.lever_key(lever_id)],
        )
    with right:
        choice(st.selectbox, state.start_key(lever_id), lang, t("lever_from", lang), list(lever_widgets.START_YEARS),
               lambda year: t("lever_from_option", lang, year=year), on_change=touched,
               help=t("lever_from_help", lang))
    setting = lever_setting(row)
    said = lever_widgets.words(row, lever_widgets.level(setting), lang)
    kept = st.session_state.get(state.path_key(lever_id)) is not None
    text = lever_widgets.path_text(row, setting, lang)
    st.caption(" · ".join(part for part in (said, text, t("lever_kept_path", lang) if kept else None) if part),
               help=None)


# -- session start: defaults, then the URL ---------------------------------------------------
def init_session(cat: runs.Catalog) -> None:
    """On a session's first run, take the view from the URL (invalid parts are reported)."""
    if st.session_state.get(INIT_KEY):
        return
    names = list(cat.scenarios)
    options, overrides, ignored = state.decode(
        st.query_params.to_dict(), names, cat.levers, runs.project().validate_levers
    )
    scenario = options.get(state.SCENARIO_KEY, state.default_scenario(names))
    st.session_state[state.LANG_KEY] = options.get(state.LANG_KEY, i18n.DEFAULT_LANGUAGE)
    st.session_state[state.SCENARIO_KEY] = scenario
    st.session_state[state.COMPARE_KEY] = options.get(state.COMPARE_KEY, state.default_scenario(names))
    st.session_state[state.UNCERTAINTY_KEY] = bool(options.get(state.UNCERTAINTY_KEY, False))
    set_levers({**cat.scenario_levers(scenario), **overrides})
    st.session_state[IGNORED_KEY] = ignored
    st.session_state[INIT_KEY] = True


# -- callbacks -------------------------------------------------------------------------------
def on_scenario() -> None:
    set_levers(uploads.scenario_levers(runs.catalog(), st.session_state[state.SCENARIO_KEY]))
    st.session_state.pop(UPLOAD_STATUS_KEY, None)


def on_upload() -> None:
    """An uploaded scenario, when valid, becomes the selected scenario (and a comparison option)."""
    name = uploads.on_upload(st.session_state[state.LANG_KEY])
    if name is not None:
        st.session_state[state.SCENARIO_KEY] = name
        set_levers(uploads.scenario_levers(runs.catalog(), name))


# -- sidebar ---------------------------------------------------------------------------------
def sidebar(cat: runs.Catalog, lang: str) -> None:
    known = uploads.all_scenarios(cat)
    names = list(known)

    def title(n: str) -> str:
        return uploads.display_title(known[n], n, lang)

    st.radio(t("language", lang), i18n.LANGUAGES, key=state.LANG_KEY, horizontal=True,
             format_func=i18n.LANGUAGE_NAMES.get)
    choice(st.selectbox, state.SCENARIO_KEY, lang, t("scenario", lang), names, title, on_change=on_scenario,
           help=t("scenario_help", lang))
    with st.expander(t("about_scenario", lang)):
        st.markdown(scenario_description(known[st.session_state[state.SCENARIO_KEY]], lang))
    st.button(t("reset", lang), key="reset", on_click=on_scenario, width="stretch")
    choice(st.selectbox, state.COMPARE_KEY, lang, t("compare", lang), names, title, help=t("compare_help", lang))
    st.toggle(t("uncertainty", lang), key=state.UNCERTAINTY_KEY,
              help=t("uncertainty_help", lang, n=runs.ENSEMBLE_MEMBERS))

    st.header(t("levers", lang), divider="gray")
    for module in MODULES:
        rows = cat.module_levers(module)
        if rows:
            st.subheader(t(f"module_{module}", lang))
        for row in rows:
            lever_controls(row, lang)

    st.divider()
    st.file_uploader(t("upload", lang, kb=UPLOAD_LIMIT_BYTES // 1024), type=["yaml", "yml"], key=UPLOAD_KEY,
                     on_change=on_upload, max_upload_size=1,
                     help=t("upload_help", lang, kb=UPLOAD_LIMIT_BYTES // 1024))
    status = st.session_state.get(UPLOAD_STATUS_KEY)
    if status:
        (st.error if status[0] == "error" else st.success)(status[1])
    levers, base = current_levers(cat), st.session_state[state.SCENARIO_KEY]
    base_title = {code: uploads.display_title(known[base], base, code) for code in i18n.LANGUAGES}
    st.download_button(
        t("download_yaml", lang), data=lambda: scenario_yaml(cat, levers, base_title),
        file_name="plansim-scenario.yaml", mime="application/x-yaml", key="download_yaml", width="stretch",
        on_click="ignore",  # no rerun: a rerun revokes the page's other deferred downloads
    )


def lever_help(row: dict, lang: str) -> str:
    """A slider's tooltip: what the lever does, the plan text it stands for, the model's note."""
    words = model_tab.variable_words(lang).get(model.lever_paths.knot_name(row["name"], 1, "value"), {})
    comment = words.get("comment") or (row["comment"] if lang == "en" else "")
    description = row.get(f"description_{lang}") or row["description"]
    parts = [description, f"{t('col_plan_text', lang)}: {row['plan_text']}", comment]
    return "\n\n".join(part for part in parts if part)


def scenario_yaml(cat: runs.Catalog, levers: dict[str, object], base_title) -> str:
    """The current levers (numbers or paths, model units) as a scenario file that
    ``python -m model`` runs unchanged.
    ``base_title`` is the scenario's title by language, or a shipped scenario's name."""
    if isinstance(base_title, str):
        base_title = {code: scenario_title(cat.scenarios[base_title], code) for code in i18n.LANGUAGES}
    title = {code: t("custom_title", code, base=base_title[code]) for code in i18n.LANGUAGES}
    return model.scenarios.scenario_to_yaml(
        name="custom", title_zh=title["zh"], title_en=title["en"],
        description=t("custom_description", "en"), levers=levers,
    )


# -- main area -------------------------------------------------------------------------------
def table_tab(cat: runs.Catalog, current: pd.DataFrame, comparison: pd.DataFrame, compare: str,
              card: list[dict], lang: str, titles: dict[str, str]) -> None:
    st.caption(t("table_caption", lang))
    ids = list(current.columns)
    wide = pd.DataFrame(current.to_numpy().T, index=ids, columns=[str(y) for y in current.index])
    wide.insert(0, t("field_unit", lang), [i18n.units(cat.indicators[i]["unit"], lang) for i in ids])
    wide.insert(0, t("field_indicator", lang), [i18n.label(cat.indicators[i], lang) for i in ids])
    st.dataframe(wide, width="stretch")

    def csv() -> str:  # built only when the button is pressed
        obs = cat.observations
        parts = [model.to_long(current, "current"), model.to_long(comparison, compare),
                 obs.assign(scenario="history", unit=obs["indicator"].map(lambda i: cat.indicators[i]["unit"]))
                 [["scenario", "year", "indicator", "value", "unit"]]]
        long = pd.concat(parts, ignore_index=True).rename(columns={"scenario": "run"})
        long["value"] = round_to_precision(long["value"], long["indicator"])
        long["unit"] = long["unit"].map(lambda u: i18n.units(u, lang))
        long.insert(1, "run_title", long["run"].map(lambda r: titles.get(r, r)))
        long.insert(4, "label", long["indicator"].map(lambda i: i18n.label(cat.indicators[i], lang)))
        return long.to_csv(index=False)

    def scorecard_csv() -> str:
        table = model.scorecard.export_table(pd.DataFrame(card).assign(scenario="current"), lang,
                                             targets=cat.target_table, titles=titles)
        return table.to_csv(index=False)

    left, right = st.columns(2)
    # on_click="ignore": a click does not rerun the page, so the other button's deferred file
    # (revoked and re-registered on every rerun) is still there for a second click at once.
    left.download_button(t("download_csv", lang), data=csv, file_name="plansim-results.csv", mime="text/csv",
                         key="download_csv", on_click="ignore")
    right.download_button(t("download_scorecard", lang), data=scorecard_csv,
                          file_name="plansim-scorecard.csv", mime="text/csv", key="download_scorecard",
                          on_click="ignore")


def ignored_warnings(lang: str) -> None:
    """Link parameters that were not applied, shown once; what came from the link is escaped."""
    for item in st.session_state.pop(IGNORED_KEY, []):
        fields = {k: shown(i18n.units(v, lang) if k == "units" else v) for k, v in item.fields.items()}
        reason = t(item.reason, lang, **fields) if fields else t(item.reason, lang)
        st.warning(t("url_ignored", lang, param=shown(item.key), value=shown(item.value), error=reason))


def tabs(lang: str) -> list[tuple[str, object]]:
    """The main-area tabs that are open (only the open tab is drawn, so a lever change redraws
    what is on screen); keyed per language, the open tab kept by position."""
    labels = [t(f"tab_{name}", lang) for name in TABS]
    key = state.widget_key(TAB_KEY, lang)
    index = st.session_state.get(TAB_INDEX_KEY, 0)
    if st.session_state.get(key) != labels[index]:  # first drawn in this language
        st.session_state[key] = labels[index]

    def sync() -> None:
        st.session_state[TAB_INDEX_KEY] = labels.index(st.session_state[key])

    drawn = st.tabs(labels, key=key, on_change=sync)
    return [(name, tab) for name, tab in zip(TABS, drawn) if tab.open]


def main() -> None:
    st.set_page_config(page_title="PlanSim Shanghai", page_icon="📈", layout="wide")
    try:
        runs.project()
        cat = runs.catalog()
    except model.PlanSimError as err:  # a broken scenario file or engine setting: say which, stop
        st.error(f"PlanSim Shanghai cannot start:\n\n```\n{err}\n```")
        st.stop()
    init_session(cat)
    lang = st.session_state[state.LANG_KEY]
    style.apply(lang)
    with st.sidebar:
        sidebar(cat, lang)
    scenario, compare = st.session_state[state.SCENARIO_KEY], st.session_state[state.COMPARE_KEY]
    known = uploads.all_scenarios(cat)

    st.title(t("app_title", lang))
    st.caption(t("app_caption", lang))
    ignored_warnings(lang)

    levers = current_levers(cat)
    compare_levers = uploads.scenario_levers(cat, compare)
    current_key, compare_key = runs.as_items(levers), runs.as_items(compare_levers)
    current, comparison = runs.run(current_key), runs.run(compare_key)
    uncertain = bool(st.session_state[state.UNCERTAINTY_KEY])
    # Uploaded scenarios live in this session only: the link names a shipped scenario and every
    # lever that differs from it, so that it restores the same run elsewhere.
    url_scenario = scenario if scenario in cat.scenarios else state.default_scenario(list(cat.scenarios))
    url_compare = compare if compare in cat.scenarios else state.default_scenario(list(cat.scenarios))
    params = state.encode(lang, url_scenario, url_compare, levers, cat.scenario_levers(url_scenario),
                          cat.levers, uncertain)
    reference = uploads.scenario_levers(cat, scenario)
    changed = sum(not lever_widgets.same_setting(levers[r["name"]], reference[r["name"]], r) for r in cat.levers)
    st.caption(t("changed_levers", lang, n=changed) if changed else t("unchanged_levers", lang))

    spread = None
    if uncertain:  # off: no ensemble work at all
        try:
            with st.spinner(t("uncertainty_running", lang, n=runs.ENSEMBLE_MEMBERS)):
                spread = runs.spread(current_key)
            st.caption(t("uncertainty_caption", lang, n=spread.members, seed=runs.ENSEMBLE_SEED))
        except model.PlanSimError as err:  # e.g. a broken model/uncertainties.yaml: say which, go on without
            st.error(f"{t('uncertainty', lang)}:\n\n```\n{err}\n```")
    compare_title = uploads.display_title(known[compare], compare, lang)
    tiles.scorecard(cat, runs.score(current_key), runs.score(compare_key), compare_title, lang, spread)
    search_panel.render(cat, runs.project(), levers, lang, set_levers)  # issue 14: find levers meeting targets
    for name, tab in tabs(lang):
        with tab:
            if name == "charts":
                charts.charts_tab(cat, runs.Result(current), runs.Result(comparison), compare_title, lang, spread,
                                  why=lambda ind: why_panel.render(cat, ind, current_key, compare_key, compare_title, lang))
            elif name == "table":
                titles = {"current": t("series_current", lang), compare: compare_title,
                          "history": t("series_history", lang)}
                table_tab(cat, current, comparison, compare, runs.score(current_key), lang, titles)
            elif name == "hindcast":
                hindcast_tab.render(cat, current, lang)
            elif name == "compare":
                compare_tab.render(cat, levers, lang)
            else:
                model_tab.render(lang)

    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
