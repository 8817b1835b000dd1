"""Batches of candidate lever settings run on Simlin: target values, shortfalls and policy cost.

A candidate is a level per searched lever (model units) and, optionally, a start year per lever.
Its levers are the starting scenario's with the searched ones replaced (``Space.paths``); a
lever left at its starting level keeps its starting path exactly. Robust evaluation runs every
candidate on the same uncertainty members (common random numbers: candidates differ by their
levers only, so the search sees smooth differences).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from ..derivation import derive
from ..engines.base import saved_years
from ..errors import PlanSimError
from ..lever_paths import FIRST_YEAR, LAST_YEAR, STEP_YEAR, LeverPath
from ..project import Project
from .goals import Goals

COST_VARIABLE = "policy investment cost"  # model/shanghai.mdl: 10^8 yuan a year spent on policies
CHUNK = 500  # members per engine call (one Simlin simulation reset between members)


@dataclass
class Space:
    """The searched levers: their starting levels ``x0``, ranges and steps (model units), and
    whether each lever's start year is searched too (``years``: (first, last) or None)."""

    names: list[str]
    x0: np.ndarray
    low: np.ndarray
    high: np.ndarray
    step: np.ndarray
    base: dict  # the starting scenario's checked levers (numbers or LeverPaths)
    years: tuple[int, int] | None = None
    start0: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def of(cls, project: Project, base: Mapping[str, object], names: list[str] | None = None,
           years: tuple[int, int] | None = None) -> "Space":
        table = project.levers().set_index("name")
        base = project.validate_levers(dict(base))
        names = list(table.index) if names is None else list(names)
        unknown = [n for n in names if n not in table.index]
        if unknown:
            raise PlanSimError(f"--levers: {unknown[0][:60]!r} is not a lever (python -m model levers lists them)")
        x0 = np.array([_level(base.get(n, table.loc[n, "default"])) for n in names])
        start0 = np.array([_start(base.get(n)) for n in names], dtype=float)
        if years is not None:
            first, last = years
            if not FIRST_YEAR <= first <= last <= LAST_YEAR:
                raise PlanSimError(f"--start-years: expected whole years FIRST <= LAST from {FIRST_YEAR} to {LAST_YEAR}, "
                                   f"got {first} {last}")
        return cls(names, x0, table.loc[names, "min"].to_numpy(float), table.loc[names, "max"].to_numpy(float),
                   table.loc[names, "step"].to_numpy(float), base, years, start0)

    @property
    def n_var(self) -> int:
        return len(self.names) * (2 if self.years else 1)

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.years:
            return self.low, self.high
        n = len(self.names)
        return (np.concatenate([self.low, np.full(n, self.years[0])]),
                np.concatenate([self.high, np.full(n, self.years[1])]))

    @property
    def start(self) -> np.ndarray:
        """The starting point as a decision vector."""
        if not self.years:
            return self.x0.copy()
        return np.concatenate([self.x0, np.clip(self.start0, *self.years)])

    def change(self, x: np.ndarray) -> np.ndarray:
        """Change from the start: the sum over levers of |level - start| / range (0 to levers)."""
        x = np.atleast_2d(x)[:, :len(self.names)]
        return (np.abs(x - self.x0) / (self.high - self.low)).sum(axis=1)

    def changed(self, x: np.ndarray) -> np.ndarray:
        """Which levers a decision vector changes (level, or start year when searched)."""
        n = len(self.names)
        out = ~np.isclose(x[:n], self.x0, rtol=0, atol=1e-12)
        if self.years:
            out |= np.round(x[n:]) != np.clip(self.start0, *self.years)
        return out

    def paths(self, x: np.ndarray) -> dict:
        """The scenario's levers for decision vector ``x``: the starting ones, the changed
        searched levers replaced (a number, a ramp keeping its timing, or a step at the
        searched start year)."""
        out = dict(self.base)
        n, changed = len(self.names), self.changed(x)
        for k, name in enumerate(self.names):
            if not changed[k]:
                continue
            level = float(np.clip(x[k], self.low[k], self.high[k]))
            old = self.base.get(name)
            if self.years:
                ramp = old.ramp if isinstance(old, LeverPath) and old.kind == "ramp" else 0.0
                out[name] = LeverPath.from_year(level, int(round(x[n + k])), ramp)
            elif isinstance(old, LeverPath):
                out[name] = old.with_level(level)
            else:
                out[name] = level
        return out


def _level(value) -> float:
    """A setting's level: the number, a ramp's value, or a path's last point."""
    if isinstance(value, LeverPath):
        return float(value.points[-1][1] if value.kind == "points" else value.value)
    return float(value)


def _start(value) -> float:
    return float(value.first_year) if isinstance(value, LeverPath) and value.first_year else float(STEP_YEAR)


@dataclass
class Outcome:
    """Evaluated candidates: ``values`` (candidates, members, targets) in the targets' units,
    ``shortfall`` likewise in tolerances, ``cost`` (candidates, members): the policy investment
    of the projection years, 10^8 yuan (2010 prices)."""

    values: np.ndarray
    shortfall: np.ndarray
    cost: np.ndarray

    def met_share(self) -> np.ndarray:
        """(candidates, targets): the share of members meeting each target."""
        return (self.shortfall <= 0).mean(axis=1)

    def quantile_shortfall(self, p: float) -> np.ndarray:
        """(candidates, targets): a shortfall <= 0 exactly when a share >= ``p`` of members
        meets the target (the order statistic that decides it), continuous in the levers."""
        n = self.shortfall.shape[1]
        k = max(1, math.ceil(p * n - 1e-9))  # members that must meet it
        return np.sort(self.shortfall, axis=1)[:, k - 1, :]


