"""When the chosen targets cannot all be met: which are out of reach of any lever setting,
which pairs conflict (each can be met alone, not both together), and the trade-off between
the two of a conflict (a Pareto front by pymoo's NSGA-II). Central runs only (deterministic)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluate import Evaluator
from .optimise import Found, Settings

REST = "rest"  # the front's second axis when no pair conflicts: the other targets' total shortfall
SMALL_POPULATION, SMALL_GENERATIONS = 20, 25
FRONT_POPULATION, FRONT_GENERATIONS = 40, 40
MAX_PAIRS = 12  # pairs tried at most (each one small search)
MAX_FRONTS = 3  # conflicting pairs whose front is tried (a front that meets both clears the pair)


def _moves(evaluator: Evaluator) -> tuple[np.ndarray, np.ndarray]:
    """Every one-lever move to an end of its range, and its shortfalls (moves, targets)."""
    space = evaluator.space
    n = len(space.names)
    X = np.repeat(space.start[None], 2 * n, axis=0)
    X[np.arange(n), np.arange(n)] = space.low
    X[n + np.arange(n), np.arange(n)] = space.high
    return X, evaluator(X).shortfall[:, 0, :]


def _minimise(evaluator: Evaluator, score, x0: np.ndarray, seed: int, n_obj: int = 1,
              size: int = SMALL_POPULATION, generations: int = SMALL_GENERATIONS, moves=None):
    """pymoo (GA, or NSGA-II for two objectives) on ``score(shortfalls) -> (candidates, n_obj)``,
    its first population seeded with ``x0`` and the one-lever ``moves`` that score best."""
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize

    from .optimise import _initial

    space = evaluator.space
    low, high = space.bounds

    class Inner(Problem):
        def __init__(self):
            super().__init__(n_var=space.n_var, n_obj=n_obj, xl=low, xu=high)

        def _evaluate(self, X, out, *args, **kwargs):
            out["F"] = score(evaluator(X).shortfall[:, 0, :])

    if n_obj == 1:
        from pymoo.algorithms.soo.nonconvex.ga import GA as Algorithm
    else:
        from pymoo.algorithms.moo.nsga2 import NSGA2 as Algorithm
    seeds = [x0]
    if moves is not None:
        X, g = moves
        seeds += list(X[np.argsort(score(g).sum(axis=1), kind="stable")[:size // 2]])
    initial = _initial(space, size, seed, seeds)
    return minimize(Inner(), Algorithm(pop_size=size, sampling=initial, eliminate_duplicates=True),
                    ("n_gen", generations), seed=seed, verbose=False)


def analyse(evaluator: Evaluator, found: Found, x: np.ndarray, s: Settings) -> None:
    """Fill ``found.unreachable``, ``found.conflicts``, ``found.front`` and ``found.front_pair``
    (the small searches are no bigger than the main one: ``s.population``, ``s.generations``)."""
    size, generations = min(SMALL_POPULATION, s.population), min(SMALL_GENERATIONS, s.generations)
    keys = evaluator.goals.keys
    short = evaluator(x[None]).shortfall[0, 0]
    missed = [i for i in np.flatnonzero(short > 0)]
    moves = _moves(evaluator) if missed else None
    rivals: dict[int, set[int]] = {}
    for i in missed:
        result = _minimise(evaluator, lambda g, i=i: g[:, [i]], x, s.seed, size=size, generations=generations,
                           moves=moves)
        best = np.atleast_2d(result.X)[0]
        g = evaluator(best[None]).shortfall[0, 0]
        if g[i] > 0:
            found.unreachable.append(keys[i])
        else:  # the targets that meeting i alone breaks
            rivals[i] = {int(j) for j in np.flatnonzero(g > 0) if j != i}
    # first the pairs where meeting i breaks a target the compromise meets, then two missed ones
    first = {tuple(sorted((i, j))) for i, js in rivals.items() for j in js if short[j] <= 0}
    then = {tuple(sorted((i, j))) for i, js in rivals.items() for j in js if j in rivals} - first
    pairs = sorted(first) + sorted(then)
    for i, j in pairs[:MAX_PAIRS]:
        result = _minimise(evaluator, lambda g, i=i, j=j: np.maximum(g[:, [i]], g[:, [j]]), x, s.seed,
                           size=size, generations=generations, moves=moves)
        if float(np.atleast_1d(result.F).min()) > 0:
            found.conflicts.append((keys[i], keys[j]))
    front_size = (min(FRONT_POPULATION, 2 * s.population), min(FRONT_GENERATIONS, 2 * s.generations))
    for pair in list(found.conflicts)[:MAX_FRONTS]:
        a, b = (keys.index(k) for k in pair)
        front = _front(evaluator, x, a, b, s.seed, *front_size, moves)
        if ((front[f"shortfall {keys[a]}"] <= 0) & (front[f"shortfall {keys[b]}"] <= 0)).any():
            found.conflicts.remove(pair)  # the front's wider search met both: no conflict after all
            continue
        found.front_pair, found.front = (keys[a], keys[b]), front
        return
    if missed:
        a = int(missed[0])
        found.front_pair = (keys[a], REST)
        found.front = _front(evaluator, x, a, None, s.seed, *front_size, moves)


def _front(evaluator: Evaluator, x: np.ndarray, a: int, b: int | None, seed: int, size: int,
           generations: int, moves=None) -> pd.DataFrame:
    """The Pareto front of target a's shortfall against target b's (or the others' total)."""
    def score(g: np.ndarray) -> np.ndarray:
        other = g[:, b] if b is not None else np.clip(np.delete(g, a, axis=1), 0, None).sum(axis=1)
        return np.column_stack([g[:, a], other])

    result = _minimise(evaluator, score, x, seed, n_obj=2, size=size, generations=generations, moves=moves)
    X = np.atleast_2d(result.X)
    out = evaluator(X)
    space, keys = evaluator.space, evaluator.goals.keys
    frame = pd.DataFrame({f"value {keys[a]}": out.values[:, 0, a], f"shortfall {keys[a]}": out.shortfall[:, 0, a]})
    if b is not None:
        frame[f"value {keys[b]}"] = out.values[:, 0, b]
        frame[f"shortfall {keys[b]}"] = out.shortfall[:, 0, b]
    else:
        frame["shortfall others"] = score(out.shortfall[:, 0, :])[:, 1]
    for k, name in enumerate(space.names):
        frame[name] = X[:, k]
    return frame.sort_values(frame.columns[0]).drop_duplicates().reset_index(drop=True)
