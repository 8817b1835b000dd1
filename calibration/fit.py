"""Estimation: global search (differential evolution, fixed seed) then a local least-squares polish.

Both work on parameters scaled to [0, 1] between their bounds, so that a step means the same in
every direction. The search stops when it has converged (scipy's criterion: the standard
deviation of the population's costs at most TOL times their mean) or at MAXITER generations;
``FitResult.converged`` and ``history`` (best cost and relative spread per generation) say which.

Standard errors: the local ones come from the Jacobian at the optimum, cov = s^2 (J'J)^+ with
s^2 = SSR / (m - p) (weighted residuals, m points, p parameters), which assumes independent
residuals; ``calibration.bootstrap`` gives the ones reported, which allow for autocorrelated
residuals (a moving-block bootstrap with refits).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution, least_squares
from tqdm.auto import tqdm

from model.errors import PlanSimError

from . import bootstrap
from .problem import Calibration, CalibrationFiles, worker_problem

SEED = 20100101  # fixed: the same data give the same estimates
# Differential evolution settings: population per parameter, generations, relative tolerance.
POPSIZE = 10
MAXITER = 1000
TOL = 0.01
HISTORY_COLUMNS = ["generation", "best_cost", "mean_cost", "std_cost", "relative_spread"]
# Iterations of a bootstrap refit at most (from the estimate, a refit needs a handful).
REFIT_ITERATIONS = 50
# Relative finite-difference step of the polish's Jacobian (scipy's 2-point default).
JACOBIAN_STEP = float(np.sqrt(np.finfo(float).eps))
# A parameter within this fraction of its range from a bound counts as on the bound.
BOUND_TOLERANCE = 1e-3
# A parameter whose Jacobian column is this small relative to the largest has no influence.
NO_INFLUENCE = 1e-8


@dataclass
class FitResult:
    """Estimates (``x``, aligned with ``names``), their standard errors and run counts."""

    names: list[str]
    x: np.ndarray
    std_error: np.ndarray
    at_bound: list[str]
    cost: float
    n_residuals: int
    correlation: np.ndarray
    covariance: np.ndarray  # rows and columns of parameters on a bound are NaN
    evaluations: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    de_message: str = ""
    ls_message: str = ""
    converged: bool = False  # the search met its tolerance (not stopped at MAXITER)
    generations: int = 0
    # One row per generation: best cost, mean and standard deviation of the population's costs,
    # relative spread (std / mean; converged when at most TOL).
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    std_error_local: np.ndarray | None = None  # Jacobian (independent residuals) errors


class _Scaled:
    """The problem in unit-cube coordinates, counting evaluations and feeding a progress bar."""

    def __init__(self, problem: Calibration, bar=None):
        self.problem = problem
        self.lower, self.upper = problem.spec.lower, problem.spec.upper
        self.bar = bar
        self.evaluations = 0

    def theta(self, u) -> np.ndarray:
        return self.lower + np.clip(u, 0, 1) * (self.upper - self.lower)

    def residuals(self, u) -> np.ndarray:
        self.evaluations += 1
        if self.bar is not None and self.evaluations % 50 == 0:
            self.bar.update(50)
        return self.problem.residuals(self.theta(u))

    def cost(self, u) -> float:
        r = self.residuals(u)
        return float(r @ r)

    def residuals_many(self, us: np.ndarray) -> np.ndarray:
        """Residuals of many unit-cube points (rows) in one batch of runs."""
        self.evaluations += len(us)
        if self.bar is not None:
            self.bar.update(len(us))
        return self.problem.residuals_many(self.theta(np.asarray(us, float)))

    def costs(self, us_columns: np.ndarray) -> np.ndarray:
        """Costs of a population given as columns (scipy's vectorized differential evolution)."""
        r = self.residuals_many(np.asarray(us_columns, float).T)
        return np.einsum("ij,ij->i", r, r)

    def jacobian(self, u: np.ndarray) -> np.ndarray:
        """Forward-difference Jacobian (points x parameters) in one batch of runs; a step that
        would leave [0, 1] is taken backwards (scipy's 2-point rule)."""
        u = np.asarray(u, float)
        h = JACOBIAN_STEP * np.maximum(1.0, np.abs(u))
        h = np.where(u + h > 1.0, -h, h)
        points = np.vstack([u, u + np.diag(h)])
        r = self.residuals_many(points)
        return ((r[1:] - r[0]) / h[:, None]).T


def scaled_cost(files: CalibrationFiles, u) -> float:
    """The cost at unit-cube point ``u`` of the problem declared by ``files`` (a worker's task)."""
    problem = worker_problem(files)
    return _Scaled(problem).cost(u)


def calibrate(problem: Calibration, *, seed: int = SEED, popsize: int = POPSIZE, maxiter: int = MAXITER,
              tol: float = TOL, progress: bool = True, start: np.ndarray | None = None,
              executor=None) -> FitResult:
    """Fit the problem's parameters; ``start`` (physical units) defaults to the spec's starts.

    ``executor`` (``model.experiments.executor``; default: this process) evaluates each
    generation of the differential evolution: worker processes or a Dask cluster evaluate a
    whole generation at once (scipy's ``updating="deferred"``, so estimates differ slightly
    from the serial search, which updates the population member by member).
    """
    spec = problem.spec
    width = spec.upper - spec.lower
    u0 = ((spec.start if start is None else np.asarray(start, float)) - spec.lower) / width
    seconds, evaluations = {}, {}

    bar = tqdm(total=maxiter, desc="differential evolution", unit="gen", disable=not progress)
    scaled = _Scaled(problem)
    history = []

    def report(intermediate_result):
        energies = np.asarray(intermediate_result.population_energies, float)
        mean, std = float(np.mean(energies)), float(np.std(energies))
        history.append({"generation": len(history) + 1, "best_cost": float(intermediate_result.fun),
                        "mean_cost": mean, "std_cost": std, "relative_spread": std / abs(mean) if mean else np.inf})
        bar.update(1)
        bar.set_postfix(cost=f"{intermediate_result.fun:.5f}", spread=f"{history[-1]['relative_spread']:.3f}")

    parallel = executor is not None and executor.kind != "serial"
    if parallel and problem.own_observations:
        raise PlanSimError("a calibration on other observations (e.g. the twin experiment) runs in this process only")
    t0 = time.perf_counter()
    # Serial: the whole generation in one batch of runs (scipy's vectorized mode, which updates
    # the population generation by generation); parallel: members spread over the workers.
    de = differential_evolution(
        partial(scaled_cost, problem.files) if parallel else scaled.costs, bounds=[(0.0, 1.0)] * len(u0), seed=seed,
        popsize=popsize, maxiter=maxiter, tol=tol, init="latinhypercube", x0=np.clip(u0, 0, 1), polish=False,
        updating="deferred", callback=report, vectorized=not parallel,
        workers=executor.map_chunked if parallel else 1,
    )
    bar.close()
    seconds["differential_evolution"] = time.perf_counter() - t0
    evaluations["differential_evolution"] = int(de.nfev) if parallel else scaled.evaluations

    bar = tqdm(desc="least-squares polish", unit="run", disable=not progress)
    scaled.bar, scaled.evaluations = bar, 0
    t0 = time.perf_counter()
    ls = least_squares(scaled.residuals, de.x, jac=scaled.jacobian, bounds=(0.0, 1.0), method="trf", x_scale=1.0,
                       xtol=1e-10, ftol=1e-12, gtol=1e-10, max_nfev=200 * len(u0))
    bar.close()
    seconds["least_squares"] = time.perf_counter() - t0
    evaluations["least_squares"] = scaled.evaluations

    u = ls.x if ls.cost * 2 <= de.fun else de.x
    x = scaled.theta(u)
    std_error, correlation, covariance = _uncertainty(ls.fun, ls.jac, width)
    at_bound = ["lower" if ui <= BOUND_TOLERANCE else "upper" if ui >= 1 - BOUND_TOLERANCE else ""
                for ui in u]
    free = np.array([b == "" for b in at_bound])
    std_error = np.where(free, std_error, np.nan)
    covariance[~free, :] = np.nan
    covariance[:, ~free] = np.nan
    # scipy's own test (std of the population's costs <= tol * |their mean|) on the last generation
    converged = bool(history) and history[-1]["relative_spread"] <= tol
    return FitResult(names=spec.names, x=x, std_error=std_error, at_bound=at_bound,
                     cost=float(problem.cost(x)), n_residuals=problem.n_residuals, correlation=correlation,
                     covariance=covariance,
                     evaluations=evaluations, seconds=seconds, de_message=str(de.message),
                     ls_message=str(ls.message), converged=converged, generations=int(de.nit),
                     history=pd.DataFrame(history, columns=HISTORY_COLUMNS), std_error_local=std_error.copy())


def _uncertainty(residuals: np.ndarray, jac_unit: np.ndarray, width: np.ndarray):
    """Standard errors, correlation and covariance (physical units) from the Jacobian (unit cube)."""
    m, p = jac_unit.shape
    jac = jac_unit / width  # d r / d theta
    dof = max(m - p, 1)
    s2 = float(residuals @ residuals) / dof
    cov = s2 * np.linalg.pinv(jac.T @ jac, hermitian=True)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    # A parameter the residuals do not respond to at the optimum is not identified: the
    # pseudo-inverse would report a zero variance for it.
    inert = np.linalg.norm(jac_unit, axis=0) < NO_INFLUENCE * np.linalg.norm(jac_unit, axis=0).max()
    se[inert] = np.inf
    cov[inert, :] = np.nan
    cov[:, inert] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(se, se)
    return se, corr, cov


def polish(problem: Calibration, x: np.ndarray, *, max_nfev: int | None = None) -> np.ndarray:
    """The local least-squares polish alone, from ``x`` (physical units): the refit of a
    bootstrap replicate."""
    spec = problem.spec
    width = spec.upper - spec.lower
    scaled = _Scaled(problem)
    u0 = np.clip((np.asarray(x, float) - spec.lower) / width, 0, 1)
    ls = least_squares(scaled.residuals, u0, jac=scaled.jacobian, bounds=(0.0, 1.0), method="trf", x_scale=1.0,
                       xtol=1e-10, ftol=1e-12, gtol=1e-10, max_nfev=max_nfev or 200 * len(u0))
    return scaled.theta(ls.x)


def bootstrap_errors(problem: Calibration, x: np.ndarray, *, refits: int = bootstrap.REFITS,
                     block: int = bootstrap.BLOCK, seed: int = bootstrap.SEED,
                     progress: bool = False) -> bootstrap.BootstrapResult:
    """Moving-block bootstrap standard errors of the estimates ``x`` (see calibration.bootstrap):
    replicate histories from the fitted run and its resampled relative residuals, each refitted
    by the polish from ``x``."""
    sim = problem.simulate(x)
    fitted = problem.at_points(sim)
    residuals = problem.relative_residuals(sim)
    series = problem.points["series"].to_numpy()
    groups = [np.flatnonzero(series == name) for name in problem.series]  # points are in year order

    def refit(data: np.ndarray) -> np.ndarray | None:
        try:
            return polish(problem.with_data(data), x, max_nfev=REFIT_ITERATIONS)
        except (ValueError, FloatingPointError):
            return None

    return bootstrap.bootstrap(refit, fitted, residuals, groups, n_parameters=len(x), refits=refits, block=block, seed=seed,
                               progress=progress)
