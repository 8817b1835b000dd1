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
INDICATOR_KEYS = ("module", "variable", "kind", "scale", "decimals", "unit", "label_en", "label_zh")
INDICATOR_OPTIONAL_KEYS = ("base_year", "better")
BETTER = ("higher", "lower", "none")  # which way the plan wants an indicator to go (scorecard "about")


def _read_yaml(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise PlanSimError(f"{path.name}: expected a mapping at the top level")
    return data


def lever_table(doc: pd.DataFrame, defaults: Mapping[str, float]) -> pd.DataFrame:
    """One row per lever: labels and descriptions (zh, en; ``description`` is the English one)
    from levers.yaml; units, range and default from the model."""
    rows = []
    for name, meta in _read_yaml(LEVERS_FILE).items():
        where = f"{LEVERS_FILE.name}: lever '{name}'"
        if name not in defaults:
            raise PlanSimError(f"{where} is not a constant of the model")
        missing = [key for key in LEVER_KEYS if key not in (meta or {})]
        if missing:
            raise PlanSimError(f"{where} lacks {missing}")
        if meta["module"] not in MODULES:
            raise PlanSimError(f"{where}: module '{meta['module']}' is not one of {MODULES}")
        limits = doc.loc[name, "Limits"]
        if len(limits) != 3 or any(pd.isna(x) for x in limits):
            raise PlanSimError(f"{where} has no [min,max,step] range in the model file")
        low, high, step = (float(x) for x in limits)
        if not low <= defaults[name] <= high:
            raise PlanSimError(f"{where}: default {defaults[name]} outside [{low}, {high}]")
        rows.append({
            "name": name, "module": meta["module"], "label_en": meta["label_en"],
            "label_zh": meta["label_zh"], "units": doc.loc[name, "Units"], "min": low, "max": high,
            "step": step, "default": defaults[name], "description": meta["description_en"],
            "description_en": meta["description_en"], "description_zh": meta["description_zh"],
            "plan_text": meta["plan_text"], "comment": doc.loc[name, "Comment"],
        })
    return pd.DataFrame(rows)


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
