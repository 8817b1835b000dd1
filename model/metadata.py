"""Lever, indicator and target metadata: the model file's table (model.mdl, via the declaration),
two YAML files and the plan targets.

Units, ranges and defaults come from model/shanghai.mdl; labels and plan text from
model/levers.yaml; indicator definitions from model/indicators.yaml; targets from
model/data/plan_targets.csv. Nothing is declared twice.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd
import yaml

from .errors import PlanSimError
from .paths import INDICATORS_FILE, LEVERS_FILE, TARGETS_FILE

MODULES = ("population", "economy", "energy", "transport")
INDICATOR_KINDS = ("level", "growth_yoy", "growth_avg_5y", "change_vs")
LEVER_KEYS = ("module", "label_en", "label_zh", "description_en", "description_zh", "plan_text")
# Optional: ``target_year`` (a number means "reach it by this year": a ramp from 2010), and how
# the app shows the lever: ``display: percent`` (model value x 100, in % or % a year) or
# ``display: words`` with ``words: {value: {zh, en}, ...}`` (a plain-words scale).
LEVER_OPTIONAL_KEYS = ("target_year", "display", "words")
DISPLAYS = ("model", "percent", "words")
INDICATOR_KEYS = ("module", "variable", "kind", "scale", "decimals", "unit", "label_en", "label_zh")
INDICATOR_OPTIONAL_KEYS = ("base_year", "better")
BETTER = ("higher", "lower", "none")  # which way the plan wants an indicator to go (scorecard "about")


def _read_yaml(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise PlanSimError(f"{path.name}: expected a mapping at the top level")
    return data


def lever_names() -> list[str]:
    """The levers declared in levers.yaml, in file order."""
    return list(_read_yaml(LEVERS_FILE))


def lever_table(doc: pd.DataFrame, defaults: Mapping[str, float], effective: Mapping[str, str]) -> pd.DataFrame:
    """One row per lever: labels and descriptions (zh, en; ``description`` is the English one)
    from levers.yaml; units and range from the model file's first value knot ``X point 1 value``;
    ``default`` the default path's value at 2011 (``defaults``: every constant's default, knots
    included); ``effective`` maps each lever to its variable in force (``effective_variables``);
    ``default_path`` its five (year, value) knots; ``effective`` the model variable
    in force; ``target_year``, ``display`` (model, percent or words), ``display_scale`` and
    ``display_unit`` (the units planners read), ``words`` (value -> {zh, en}) from levers.yaml."""
    from .lever_paths import KNOTS, STEP_YEAR, knot_name, model_time, value_at

    rows = []
    for name, meta in _read_yaml(LEVERS_FILE).items():
        where = f"{LEVERS_FILE.name}: lever '{name}'"
        first = knot_name(name, 1, "value")
        knots = [knot_name(name, k, part) for k in range(1, KNOTS + 1) for part in ("year", "value")]
        missing_knots = [k for k in knots if k not in defaults]
        if missing_knots:
            raise PlanSimError(f"{where}: the model file lacks its path knots {missing_knots[:2]}... "
                               "(run scripts/lever_paths.py)")
        missing = [key for key in LEVER_KEYS if key not in (meta or {})]
        if missing:
            raise PlanSimError(f"{where} lacks {missing}")
        unknown = sorted(set(meta) - set(LEVER_KEYS) - set(LEVER_OPTIONAL_KEYS))
        if unknown:
            raise PlanSimError(f"{where} has unknown keys {unknown}")
        if meta["module"] not in MODULES:
            raise PlanSimError(f"{where}: module '{meta['module']}' is not one of {MODULES}")
        limits = doc.loc[first, "Limits"]
        if len(limits) != 3 or any(pd.isna(x) for x in limits):
            raise PlanSimError(f"{where} has no [min,max,step] range in the model file ('{first}')")
        low, high, step = (float(x) for x in limits)
        path = tuple((float(defaults[knot_name(name, k, "year")]), float(defaults[knot_name(name, k, "value")]))
                     for k in range(1, KNOTS + 1))
        for year, value in path:
            if not low <= value <= high:
                raise PlanSimError(f"{where}: default path value {value} outside [{low}, {high}]")
        if any(b[0] < a[0] for a, b in zip(path, path[1:])):
            raise PlanSimError(f"{where}: default path knot years {[y for y, _ in path]} decrease")
        if name not in effective:
            raise PlanSimError(f"{where}: no model variable follows its knots (effective {name})")
        target_year = meta.get("target_year")
        if target_year is not None and (isinstance(target_year, bool) or not isinstance(target_year, int)
                                        or not STEP_YEAR <= target_year <= 2100):
            raise PlanSimError(f"{where}: target_year {target_year!r} must be a whole year from {STEP_YEAR} to 2100")
        display = meta.get("display", "model")
        if display not in DISPLAYS:
            raise PlanSimError(f"{where}: display {display!r} is not one of {DISPLAYS}")
        words = meta.get("words") or {}
        if display == "words" and not (isinstance(words, dict) and words and all(
                isinstance(v, dict) and {"zh", "en"} <= set(v) for v in words.values())):
            raise PlanSimError(f"{where}: display 'words' needs words: {{value: {{zh: ..., en: ...}}}}")
        units = doc.loc[first, "Units"]
        scale, shown_unit = 1.0, units
        if display == "percent":
            scale, shown_unit = 100.0, ("%" if units == "Dmnl" else units.replace("1/", "%/", 1))
        rows.append({
            "name": name, "module": meta["module"], "label_en": meta["label_en"],
            "label_zh": meta["label_zh"], "units": units, "min": low, "max": high,
            "step": step, "default": float(value_at(path, model_time(STEP_YEAR))), "description": meta["description_en"],
            "description_en": meta["description_en"], "description_zh": meta["description_zh"],
            "plan_text": meta["plan_text"], "comment": doc.loc[first, "Comment"],
            "effective": effective[name], "default_path": path,
            "target_year": None if target_year is None else int(target_year),
            "display": display, "display_scale": scale, "display_unit": shown_unit,
            "words": {float(k): dict(v) for k, v in words.items()},
        })
    return pd.DataFrame(rows)


def effective_variables(readers: Mapping[str, list[str]], lever_names) -> dict[str, str]:
    """Lever -> the model variable in force: ``effective X``, or (a lever named otherwise) the
    variable that reads the lever's knots. ``readers``: each variable's list of variables it
    names (``model.mdl.Variable.depends``)."""
    from .lever_paths import knot_name

    out = {}
    for lever in lever_names:
        if f"effective {lever}" in readers:
            out[lever] = f"effective {lever}"
            continue
        marker = knot_name(lever, 2, "year")
        found = [name for name, depends in readers.items() if marker in depends]
        if len(found) == 1:
            out[lever] = found[0]
    return out


def indicator_table() -> pd.DataFrame:
    """One row per indicator id, as declared in indicators.yaml."""
    data = _read_yaml(INDICATORS_FILE)
    for ind, meta in data.items():
        missing = [key for key in INDICATOR_KEYS if key not in (meta or {})]
        if missing:
            raise PlanSimError(f"{INDICATORS_FILE.name}: indicator '{ind}' lacks {missing}")
        unknown = sorted(set(meta) - set(INDICATOR_KEYS) - set(INDICATOR_OPTIONAL_KEYS))
        if unknown:  # e.g. an unquoted label with a comma split into a stray key
            raise PlanSimError(f"{INDICATORS_FILE.name}: indicator '{ind}' has unknown keys {unknown}")
        if meta["kind"] not in INDICATOR_KINDS:
            raise PlanSimError(f"{INDICATORS_FILE.name}: indicator '{ind}': kind must be one of {INDICATOR_KINDS}")
        if meta["kind"] == "change_vs" and "base_year" not in meta:
            raise PlanSimError(f"{INDICATORS_FILE.name}: indicator '{ind}' (change_vs) needs base_year")
        if meta.get("better", "none") not in BETTER:
            raise PlanSimError(f"{INDICATORS_FILE.name}: indicator '{ind}': better must be one of {BETTER}")
    table = pd.DataFrame.from_dict(data, orient="index")
    table.index.name = "id"
    return table


def plan_targets(path: Path | str = TARGETS_FILE) -> pd.DataFrame:
    """The plan targets, each mapped to a model indicator (column model_indicator); the file is
    checked (years, operators, numbers) by model.datafiles, and each target's unit must be spelled
    as its indicator's unit in indicators.yaml (one unit, one spelling, in every output)."""
    from .datafiles import read_plan_targets

    path = Path(path)
    table = read_plan_targets(path)
    units = indicator_table()["unit"]
    for row, target in table.iterrows():
        expected = units.get(target["model_indicator"])  # an unknown indicator: the scorecard says so
        if expected is not None and target["unit"] != expected:
            raise PlanSimError(
                f"{path.name}: row {row + 2}, column 'unit': target {target['plan']} {target['id']} is in "
                f"{target['unit']!r} but its indicator {target['model_indicator']!r} is in {expected!r} "
                f"({INDICATORS_FILE.name}); spell the unit as the indicator does")
    return table


def round_to_precision(values: pd.Series, indicators: pd.Series) -> pd.Series:
    """``values`` rounded, row by row, to the declared ``decimals`` of the indicator id beside
    it (indicators.yaml); values of ids that are not indicators are left as they are.
    Every CSV the app or the CLI writes goes through this, so no file shows float noise."""
    places = indicators.map(indicator_table()["decimals"].astype(int).to_dict())
    out = values.astype(float).copy()
    for n in places.dropna().unique():
        rows = places == n
        out[rows] = out[rows].round(int(n))
    return out
