"""The plan scorecard: each target of model/data/plan_targets.csv against a run.

Rule (also in scenarios/README.md). ``band`` is 5 % of the magnitude of the target figure,
in the target's own unit: for "about 8 % a year" it is 0.4 points, for "-18 % vs 2010" it is
0.9 points. Using the magnitude keeps the band positive and the same width for a cut of 18 %
as for a rise of 18 %; a relative reading of "-17.1 against -18" is simply 0.9 / 18 = 5 %.

=====================  ==========================================  =====================
op                     met                                         near (else missed)
=====================  ==========================================  =====================
``about``              ``|value - target| <= band``                ``<= 2 * band``
``>=`` (at least)      ``value >= target``                         ``value >= target - band``
``<=`` (at most)       ``value <= target``                         ``value <= target + band``
=====================  ==========================================  =====================

``near`` applies to ``>=`` and ``<=`` targets only when their attribute is ``expected``
(预期性); a target whose attribute contains ``binding`` (约束性, binding cap) is never near:
it is met or missed. Edges count as inside (a value exactly on the band edge is met or near);
a relative 1e-9 slack absorbs floating-point rounding at the edges.

``gap = value - target`` in the target's unit: positive means above the target figure.
"""
from __future__ import annotations

import math

import pandas as pd

from .errors import PlanSimError
from .paths import TARGETS_FILE

BAND = 0.05  # met band of "about" and near band of ">=", "<=": share of the target's magnitude
OPS = ("about", ">=", "<=")
STATUSES = ("met", "near", "missed")
COLUMNS = ["plan", "target_id", "year", "value", "target", "op", "attribute", "gap", "status"]
_SLACK = 1e-9  # relative: a value on a band edge stays inside despite rounding


def _within(distance: float, limit: float) -> bool:
    return distance <= limit * (1 + _SLACK) + 1e-12


def status(value: float, target: float, op: str, attribute: str) -> str:
    """``'met'``, ``'near'`` or ``'missed'`` for ``value`` against ``target`` (module docstring)."""
    if op not in OPS:
        raise PlanSimError(f"target op {op!r} is not one of {OPS}")
    value, target = float(value), float(target)
    if not (math.isfinite(value) and math.isfinite(target)):
        raise PlanSimError(f"cannot score value {value!r} against target {target!r}: not finite")
    band = BAND * abs(target)
    binding = "binding" in str(attribute)
    if op == "about":
        distance = abs(value - target)
        if _within(distance, band):
            return "met"
        return "near" if not binding and _within(distance, 2 * band) else "missed"
    shortfall = target - value if op == ">=" else value - target  # > 0: on the wrong side
    if shortfall <= 0:
        return "met"
    near_allowed = str(attribute).strip() == "expected"
    return "near" if near_allowed and _within(shortfall, band) else "missed"


def _targets(targets: pd.DataFrame | None) -> pd.DataFrame:
    if targets is None:
        from .metadata import plan_targets

        targets = plan_targets()
    needed = ("plan", "id", "year", "op", "value", "attribute", "model_indicator")
    missing = [c for c in needed if c not in targets.columns]
    if missing:
        raise PlanSimError(f"{TARGETS_FILE.name}: missing column(s) {missing}")
    for row, op in enumerate(targets["op"]):
        if op not in OPS:
            raise PlanSimError(f"{TARGETS_FILE.name}: row {row + 2}, column 'op': {op!r} is not one of {OPS}")
    return targets


def score(result_df: pd.DataFrame, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score a run (``Project.run`` output, index year) against the plan targets.

    One row per target whose year is inside the run (targets after the run's last year are
    left out); columns plan, target_id, year, value, target, op, attribute, gap, status.
    """
    targets = _targets(targets)
    rows = []
    for row, t in enumerate(targets.itertuples(index=False)):
        year = int(t.year)
        if year not in result_df.index:
            continue
        if t.model_indicator not in result_df.columns:
            raise PlanSimError(
                f"{TARGETS_FILE.name}: row {row + 2}, column 'model_indicator': "
                f"{t.model_indicator!r} is not an indicator of the run"
            )
        value = float(result_df.loc[year, t.model_indicator])
        target = float(t.value)
        rows.append({
            "plan": t.plan, "target_id": t.id, "year": year, "value": value, "target": target,
            "op": t.op, "attribute": t.attribute, "gap": value - target,
            "status": status(value, target, t.op, t.attribute),
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def export_table(card: pd.DataFrame, lang: str, targets: pd.DataFrame | None = None,
                 titles: dict[str, str] | None = None) -> pd.DataFrame:
    """A scorecard (``score`` output, optionally with a ``scenario`` column) as users read it
    in a CSV: the indicator id, its label and unit in ``lang``, the plan and attribute in
    words, the target's wording, the scenario's title (``titles``: name -> title), and
    value, target and gap rounded to the indicator's declared precision."""
    from . import i18n
    from .metadata import indicator_table, round_to_precision

    targets = _targets(targets)
    meta = targets.set_index(["plan", "id"])  # an id may recur in the 12th and 13th plans
    table = indicator_table()
    out = card.copy()
    keys = pd.MultiIndex.from_arrays([out["plan"], out["target_id"]])

    def lookup(column: str) -> pd.Series:
        return pd.Series(meta[column].reindex(keys).to_numpy(), index=out.index)

    ind = lookup("model_indicator")
    for column in ("value", "target", "gap"):
        out[column] = round_to_precision(out[column], ind)
    extra = {
        "indicator": ind,
        "label": ind.map(table[f"label_{lang}"]),
        "unit": ind.map(table["unit"]).map(lambda u: i18n.unit(u, lang)),
        "plan_label": out["plan"].map(lambda p: i18n.t(f"plan_{p}", lang)),
        "attribute_label": out["attribute"].map(lambda a: i18n.t(f"attribute_{a}", lang)),
        "status_label": out["status"].map(lambda s: i18n.t(f"status_{s}", lang)),
        "wording_zh": lookup("wording_zh") if "wording_zh" in meta else "",
    }
    for name, column in extra.items():
        out[name] = column
    if "scenario" in out.columns:
        out.insert(out.columns.get_loc("scenario") + 1, "scenario_title",
                   [(titles or {}).get(name, name) for name in out["scenario"]])
    return out
