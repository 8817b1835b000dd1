"""Charts drawn by the browser (Vega-Lite): Chinese labels render with the reader's own fonts.

One chart per indicator, two to a row, each as wide as its column: the current run, the
comparison run (dashed), 2000-2010 history (black points) and plan targets (diamonds); hovering
over a point shows its value. The y axis always takes in every target (padded), so no marker sits
on or beyond the plot's edge. With the uncertainty switch on, the current run's line lies over
shaded 5-95 % and 25-75 % ensemble bands (rows of kind "band" with the percentile columns); a
panel whose band is already wide in the base year 2010 says why.
"""
from __future__ import annotations

import html
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from model.metadata import MODULES

from . import i18n
from .i18n import t
from .widgets import choice

PANEL_HEIGHT, COLUMNS = 200, 2
RUN_SERIES = ("current", "compare", "history")
RUN_COLOURS = ("#1f77b4", "#8c8c8c", "#222222")
PLAN_COLOURS = ("#d62728", "#9467bd")  # the targets of each plan (the declaration's plans, in order)
BAND_COLOUR = RUN_COLOURS[0]


def series_colours(names: dict[str, str]) -> list[tuple[str, str]]:
    """(series, colour) of every series in ``names`` (runs, then each plan's targets)."""
    plans = [s for s in names if s not in RUN_SERIES and s != "band"]
    return [*zip(RUN_SERIES, RUN_COLOURS), *((p, PLAN_COLOURS[k % len(PLAN_COLOURS)]) for k, p in enumerate(plans))]
FIELDS = ("indicator", "year", "value", "series", "kind", "note")
PERCENTILES = ("p05", "p25", "p50", "p75", "p95")  # columns of model.uncertainty.bands
BAND_OPACITY = {("p05", "p95"): 0.18, ("p25", "p75"): 0.3}  # outer band lighter, inner darker
Y_PADDING = 0.08       # share of the data's span added above and below (targets off the edge)
BASE_YEAR, WIDE_BASE_BAND = 2010, 0.01  # a 5-95 % band wider than 1 % of the median in 2010 is noted


def default_indicators(catalog, module: str) -> list[str]:
    """The module's indicators that a plan target is scored on or that have history, in model order."""
    wanted = {row["model_indicator"] for row in catalog.targets} | set(catalog.observations["indicator"])
    return [ind for ind in catalog.module_indicators(module) if ind in wanted]


def panel_title(meta: dict, lang: str) -> str:
    return f"{i18n.label(meta, lang)} ({i18n.units(meta['unit'], lang)})"


def series_names(lang: str, compare_title: str, plans: tuple[str, ...], members: int = 0) -> dict[str, str]:
    """Each series' name in ``lang``; ``plans``: the ids of the plans whose targets are drawn."""
    return {
        "band": t("series_band", lang, n=members),
        "current": t("series_current", lang),
        "compare": t("series_compare", lang, name=compare_title),
        "history": t("series_history", lang),
        **{plan: t(f"series_target_{plan}", lang) for plan in plans},
    }


@lru_cache(maxsize=256)
def _fixed_rows(catalog, ind: str, lang: str) -> tuple[tuple, ...]:
    """History and target rows of one indicator's chart (they do not depend on the levers)."""
    names = series_names(lang, "", catalog.plans)
    obs = catalog.observations
    title = panel_title(catalog.indicators[ind], lang)
    hist = obs[obs["indicator"] == ind]
    rows = [(title, int(y), float(v), names["history"], "history", s)
            for y, v, s in zip(hist["year"], hist["value"], hist["series"])]
    for tgt in catalog.targets:
        if tgt["model_indicator"] == ind:
            op = t(f"op_{tgt['op']}", lang) if i18n.has(f"op_{tgt['op']}") else tgt["op"]
            wording = tgt["wording_zh"] if lang == "zh" else tgt["indicator"]
            rows.append((title, int(tgt["year"]), float(tgt["value"]), names[tgt["plan"]], "target",
                         f"{op} {tgt['value']:g} · {wording}"))
    return tuple(rows)


