"""One model object used by several threads gives every thread its own right numbers (issue 10)."""
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import model

THREADS = 6
CASES = [
    {},
    {"investment rate": 0.26},
    {"population control": 0.35},
    {"coal share target": 0.3, "energy saving effort": 0.04},
    {"rail construction starts plan": 90, "car plate quota": 4},
    {"service sector reform": 2.0, "RD intensity target": 0.04},
]


def _threaded(run, cases: list[dict], rounds: int = 4) -> list[tuple[int, pd.DataFrame]]:
    jobs = [(i, case) for _ in range(rounds) for i, case in enumerate(cases)]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(zip([i for i, _ in jobs], pool.map(lambda job: run(job[1]), jobs)))


def test_the_shared_model_run_is_right_from_many_threads():
    serial = [model.run(case) for case in CASES]
    for i, result in _threaded(model.run, CASES):
        pd.testing.assert_frame_equal(result, serial[i], check_exact=True)


def test_one_model_object_shared_by_threads_with_params_and_years():
    shanghai = model.load()
    calls = [dict(levers=case, final_year=2015 + i) for i, case in enumerate(CASES)]
    calls.append(dict(params={"depreciation rate": 0.08}, final_year=2020))
    serial = [shanghai.run(**call) for call in calls]
    for i, result in _threaded(lambda call: shanghai.run(**call), calls, rounds=3):
        pd.testing.assert_frame_equal(result, serial[i], check_exact=True)


def test_one_simlin_model_shared_by_threads(shanghai):
    pytest.importorskip("simlin")
    from model.fast import SimlinModel

    fast = SimlinModel(shanghai)
    calls = [dict(levers=case, final_year=2016 + i % 3) for i, case in enumerate(CASES)]
    serial = [fast.run(**call) for call in calls]
    for i, result in _threaded(lambda call: fast.run(**call), calls):
        pd.testing.assert_frame_equal(result, serial[i], check_exact=True)
