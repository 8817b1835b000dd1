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


def _minimise(evaluator: Evaluator, score, x0: np.ndarray, seed: int, n_obj: int = 1,
              size: int = SMALL_POPULATION, generations: int = SMALL_GENERATIONS):
    """pymoo (GA, or NSGA-II for two objectives) on ``score(shortfalls) -> (candidates, n_obj)``."""
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
    initial = _initial(space, size, seed, [x0])
    return minimize(Inner(), Algorithm(pop_size=size, sampling=initial, eliminate_duplicates=True),
                    ("n_gen", generations), seed=seed, verbose=False)


def analyse(evaluator: Evaluator, found: Found, x: np.ndarray, s: Settings) -> None:
    """Fill ``found.unreachable``, ``found.conflicts``, ``found.front`` and ``found.front_pair``
    (the small searches are no bigger than the main one: ``s.population``, ``s.generations``)."""
    size, generations = min(SMALL_POPULATION, s.population), min(SMALL_GENERATIONS, s.generations)
    keys = evaluator.goals.keys
    short = evaluator(x[None]).shortfall[0, 0]
    missed = [i for i in np.flatnonzero(short > 0)]
    rivals: dict[int, set[int]] = {}
    for i in missed:
        result = _minimise(evaluator, lambda g, i=i: g[:, [i]], x, s.seed, size=size, generations=generations)
        best = np.atleast_2d(result.X)[0]
        g = evaluator(best[None]).shortfall[0, 0]
        if g[i] > 0:
            found.unreachable.append(keys[i])
        else:
            rivals[i] = {j for j in np.flatnonzero(g > 0) if j != i} | {j for j in missed if j != i}
    reachable = set(rivals)
    pairs = sorted({tuple(sorted((i, j))) for i, js in rivals.items() for j in js if j in reachable or short[j] <= 0})
    for i, j in pairs[:MAX_PAIRS]:
        result = _minimise(evaluator, lambda g, i=i, j=j: np.maximum(g[:, [i]], g[:, [j]]), x, s.seed,
                           size=size, generations=generations)
        if float(np.atleast_1d(result.F).min()) > 0:
            found.conflicts.append((keys[i], keys[j]))
    if found.conflicts:
        a, b = (keys.index(k) for k in found.conflicts[0])
    elif missed:
        a, b = int(missed[0]), None
    else:
        return
    found.front_pair = (keys[a], keys[b] if b is not None else REST)
    found.front = _front(evaluator, x, a, b, s.seed, min(FRONT_POPULATION, 2 * s.population),
                         min(FRONT_GENERATIONS, 2 * s.generations))


def _front(evaluator: Evaluator, x: np.ndarray, a: int, b: int | None, seed: int, size: int,
           generations: int) -> pd.DataFrame:
    """The Pareto front of target a's shortfall against target b's (or the others' total)."""
    def score(g: np.ndarray) -> np.ndarray:
        other = g[:, b] if b is not None else np.clip(np.delete(g, a, axis=1), 0, None).sum(axis=1)
        return np.column_stack([g[:, a], other])

    result = _minimise(evaluator, score, x, seed, n_obj=2, size=size, generations=generations)
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
