"""Which feedback loops drive an indicator, year by year: Simlin's Loops That Matter analysis
(``model.engines.simlin_engine.loop_analysis``) read through the loops declared once in
model/loops.yaml.

A loop Simlin finds is a declared loop when its variables are that loop's members (the same
cycle; Simlin's own loop names only say which pinned loop a found loop resembles). Every other
loop is an "other loop", shown with its variables. The loops that matter for an indicator are
those through its variable or one of that variable's direct causes; each year their scores are renormalised over these loops, so the
shares of one year add up to 1. A period is a run of years in which the same loops dominate:
the fewest loops, strongest first, whose shares add up to at least half (LTM's rule).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import numpy as np
import yaml

from ..errors import PlanSimError
from ..mdl import ident, read
from ..paths import MODEL_FILE

LOOPS_FILE = MODEL_FILE.parent / "loops.yaml"
POLARITIES = ("reinforcing", "balancing")
DOMINANCE = 0.5  # LTM: the loops that together explain at least half of the behaviour
MAX_DOMINANT = 3  # a period names at most this many loops (the rest: "and n more")
OTHER = "other"  # the band of every undeclared loop together


@dataclass(frozen=True)
class DeclaredLoop:
    """One loop of model/loops.yaml: id, polarity, names, members (model names)."""

    id: str
    polarity: str
    name_en: str
    name_zh: str
    members: tuple[str, ...]
    knockout: dict = field(default_factory=dict)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


@lru_cache(maxsize=4)
def _declared(path: str, mtime_ns: int) -> tuple[DeclaredLoop, ...]:
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise PlanSimError(f"{file.name}: cannot be read: {str(err)[:200]}") from None
    if not isinstance(data, dict):
        raise PlanSimError(f"{file.name}: expected a mapping of loop ids to loops")
    known = read(MODEL_FILE).variables
    loops = []
    for loop_id, entry in data.items():
        if not isinstance(entry, dict):
            raise PlanSimError(f"{file.name}: loop '{str(loop_id)[:40]}' is not a mapping")
        if entry.get("polarity") not in POLARITIES:
            raise PlanSimError(f"{file.name}: loop '{loop_id}': polarity must be one of {', '.join(POLARITIES)}")
        members = tuple(entry.get("members") or ())
        unknown = [m for m in members if m not in known]
        if not members or unknown:
            raise PlanSimError(f"{file.name}: loop '{loop_id}': members {unknown[:3] or '(none)'} are not model variables")
        loops.append(DeclaredLoop(str(loop_id), entry["polarity"], str(entry.get("name_en", loop_id)),
                                  str(entry.get("name_zh", loop_id)), members, dict(entry.get("knockout") or {})))
    return tuple(loops)


def declared_loops(path: Path | str = LOOPS_FILE) -> tuple[DeclaredLoop, ...]:
    """The declared loops, in file order (read once per file version)."""
    file = Path(path)
    return _declared(str(file), file.stat().st_mtime_ns)


def match(variables: tuple[str, ...], declared: tuple[DeclaredLoop, ...]) -> str | None:
    """The declared loop whose members are the found loop's ``variables`` (Simlin
    identifiers), or None."""
    found = set(variables)
    return next((d.id for d in declared if {ident(m) for m in d.members} == found), None)


@dataclass
class Dominance:
    """The loops that matter for one model variable, by year.

    ``shares``: loop key -> share per year (signed: balancing loops negative; |shares| of a
    year add up to 1 where any loop is active); keys are declared ids and Simlin's ids of other
    loops. ``loops``: key -> {"declared": id or None, "variables": model names, "polarity"}.
    ``periods``: (first year, last year, dominant keys, how many more) tuples.
    """

    variable: str
    years: np.ndarray
    shares: dict[str, np.ndarray]
    loops: dict[str, dict]
    periods: list[tuple[int, int, tuple[str, ...], int]]
    complete: bool
    missing: tuple[str, ...]  # declared loops through the variable the analysis did not find

    def others(self) -> list[str]:
        """The undeclared loops, strongest (by mean |share|) first."""
        strength = {k: float(np.abs(s).mean()) for k, s in self.shares.items()}
        return sorted((k for k in self.shares if self.loops[k]["declared"] is None), key=lambda k: -strength[k])

    def number(self, key: str) -> int:
        """An other loop's number: its rank by mean share (1 = strongest), how the texts name it
        (Simlin's ids change from run to run)."""
        return self.others().index(key) + 1

    @property
    def active(self) -> np.ndarray:
        """Years in which some loop is active (not the first saved year: nothing changed yet)."""
        if not self.shares:
            return np.zeros(len(self.years), bool)
        return np.sum([np.abs(s) for s in self.shares.values()], axis=0) > 0

    def bands(self, others: int = 3) -> dict[str, np.ndarray]:
        """|share| per year by band: each declared loop found, the ``others`` strongest other
        loops (by mean share), then the rest of the other loops together (key OTHER)."""
        undeclared = self.others()
        out = {k: np.abs(self.shares[k]) for k in self.shares if self.loops[k]["declared"] is not None}
        out.update({k: np.abs(self.shares[k]) for k in undeclared[:others]})
        if undeclared[others:]:
            out[OTHER] = np.sum([np.abs(self.shares[k]) for k in undeclared[others:]], axis=0)
        return out


def relevant(variable: str, loop_variables: tuple[str, ...], causes: tuple[str, ...]) -> bool:
    """A loop matters for ``variable`` when it passes through it or one of its direct causes."""
    names = {ident(variable), *(ident(c) for c in causes)}
    return bool(names & set(loop_variables))


def dominance(analysis: Mapping, variable: str, causes: tuple[str, ...],
              declared: tuple[DeclaredLoop, ...] | None = None) -> Dominance:
    """The loops that matter for model variable ``variable`` (direct ``causes`` given) in the
    result of ``simlin_engine.loop_analysis``, their yearly shares and dominant periods."""
    declared = declared_loops() if declared is None else declared
    names = {ident(n): n for n in read(MODEL_FILE).variables}
    years = np.asarray(analysis["years"], dtype=float)
    scores: dict[str, np.ndarray] = {}
    loops: dict[str, dict] = {}
    for loop in analysis["loops"]:
        if not relevant(variable, loop["variables"], causes):
            continue
        declared_id = match(loop["variables"], declared)
        key = declared_id if declared_id and declared_id not in loops else loop["id"]
        if declared_id and key != declared_id:  # a second route of a declared loop: add it up
            scores[declared_id] = scores[declared_id] + loop["score"]
            loops[declared_id]["routes"] += 1
            continue
        scores[key] = np.asarray(loop["score"], dtype=float)
        loops[key] = {"declared": declared_id, "variables": tuple(names.get(v, v) for v in loop["variables"]),
                      "polarity": loop["polarity"], "routes": 1}
    total = np.sum([np.abs(s) for s in scores.values()], axis=0) if scores else np.zeros(len(years))
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = {k: np.where(total > 0, s / np.where(total > 0, total, 1), 0.0) for k, s in scores.items()}
    through = {d.id for d in declared if relevant(variable, tuple(ident(m) for m in d.members), causes)}
    missing = tuple(sorted(through - set(loops)))
    return Dominance(variable, years, shares, loops, periods(years, shares), bool(analysis["complete"]), missing)


def dominant(shares: Mapping[str, float]) -> tuple[tuple[str, ...], int]:
    """The fewest loops, strongest first, whose |shares| add up to at least DOMINANCE: (the first
    MAX_DOMINANT of them, how many more)."""
    chosen, total = [], 0.0
    for key, share in sorted(shares.items(), key=lambda kv: -abs(kv[1])):
        if total >= DOMINANCE or share == 0:
            break
        chosen.append(key)
        total += abs(share)
    return tuple(chosen[:MAX_DOMINANT]), max(0, len(chosen) - MAX_DOMINANT)


def periods(years: np.ndarray, shares: Mapping[str, np.ndarray]) -> list[tuple[int, int, tuple[str, ...], int]]:
    """Runs of years with the same dominant loops: (first year, last year, loops, more).
    A year in which no loop is active (the first saved year: nothing has changed yet) joins the
    period after it (or before it, at the end), so the periods cover every year of the run."""
    sets = [dominant({key: float(s[k]) for key, s in shares.items()}) for k in range(len(years))]
    active = [k for k, (keys, _) in enumerate(sets) if keys]
    if not active:
        return [(int(years[0]), int(years[-1]), (), 0)] if len(years) else []
    for k in range(len(sets)):
        if not sets[k][0]:
            later = [j for j in active if j > k]
            sets[k] = sets[later[0] if later else active[-1]]
    out: list[list] = []
    for year, item in zip(years, sets):
        if out and out[-1][2:] == list(item):
            out[-1][1] = int(year)
        else:
            out.append([int(year), int(year), *item])
    return [tuple(p) for p in out]
