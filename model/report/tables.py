"""What a comparison of scenarios shows, as tables: the scorecard matrix (targets x scenarios)
and the levers as set per scenario. Shared by the PDF report and the app's comparison tab, so
both say the same; rows come from the declarations (plan_targets.csv, levers.yaml), never from
a list here.

A status reads without colour: each has a text mark (``STATUS_MARKS``) beside its word.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from ..i18n import t, unit
import math

from ..lever_paths import RAMP_BASE_YEAR, calendar_year, knots, turning_points, value_at

STATUS_MARKS = {"exceeded": "✓✓", "met": "✓", "near": "≈", "missed": "✗"}
STATUS_COLOURS = {"exceeded": "#116329", "met": "#1a7f37", "near": "#9a6700", "missed": "#cf222e"}  # text
STATUS_FILLS = {"exceeded": "#b7e4c2", "met": "#d9f2de", "near": "#fff0bf", "missed": "#ffd7d2"}  # cells
NOT_SCORED = "–"  # a target after the run's last year


def status_text(status: str, lang: str) -> str:
    """A status as a cell shows it: its mark and its word ('✓ met', '✗ 未达成')."""
    if status not in STATUS_MARKS:
        return NOT_SCORED
    return f"{STATUS_MARKS[status]} {t(f'status_{status}', lang)}"


def target_label(target: Mapping, indicators: pd.DataFrame, lang: str) -> str:
    """One target as a row label: plan, indicator, operator and figure with its unit, year."""
    meta = indicators.loc[target["model_indicator"]]
    return (f"{t('plan_' + str(target['plan']), lang)} · {meta[f'label_{lang}']} "
            f"{t('fig_op_' + str(target['op']), lang)} {float(target['value']):g} {unit(meta['unit'], lang)} "
            f"({int(target['year'])})")


def scorecard_matrix(cards: Mapping[str, pd.DataFrame], targets: pd.DataFrame) -> pd.DataFrame:
    """One row per plan target (index plan, target_id; the order of plan_targets.csv), one
    column per scenario (the keys of ``cards``, in order); each cell the target's status in that
    scenario's ``model.scorecard.score`` output, "" where it is not scored."""
    index = pd.MultiIndex.from_arrays([targets["plan"].to_numpy(), targets["id"].to_numpy()],
                                      names=["plan", "target_id"])
    columns = {}
    for name, card in cards.items():
        found = pd.Series(card["status"].to_numpy(), index=pd.MultiIndex.from_arrays(
            [card["plan"].to_numpy(), card["target_id"].to_numpy()]))
        columns[name] = found.reindex(index).fillna("").to_numpy()
    return pd.DataFrame(columns, index=index, columns=list(cards))


def _number(value: float) -> str:
    """Four significant digits, no float noise ('0' rather than '1.39e-15')."""
    value = 0.0 if abs(value) < 1e-9 else value
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"


def lever_text(row: Mapping, setting) -> str:
    """A lever setting from the 2010 base on, in display units: '40' (constant), '2.81 → 3.3
    (2015)' (from its 2010 value to 3.3, reached or in force from 2015; a path's further points
    follow the same way)."""
    target = row.get("target_year")
    target = None if target is None or pd.isna(target) else int(target)
    path = knots(setting, tuple(row["default_path"]), target)
    scale = float(row["display_scale"])
    start = float(value_at(path, RAMP_BASE_YEAR))
    parts, previous = [_number(start * scale)], start
    for year, value in turning_points(path):
        if year <= RAMP_BASE_YEAR or math.isclose(value, previous, rel_tol=1e-9, abs_tol=1e-12):
            continue
        parts.append(f"{_number(value * scale)} ({calendar_year(year):g})")
        previous = value
    return " → ".join(parts)


def lever_matrix(settings: Mapping[str, Mapping[str, object]], levers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The levers as set per scenario: index the lever's name, columns label and unit in
    ``lang`` (display unit), then one column per scenario (the keys of ``settings``: every
    lever's setting, a number or a path) with its value or path in display units."""
    rows = levers.to_dict("records")
    table = pd.DataFrame({"label": [r[f"label_{lang}"] for r in rows],
                          "unit": [unit(r["display_unit"], lang) for r in rows]},
                         index=pd.Index([r["name"] for r in rows], name="lever"))
    for name, chosen in settings.items():
        table[name] = [lever_text(r, chosen.get(r["name"], float(r["default"]))) for r in rows]
    return table


def differing(table: pd.DataFrame, names: list[str]) -> pd.Series:
    """Rows of ``lever_matrix`` whose setting differs between the scenarios ``names``."""
    return table[names].nunique(axis=1) > 1