def chart_data(catalog, ind: str, current, comparison, lang: str, names: dict[str, str],
               bands: pd.DataFrame | None = None) -> pa.Table:
    """Long table of one indicator's chart: indicator (its title), year, value, series, kind, note.

    ``current`` and ``comparison`` are ``runs.Result`` objects. ``bands`` (``runs.Spread.bands``:
    indicator, year, p05 ... p95) adds one row of kind "band" per year, with the percentile
    columns (empty on the other rows); without it the table has no percentile columns.
    An Arrow table, not a DataFrame: Streamlit sends Arrow, and building it directly takes a
    third of the time of a DataFrame's conversion (33 charts on every rerun). NaN is null.
    """
    title = panel_title(catalog.indicators[ind], lang)
    rows = []
    for key, result in (("current", current), ("compare", comparison)):
        rows += [(title, int(y), float(v), names[key], "run", "")
                 for y, v in zip(result.years, result.series(ind)) if v == v]  # v == v drops NaN
    rows += _fixed_rows(catalog, ind, lang)
    if bands is not None:
        chosen = bands[bands["indicator"] == ind]
        rows = [(title, int(y), float("nan"), names["band"], "band", "") for y in chosen["year"]] + rows
    columns = dict(zip(FIELDS, map(list, zip(*rows)))) if rows else {f: [] for f in FIELDS}
    types = {"indicator": pa.string(), "year": pa.int64(), "value": pa.float64(), "series": pa.string(),
             "kind": pa.string(), "note": pa.string()}
    arrays = {f: pa.array(columns[f], type=types[f], from_pandas=True) for f in FIELDS}
    if bands is not None:
        for p in PERCENTILES:
            arrays[p] = pa.array(np.concatenate([chosen[p].to_numpy(dtype=float),
                                                 np.full(len(rows) - len(chosen), np.nan)]), from_pandas=True)
    return pa.table(arrays)


def _floats(data, column: str) -> np.ndarray:
    """A column of a DataFrame or an Arrow table as floats (null is NaN)."""
    values = data[column]
    if isinstance(values, pa.ChunkedArray):
        return values.to_numpy(zero_copy_only=False).astype(float)
    return values.to_numpy(dtype=float)


def _has(data, column: str) -> bool:
    return column in (data.column_names if isinstance(data, pa.Table) else data.columns)


def y_domain(data) -> list[float]:
    """The y range of a chart (a DataFrame or an Arrow table): every value, target and band,
    padded by ``Y_PADDING`` of the span."""
    values = np.concatenate([_floats(data, c) for c in ("value", "p05", "p95") if _has(data, c)])
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = (high - low) * Y_PADDING or max(abs(high) * Y_PADDING, 1.0)
    return [low - pad, high + pad]


def x_domain(data) -> list[float]:
    """The years of a chart (a DataFrame or an Arrow table) with half a year either side, so
    that the first and last points (a 2020 target's diamond) are drawn whole."""
    years = _floats(data, "year")
    return [float(years.min()) - 0.5, float(years.max()) + 0.5]


