"""The search: pymoo's genetic algorithm with one constraint per target, then a polish that
takes each lever back toward its starting level as far as the targets allow, then the lever
steps; when the targets cannot all be met, which of them conflict and the trade-off (NSGA-II).

Objectives: ``least-change`` (the sum of each lever's change over its range) or ``least-cost``
(the policy investment of the projection years, model variable ``policy investment cost``,
with the change as a tie-breaker so that free levers are not moved for nothing).
Robust (``robust=P``): each target's constraint is the shortfall of the member at the P-th
share of members (``Outcome.quantile_shortfall``), <= 0 exactly when P of them meet it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import PlanSimError
from ..project import Project
from .evaluate import Evaluator, Outcome, Space
from .goals import Goals, select

OBJECTIVES = ("least-change", "least-cost")
TIE_BREAK = 1e-3  # weight of the change in the least-cost objective
GRID = 8  # polish: points per lever between its proposed and its starting level
ROBUST_GRID = 4  # the same in a robust search (each point costs a whole ensemble)
ROBUST_RANGE = (0.5, 0.99)


@dataclass
class Settings:
    """What to search: targets (``goals.select`` spec or a Goals), objective, robustness and budget.

    ``population`` and ``generations`` size the genetic algorithm (it stops earlier when the
    best objective stops improving by ``ftol`` over ``period`` generations); ``levers`` limits
    the searched levers (default all); ``start_years`` (first, last) searches a start year per lever.
    """

    targets: str | Goals = "binding"
    objective: str = "least-change"
    robust: float | None = None
    members: int = 200
    seed: int = 1
    population: int = 24
    generations: int = 40
    period: int = 8
    ftol: float = 1e-4
    levers: list[str] | None = None
    start_years: tuple[int, int] | None = None
    robust_population: int = 10
    robust_generations: int = 8
    conflicts: bool = True


@dataclass
class Found:
    """The search's answer. ``levers``: every lever setting of the proposal (the starting
    scenario's with the changes); ``changes``: lever, current, proposed (model units);
    ``card``: each chosen target's value, shortfall and status in the central run (and its
    probability of being met with ``robust``); ``feasible``: all chosen targets met;
    ``conflicts``: pairs of targets that can each be met but not together; ``unreachable``:
    targets no lever setting meets; ``front``: the trade-off (NSGA-II) when infeasible."""

    levers: dict
    changes: pd.DataFrame
    card: pd.DataFrame
    feasible: bool
    objective: str
    change: float
    cost: float
    start_cost: float
    goals: Goals
    robust: float | None = None
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    front: pd.DataFrame | None = None
    front_pair: tuple[str, str] | None = None
    runs: int = 0
    seconds: float = 0.0


def check_settings(s: Settings) -> None:
    """Clear errors (PlanSimError) for settings out of range."""
    if s.objective not in OBJECTIVES:
        raise PlanSimError(f"--objective: {str(s.objective)[:40]!r} is not one of {', '.join(OBJECTIVES)}")
    if s.robust is not None and not (isinstance(s.robust, (int, float)) and ROBUST_RANGE[0] <= s.robust <= ROBUST_RANGE[1]):
        raise PlanSimError(f"--robust: expected a probability from {ROBUST_RANGE[0]} to {ROBUST_RANGE[1]}, got {s.robust!r}")
    for name, low in (("members", 2), ("population", 4), ("generations", 1)):
        value = getattr(s, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise PlanSimError(f"--{name}: expected a whole number >= {low}, got {value!r}")


def _problem(evaluator: Evaluator, objective: str, robust: float | None, cost0: float):
    """A pymoo problem: one objective, one inequality constraint per target (<= 0 met)."""
    from pymoo.core.problem import Problem

    space = evaluator.space
    low, high = space.bounds

    class Search(Problem):
        def __init__(self):
            super().__init__(n_var=space.n_var, n_obj=1, n_ieq_constr=len(evaluator.goals), xl=low, xu=high)

        def _evaluate(self, X, out, *args, **kwargs):
            result = evaluator(X)
            out["F"] = _objective(space, result, X, objective, cost0)
            out["G"] = _constraints(result, robust)

    return Search()


def _objective(space: Space, result: Outcome, X: np.ndarray, objective: str, cost0: float) -> np.ndarray:
    change = space.change(X)
    if objective == "least-cost":
        return result.cost.mean(axis=1) / max(abs(cost0), 1e-9) + TIE_BREAK * change
    return change


def _constraints(result: Outcome, robust: float | None) -> np.ndarray:
    return result.shortfall[:, 0, :] if robust is None else result.quantile_shortfall(robust)


def _initial(space: Space, size: int, seed: int, extra: list[np.ndarray]) -> np.ndarray:
    """The start, any given points, and a Latin hypercube over the ranges."""
    from scipy.stats import qmc

    low, high = space.bounds
    rest = max(0, size - 1 - len(extra))
    sample = qmc.scale(qmc.LatinHypercube(d=space.n_var, rng=np.random.default_rng(seed)).random(rest), low, high) \
        if rest else np.empty((0, space.n_var))
    return np.vstack([space.start, *extra, sample])[:size]


def single_moves(evaluator: Evaluator, space: Space, most: int) -> list[np.ndarray]:
    """Starting points that move one lever to an end of its range, the ``most`` that violate
    the targets least: a target one lever can reach is then in the first population."""
    n = len(space.names)
    X = np.repeat(space.start[None], 2 * n, axis=0)
    X[np.arange(n), np.arange(n)] = space.low
    X[n + np.arange(n), np.arange(n)] = space.high
    X = X[np.abs(X[:, :n] - space.x0).sum(axis=1) > 0]
    if not len(X) or most < 1:
        return []
    violation = np.clip(evaluator(X).shortfall[:, 0, :], 0, None).sum(axis=1)
    return list(X[np.argsort(violation, kind="stable")[:most]])


def _ga(problem, size: int, generations: int, seed: int, initial: np.ndarray, s: Settings,
        tick: Callable[[], None] | None = None):
    from pymoo.algorithms.soo.nonconvex.ga import GA
    from pymoo.core.callback import Callback
    from pymoo.optimize import minimize
    from pymoo.termination.default import DefaultSingleObjectiveTermination

    class Tick(Callback):
        def notify(self, algorithm):
            if tick is not None:
                tick()

    termination = DefaultSingleObjectiveTermination(ftol=s.ftol, period=s.period, n_max_gen=generations)
    return minimize(problem, GA(pop_size=size, sampling=initial, eliminate_duplicates=True), termination,
                    seed=seed, callback=Tick(), verbose=False)


def _best(result, initial: np.ndarray) -> np.ndarray:
    """The optimum, or, with no feasible point, the least violating one."""
    if result.X is not None:
        return np.atleast_2d(result.X)[0]
    pop = result.pop
    cv = pop.get("CV").ravel()
    return pop.get("X")[int(np.argmin(cv))] if len(cv) else initial[0]


def _score(evaluator: Evaluator, x: np.ndarray, robust, objective, cost0) -> tuple[bool, float, Outcome]:
    out = evaluator(x[None])
    g = _constraints(out, robust)[0]
    return bool((g <= 0).all()), float(_objective(evaluator.space, out, x[None], objective, cost0)[0]), out


def polish(evaluator: Evaluator, x: np.ndarray, robust, objective, cost0, grid_points: int = GRID) -> np.ndarray:
    """Move each changed lever back toward its starting level as far as every target stays met
    and the objective does not worsen (biggest change first, a grid of GRID points then a finer
    one), then round each to its lever's step away from the start when that stays met."""
    space = evaluator.space
    ok, value, _ = _score(evaluator, x, robust, objective, cost0)
    if not ok:
        return x
    n = len(space.names)
    order = np.argsort(-np.abs(x[:n] - space.x0) / (space.high - space.low))
    for k in order:
        if not space.changed(x)[k]:
            continue
        far, near = x[k], space.x0[k]
        for _ in range(2):  # a coarse grid, then a fine one between its last met point and the next
            grid = near + (far - near) * np.arange(grid_points + 1) / grid_points
            X = np.repeat(x[None], len(grid), axis=0)
            X[:, k] = grid
            if space.years:
                X[0, n + k] = np.clip(space.start0[k], *space.years)  # fully back: its start year too
            out = evaluator(X)
            met = (_constraints(out, robust) <= 0).all(axis=1)
            f = _objective(space, out, X, objective, cost0)
            good = np.flatnonzero(met & (f <= value + 1e-12))
            if not len(good):
                break
            j = good[0]
            x, value = X[j].copy(), float(f[j])
            if j == 0:
                break
            far, near = grid[j], grid[j - 1]
    return _snap(evaluator, x, robust, objective, cost0)


