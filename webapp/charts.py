"""Charts drawn by the browser (Vega-Lite): Chinese labels render with the reader's own fonts.

One faceted chart per model module: each panel is one indicator with the current run, the
comparison run (dashed), 2000-2010 history (black points) and plan targets (diamonds); hovering
over a point shows its value. With the uncertainty switch on, the current run's line lies over
shaded 5-95 % and 25-75 % ensemble bands (rows of kind "band" with the percentile columns).
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from . import i18n
from .i18n import t

PANEL_WIDTH, PANEL_HEIGHT, COLUMNS = 400, 180, 2
SERIES = ("current", "compare", "history", "12th", "13th")
SERIES_COLOURS = ("#1f77b4", "#8c8c8c", "#222222", "#d62728", "#9467bd")
FIELDS = ("indicator", "year", "value", "series", "kind", "note")
PERCENTILES = ("p05", "p25", "p50", "p75", "p95")  # columns of model.uncertainty.bands
BAND_OPACITY = {("p05", "p95"): 0.18, ("p25", "p75"): 0.3}  # outer band lighter, inner darker


def default_indicators(catalog, module: str) -> list[str]:
    """The module's indicators that a plan target is scored on or that have history, in model order."""
    wanted = {row["model_indicator"] for row in catalog.targets} | set(catalog.observations["indicator"])
    return [ind for ind in catalog.module_indicators(module) if ind in wanted]


def panel_title(meta: dict, lang: str) -> str:
    return f"{i18n.label(meta, lang)} ({meta['unit']})"


def series_names(lang: str, compare_title: str, members: int = 0) -> dict[str, str]:
    return {
        "band": t("series_band", lang, n=members),
        "current": t("series_current", lang),
        "compare": t("series_compare", lang, name=compare_title),
        "history": t("series_history", lang),
        "12th": t("series_target_12th", lang),
        "13th": t("series_target_13th", lang),
    }


@lru_cache(maxsize=64)
def _fixed_rows(catalog, ids: tuple[str, ...], lang: str) -> tuple[tuple, ...]:
    """History and target rows of a chart (they do not depend on the levers)."""
    names = series_names(lang, "")
    rows = []
    obs = catalog.observations
    for ind in ids:
        title = panel_title(catalog.indicators[ind], lang)
        hist = obs[obs["indicator"] == ind]
        rows += [(title, int(y), float(v), names["history"], "history", s)
                 for y, v, s in zip(hist["year"], hist["value"], hist["series"])]
        for tgt in catalog.targets:
            if tgt["model_indicator"] == ind:
                op = t("op_about", lang) if tgt["op"] == "about" else tgt["op"]
                wording = tgt["wording_zh"] if lang == "zh" else tgt["indicator"]
                rows.append((title, int(tgt["year"]), float(tgt["value"]), names[tgt["plan"]], "target",
                             f"{op} {tgt['value']:g} · {wording}"))
    return tuple(rows)


def chart_data(catalog, ids: list[str], current, comparison, lang: str, names: dict[str, str],
               bands: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table for one module's chart: indicator, year, value, series, kind, note.

    ``current`` and ``comparison`` are ``runs.Result`` objects. ``bands`` (``runs.Spread.bands``:
    indicator, year, p05 ... p95) adds one row of kind "band" per indicator and year, with the
    percentile columns (empty on the other rows); without it the table is as before.
    """
    rows = []
    for ind in ids:
        title = panel_title(catalog.indicators[ind], lang)
        for key, result in (("current", current), ("compare", comparison)):
            rows += [(title, int(y), float(v), names[key], "run", "")
                     for y, v in zip(result.years, result.series(ind)) if v == v]  # v == v drops NaN
    rows += _fixed_rows(catalog, tuple(ids), lang)
    data = pd.DataFrame(rows, columns=FIELDS)
    if bands is None:
        return data
    chosen = bands[bands["indicator"].isin(ids)]
    band_rows = chosen[["year", *PERCENTILES]].assign(
        indicator=[panel_title(catalog.indicators[ind], lang) for ind in chosen["indicator"]],
        value=float("nan"), series=names["band"], kind="band", note="",
    )
    return pd.concat([band_rows, data], ignore_index=True)[[*FIELDS, *PERCENTILES]]


def spec(titles: list[str], names: dict[str, str], lang: str, bands: bool = False) -> dict:
    """Vega-Lite spec for ``chart_data``: one panel per indicator title, independent y scales;
    with ``bands``, the ensemble bands are drawn first, behind the lines."""
    colour = {
        "field": "series", "type": "nominal", "title": None,
        "scale": {"domain": [names[s] for s in SERIES], "range": list(SERIES_COLOURS)},
        "legend": {"orient": "top", "labelLimit": 300, "symbolType": "circle"},
    }
    x = {"field": "year", "type": "quantitative", "title": t("axis_year", lang),
         "axis": {"format": "d", "tickMinStep": 1}, "scale": {"nice": False}}
    y = {"field": "value", "type": "quantitative", "title": None, "scale": {"zero": False}}
    tooltip = [
        {"field": "indicator", "title": t("field_indicator", lang)},
        {"field": "series", "title": t("field_series", lang)},
        {"field": "year", "title": t("axis_year", lang)},
        {"field": "value", "title": t("axis_value", lang), "format": ",.4~g"},
        {"field": "note", "title": " "},
    ]

    def layer(kind: str, mark: dict, **extra) -> dict:
        return {"transform": [{"filter": f"datum.kind == '{kind}'"}], "mark": mark,
                "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip, **extra}}

    band_tooltip = [tooltip[0], tooltip[2], {"field": "series", "title": t("field_series", lang)},
                    *({"field": p, "title": p, "format": ",.4~g"} for p in PERCENTILES)]
    band_layers = [
        {"transform": [{"filter": "datum.kind == 'band'"}],
         "mark": {"type": "area", "color": SERIES_COLOURS[0], "opacity": opacity},
         "encoding": {"x": x, "y": {**y, "field": low}, "y2": {"field": high}, "tooltip": band_tooltip}}
        for (low, high), opacity in BAND_OPACITY.items()
    ] if bands else []
    dash = {"field": "series", "type": "nominal", "legend": None,
            "scale": {"domain": [names["current"], names["compare"]], "range": [[1, 0], [6, 4]]}}
    return {
        "facet": {"field": "indicator", "type": "nominal", "title": None, "sort": titles,
                  "header": {"labelFontSize": 12, "labelLimit": 2 * PANEL_WIDTH}},
        "columns": COLUMNS,
        "spec": {
            "width": PANEL_WIDTH, "height": PANEL_HEIGHT,
            "layer": [
                *band_layers,
                layer("run", {"type": "line", "point": {"size": 25}, "strokeWidth": 2}, strokeDash=dash),
                layer("history", {"type": "point", "filled": True, "size": 35}),
                layer("target", {"type": "point", "shape": "diamond", "filled": True, "size": 150}),
            ],
        },
        "resolve": {"scale": {"y": "independent"}},
    }
