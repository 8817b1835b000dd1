"""Twin experiment: can the calibration recover known parameters from data like ours?

Synthetic history is simulated from known parameters on exactly the points of the real history
(same series, years and weights), multiplied by (1 + noise * N(0, 1)); the calibration then fits
it from the spec's starting values. Each parameter must come back within its stated tolerance
(``twin_tolerance`` in parameters_spec.csv, a fraction of its bound range).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .fit import calibrate
from .problem import Calibration

NOISE = 0.01  # relative standard deviation of the synthetic observations
NOISE_SEED = 2000


def synthetic_observations(problem: Calibration, truth: np.ndarray, noise: float = NOISE,
                           seed: int = NOISE_SEED) -> pd.DataFrame:
    """The problem's observations replaced by the truth's simulation times (1 + noise)."""
    clean = problem.at_points(problem.simulate(truth))
    rng = np.random.default_rng(seed)
    noisy = clean * (1 + noise * rng.standard_normal(clean.size))
    obs = problem.points.copy()
    scale = obs["value"] / obs["model_value"]
    obs["model_value"] = noisy
    obs["value"] = noisy * scale
    return obs


def twin_experiment(problem: Calibration, truth: np.ndarray, *, noise: float = NOISE, seed: int = NOISE_SEED,
                    popsize: int, maxiter: int, progress: bool = False) -> pd.DataFrame:
    """Fit synthetic data from ``truth``; one row per parameter with its recovery error."""
    twin = Calibration(problem.reference, observations=synthetic_observations(problem, truth, noise, seed))
    fit = calibrate(twin, popsize=popsize, maxiter=maxiter, progress=progress)
    spec = problem.spec.table
    error = np.abs(fit.x - truth) / (spec["upper"] - spec["lower"]).to_numpy()
    return pd.DataFrame({
        "parameter": problem.names, "truth": truth, "estimate": fit.x, "start": spec["start"],
        "error_of_range": error, "tolerance": spec["twin_tolerance"],
        "recovered": error <= spec["twin_tolerance"].to_numpy(),
    })
