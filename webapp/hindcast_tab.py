"""The hindcast tab: a user's actual figures (CSV: indicator,year,value[,source]) against the
current levers' projection, as ``python -m model hindcast`` shows them: the year-by-year table
with differences and % errors, each indicator's MAPE, and one chart per indicator (projection
line, the 2000-2010 history and the actual figures as points).

The file is checked by ``model.hindcast`` (the command line's reader) under the name
``uploaded.csv``; whatever it holds, the page shows a bounded, escaped message naming the file
as uploaded, never a traceback or a server path. Nothing of the file is kept beyond the session's
upload widget.
"""
from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

import model
from model import hindcast

from . import i18n, runs
from .i18n import t
from .text import problem_list, shown

UPLOAD_KEY = "hindcast_upload"
LIMIT_BYTES = 200 * 1024  # a CSV of every indicator and year is about 60 kB
COLOURS = {"projection": "#1f77b4", "history": "#000000", "actual": "#d62728"}
_LOG = logging.getLogger(__name__)


def columns(lang: str) -> dict[str, str]:
    """Column headings of the tables in ``lang``."""
    keys = ("indicator", "projected", "actual", "difference", "percent_error", "points", "mape",
            "mean_difference", "source")
    return {**{k: t(f"hindcast_{k}", lang) for k in keys}, "label": t("hindcast_indicator", lang),
            "unit": t("field_unit", lang), "year": t("axis_year", lang),
            "first_year": t("hindcast_first_year", lang), "last_year": t("hindcast_last_year", lang)}


def chart_data(cat: runs.Catalog, ind: str, projection: pd.DataFrame, actuals: pd.DataFrame,
               names: dict[str, str]) -> pd.DataFrame:
    """Long table of one indicator's chart: year, value, series (its name in the page's language)."""
    line = projection[ind].dropna()
    obs = cat.observations[cat.observations["indicator"] == ind]
    mine = actuals[actuals["indicator"] == ind]
    parts = [pd.DataFrame({"year": line.index.astype(int), "value": line.to_numpy(), "series": names["projection"]}),
             pd.DataFrame({"year": obs["year"].astype(int), "value": obs["value"], "series": names["history"]}),
             pd.DataFrame({"year": mine["year"].astype(int), "value": mine["value"], "series": names["actual"]})]
    return pd.concat([p for p in parts if len(p)], ignore_index=True)


def spec(title: str, names: dict[str, str], unit: str, lang: str) -> dict:
    """Vega-Lite: the projection as a line, history and actual figures as points."""
    colour = {"field": "series", "type": "nominal", "title": None, "legend": {"orient": "bottom", "columns": 2, "labelLimit": 300},
              "scale": {"domain": list(names.values()), "range": [COLOURS[k] for k in names]}}
    x = {"field": "year", "type": "quantitative", "title": None, "axis": {"format": "d", "tickMinStep": 1},
         "scale": {"nice": False}}
    y = {"field": "value", "type": "quantitative", "title": unit, "scale": {"zero": False}}
    tooltip = [{"field": "series", "title": t("field_series", lang)}, {"field": "year", "title": t("axis_year", lang)},
               {"field": "value", "title": t("axis_value", lang), "format": ",.4~g"}]
    return {
        "title": title, "width": "container",
        "layer": [
            {"mark": {"type": "line"}, "transform": [{"filter": {"field": "series", "equal": names["projection"]}}],
             "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
            {"mark": {"type": "point", "filled": True, "size": 30},
             "transform": [{"filter": {"field": "series", "equal": names["history"]}}],
             "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
            {"mark": {"type": "point", "filled": True, "size": 90, "shape": "diamond"},
             "transform": [{"filter": {"field": "series", "equal": names["actual"]}}],
             "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
        ],
    }


def read_upload(file, years: tuple[int, int], lang: str) -> pd.DataFrame | None:
    """The uploaded actuals, checked; None (with the reason on the page) if they cannot be used."""
    name = shown(file.name)  # displayed only, never used as a path
    if file.size > LIMIT_BYTES:
        st.error(t("hindcast_too_big", lang, file=name, size=file.size, limit=LIMIT_BYTES))
        return None
    try:
        return hindcast.read_actuals_bytes(file.getvalue()[:LIMIT_BYTES], years, name=hindcast.UPLOAD_NAME)
    except model.PlanSimError as err:
        st.error(t("hindcast_error", lang, file=name) + "\n\n" + problem_list(str(err).splitlines()))
    except Exception:  # noqa: BLE001 - whatever the file does, no traceback or path reaches the page
        _LOG.exception("uploaded actuals %r could not be read", file.name[:80])
        st.error(t("hindcast_failed", lang, file=name))
    return None


def render(cat: runs.Catalog, projection: pd.DataFrame, lang: str) -> None:
    """The tab: the format, the upload, then (with a good file) tables and charts."""
    years = (int(projection.index[0]), int(projection.index[-1]))
    st.caption(t("hindcast_caption", lang, first=years[0], last=years[1]))
    file = st.file_uploader(t("hindcast_upload", lang, kb=LIMIT_BYTES // 1024), type=["csv"], key=UPLOAD_KEY)
    if file is None:
        return
    actuals = read_upload(file, years, lang)
    if actuals is None:
        return
    table = hindcast.compare(projection, actuals)
    shown_table = hindcast.localised(table, lang)
    shown_summary = hindcast.localised(hindcast.summary(table), lang)
    st.caption(t("hindcast_rule", lang))
    heads = columns(lang)
    st.markdown(f"**{t('hindcast_by_indicator', lang)}**")
    st.dataframe(shown_summary.drop(columns="indicator").rename(columns=heads), hide_index=True, width="stretch",
                 key="hindcast_summary")
    st.markdown(f"**{t('hindcast_by_year', lang)}**")
    st.dataframe(shown_table.drop(columns="indicator").rename(columns=heads), hide_index=True, width="stretch",
                 key="hindcast_table")
    st.download_button(t("hindcast_download", lang), data=shown_table.to_csv(index=False),
                       file_name="plansim-hindcast.csv", mime="text/csv", key="download_hindcast", on_click="ignore")
    names = {"projection": t("fig_hindcast_projection", lang, scenario=t("series_current", lang)),
             "history": t("fig_history", lang), "actual": t("fig_hindcast_actual", lang)}
    chosen = list(dict.fromkeys(table["indicator"]))
    grid = st.columns(2)
    for position, ind in enumerate(chosen):
        meta = cat.indicators[ind]
        title = t("fig_hindcast_title", lang, label=i18n.label(meta, lang))
        with grid[position % 2]:
            st.vega_lite_chart(chart_data(cat, ind, projection, actuals, names),
                               spec(title, names, i18n.units(meta["unit"], lang), lang), width="stretch")
