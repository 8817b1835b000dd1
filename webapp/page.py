"""The page: sidebar with scenario, uncertainty switch, levers and files; scorecard; charts,
table and model tabs."""
from __future__ import annotations

import decimal

import pandas as pd
import streamlit as st

import model
from model.metadata import MODULES

from . import charts, i18n, model_tab, runs, state
from .i18n import t

UPLOAD_LIMIT_BYTES = 100 * 1024
UPLOAD_KEY, UPLOAD_STATUS_KEY, INIT_KEY, IGNORED_KEY = "upload", "upload_status", "initialised", "url_ignored"
STATUS_COLOURS = {"met": "green", "near": "orange", "missed": "red"}
PLANS = ("12th", "13th")
TILES_PER_ROW = 4
TABS = ("charts", "table", "model")
TAB_KEY, TAB_INDEX_KEY = "tab", "tab_index"


# -- helpers ---------------------------------------------------------------------------------
def fmt(value: float, sign: bool = False) -> str:
    """A figure for display: about three significant digits, thousands separated."""
    if value != value:  # NaN
        return "–"
    size, plus = abs(value), "+" if sign else ""
    return f"{value:{plus},.0f}" if size >= 100 else f"{value:{plus}.1f}" if size >= 10 else f"{value:{plus}.2f}"


def decimals(step: float) -> int:
    """Decimal places that show every slider position of ``step`` exactly."""
    return max(0, -decimal.Decimal(str(step)).normalize().as_tuple().exponent)


def percent(share: float) -> str:
    """A probability (share in [0, 1]) as whole per cent."""
    return f"{100 * share:.0f}"


def scenario_title(sc, lang: str) -> str:
    return getattr(sc, f"title_{lang}", None) or sc.name


def set_levers(values: dict[str, float]) -> None:
    """Move the sliders (call only from a callback or before the sliders are drawn)."""
    for row in runs.catalog().levers:
        st.session_state[state.lever_key(row["id"])] = float(values[row["name"]])


def current_levers(cat: runs.Catalog) -> dict[str, float]:
    return {row["name"]: float(st.session_state[state.lever_key(row["id"])]) for row in cat.levers}


