"""What the user sees, held in session state and mirrored in the URL's query parameters.

URL form: ``?lang=en&scenario=plan&compare=baseline&uncertainty=1&investment_rate=0.35`` — the
language, the scenario, the comparison run, the uncertainty switch (present only when on) and every
lever that differs from the scenario (by its Python name, the ``id`` column of
``runs.lever_table()``). Opening such a link restores the same view.
Nothing from the URL is used as a path or executed: names are looked up among the shipped
scenarios and the model's levers, values are checked against the lever ranges.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

from . import i18n

LANG_KEY, SCENARIO_KEY, COMPARE_KEY, UNCERTAINTY_KEY = "lang", "scenario", "compare", "uncertainty"
RESERVED = (LANG_KEY, SCENARIO_KEY, COMPARE_KEY, UNCERTAINTY_KEY)
SWITCH_VALUES = {"1": True, "0": False}  # URL spelling of the uncertainty switch
DEFAULT_SCENARIO = "baseline"


def lever_key(lever_id: str) -> str:
    """The session-state (and widget) key of a lever's slider."""
    return f"lever_{lever_id}"


def same(a: float, b: float, step: float) -> bool:
    """Two lever values are the same setting when they differ by far less than a slider step."""
    return math.isclose(a, b, rel_tol=0.0, abs_tol=step * 1e-6)


def format_value(value: float) -> str:
    """A lever value for the URL: short, and exact enough to restore the run."""
    return format(float(value), ".10g")


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
) -> tuple[dict[str, str | bool], dict[str, float], list[tuple[str, str, str]]]:
    """Read query parameters.

    Returns the chosen options (lang, scenario, compare as names, uncertainty as a bool; only
    valid ones), lever overrides by lever name, and the ignored parameters as (key, value, reason). ``validate`` is
    ``ShanghaiModel.validate_levers``: it raises with the allowed range.
    """
    options: dict[str, str | bool] = {}
    overrides: dict[str, float] = {}
    ignored: list[tuple[str, str, str]] = []
    by_id = {row["id"]: row["name"] for row in levers}
    for key, value in params.items():
        if key == LANG_KEY:
            if value in i18n.LANGUAGES:
                options[key] = value
            else:
                ignored.append((key, value, f"allowed: {', '.join(i18n.LANGUAGES)}"))
        elif key in (SCENARIO_KEY, COMPARE_KEY):
            if value in scenario_names:
                options[key] = value
            else:
                ignored.append((key, value, f"not a shipped scenario; allowed: {', '.join(scenario_names)}"))
        elif key == UNCERTAINTY_KEY:
            if value in SWITCH_VALUES:
                options[key] = SWITCH_VALUES[value]
            else:
                ignored.append((key, value, f"allowed: {', '.join(SWITCH_VALUES)}"))
        elif key in by_id:
            try:
                number = float(value)
                overrides.update(validate({by_id[key]: number}))
            except (ValueError, TypeError) as exc:  # LeverError is a ValueError
                ignored.append((key, value, str(exc)))
        else:
            ignored.append((key, value, "unknown parameter"))
    return options, overrides, ignored
