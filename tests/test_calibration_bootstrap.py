"""Moving-block bootstrap standard errors (calibration.bootstrap) on cases with a known answer."""
import numpy as np
import pytest

from calibration import bootstrap as bs

YEARS = np.arange(30.0)
TRUTH = 100 + 5 * YEARS  # a linear trend; the errors are relative


def _ar1(rng: np.random.Generator, phi: float, sd: float = 0.02) -> np.ndarray:
    e = np.zeros(YEARS.size)
    e[0] = rng.normal(0, sd / np.sqrt(1 - phi ** 2))
    for k in range(1, YEARS.size):
        e[k] = phi * e[k - 1] + rng.normal(0, sd)
    return e


def _slope(data: np.ndarray) -> np.ndarray:
    return np.polyfit(YEARS, data, 1)[:1]


def _mean_bootstrap_se(phi: float, block: int, samples: int = 20) -> float:
    """Mean bootstrap standard error of the fitted slope over ``samples`` AR(1) histories."""
    rng = np.random.default_rng(7)
    errors = []
    for seed in range(samples):
        data = TRUTH * (1 + _ar1(rng, phi))
        fitted = np.polyval(np.polyfit(YEARS, data, 1), YEARS)
        result = bs.bootstrap(_slope, fitted, fitted / data - 1, [np.arange(YEARS.size)], n_parameters=2,
                              refits=200, block=block, seed=seed)
        errors.append(result.std_error[0])
    return float(np.mean(errors))


def _true_sd(phi: float) -> float:
    """Monte Carlo standard deviation of the slope estimate (the known answer)."""
    rng = np.random.default_rng(1)
    return float(np.std([_slope(TRUTH * (1 + _ar1(rng, phi)))[0] for _ in range(2000)]))


def test_autocorrelated_residuals_give_wider_errors_than_independent_resampling():
    """AR(1) errors (phi 0.8): the block bootstrap's error of a trend is wider than the iid
    bootstrap's (which ignores the streaks) and nearer the true sampling error."""
    truth = _true_sd(0.8)
    block, iid = _mean_bootstrap_se(0.8, block=6), _mean_bootstrap_se(0.8, block=1)
    assert block > 1.3 * iid
    assert abs(block - truth) < abs(iid - truth)


def test_independent_errors_are_recovered():
    """With independent errors the bootstrap reproduces the true sampling error (within 20%)."""
    assert _mean_bootstrap_se(0.0, block=1) == pytest.approx(_true_sd(0.0), rel=0.2)


def test_resampling_keeps_blocks_of_consecutive_years_within_each_series():
    residuals = np.arange(10.0) + 100  # distinct values: each one names its position
    groups = [np.arange(10)]
    out = bs.resample(residuals, groups, np.random.default_rng(0), block=3)
    positions = (out - 100).astype(int)
    # each block of three is three consecutive positions (circularly)
    for start in range(0, 9, 3):
        chunk = positions[start:start + 3]
        assert all((b - a) % 10 == 1 for a, b in zip(chunk, chunk[1:]))


def test_short_series_draw_signed_errors_from_all_residuals():
    """A one- or two-point series cannot show its own error: its points get errors from the
    pooled residuals with random signs (a parameter fitted to one point is not exact)."""
    residuals = np.array([0.0, 0.05, -0.04, 0.03, 0.02, -0.01, 0.0])
    groups = [np.array([0]), np.arange(1, 6), np.array([6])]
    rng = np.random.default_rng(3)
    draws = np.array([bs.resample(residuals, groups, rng) for _ in range(400)])
    pooled = set(np.abs(residuals))
    for k in (0, 6):
        assert set(np.round(np.abs(draws[:, k]), 12)) <= {round(v, 12) for v in pooled}
        assert np.std(draws[:, k]) > 0.01  # not the fitted 0
    assert set(np.round(draws[:, 1:6].ravel(), 12)) <= {round(v, 12) for v in residuals[1:6]}


def test_block_length_never_takes_a_whole_series():
    assert [bs.block_length(n, 3) for n in (1, 2, 3, 4, 5, 9, 10)] == [1, 1, 1, 2, 2, 3, 3]