# -- session start: defaults, then the URL ---------------------------------------------------
def init_session(cat: runs.Catalog) -> None:
    """On a session's first run, take the view from the URL (invalid parts are reported)."""
    if st.session_state.get(INIT_KEY):
        return
    names = list(cat.scenarios)
    options, overrides, ignored = state.decode(
        st.query_params.to_dict(), names, cat.levers, runs.engine().model.validate_levers
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
    set_levers(runs.catalog().scenario_levers(st.session_state[state.SCENARIO_KEY]))
    st.session_state.pop(UPLOAD_STATUS_KEY, None)


def on_upload() -> None:
    """Validate an uploaded scenario with the CLI's loader; apply it only when it is valid."""
    uploaded = st.session_state.get(UPLOAD_KEY)
    if uploaded is None:
        return
    lang = st.session_state[state.LANG_KEY]
    shown_name = f"`{uploaded.name.replace('`', '')}`"  # displayed only, never used as a path
    if uploaded.size > UPLOAD_LIMIT_BYTES:
        st.session_state[UPLOAD_STATUS_KEY] = ("error", t(
            "upload_too_big", lang, file=shown_name, size=uploaded.size, limit=UPLOAD_LIMIT_BYTES))
        return
    try:
        scenario = runs.read_uploaded_scenario(uploaded.getvalue())
    except model.PlanSimError as err:
        problems = getattr(err, "problems", [str(err)])
        details = "\n".join(f"- `{line.strip()}`" for line in problems)
        st.session_state[UPLOAD_STATUS_KEY] = ("error", t("upload_error", lang, file=shown_name) + "\n\n" + details)
        return
    set_levers(runs.catalog().full_levers(scenario.levers))
    st.session_state[UPLOAD_STATUS_KEY] = ("success", t("upload_ok", lang, title=scenario_title(scenario, lang)))


# -- sidebar ---------------------------------------------------------------------------------
def sidebar(cat: runs.Catalog, lang: str) -> None:
    names = list(cat.scenarios)
    st.radio(t("language", lang), i18n.LANGUAGES, key=state.LANG_KEY, horizontal=True,
             format_func=i18n.LANGUAGE_NAMES.get)
    st.selectbox(t("scenario", lang), names, key=state.SCENARIO_KEY, help=t("scenario_help", lang),
                 format_func=lambda n: scenario_title(cat.scenarios[n], lang), on_change=on_scenario)
    with st.expander(t("about_scenario", lang)):
        st.markdown(cat.scenarios[st.session_state[state.SCENARIO_KEY]].description)
    st.button(t("reset", lang), key="reset", on_click=on_scenario, width="stretch")
    st.selectbox(t("compare", lang), names, key=state.COMPARE_KEY, help=t("compare_help", lang),
                 format_func=lambda n: scenario_title(cat.scenarios[n], lang))
    st.toggle(t("uncertainty", lang), key=state.UNCERTAINTY_KEY,
              help=t("uncertainty_help", lang, n=runs.ENSEMBLE_MEMBERS))

    st.header(t("levers", lang), divider="gray")
    for module in MODULES:
        rows = cat.module_levers(module)
        if rows:
            st.subheader(t(f"module_{module}", lang))
        for row in rows:
            st.slider(
                f"{i18n.label(row, lang)} ({i18n.units(row['units'], lang)})",
                min_value=float(row["min"]), max_value=float(row["max"]), step=float(row["step"]),
                format=f"%.{decimals(row['step'])}f", key=state.lever_key(row["id"]),
                help=f"{row['description']}\n\n{t('col_plan_text', lang)}: {row['plan_text']}\n\n{row['comment']}",
            )

    st.divider()
    st.file_uploader(t("upload", lang), type=["yaml", "yml"], key=UPLOAD_KEY, on_change=on_upload,
                     max_upload_size=1, help=t("upload_help", lang, kb=UPLOAD_LIMIT_BYTES // 1024))
    status = st.session_state.get(UPLOAD_STATUS_KEY)
    if status:
        (st.error if status[0] == "error" else st.success)(status[1])
    levers, base = current_levers(cat), st.session_state[state.SCENARIO_KEY]
    st.download_button(
        t("download_yaml", lang), data=lambda: scenario_yaml(cat, levers, base),
        file_name="plansim-scenario.yaml", mime="application/x-yaml", key="download_yaml", width="stretch",
    )


def scenario_yaml(cat: runs.Catalog, levers: dict[str, float], base: str) -> str:
    """The current levers as a scenario file that ``python -m model`` runs unchanged."""
    title = {code: t("custom_title", code, base=scenario_title(cat.scenarios[base], code)) for code in i18n.LANGUAGES}
    return model.scenarios.scenario_to_yaml(
        name="custom", title_zh=title["zh"], title_en=title["en"],
        description=t("custom_description", "en"), levers=levers,
    )


# -- main area -------------------------------------------------------------------------------
def scorecard(cat: runs.Catalog, card: list[dict], compared: list[dict], lang: str,
              spread: runs.Spread | None = None) -> None:
    """One tile per target: value, target, gap and status by ``model.scorecard.score``; with an
    ensemble (``spread``), also the probability of meeting the target."""
    st.subheader(t("scorecard", lang))
    st.caption(t("scorecard_caption", lang))
    targets = {(row["plan"], row["id"]): row for row in cat.targets}
    chance = spread.chance() if spread is not None else {}
    other = {(row["plan"], row["target_id"]): row["value"] for row in compared}
    for plan in PLANS:
        rows = [row for row in card if row["plan"] == plan]
        st.markdown(f"**{t(f'plan_{plan}', lang)}**")
        for start in range(0, len(rows), TILES_PER_ROW):
            columns = st.columns(TILES_PER_ROW)
            for column, row in zip(columns, rows[start:start + TILES_PER_ROW]):
                meta = targets[(plan, row["target_id"])]
                ind = cat.indicators[meta["model_indicator"]]
                attribute = row["attribute"]
                op = t("op_about", lang) if row["op"] == "about" else row["op"]
                attr_key = f"attribute_{attribute}"
                wording = meta["wording_zh"] if lang == "zh" else meta["indicator"]
                met, near = chance.get((plan, row["target_id"]), (None, None))
                odds = f"{t('p_met', lang, p=percent(met))} · {t('p_near', lang, p=percent(near))}" if met is not None else ""
                with column.container(key=f"tile_{plan}_{row['target_id']}"):
                    st.metric(
                        i18n.label(ind, lang), fmt(row["value"]),
                        delta=f"{t('status_' + row['status'], lang)} · {t('gap', lang)} {fmt(row['gap'], sign=True)}",
                        delta_color=STATUS_COLOURS.get(row["status"], "gray"), delta_arrow="off",
                        delta_description=f"{t('target', lang)} {op} {row['target']:g}",
                        icon="🔒" if "binding" in str(attribute) else None, border=True,
                        help=f"{wording}  \n{t('field_unit', lang)}: {ind['unit']}  \n"
                             f"{t(attr_key, lang) if i18n.has(attr_key) else attribute}  \n"
                             f"{t('compared', lang)}: {fmt(other.get((plan, row['target_id']), float('nan')))}"
                             + (f"  \n{odds}" if odds else ""),
                    )
                    if met is not None:  # a bar as long as the chance of meeting the target
                        st.progress(met, text=odds)


def charts_tab(cat: runs.Catalog, current: runs.Result, comparison: runs.Result, compare_title: str, lang: str,
               spread: runs.Spread | None = None) -> None:
    names = charts.series_names(lang, compare_title, spread.members if spread is not None else 0)
    bands = spread.bands if spread is not None else None
    for module in MODULES:
        st.subheader(t(f"module_{module}", lang))
        chosen = st.multiselect(
            t("chart_pick", lang), cat.module_indicators(module), key=f"chart_{module}",
            default=charts.default_indicators(cat, module),
            format_func=lambda ind: i18n.label(cat.indicators[ind], lang),
        )
        if chosen:
            data = charts.chart_data(cat, chosen, current, comparison, lang, names, bands)
            titles = [charts.panel_title(cat.indicators[ind], lang) for ind in chosen]
            st.vega_lite_chart(data, charts.spec(titles, names, lang, bands=bands is not None), key=f"vega_{module}")


def table_tab(cat: runs.Catalog, current: pd.DataFrame, comparison: pd.DataFrame, compare: str,
              card: list[dict], lang: str) -> None:
    st.caption(t("table_caption", lang))
    ids = list(current.columns)
    wide = pd.DataFrame(current.to_numpy().T, index=ids, columns=[str(y) for y in current.index])
    wide.insert(0, t("field_unit", lang), [cat.indicators[i]["unit"] for i in ids])
    wide.insert(0, t("field_indicator", lang), [i18n.label(cat.indicators[i], lang) for i in ids])
    st.dataframe(wide, width="stretch")

    def csv() -> str:  # built only when the button is pressed
        obs = cat.observations
        parts = [model.to_long(current, "current"), model.to_long(comparison, compare),
                 obs.assign(scenario="history", unit=obs["indicator"].map(lambda i: cat.indicators[i]["unit"]))
                 [["scenario", "year", "indicator", "value", "unit"]]]
        long = pd.concat(parts, ignore_index=True).rename(columns={"scenario": "run"})
        long.insert(3, "label", long["indicator"].map(lambda i: i18n.label(cat.indicators[i], lang)))
        return long.to_csv(index=False)

    left, right = st.columns(2)
    left.download_button(t("download_csv", lang), data=csv, file_name="plansim-results.csv", mime="text/csv",
                         key="download_csv")
    right.download_button(t("download_scorecard", lang), data=lambda: pd.DataFrame(card).to_csv(index=False),
                          file_name="plansim-scorecard.csv", mime="text/csv", key="download_scorecard")


def main() -> None:
    st.set_page_config(page_title="PlanSim Shanghai", page_icon="📈", layout="wide")
    try:
        runs.engine()
        cat = runs.catalog()
    except model.PlanSimError as err:  # a broken scenario file or engine setting: say which, stop
        st.error(f"PlanSim Shanghai cannot start:\n\n```\n{err}\n```")
        st.stop()
    init_session(cat)
    lang = st.session_state[state.LANG_KEY]
    with st.sidebar:
        sidebar(cat, lang)
    scenario, compare = st.session_state[state.SCENARIO_KEY], st.session_state[state.COMPARE_KEY]

    st.title(t("app_title", lang))
    st.caption(t("app_caption", lang))
    for key, value, reason in st.session_state.pop(IGNORED_KEY, []):  # shown once
        st.warning(t("url_ignored", lang, param=f"`{key}`", value=f"`{value}`", error=reason))

    levers = current_levers(cat)
    current_key, compare_key = runs.as_items(levers), runs.as_items(cat.scenario_levers(compare))
    current, comparison = runs.run(current_key), runs.run(compare_key)
    uncertain = bool(st.session_state[state.UNCERTAINTY_KEY])
    params = state.encode(lang, scenario, compare, levers, cat.scenario_levers(scenario), cat.levers, uncertain)
    changed = sum(key not in state.RESERVED for key in params)
    st.caption(t("changed_levers", lang, n=changed) if changed else t("unchanged_levers", lang))

    spread = None
    if uncertain:  # off: no ensemble work at all
        try:
            with st.spinner(t("uncertainty_running", lang, n=runs.ENSEMBLE_MEMBERS)):
                spread = runs.spread(current_key)
            st.caption(t("uncertainty_caption", lang, n=spread.members, seed=runs.ENSEMBLE_SEED))
        except model.PlanSimError as err:  # e.g. a broken model/uncertainties.yaml: say which, go on without
            st.error(f"{t('uncertainty', lang)}:\n\n```\n{err}\n```")
    scorecard(cat, runs.score(current_key), runs.score(compare_key), lang, spread)
    # Only the open tab is drawn (tabs with state): a lever change redraws what is on screen.
    labels = [t(f"tab_{name}", lang) for name in TABS]
    tabs = st.tabs(labels, key=TAB_KEY, on_change="rerun", default=labels[st.session_state.get(TAB_INDEX_KEY, 0)])
    for index, (name, tab) in enumerate(zip(TABS, tabs)):
        if not tab.open:
            continue
        st.session_state[TAB_INDEX_KEY] = index  # kept by position, so a language switch keeps the tab
        with tab:
            if name == "charts":
                charts_tab(cat, runs.Result(current), runs.Result(comparison),
                           scenario_title(cat.scenarios[compare], lang), lang, spread)
            elif name == "table":
                table_tab(cat, current, comparison, compare, runs.score(current_key), lang)
            else:
                model_tab.render(lang)

    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
