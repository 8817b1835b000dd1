"""Standard errors that allow for autocorrelated residuals: a moving-block bootstrap with refits.

The residuals of a system-dynamics fit run in streaks (a model path that is smooth where the
data bend leaves runs of same-signed errors), so the Jacobian's standard errors, which assume
independent residuals, are too small. Here each replicate history is the fitted run divided by
(1 + resampled relative residuals), and the parameters are refitted to it by the local least
squares polish, started from the estimate; the standard error is the standard deviation of the
refitted estimates (Efron and Tibshirani 1993, ch. 8; Kuensch 1989 for the moving blocks).

Resampling is within each series (residuals of different series have different sizes and are
not exchangeable), in moving blocks of consecutive years so that a replicate keeps the
residuals' autocorrelation up to the block length:

- block length ``min(BLOCK, max(1, n // 2))`` for a series of n points (a block of the whole
  series would resample nothing): 3 years for the decade's series, 1 for a series of 3 or 4;
- a series of fewer than OWN_ERRORS points cannot show its own errors: a parameter fitted to
  one point leaves a residual near 0, and resampling it would call that parameter exact. Its
  points get errors drawn from the pooled relative residuals of all fitted points, each with a
  random sign (a wild bootstrap), so that the data's typical error reaches the parameters
  those points pin;
- the residuals are first scaled by sqrt(m / (m - p)) (m points, p parameters): fitted
  residuals are smaller than the errors they stand for (Davison and Hinkley 1997, 6.2).

REFITS replicates (each about as costly as the polish) keep ``python -m calibration`` at a
few minutes; the report gives the number.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from tqdm.auto import tqdm

BLOCK = 3  # years: the residuals' streaks run about this long (see the report's residual figure)
OWN_ERRORS = 3  # points a series needs for its own residuals to be resampled (as for Theil's U_M)
REFITS = 60
SEED = 2010


def block_length(n: int, block: int = BLOCK) -> int:
    """Block length used for a series of ``n`` points."""
    return max(1, min(block, n // 2))


def resample(residuals: np.ndarray, groups: Sequence[np.ndarray], rng: np.random.Generator,
             block: int = BLOCK) -> np.ndarray:
    """One moving-block resample of ``residuals`` within each group (index arrays in time order);
    groups shorter than OWN_ERRORS draw signed errors from all the residuals."""
    out = np.array(residuals, float)
    for idx in groups:
        n = len(idx)
        if n < OWN_ERRORS:
            out[idx] = rng.choice(residuals, size=n) * rng.choice((-1.0, 1.0), size=n)
            continue
        b = block_length(n, block)
        starts = rng.integers(0, n, size=-(-n // b))
        picks = np.concatenate([np.arange(s, s + b) for s in starts])[:n] % n  # circular blocks
        out[idx] = residuals[idx[picks]]
    return out


@dataclass
class BootstrapResult:
    """Refitted estimates (one row per replicate), their standard deviation, the settings."""

    draws: np.ndarray
    std_error: np.ndarray
    refits: int
    block: int
    failed: int = 0


def bootstrap(refit: Callable[[np.ndarray], np.ndarray | None], fitted: np.ndarray, residuals: np.ndarray,
              groups: Sequence[np.ndarray], *, n_parameters: int, refits: int = REFITS, block: int = BLOCK, seed: int = SEED,
              progress: bool = False, desc: str = "bootstrap refits") -> BootstrapResult:
    """Refit ``refits`` replicate histories ``fitted / (1 + resampled relative residuals)``.

    ``refit(data)`` returns the estimates for the replicate data (or None if the fit failed:
    counted, left out). ``groups`` are the series' point indices in time order;
    ``n_parameters`` the number of estimated parameters (for the residuals' scaling).
    """
    rng = np.random.default_rng(seed)
    residuals = np.asarray(residuals, float) * np.sqrt(len(residuals) / max(len(residuals) - n_parameters, 1))
    draws = []
    failed = 0
    for _ in tqdm(range(refits), desc=desc, unit="fit", disable=not progress):
        data = fitted / (1 + resample(residuals, groups, rng, block))
        x = refit(data)
        if x is None or not np.all(np.isfinite(x)):
            failed += 1
            continue
        draws.append(np.asarray(x, float))
    draws = np.array(draws)
    std = draws.std(axis=0, ddof=1) if len(draws) > 1 else np.full(draws.shape[1:] or (0,), np.nan)
    return BootstrapResult(draws=draws, std_error=std, refits=refits, block=block, failed=failed)