class Evaluator:
    """Runs candidates of ``space`` on ``project`` (Simlin) and scores them against ``goals``.

    ``members``: uncertainty samples (one row per member, columns model constants) or None (the
    central run only). ``executor``: where chunks run (``model.experiments.executor``; None:
    this process). ``progress(n)`` is told of every n runs done.
    """

    def __init__(self, project: Project, space: Space, goals: Goals, members: pd.DataFrame | None = None,
                 executor=None, progress: Callable[[int], None] | None = None):
        self.project = project if project.engine_name == "simlin" else project.with_engine("simlin")
        self.space, self.goals, self.executor, self.progress = space, goals, executor, progress
        declaration = self.project.declaration
        if COST_VARIABLE not in declaration.text.variables:
            raise PlanSimError(f"model file: no variable '{COST_VARIABLE}' (the policy cost the search minimises)")
        self.times = declaration.run_times(goals.final_year)
        self.years = saved_years(self.times, declaration.control["SAVEPER"])
        self.table = self.project.indicators()
        self.variables = declaration.indicator_variables() + [COST_VARIABLE]
        self.indicator_ids = list(self.table.index)
        missing = sorted(set(goals.table["model_indicator"]) - set(self.indicator_ids))
        if missing:
            raise PlanSimError(f"plan targets: indicator(s) {missing} not in model/indicators.yaml")
        year_pos = {int(y): k for k, y in enumerate(self.years)}
        self.cells = [(year_pos[int(y)], self.indicator_ids.index(i))
                      for y, i in zip(goals.table["year"], goals.table["model_indicator"])]
        # the searched levers' knot constants vary by candidate; the rest are in ``base``
        self.knots = [knot for name, x0 in zip(space.names, space.x0) for knot in declaration.lever_constants({name: x0})]
        self.base = {**declaration.constants(), **declaration.lever_constants(space.base)}
        if members is not None and members.empty:
            members = None
        if members is not None:
            parts = set(declaration.path_inputs()) - set(declaration.constants())
            clash = [c for c in members.columns if c in parts]
            if clash:
                raise PlanSimError(f"robust search: uncertainties on lever paths ({clash[0]!r}) are not supported; "
                                   f"declare uncertain model constants only")
        self.members = members
        self.runs = 0

    @property
    def n_members(self) -> int:
        return 1 if self.members is None else len(self.members)

    def constants(self, X: np.ndarray) -> np.ndarray:
        """(candidates, knots): the knot constants of each candidate's levers (only the changed
        levers' knots are computed; the rest are the starting scenario's)."""
        lever_constants = self.project.declaration.lever_constants
        start = np.array([self.base[k] for k in self.knots])
        position = {k: j for j, k in enumerate(self.knots)}
        rows = np.repeat(start[None], len(X), axis=0)
        for c, x in enumerate(X):
            changed = self.space.changed(x)
            if not changed.any():
                continue
            paths = self.space.paths(x)
            for name, value in lever_constants({n: paths[n] for n, ch in zip(self.space.names, changed) if ch}).items():
                rows[c, position[name]] = value
        return rows

    def __call__(self, X: np.ndarray) -> Outcome:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        knots = self.constants(X)
        if self.members is None:
            names, matrix = self.knots, knots
        else:
            m = len(self.members)
            names = self.knots + list(self.members.columns)
            matrix = np.hstack([np.repeat(knots, m, axis=0), np.tile(self.members.to_numpy(float), (len(X), 1))])
        raw = self._run(names, matrix)
        values = derive(raw, self.years, self.variables, self.table)
        picked = np.stack([values[:, t, i] for t, i in self.cells], axis=-1)
        first = self.project.declaration.control["INITIAL TIME"]
        cost = raw[:, np.asarray(self.years) > first, -1].sum(axis=1)  # yearly saves: 10^8 yuan a year x 1 year
        shape = (len(X), self.n_members)
        picked = picked.reshape(*shape, len(self.goals))
        return Outcome(picked, self.goals.shortfall(picked), cost.reshape(shape))

    def _run(self, names: list[str], matrix: np.ndarray) -> np.ndarray:
        engine = self.project.engine
        chunks = [matrix[i:i + CHUNK] for i in range(0, len(matrix), CHUNK)]
        if self.executor is None or self.executor.kind == "serial":
            parts = []
            for chunk in chunks:
                parts.append(engine.run_members(self.base, names, chunk, self.times, self.variables))
                self._done(len(chunk))
        else:
            from ..engines.simlin_engine import run_members
            from ..mdl import ident

            task = partial(run_members, engine.spec(self.base, self.times, self.variables), tuple(ident(n) for n in names))
            parts = self.executor.map(task, chunks, done=lambda k: self._done(len(chunks[k])))
        return np.concatenate(parts)

    def _done(self, n: int) -> None:
        self.runs += n
        if self.progress is not None:
            self.progress(n)
