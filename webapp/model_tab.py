"""The Model tab: levers and indicators with their documentation, every equation, the diagram."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from model.metadata import MODULES

from . import runs
from .diagram import StockFlowStructure
from .i18n import t
from .modeldoc import equations

VIEWS = ("levers", "indicators", "equations", "diagram", "calibration")
VIEW_LABELS = {"levers": "model_levers", "indicators": "model_indicators", "equations": "model_equations",
               "diagram": "model_diagram", "calibration": "model_calibration"}
PARAMETER_COLUMNS = ("parameter", "value", "std_error", "at_bound", "model_value", "role", "note")
LEVER_COLUMNS = {
    "label": "col_label", "name": "col_variable", "module": "col_module", "units": "col_units",
    "min": "col_min", "max": "col_max", "step": "col_step", "default": "col_default",
    "description": "col_description", "plan_text": "col_plan_text", "comment": "col_comment",
}
INDICATOR_COLUMNS = {"id": "col_name", "label": "col_label", "module": "col_module", "unit": "col_units",
                     "variable": "col_variable", "kind": "col_kind"}
EQUATION_COLUMNS = {"name": "col_name", "group": "col_group", "type": "col_type", "equation": "col_equation",
                    "units": "col_units", "range": "col_range", "documentation": "col_comment"}


@st.cache_resource(show_spinner=False)
def equation_table() -> pd.DataFrame:
    """Every equation of the model file (read-only, shared by all sessions)."""
    eng = runs.engine()
    return equations(eng.model.mdl_path, eng.model.doc)


@st.cache_resource(show_spinner=False)
def structure() -> StockFlowStructure:
    """Stocks, flows and links of the model file (read-only, shared by all sessions)."""
    levers = runs.catalog().levers
    return StockFlowStructure(runs.engine().model.mdl_path, equation_table(),
                              {row["name"]: row["module"] for row in levers}, MODULES)


@st.cache_data(show_spinner=False)
def _table(view: str, lang: str) -> pd.DataFrame:
    """The levers or indicators with their documentation, labelled in ``lang``."""
    cat = runs.catalog()
    records, columns = (cat.levers, LEVER_COLUMNS) if view == "levers" else (cat.indicators.values(), INDICATOR_COLUMNS)
    frame = pd.DataFrame([{**row, "label": row[f"label_{lang}"],
                           "module": t(f"module_{row['module']}", lang)} for row in records])
    return frame[list(columns)].rename(columns={col: t(key, lang) for col, key in columns.items()})


def render(lang: str) -> None:
    st.caption(t(f"engine_note_{runs.engine().name}", lang))
    view = st.radio(t("model_show", lang), VIEWS, key="model_view", horizontal=True,
                    format_func=lambda v: t(VIEW_LABELS[v], lang))
    if view in ("levers", "indicators"):
        st.dataframe(_table(view, lang), hide_index=True)
    elif view == "equations":
        table = equation_table()[list(EQUATION_COLUMNS)]
        st.dataframe(table.rename(columns={c: t(k, lang) for c, k in EQUATION_COLUMNS.items()}),
                     hide_index=True)
    elif view == "calibration":
        calibration(lang)
    else:
        module = st.selectbox(t("diagram_module", lang), MODULES, key="diagram_module",
                              format_func=lambda m: t(f"module_{m}", lang))
        st.caption(t("diagram_caption", lang))
        st.graphviz_chart(structure().dot(module), width="content")


def calibration(lang: str) -> None:
    """The calibrated defaults and how well the model fits 2000-2010 (``python -m calibration``)."""
    from calibration.results import FIT_STATISTICS_FILE, PARAMETERS_FILE

    if not PARAMETERS_FILE.exists():
        st.info(t("calibration_missing", lang))
        return
    st.caption(t("calibration_caption", lang))
    parameters = pd.read_csv(PARAMETERS_FILE)
    st.dataframe(parameters[[c for c in PARAMETER_COLUMNS if c in parameters.columns]], hide_index=True)
    if FIT_STATISTICS_FILE.exists():
        st.markdown(f"**{t('calibration_fit', lang)}**")
        st.dataframe(pd.read_csv(FIT_STATISTICS_FILE), hide_index=True)
    figure = FIT_STATISTICS_FILE.parent / "figures" / "fit.png"
    if figure.exists():
        st.image(str(figure), caption=t("calibration_figure", lang))
