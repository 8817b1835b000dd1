"""What the user sees, held in session state and mirrored in the URL's query parameters.

URL form: ``?lang=en&scenario=plan&compare=baseline&uncertainty=1&investment_rate=0.35`` — the
language, the scenario, the comparison run, the uncertainty switch (present only when on) and every
lever that differs from the scenario (by its Python name, the ``id`` of each lever record in
``runs.Catalog.levers``), in model units. A lever path is written ``0.3@2014`` (0.3 from 2014),
``0.3@2014+2`` (reached two years after 2014) or ``2014:0.1;2016:0.3`` (points). Opening such a
link restores the same view.
Nothing from the URL is used as a path or executed: names are looked up among the shipped
scenarios and the model's levers, values are checked against the lever ranges. What is ignored
is reported by reason code (a key of webapp/labels.yaml) so that the page can say it in either
language; the page escapes and shortens the echoed text (``webapp.text``).

Widgets whose options are shown in words (scenario, comparison, chart indicators, ...) are keyed
per language (``widget_key``): after a language switch the page draws a new widget whose options
are in the new language, instead of one that still holds the old language's option text (the
browser sends a select box's value as its displayed text). The choice itself is kept under the
language-free key (``SCENARIO_KEY`` ...), by id.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from model.lever_paths import LeverPath

from . import i18n

LANG_KEY, SCENARIO_KEY, COMPARE_KEY, UNCERTAINTY_KEY = "lang", "scenario", "compare", "uncertainty"
SWITCH_VALUES = {"1": True, "0": False}  # URL spelling of the uncertainty switch
# A link value meant as a lever path ("0.3@2014", "2014:0.1;..."): its error says how paths are written
PATH_LIKE = re.compile(r"@\s*\d|^\s*\d{4}\s*:")
DEFAULT_SCENARIO = "baseline"


def widget_key(name: str, lang: str) -> str:
    """The key of the widget that shows the choice ``name`` in language ``lang``."""
    return f"{name}__{lang}"


def lever_key(lever_id: str) -> str:
    """The session-state (and widget) key of a lever's slider (its value in display units)."""
    return f"lever_{lever_id}"


def start_key(lever_id: str) -> str:
    """The session-state key of a lever's start year (its select box is keyed per language)."""
    return f"start_{lever_id}"


def exact_key(lever_id: str) -> str:
    """The session-state key of the exact model value a lever's slider was set to."""
    return f"exact_{lever_id}"


def path_key(lever_id: str) -> str:
    """The session-state key of a path kept from a scenario file or a link (None: none)."""
    return f"path_{lever_id}"


def same(a: float, b: float, step: float) -> bool:
    """Two lever values are the same setting when they differ by far less than a slider step."""
    return math.isclose(a, b, rel_tol=0.0, abs_tol=step * 1e-6)


def format_value(value: float) -> str:
    """A lever value for the URL: short, and exact enough to restore the run."""
    return format(float(value), ".10g")


@dataclass(frozen=True)
class Ignored:
    """A query parameter that was not applied: ``reason`` is a labels.yaml key filled with ``fields``."""

    key: str
    value: str
    reason: str
    fields: dict = field(default_factory=dict)


def default_scenario(names: list[str]) -> str:
    return DEFAULT_SCENARIO if DEFAULT_SCENARIO in names else names[0]


def format_setting(setting) -> str:
    """A lever setting for the URL: a number, ``value@from[+ramp]`` or ``year:value;...``."""
    if not isinstance(setting, LeverPath):
        return format_value(setting)
    if setting.kind == "number":
        return format_value(setting.value)
    if setting.kind == "ramp":
        ramp = f"+{format_value(setting.ramp)}" if setting.ramp else ""
        return f"{format_value(setting.value)}@{int(setting.start)}{ramp}"
    return ";".join(f"{int(year)}:{format_value(value)}" for year, value in setting.points)


def parse_setting(text: str) -> object:
    """A URL lever value as the model's levers take it: a float, ``{value, from, ramp}`` or
    ``{points: {year: value}}`` (checked by the model); ValueError for what is none of these."""
    text = str(text).strip()
    if len(text) > 200:
        raise ValueError("too long")
    if ":" in text:
        points = {}
        for part in text.split(";"):
            year, _, value = part.partition(":")
            if year.strip() in points:
                raise ValueError("a year twice")
            points[year.strip()] = float(value)
        return {"points": points}
    if "@" in text:
        value, _, when = text.partition("@")
        start, _, ramp = when.partition("+")
        path = {"value": float(value), "from": int(start)}
        if ramp:
            path["ramp"] = float(ramp)
        return path
    return float(text)


def encode(
    lang: str,
    scenario: str,
    compare: str,
    current: Mapping[str, object],
    reference: Mapping[str, object],
    levers: Sequence[Mapping],
    uncertainty: bool = False,
) -> dict[str, str]:
    """Query parameters of a view; ``current`` and ``reference`` map lever names to settings
    (numbers or paths), ``levers`` are the lever records (name, id, step, default path). The
    uncertainty switch is written only when on, so a link without it is the plain view."""
    from .levers import same_setting

    params = {LANG_KEY: lang, SCENARIO_KEY: scenario, COMPARE_KEY: compare}
    if uncertainty:
        params[UNCERTAINTY_KEY] = "1"
    for row in levers:
        if not same_setting(current[row["name"]], reference[row["name"]], row):
            params[row["id"]] = format_setting(current[row["name"]])
    return params


def decode(
    params: Mapping[str, str],
    scenario_names: list[str],
    levers: Sequence[Mapping],
    validate,
) -> tuple[dict[str, str | bool], dict[str, object], list[Ignored]]:
    """Read query parameters.

    Returns the chosen options (lang, scenario, compare as names, uncertainty as a bool; only
    valid ones), lever overrides by lever name (numbers or paths), and the ignored parameters.
    ``validate`` is ``Project.validate_levers``: it raises for a value outside the lever's range.
    """
    options: dict[str, str | bool] = {}
    overrides: dict[str, object] = {}
    ignored: list[Ignored] = []
    by_id = {row["id"]: row for row in levers}
    for key, value in params.items():
        if key == LANG_KEY:
            if value in i18n.LANGUAGES:
                options[key] = value
            else:
                ignored.append(Ignored(key, value, "reason_allowed", {"allowed": ", ".join(i18n.LANGUAGES)}))
        elif key in (SCENARIO_KEY, COMPARE_KEY):
            if value in scenario_names:
                options[key] = value
            else:
                ignored.append(Ignored(key, value, "reason_scenario", {"allowed": ", ".join(scenario_names)}))
        elif key == UNCERTAINTY_KEY:
            if value in SWITCH_VALUES:
                options[key] = SWITCH_VALUES[value]
            else:
                ignored.append(Ignored(key, value, "reason_allowed", {"allowed": ", ".join(SWITCH_VALUES)}))
        elif key in by_id:
            row = by_id[key]
            bounds = {"low": f"{row['min']:g}", "high": f"{row['max']:g}", "units": row["units"]}
            path = isinstance(value, str) and bool(PATH_LIKE.search(value))
            try:
                overrides.update(validate({row["name"]: parse_setting(value)}))
            except (ValueError, TypeError, OverflowError):  # LeverError is a ValueError
                ignored.append(Ignored(key, value, "reason_lever_path" if path else "reason_lever_range", bounds))
        else:
            ignored.append(Ignored(key, value, "reason_unknown"))
    return options, overrides, ignored
