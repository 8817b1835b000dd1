"""The Model tab: levers and indicators with their documentation, every equation, the diagram,
the calibration. In Chinese every word is Chinese: units through model/words.yaml, variable
names and comments from model/variables_zh.yaml; only code (variable identifiers, equations)
is the model file's own text."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from model.lever_paths import knot_name
from model import mdl
from model.engines import simlin_engine
from model.metadata import MODULES
from model.paths import CALIBRATED_PARAMETERS_FILE, FIT_FIGURE_FILE, FIT_STATISTICS_FILE

from . import i18n, runs
from .diagram import StockFlowStructure
from .i18n import t
from .modeldoc import equations, variable_words
from .widgets import choice

VIEWS = ("levers", "indicators", "equations", "diagram", "calibration")
VIEW_LABELS = {"levers": "model_levers", "indicators": "model_indicators", "equations": "model_equations",
               "diagram": "model_diagram", "calibration": "model_calibration"}
LEVER_COLUMNS = {
    "label": "col_label", "name": "col_variable", "module": "col_module", "units": "col_units",
    "min": "col_min", "max": "col_max", "step": "col_step", "default": "col_default",
    "description": "col_description", "plan_text": "col_plan_text", "comment": "col_comment",
}
INDICATOR_COLUMNS = {"id": "col_name", "label": "col_label", "module": "col_module", "unit": "col_units",
                     "variable": "col_variable", "kind": "col_kind"}
EQUATION_COLUMNS = {"name": "col_variable", "label": "col_label", "group": "col_group", "type": "col_type",
                    "equation": "col_equation", "units": "col_units", "range": "col_range",
                    "documentation": "col_comment"}
PARAMETER_COLUMNS = {"parameter": "col_variable", "label": "col_label", "value": "col_value",
                     "std_error": "col_std_error", "at_bound": "col_at_bound", "model_value": "col_model_value",
                     "role": "col_role", "note": "col_note"}
FIT_COLUMNS = {"series": "col_series", "n_points": "col_n_points", "mape": "col_mape", "rmse": "col_rmse",
               "r2": "col_r2", "theil_um": "col_theil_um", "theil_us": "col_theil_us", "theil_uc": "col_theil_uc",
               "mae": "col_mae", "unit": "col_units"}
# Columns that hold code (model identifiers, equations, data-series keys): the same in every language.
CODE_COLUMNS = ("col_variable", "col_equation", "col_name", "col_series", "col_range")


def code_columns(lang: str) -> set[str]:
    """Headers, in ``lang``, of the columns that show code rather than words."""
    return {t(key, lang) for key in CODE_COLUMNS}


@st.cache_resource(show_spinner=False)
def equation_table() -> pd.DataFrame:
    """Every equation of the model file (read-only, shared by all sessions)."""
    project = runs.project()
    return equations(mdl.read(project.mdl_path), project.doc)


@st.cache_resource(show_spinner=False)
def structure() -> StockFlowStructure:
    """Stocks, flows and links of the model file (read-only, shared by all sessions); the links'
    polarity is Simlin's analysis of the same file."""
    text = mdl.read(runs.project().mdl_path)
    polarity = simlin_engine.link_polarities(text.path, text.variables)
    levers = runs.catalog().levers
    # a lever is drawn as the variable in force (its path's knots are constants, not drawn)
    return StockFlowStructure(text, {row["effective"]: row["module"] for row in levers}, MODULES, polarity)


def _word(key: str, lang: str, fallback: str) -> str:
    return t(key, lang) if i18n.has(key) else fallback


def _variable(lang: str, name: str, field: str, english: str) -> str:
    """A variable's name or comment in ``lang``: the model file's own words in English; in
    Chinese the translation, or the model's words while it has none (tests list those)."""
    return variable_words(lang).get(name, {}).get(field) or english


@st.cache_data(show_spinner=False)
def _table(view: str, lang: str) -> pd.DataFrame:
    """The levers or indicators with their documentation, labelled in ``lang``."""
    cat = runs.catalog()
    if view == "levers":
        frame = pd.DataFrame([{
            **row, "label": row[f"label_{lang}"], "module": t(f"module_{row['module']}", lang),
            "units": i18n.units(row["units"], lang),
            "description": row.get(f"description_{lang}") or row["description"],
            "comment": _variable(lang, knot_name(row["name"], 1, "value"), "comment", row["comment"]),
        } for row in cat.levers])
        columns = LEVER_COLUMNS
    else:
        frame = pd.DataFrame([{
            **row, "label": row[f"label_{lang}"], "module": t(f"module_{row['module']}", lang),
            "unit": i18n.units(row["unit"], lang), "kind": t(f"kind_{row['kind']}", lang),
        } for row in cat.indicators.values()])
        columns = INDICATOR_COLUMNS
    return frame[list(columns)].rename(columns={col: t(key, lang) for col, key in columns.items()})