def spec(title: str, names: dict[str, str], lang: str, domain: list[float], bands: bool = False,
         years: list[float] | None = None) -> dict:
    """Vega-Lite spec for one indicator's ``chart_data``: as wide as its column; with ``bands``,
    the ensemble bands are drawn first, behind the lines. No legend: the module's legend is
    drawn once above its charts (``legend_html``) with the same colours."""
    colour = {"field": "series", "type": "nominal", "title": None, "legend": None,
              "scale": {"domain": [names[s] for s, _ in series_colours(names)],
                        "range": [c for _, c in series_colours(names)]}}
    x = {"field": "year", "type": "quantitative", "title": None,
         "axis": {"format": "d", "tickMinStep": 1, "labelFlush": True},
         "scale": {"nice": False, **({"domain": years} if years else {})}}
    y = {"field": "value", "type": "quantitative", "title": None,
         "scale": {"zero": False, "nice": False, "domain": domain}}
    tooltip = [
        {"field": "series", "title": t("field_series", lang)},
        {"field": "year", "title": t("axis_year", lang)},
        {"field": "value", "title": t("axis_value", lang), "format": ",.4~g"},
        {"field": "note", "title": " "},
    ]

    def layer(kind: str, mark: dict, **extra) -> dict:
        return {"transform": [{"filter": f"datum.kind == '{kind}'"}], "mark": mark,
                "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip, **extra}}

    band_tooltip = [tooltip[1], {"field": "series", "title": t("field_series", lang)},
                    *({"field": p, "title": p, "format": ",.4~g"} for p in PERCENTILES)]
    band_layers = [
        {"transform": [{"filter": "datum.kind == 'band'"}],
         "mark": {"type": "area", "color": BAND_COLOUR, "opacity": opacity},
         "encoding": {"x": x, "y": {**y, "field": low}, "y2": {"field": high}, "tooltip": band_tooltip}}
        for (low, high), opacity in BAND_OPACITY.items()
    ] if bands else []
    dash = {"field": "series", "type": "nominal", "legend": None,
            "scale": {"domain": [names["current"], names["compare"]], "range": [[1, 0], [6, 4]]}}
    return {
        "title": {"text": title, "anchor": "start", "fontSize": 13, "limit": 0},
        "height": PANEL_HEIGHT,
        "layer": [
            *band_layers,
            layer("run", {"type": "line", "point": {"size": 25}, "strokeWidth": 2}, strokeDash=dash),
            layer("history", {"type": "point", "filled": True, "size": 35}),
            layer("target", {"type": "point", "shape": "diamond", "filled": True, "size": 150}),
        ],
    }


def legend_html(names: dict[str, str], bands: bool) -> str:
    """One line naming every series with its colour and mark (escaped: the comparison's title
    may come from an uploaded file)."""
    marks = {"current": "━", "compare": "╍", "history": "●"}  # a plan's targets: ◆
    items = [(BAND_COLOUR, "▇", names["band"], 0.35)] if bands else []
    items += [(colour, marks.get(s, "◆"), names[s], 1.0) for s, colour in series_colours(names)]
    spans = [f'<span style="margin-right:1.2em;white-space:nowrap"><span style="color:{c};opacity:{o}">{m}</span> '
             f"{html.escape(text)}</span>" for c, m, text, o in items]
    return f'<div style="font-size:0.85rem;line-height:1.8;display:flex;flex-wrap:wrap">{"".join(spans)}</div>'


def wide_base_band(bands: pd.DataFrame, ind: str) -> bool:
    """Whether the ensemble's 5-95 % band of ``ind`` is already wide in the base year."""
    row = bands[(bands["indicator"] == ind) & (bands["year"] == BASE_YEAR)]
    if row.empty:
        return False
    width, middle = float(row["p95"].iloc[0] - row["p05"].iloc[0]), abs(float(row["p50"].iloc[0]))
    return width > WIDE_BASE_BAND * max(middle, 1e-12)


def charts_tab(cat, current, comparison, compare_title: str, lang: str, spread=None, why=None) -> None:
    """Per module: the indicator picker, the legend and one chart per chosen indicator;
    ``why(ind)``, when given, draws the indicator's Why? panel under its chart."""
    names = series_names(lang, compare_title, cat.plans, spread.members if spread is not None else 0)
    bands = spread.bands if spread is not None else None
    for module in MODULES:
        st.subheader(t(f"module_{module}", lang))
        key = f"chart_{module}"
        st.session_state.setdefault(key, default_indicators(cat, module))
        chosen = choice(st.multiselect, key, lang, t("chart_pick", lang), cat.module_indicators(module),
                        lambda ind: i18n.label(cat.indicators[ind], lang))
        if not chosen:
            continue
        st.html(legend_html(names, bands is not None))
        columns = st.columns(COLUMNS)
        for position, ind in enumerate(chosen):
            data = chart_data(cat, ind, current, comparison, lang, names, bands)
            with columns[position % COLUMNS]:
                st.vega_lite_chart(data, spec(panel_title(cat.indicators[ind], lang), names, lang, y_domain(data),
                                              bands=bands is not None, years=x_domain(data)), width="stretch")
                if bands is not None and wide_base_band(bands, ind):
                    st.caption(t("band_wide_2010", lang))
                if why is not None:
                    why(ind)

