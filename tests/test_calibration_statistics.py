"""Fit statistics against hand-computed examples (Theil decomposition after Sterman 1984)."""
import math

import numpy as np
import pandas as pd
import pytest

from calibration import statistics as st

ACTUAL = [1.0, 2.0, 3.0]


def test_mape_rmse_mae_r2_by_hand():
    assert st.mape([110, 90], [100, 100]) == pytest.approx(10.0)
    assert st.mae([1, 2, 5], ACTUAL) == pytest.approx(2 / 3)
    assert st.rmse([1, 2, 5], ACTUAL) == pytest.approx(math.sqrt(4 / 3))
    # SS_res = 1, SS_tot = 2
    assert st.r2([1, 2, 4], ACTUAL) == pytest.approx(0.5)
    assert math.isnan(st.r2([1, 2], [5, 5]))  # constant data: undefined


def test_pure_bias_gives_um_one():
    # simulated = actual + 1: all of the error is bias
    assert st.theil([2, 3, 4], ACTUAL) == pytest.approx((1.0, 0.0, 0.0))


def test_pure_unequal_variation_gives_us_one():
    # same mean, perfectly correlated, twice the spread: MSE = 2/3 = (s_S - s_A)^2
    assert st.theil([0, 2, 4], ACTUAL) == pytest.approx((0.0, 1.0, 0.0))


def test_pure_unequal_covariation_gives_uc_one():
    # same mean and spread, r = -1: MSE = 8/3 = 2 (1 - r) s_S s_A
    assert st.theil([3, 2, 1], ACTUAL) == pytest.approx((0.0, 0.0, 1.0))


def test_mixed_case_by_hand():
    # errors 1, 0, 1, 1: MSE = 3/4; bias (3.25 - 2.5)^2 = 0.5625 -> U_M = 0.75;
    # s_S = sqrt(1.6875), s_A = sqrt(1.25): (s_S - s_A)^2 = 0.032775 -> U_S = 0.0437;
    # r = 1.375 / (s_S s_A) = 0.94673: 2 (1 - r) s_S s_A = 0.15474 -> U_C = 0.2063.
    um, us, uc = st.theil([2, 2, 4, 5], [1, 2, 3, 4])
    assert um == pytest.approx(0.75)
    assert us == pytest.approx(0.0437, abs=1e-4)
    assert uc == pytest.approx(0.2063, abs=1e-4)
    assert um + us + uc == pytest.approx(1.0)


def test_one_point_is_all_bias_and_perfect_fit_is_undefined():
    assert st.theil([11.0], [10.0]) == pytest.approx((1.0, 0.0, 0.0))
    assert all(math.isnan(u) for u in st.theil(ACTUAL, ACTUAL))


def test_shares_sum_to_one_on_random_series():
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = rng.normal(10, 2, 8)
        s = a * rng.normal(1, 0.1, 8) + rng.normal(0, 1)
        assert sum(st.theil(s, a)) == pytest.approx(1.0)


def test_fit_table_one_row_per_series_in_order():
    points = pd.DataFrame({
        "series": ["b", "b", "b", "a"], "simulated": [2, 3, 4, 11.0], "actual": [1, 2, 3, 10.0],
        "unit": ["x", "x", "x", "y"],
    })
    table = st.fit_table(points)
    assert list(table["series"]) == ["b", "a"]
    assert table.loc[0, "theil_um"] == pytest.approx(1.0)
    assert table.loc[0, "n_points"] == 3
    assert table.loc[1, "mape"] == pytest.approx(10.0)


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError, match="same non-zero length"):
        st.theil([1, 2], [1, 2, 3])