@st.cache_data(show_spinner=False)
def _equations(lang: str) -> pd.DataFrame:
    table = equation_table().copy()
    table["label"] = [_variable(lang, n, "name", n) for n in table["name"]]
    table["group"] = [_word(f"group_{g}", lang, g) for g in table["group"]]
    table["type"] = [_word(f"type_{k}", lang, str(k)) for k in table["type"]]
    table["units"] = [i18n.units(u, lang) if isinstance(u, str) else "" for u in table["units"]]
    table["documentation"] = [_variable(lang, n, "comment", d if isinstance(d, str) else "")
                              for n, d in zip(table["name"], table["documentation"])]
    return table[list(EQUATION_COLUMNS)].rename(columns={c: t(k, lang) for c, k in EQUATION_COLUMNS.items()})


def render(lang: str) -> None:
    st.caption(t(f"engine_note_{runs.project().engine_name}", lang))
    st.session_state.setdefault("model_view", VIEWS[0])
    view = choice(st.radio, "model_view", lang, t("model_show", lang), list(VIEWS),
                  lambda v: t(VIEW_LABELS[v], lang), horizontal=True)
    if view in ("levers", "indicators"):
        st.dataframe(_table(view, lang), hide_index=True)
    elif view == "equations":
        st.dataframe(_equations(lang), hide_index=True)
    elif view == "calibration":
        calibration(lang)
    else:
        st.session_state.setdefault("diagram_module", MODULES[0])
        module = choice(st.selectbox, "diagram_module", lang, t("diagram_module", lang), list(MODULES),
                        lambda m: t(f"module_{m}", lang))
        st.caption(t("diagram_caption", lang))
        units = {n: i18n.units(u, lang) for n, u in structure().units.items() if isinstance(u, str)}
        names = {n: _variable(lang, n, "name", n) for n in structure().kind}
        docs = {n: _variable(lang, n, "comment", d if isinstance(d, str) else "") for n, d in structure().docs.items()}
        st.graphviz_chart(structure().dot(module, names=names, units=units, docs=docs), width="content")


def calibration(lang: str) -> None:
    """The calibrated defaults and how well the model fits 2000-2010 (``python -m calibration``)."""
    if not CALIBRATED_PARAMETERS_FILE.exists():
        st.info(t("calibration_missing", lang))
        return
    st.caption(t("calibration_caption", lang))
    parameters = pd.read_csv(CALIBRATED_PARAMETERS_FILE)
    lever_labels = {row["name"]: row[f"label_{lang}"] for row in runs.catalog().levers}  # a recorded path
    parameters["label"] = [lever_labels.get(p) or _variable(lang, p, "name", p) for p in parameters["parameter"]]
    for column, prefix in (("at_bound", "bound_"), ("role", "role_")):
        if column in parameters:
            parameters[column] = [_word(f"{prefix}{v}", lang, v) if isinstance(v, str) else "" for v in parameters[column]]
    if "note" in parameters:  # free text of the calibration: in Chinese, its one common word or the report
        parameters["note"] = [_word(f"note_{v}", lang, v if lang == "en" else t("note_see_report", lang))
                              if isinstance(v, str) else "" for v in parameters["note"]]
    shown = [c for c in PARAMETER_COLUMNS if c in parameters.columns]
    st.dataframe(parameters[shown].rename(columns={c: t(PARAMETER_COLUMNS[c], lang) for c in shown}), hide_index=True)
    if FIT_STATISTICS_FILE.exists():
        st.markdown(f"**{t('calibration_fit', lang)}**")
        fit = pd.read_csv(FIT_STATISTICS_FILE)
        if "unit" in fit:
            fit["unit"] = [i18n.units(u, lang) if isinstance(u, str) else "" for u in fit["unit"]]
        kept = [c for c in FIT_COLUMNS if c in fit.columns]
        st.dataframe(fit[kept].rename(columns={c: t(FIT_COLUMNS[c], lang) for c in kept}), hide_index=True)
    if FIT_FIGURE_FILE.exists():
        st.image(str(FIT_FIGURE_FILE), caption=t("calibration_figure", lang))
