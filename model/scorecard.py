"""The plan scorecard: each target of model/data/plan_targets.csv against a run.

Rule (also in scenarios/README.md, section "The scorecard rule").

**Tolerance** ``tol``, in the target's own unit, by the kind of figure (``tolerance``):

- a rate or change in per cent (units ``% per year``, ``% y/y``, ``% vs ...``): 0.5 percentage
  points. The plans state growth rates and five-year cuts on a half-point grid (6.5, 8; -17,
  -18, -20.5), so half a point is one step to the next figure a plan would write;
- a share in per cent (other ``%`` units): 5 % of the figure, at most 1 percentage point. A
  share's band must not grow with the share: 5 % of 65 would call 61.8 % "about 65";
- a level (persons, energy, km, money): 5 % of the figure's magnitude (the same width for a
  cut as for a rise; levels differ by orders of magnitude, so only a relative band fits all).

**Direction** each target wants (``direction``): ``>=`` and ``floor`` ("力争保持…左右", at least
about) want higher, ``<=`` and ``ceiling`` (at most about) lower; ``about`` ("达到…左右") takes
the ``better`` of its indicator (model/indicators.yaml: higher, lower or none, default none).

==========================  ====================================  ===========================
target                      met (exceeded: beyond by > tol)       near (else missed)
==========================  ====================================  ===========================
``about``, direction none   ``|value - target| <= tol``           ``<= 2 * tol``
``about`` higher, floor     ``value >= target - tol``             ``value >= target - 2 * tol``
``about`` lower, ceiling    ``value <= target + tol``             ``value <= target + 2 * tol``
``>=``                      ``value >= target``                   ``value >= target - tol``
``<=``                      ``value <= target``                   ``value <= target + tol``
==========================  ====================================  ===========================

A met target whose figure lies beyond the target by more than ``tol`` in the direction the
target wants is ``exceeded`` (3.7 % R&D against "about 3.3"; 10 % growth against "about 8"):
exceeded counts as met everywhere (counts, P(met)). Every target has a near band, binding and
sector-plan ones too; near is not met. Edges count as inside (a value exactly on an edge is met
or near); a relative 1e-9 slack absorbs floating-point rounding there.

``gap = value - target`` in the target's unit: positive means above the target figure.
"""
from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd

from .errors import PlanSimError
from .paths import TARGETS_FILE

RELATIVE = 0.05  # tolerance of levels and shares: share of the target's magnitude
SHARE_CAP = 1.0  # a share's tolerance is at most this many percentage points
RATE_POINTS = 0.5  # tolerance of rates and changes in per cent: percentage points
RATE_UNITS = ("% per year", "% y/y", "% vs")  # units of rates and changes (the rest of % are shares)
OPS = ("about", "floor", "ceiling", ">=", "<=")
DIRECTIONS = ("higher", "lower", "none")
STATUSES = ("exceeded", "met", "near", "missed")
MET = ("exceeded", "met")  # statuses that count as meeting the target
COLUMNS = ["plan", "target_id", "year", "value", "target", "op", "attribute", "gap", "status"]
_SLACK = 1e-9  # relative: a value on a band edge stays inside despite rounding


def is_met(status_: str) -> bool:
    """True for ``met`` and ``exceeded``."""
    return status_ in MET


def _within(distance: float, limit: float) -> bool:
    return distance <= limit * (1 + _SLACK) + 1e-12


def tolerance(target: float, unit: str) -> float:
    """The tolerance of a target figure in ``unit`` (module docstring), in the same unit."""
    unit = str(unit).strip()
    if unit.startswith(RATE_UNITS):
        return RATE_POINTS
    if unit.startswith("%"):
        return min(RELATIVE * abs(float(target)), SHARE_CAP)
    return RELATIVE * abs(float(target))


def direction(op: str, better: str = "none") -> str:
    """The direction a target wants: ``higher``, ``lower`` or ``none`` (two-sided)."""
    if op not in OPS:
        raise PlanSimError(f"target op {op!r} is not one of {OPS}")
    if better not in DIRECTIONS:
        raise PlanSimError(f"better {better!r} is not one of {DIRECTIONS}")
    return {">=": "higher", "floor": "higher", "<=": "lower", "ceiling": "lower"}.get(op, better)


def status(value: float, target: float, op: str, *, unit: str, better: str = "none") -> str:
    """``'exceeded'``, ``'met'``, ``'near'`` or ``'missed'`` for ``value`` against ``target``
    in ``unit``; ``better`` is the indicator's direction, read by ``about`` (module docstring)."""
    want = direction(op, better)
    value, target = float(value), float(target)
    if not (math.isfinite(value) and math.isfinite(target)):
        raise PlanSimError(f"cannot score value {value!r} against target {target!r}: not finite")
    tol = tolerance(target, unit)
    if want == "none":
        distance = abs(value - target)
        return "met" if _within(distance, tol) else "near" if _within(distance, 2 * tol) else "missed"
    ahead = value - target if want == "higher" else target - value  # > 0: on the side the target wants
    if ahead > 0 and not _within(ahead, tol):
        return "exceeded"
    allowed = tol if op in ("about", "floor", "ceiling") else 0.0  # "about": met within tol short
    shortfall = -ahead
    if shortfall <= 0 or (allowed and _within(shortfall, allowed)):
        return "met"
    return "near" if _within(shortfall - allowed, tol) else "missed"


@lru_cache(maxsize=1)
def _better() -> dict[str, str]:
    from .metadata import indicator_table

    table = indicator_table()
    return table["better"].to_dict() if "better" in table else {}


def better(indicator: str) -> str:
    """The declared direction of an indicator (indicators.yaml ``better``; ``none`` if absent)."""
    value = _better().get(indicator, "none")
    return value if isinstance(value, str) else "none"


def target_status(value: float, target) -> str:
    """The status of ``value`` against one row of the plan targets (a mapping or a namedtuple
    with value, op, unit and model_indicator)."""
    get = target.get if hasattr(target, "get") else lambda k: getattr(target, k)
    return status(value, float(get("value")), get("op"), unit=get("unit"), better=better(get("model_indicator")))


def _targets(targets: pd.DataFrame | None) -> pd.DataFrame:
    if targets is None:
        from .metadata import plan_targets

        targets = plan_targets()
    needed = ("plan", "id", "year", "op", "value", "unit", "attribute", "model_indicator")
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
            "status": target_status(value, t),
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
