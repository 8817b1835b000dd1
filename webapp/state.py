"""What the user sees, held in session state and mirrored in the URL's query parameters.

URL form: ``?lang=en&scenario=plan&compare=baseline&uncertainty=1&investment_rate=0.35`` — the
language, the scenario, the comparison run, the uncertainty switch (present only when on) and every
lever that differs from the scenario (by its Python name, the ``id`` column of
``runs.lever_table()``). Opening such a link restores the same view.
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
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from . import i18n

LANG_KEY, SCENARIO_KEY, COMPARE_KEY, UNCERTAINTY_KEY = "lang", "scenario", "compare", "uncertainty"
RESERVED = (LANG_KEY, SCENARIO_KEY, COMPARE_KEY, UNCERTAINTY_KEY)
SWITCH_VALUES = {"1": True, "0": False}  # URL spelling of the uncertainty switch
DEFAULT_SCENARIO = "baseline"


def widget_key(name: str, lang: str) -> str:
    """The key of the widget that shows the choice ``name`` in language ``lang``."""
    return f"{name}__{lang}"


def lever_key(lever_id: str) -> str:
    """The session-state (and widget) key of a lever's slider."""
    return f"lever_{lever_id}"


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


def encode(
    lang: str,
    scenario: str,
    compare: str,
    current: Mapping[str, float],
    reference: Mapping[str, float],
    levers: Sequence[Mapping],
    uncertainty: bool = False,
) -> dict[str, str]:
    """Query parameters of a view; ``current`` and ``reference`` map lever names to values,
    ``levers`` are the lever records (name, id, step). The uncertainty switch is written only
    when on, so a link without it is the plain view."""
    params = {LANG_KEY: lang, SCENARIO_KEY: scenario, COMPARE_KEY: compare}
    if uncertainty:
        params[UNCERTAINTY_KEY] = "1"
    for row in levers:
        if not same(current[row["name"]], reference[row["name"]], row["step"]):
            params[row["id"]] = format_value(current[row["name"]])
    return params


def decode(
    params: Mapping[str, str],
    scenario_names: list[str],
    levers: Sequence[Mapping],
    validate,
) -> tuple[dict[str, str | bool], dict[str, float], list[Ignored]]:
    """Read query parameters.

    Returns the chosen options (lang, scenario, compare as names, uncertainty as a bool; only
    valid ones), lever overrides by lever name, and the ignored parameters. ``validate`` is
    ``ShanghaiModel.validate_levers``: it raises for a value outside the lever's range.
    """
    options: dict[str, str | bool] = {}
    overrides: dict[str, float] = {}
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
            try:
                overrides.update(validate({row["name"]: float(value)}))
            except (ValueError, TypeError, OverflowError):  # LeverError is a ValueError
                ignored.append(Ignored(key, value, "reason_lever_range", bounds))
        else:
            ignored.append(Ignored(key, value, "reason_unknown"))
    return options, overrides, ignored
