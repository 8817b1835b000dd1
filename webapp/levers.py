"""The levers as planners read them: sliders in display units, a start year, the path shown.

A lever's setting is what ``model.Project.run`` takes: a number in model units (from 2011, or
for a target lever reached by its target year) or a ``model.lever_paths.LeverPath``. The page
holds three things per lever: the slider (display units: a share in %, a rate in % a year, the
model's units otherwise), the start year (``STEP_YEAR`` = as a plain number) and, for a path
the two cannot express (a ramp, points from a scenario file or a link), the path itself until
the user moves the slider or the year.
"""
from __future__ import annotations

import math
from typing import Mapping

from model import lever_paths
from model.lever_paths import LeverPath

from .i18n import t

START_YEARS = tuple(range(lever_paths.STEP_YEAR, 2031))  # the start years the page offers
DISPLAY_DIGITS = 10  # display = model x scale, rounded: 0.4 shows 40, not 40.00000000000001
MODEL_DIGITS = 12  # model = display / scale, rounded: 1.3 % is 0.013, not 0.013000000000000001


def scale(row: Mapping) -> float:
    return float(row.get("display_scale", 1.0) or 1.0)


def to_display(row: Mapping, value: float) -> float:
    return round(float(value) * scale(row), DISPLAY_DIGITS)


def to_model(row: Mapping, shown: float) -> float:
    return round(float(shown) / scale(row), MODEL_DIGITS)


def level(setting) -> float:
    """The one level of a setting (a points path: its last point's value)."""
    if isinstance(setting, LeverPath):
        return setting.points[-1][1] if setting.kind == "points" else float(setting.value)
    return float(setting)


def widgets_of(row: Mapping, setting) -> tuple[float, int, LeverPath | None]:
    """(slider value in display units, start year, path kept as it is or None) for a setting."""
    if not isinstance(setting, LeverPath) or setting.kind == "number":
        return to_display(row, level(setting)), lever_paths.STEP_YEAR, None
    if setting.kind == "ramp" and setting.ramp == 0 and setting.start in START_YEARS:
        return to_display(row, setting.value), int(setting.start), None
    start = setting.first_year
    return to_display(row, level(setting)), int(start) if start in START_YEARS else lever_paths.STEP_YEAR, setting


def setting_of(row: Mapping, shown: float, start: int, kept: LeverPath | None = None, exact: float | None = None):
    """The setting the widgets stand for: the kept path, a number (start year 2011) or a step
    at the start year. ``exact``: the model value the slider was set to (a calibrated default
    has more digits than the slider shows); used while the slider still shows it."""
    if kept is not None:
        return kept
    value = exact if exact is not None and to_display(row, exact) == shown else to_model(row, shown)
    if int(start) == lever_paths.STEP_YEAR:
        return value
    return LeverPath.from_year(value, int(start), 0)


def same_setting(a, b, row: Mapping) -> bool:
    """Two settings are the same when their paths are (levels within far less than a step)."""
    default = tuple(row["default_path"])
    ka, kb = lever_paths.knots(a, default, _target(row)), lever_paths.knots(b, default, _target(row))
    tolerance = float(row["step"]) * 1e-6
    return all(ya == yb and math.isclose(va, vb, rel_tol=0.0, abs_tol=tolerance) for (ya, va), (yb, vb) in zip(ka, kb))


def words(row: Mapping, value: float, lang: str) -> str | None:
    """A plain-words reading of a lever shown on a words scale (levers.yaml ``words``): the
    declared words at a declared value, else 'x times the pace of the 2000s'-style text."""
    scale_words = row.get("words") or {}
    if row.get("display") != "words" or not scale_words:
        return None
    for point, text in scale_words.items():
        if math.isclose(float(point), float(value), abs_tol=1e-9):
            return text[lang]
    return t("lever_times", lang, value=f"{float(value):g}")


def unit_text(row: Mapping, lang: str) -> str:
    """The unit shown with the slider (% or % a year for a share, the model's unit otherwise)."""
    from . import i18n

    if row.get("display") == "words":
        return t("lever_scale_words", lang)
    return i18n.units(row.get("display_unit") or row["units"], lang)


def _target(row: Mapping) -> int | None:
    target = row.get("target_year")
    return None if target is None or (isinstance(target, float) and math.isnan(target)) else int(target)


def path_text(row: Mapping, setting, lang: str) -> str:
    """The path a setting makes from 2010 on, in display units: '40 in 2010 → 30 from 2011'
    (a step), '3.5 in 2010 → 3.3 by 2015' (a straight line), or one value."""
    knots = lever_paths.knots(setting, tuple(row["default_path"]), _target(row))
    base = lever_paths.RAMP_BASE_YEAR
    number = lambda v: f"{v * scale(row):.4g}"  # noqa: E731
    parts = [t("lever_path_start", lang, value=number(lever_paths.value_at(knots, base)), year=base)]
    previous = lever_paths.value_at(knots, base)
    for year, value in lever_paths.turning_points(knots):
        if year <= base or math.isclose(value, previous, rel_tol=0, abs_tol=1e-12):
            continue
        before = lever_paths.value_at(knots, year - 1e-6)
        step = not math.isclose(before, value, rel_tol=0, abs_tol=abs(value - previous) * 1e-3 + 1e-12)
        shown = lever_paths.calendar_year(year)  # a knot at model time t: in force from calendar t + 1
        parts.append(t("lever_path_step" if step else "lever_path_reach", lang, value=number(value), year=f"{shown:g}"))
        previous = value
    if len(parts) == 1:
        return t("lever_path_constant", lang, value=number(previous), unit=unit_text(row, lang))
    return t("lever_path", lang, path=" → ".join(parts), unit=unit_text(row, lang))
