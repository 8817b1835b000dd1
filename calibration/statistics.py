"""Goodness-of-fit statistics of simulated (S) against actual (A) series.

Theil's inequality statistics in Sterman's decomposition (Sterman 1984, "Appropriate summary
statistics for evaluating the historical fit of system dynamics models", Dynamica 10(2)):

    MSE = (mean S - mean A)^2 + (s_S - s_A)^2 + 2 (1 - r) s_S s_A

with s the standard deviations (divisor n) and r the correlation. U_M, U_S and U_C are the three
terms over MSE: bias, unequal variation and unequal covariation; they sum to 1. A good fit has
its error in U_C (unsystematic). With one point, or a constant series, r is undefined and the
covariation term is 0. All statistics are NaN when there is no error to decompose.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

STATISTICS = ("n_points", "mape", "mae", "rmse", "r2", "theil_um", "theil_us", "theil_uc")


def _arrays(simulated, actual) -> tuple[np.ndarray, np.ndarray]:
    s, a = np.asarray(simulated, float), np.asarray(actual, float)
    if s.shape != a.shape or s.ndim != 1 or s.size == 0:
        raise ValueError(f"need two 1-d arrays of the same non-zero length, got {s.shape} and {a.shape}")
    return s, a


def mape(simulated, actual) -> float:
    """Mean absolute percentage error, in per cent of the actual values."""
    s, a = _arrays(simulated, actual)
    return float(np.mean(np.abs((s - a) / a)) * 100)


def mae(simulated, actual) -> float:
    """Mean absolute error, in the series' unit (percentage points for a share in %)."""
    s, a = _arrays(simulated, actual)
    return float(np.mean(np.abs(s - a)))


def rmse(simulated, actual) -> float:
    """Root mean squared error, in the series' unit."""
    s, a = _arrays(simulated, actual)
    return float(np.sqrt(np.mean((s - a) ** 2)))


def r2(simulated, actual) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot (NaN when the actual values are constant)."""
    s, a = _arrays(simulated, actual)
    total = np.sum((a - a.mean()) ** 2)
    return float(1 - np.sum((s - a) ** 2) / total) if total > 0 else float("nan")


def theil(simulated, actual) -> tuple[float, float, float]:
    """(U_M, U_S, U_C): shares of the mean squared error due to bias, unequal variation and
    unequal covariation (Sterman 1984). NaN when the error is zero."""
    s, a = _arrays(simulated, actual)
    mse = np.mean((s - a) ** 2)
    if mse == 0:
        return (float("nan"),) * 3
    sd_s, sd_a = s.std(), a.std()
    bias = (s.mean() - a.mean()) ** 2
    variation = (sd_s - sd_a) ** 2
    if sd_s > 0 and sd_a > 0:
        r = np.mean((s - s.mean()) * (a - a.mean())) / (sd_s * sd_a)
        covariation = 2 * (1 - r) * sd_s * sd_a
    else:
        covariation = 0.0
    # The three terms add up to the MSE exactly in exact arithmetic; divide by their sum so that
    # rounding never makes the shares miss 1.
    total = bias + variation + covariation
    return float(bias / total), float(variation / total), float(covariation / total)


def summary(simulated, actual) -> dict[str, float]:
    """Every statistic of STATISTICS for one series."""
    s, a = _arrays(simulated, actual)
    um, us, uc = theil(s, a)
    return {"n_points": int(s.size), "mape": mape(s, a), "mae": mae(s, a), "rmse": rmse(s, a),
            "r2": r2(s, a), "theil_um": um, "theil_us": us, "theil_uc": uc}


def fit_table(points: pd.DataFrame) -> pd.DataFrame:
    """One row per series of ``points`` (columns series, simulated, actual, unit), in the order
    the series first appear."""
    rows = []
    for name, group in points.groupby("series", sort=False):
        rows.append({"series": name, **summary(group["simulated"], group["actual"]),
                     "unit": group["unit"].iloc[0]})
    return pd.DataFrame(rows, columns=["series", *STATISTICS, "unit"])
