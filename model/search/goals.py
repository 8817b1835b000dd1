"""Which targets a search must meet, and by how much a run misses each one.

A target is met by the scorecard's rule (model/scorecard.py): the search's constraint for a
target is its *shortfall* in the target's tolerances, ``<= 0`` exactly when the scorecard says
met or exceeded, positive by how many tolerances the value lies short of the met edge.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import PlanSimError
from ..scorecard import better, direction, tolerance

BINDING = "binding"  # plan_targets.csv: the attribute of binding targets starts with this word (约束性)
ALL = "all"
PLAN_SEPARATOR = ":"  # an id given as PLAN:ID picks one plan's target ("13th:gdp_growth")
INFEASIBLE = 1e6  # the shortfall of a value that is not a number (a run that failed)


@dataclass(frozen=True)
class Goals:
    """The chosen targets (rows of plan_targets.csv) with what scoring them needs: for each,
    the indicator and year, the direction it wants, the met edge and the tolerance (target units)."""

    table: pd.DataFrame

    def __len__(self) -> int:
        return len(self.table)

    @property
    def keys(self) -> list[str]:
        """``PLAN:ID`` of each target (an id may recur in two plans)."""
        return [f"{p}{PLAN_SEPARATOR}{i}" for p, i in zip(self.table["plan"], self.table["id"])]

    @property
    def final_year(self) -> int:
        return int(self.table["year"].max())

    def shortfall(self, values: np.ndarray) -> np.ndarray:
        """Shortfalls (..., targets) in tolerances for ``values`` (..., targets) in the targets'
        units: <= 0 met (or exceeded), > 0 missed by that many tolerances."""
        t = self.table
        values = np.asarray(values, dtype=float)
        target, scale = t["value"].to_numpy(float), t["_scale"].to_numpy(float)
        edge, want = t["_edge"].to_numpy(float), t["_want"].to_numpy()
        out = np.where(want == "higher", edge - values, values - edge)
        out = np.where(want == "none", np.abs(values - target) - (edge - target), out)
        out = out / scale
        return np.where(np.isfinite(out), out, INFEASIBLE)


def _prepare(table: pd.DataFrame) -> pd.DataFrame:
    """Add the direction each target wants, its met edge and its scale (tolerance, or 1)."""
    table = table.reset_index(drop=True).copy()
    wants, edges, scales = [], [], []
    for row in table.itertuples(index=False):
        want = direction(row.op, better(row.model_indicator))
        tol = tolerance(row.value, row.unit)
        allowed = tol if row.op in ("about", "floor", "ceiling") else 0.0
        value = float(row.value)
        edge = {"higher": value - allowed, "lower": value + allowed}.get(want, value + tol)
        wants.append(want)
        edges.append(edge)
        scales.append(tol if tol > 0 else 1.0)
    table["_want"], table["_edge"], table["_scale"] = wants, edges, scales
    return table


def select(targets: pd.DataFrame, spec: str = BINDING, final_year: int | None = None) -> Goals:
    """The targets of ``spec``: ``binding`` (attribute binding or binding cap: 约束性), ``all``,
    or a comma list of ids (``gdp_growth`` picks it in every plan; ``13th:gdp_growth`` one
    plan's). Targets after ``final_year`` are left out. PlanSimError names an unknown id."""
    if not isinstance(spec, str) or not spec.strip():
        raise PlanSimError(f"--targets: expected '{BINDING}', '{ALL}' or target ids separated by commas, got {spec!r}")
    spec = spec.strip()
    if spec == BINDING:
        chosen = targets[targets["attribute"].astype(str).str.startswith(BINDING)]
    elif spec == ALL:
        chosen = targets
    else:
        keep = np.zeros(len(targets), dtype=bool)
        known = sorted(set(targets["id"]) | {f"{p}{PLAN_SEPARATOR}{i}" for p, i in zip(targets["plan"], targets["id"])})
        for item in (part.strip() for part in spec.split(",")):
            plan, _, ident = item.rpartition(PLAN_SEPARATOR)
            match = (targets["id"] == ident).to_numpy() & ((targets["plan"] == plan).to_numpy() if plan else True)
            if not item or not match.any():
                import difflib

                close = difflib.get_close_matches(item, known, n=3, cutoff=0.5)
                raise PlanSimError(f"--targets: {item[:60]!r} is not a target id of model/data/plan_targets.csv"
                                   + (f"; closest: {', '.join(close)}" if close else
                                      f"; ids: {', '.join(sorted(set(targets['id'])))}"))
            keep |= match
        chosen = targets[keep]
    if final_year is not None:
        chosen = chosen[chosen["year"].astype(int) <= final_year]
    if chosen.empty:
        raise PlanSimError(f"--targets {spec[:60]}: no target to meet")
    return Goals(_prepare(chosen))