def _snap(evaluator: Evaluator, x: np.ndarray, robust, objective, cost0) -> np.ndarray:
    """Each changed lever on its slider's grid (min + k * step): the nearest point, or, when
    that misses a target, the next one away from the start; unchanged if neither meets all."""
    space = evaluator.space
    n = len(space.names)
    levers = np.flatnonzero(space.changed(x)[:n] & ~np.isclose(x[:n], space.x0, atol=1e-12))
    for away in (False, True):
        snapped = x.copy()
        for k in levers:
            steps = (x[k] - space.low[k]) / space.step[k]
            if away:
                steps = math.ceil(steps - 1e-9) if x[k] > space.x0[k] else math.floor(steps + 1e-9)
            snapped[k] = float(np.clip(round(space.low[k] + round(steps) * space.step[k], 12), space.low[k], space.high[k]))
        if space.years:
            snapped[n:] = np.round(snapped[n:])
        if _score(evaluator, snapped, robust, objective, cost0)[0]:
            return snapped
    return x


def search(project: Project, settings: Settings | None = None, start_levers: dict | None = None,
           *, members: pd.DataFrame | None = None, executor=None, progress: Callable[[int], None] | None = None,
           targets: pd.DataFrame | None = None) -> Found:
    """Search lever settings meeting ``settings.targets`` from ``start_levers`` (a scenario's
    levers; default: the model's defaults). ``members``: uncertainty samples for ``robust``
    (default: ``settings.members`` from model/uncertainties.yaml). ``targets``: the plan
    targets table (default the declaration's). ``progress(n)``: n more model runs done."""
    import time

    began = time.perf_counter()
    s = settings or Settings()
    check_settings(s)
    table = project.targets if targets is None else targets
    goals = s.targets if isinstance(s.targets, Goals) else select(table, s.targets)
    space = Space.of(project, start_levers or {}, s.levers, s.start_years)
    central = Evaluator(project, space, goals, executor=None, progress=progress)
    start_out = central(space.start[None])
    cost0 = float(start_out.cost[0, 0])
    tick = None

    # 1. central runs: the least change (or cost) meeting every target, or the least violation
    result = _ga(_problem(central, s.objective, None, cost0), s.population, s.generations, s.seed,
                 _initial(space, s.population, s.seed, single_moves(central, space, s.population * 2 // 3)), s, tick)
    x = _best(result, space.start[None])
    robust_eval = None
    if s.robust is not None:
        if members is None:
            from ..experiments.uncertainty import DEFAULT_SEED, load_uncertainties, sample

            members = sample(load_uncertainties(reference=project), s.members, DEFAULT_SEED + s.seed)
        robust_eval = Evaluator(project, space, goals, members=members, executor=executor, progress=progress)
        rng = np.random.default_rng(s.seed)
        low, high = space.bounds
        near = [np.clip(x + rng.normal(0, 0.1, space.n_var) * (high - low), low, high) for _ in range(s.robust_population // 2)]
        result = _ga(_problem(robust_eval, s.objective, s.robust, cost0), s.robust_population, s.robust_generations,
                     s.seed, _initial(space, s.robust_population, s.seed, [x, *near]), s, tick)
        x = _best(result, x[None])
    evaluator = robust_eval or central
    feasible, _, _ = _score(evaluator, x, s.robust, s.objective, cost0)
    if feasible:
        x = polish(evaluator, x, s.robust, s.objective, cost0, GRID if s.robust is None else ROBUST_GRID)
    found = _found(central, robust_eval, x, s, cost0, feasible)
    if not feasible and s.conflicts:
        from .conflicts import analyse

        analyse(central, found, x, s)
    found.runs = central.runs + (robust_eval.runs if robust_eval else 0)
    found.seconds = time.perf_counter() - began
    return found


def _found(central: Evaluator, robust_eval: Evaluator | None, x: np.ndarray, s: Settings, cost0: float,
           feasible: bool) -> Found:
    from ..scorecard import target_status

    space, goals = central.space, central.goals
    out = central(x[None])
    values, short = out.values[0, 0], out.shortfall[0, 0]
    card = goals.table[["plan", "id", "year", "op", "value", "unit", "attribute", "model_indicator"]].rename(
        columns={"id": "target_id", "value": "target"}).copy()
    card["value"] = values
    card["shortfall"] = short
    card["status"] = [target_status(v, row) for v, (_, row) in zip(values, goals.table.iterrows())]
    if robust_eval is not None:
        card["probability_met"] = robust_eval(x[None]).met_share()[0]
    n = len(space.names)
    changed = space.changed(x)
    levers = space.paths(x)
    rows = []
    for k, name in enumerate(space.names):
        if changed[k]:
            rows.append({"lever": name, "current": space.base.get(name, space.x0[k]), "proposed": levers[name],
                         "current_level": space.x0[k], "proposed_level": float(x[k]),
                         "start_year": int(round(x[n + k])) if space.years else None,
                         "change": abs(x[k] - space.x0[k]) / (space.high[k] - space.low[k])})
    changes = pd.DataFrame(rows, columns=["lever", "current", "proposed", "current_level", "proposed_level",
                                          "start_year", "change"])
    return Found(levers=levers, changes=changes, card=card, feasible=feasible, objective=s.objective,
                 change=float(space.change(x)[0]), cost=float(out.cost[0, 0]), start_cost=cost0, goals=goals,
                 robust=s.robust)
