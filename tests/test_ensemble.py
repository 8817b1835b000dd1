"""The fast ensemble runner (Simlin, chunks, worker processes) against PySD one run at a time."""
import numpy as np
import pandas as pd
import pytest

from model import PlanSimError
from model.ensemble import EnsembleRunner, indicator_values
from model.engine import compute_indicators
from model.fast import SimlinModel
from model.uncertainty import load_uncertainties, sample


@pytest.fixture(scope="module")
def runner(shanghai):
    return EnsembleRunner(shanghai)


def _relative_difference(fast: pd.DataFrame, slow: pd.DataFrame) -> float:
    """Largest |fast - slow| / |slow| over every indicator and year (NaN where both are NaN)."""
    assert list(fast.columns) == list(slow.columns) and list(fast.index) == list(slow.index)
    a, b = fast.to_numpy(), slow.to_numpy()
    assert (np.isnan(a) == np.isnan(b)).all()
    both = ~np.isnan(b)
    return float(np.max(np.abs(a[both] - b[both]) / np.maximum(np.abs(b[both]), 1e-12)))


def test_members_agree_with_pysd(shanghai, runner):
    """A sample of members (every uncertain parameter and two levers varied) matches PySD run
    one at a time to a relative difference below 1e-6 on every indicator and year."""
    members = sample(load_uncertainties(reference=shanghai), 40, seed=7)
    rng = np.random.default_rng(7)
    members["investment rate"] = rng.uniform(0.2, 0.45, len(members))
    members["coal share target"] = rng.uniform(0.3, 0.5, len(members))
    fixed = {"rail construction starts plan": 70.0, "energy saving effort": 0.03}
    ensemble = runner.run(members, fixed, workers=1)
    lever_names = set(shanghai.levers()["name"])
    for m in (0, 13, 26, 39):
        row = members.iloc[m].to_dict()
        levers = {**fixed, **{k: v for k, v in row.items() if k in lever_names}}
        params = {k: v for k, v in row.items() if k not in lever_names}
        reference = shanghai.run(levers, params=params)
        assert _relative_difference(ensemble.member(m), reference) < 1e-6, f"member {m}"


def test_no_inputs_gives_the_default_projection(default_run, runner):
    """An ensemble with no varied constants repeats the default projection (PySD) in every member."""
    ensemble = runner.run(pd.DataFrame(index=range(3)), workers=1)
    for m in range(3):
        assert _relative_difference(ensemble.member(m), default_run) < 1e-9


def test_worker_processes_give_the_same_members(shanghai, runner):
    """Chunks spread over two worker processes return exactly the members of an in-process run."""
    members = sample(load_uncertainties(reference=shanghai), 60, seed=3)
    local = runner.run(members, workers=1)
    spread = runner.run(members, workers=2, chunk_size=7)
    np.testing.assert_array_equal(spread.values, local.values)


def test_workers_stopped_by_ctrl_c_are_replaced_on_the_next_run(shanghai, runner):
    """Ctrl-C in the CLI stops every pool's workers (model.workers.terminate_all); a later
    ensemble in the same process starts new ones instead of failing on the stopped pool."""
    from model.workers import terminate_all

    members = sample(load_uncertainties(reference=shanghai), 20, seed=5)
    first = runner.run(members, workers=2, chunk_size=5)
    terminate_all()
    again = runner.run(members, workers=2, chunk_size=5)
    np.testing.assert_array_equal(again.values, first.values)


def test_progress_counts_every_member(runner):
    seen = []
    runner.run(pd.DataFrame({"depreciation rate": np.linspace(0.05, 0.09, 25)}), workers=1, chunk_size=10,
               progress=seen.append)
    assert seen == [10, 10, 5]


def test_vectorised_indicators_follow_compute_indicators(shanghai):
    """The array form of the indicators equals engine.compute_indicators on the same raw run."""
    raw = SimlinModel(shanghai).run_variables({"investment rate": 0.4})
    table = shanghai.indicators()
    expected = compute_indicators(raw, table)
    got = indicator_values(raw.to_numpy()[None], raw.index.to_numpy(), list(raw.columns), table)[0]
    np.testing.assert_allclose(got, expected.to_numpy(), rtol=1e-14, atol=0)


def test_final_year_shortens_the_run(runner):
    ensemble = runner.run(pd.DataFrame(index=range(2)), final_year=2015, workers=1)
    assert list(ensemble.years) == list(range(2010, 2016))
    assert ensemble.values.shape == (2, 6, len(ensemble.indicators))


@pytest.mark.parametrize("inputs, message", [
    (pd.DataFrame({"depreciaton rate": [0.06]}), "unknown model constant 'depreciaton rate'; closest valid names: 'depreciation rate'"),
    (pd.DataFrame({"investment rate": [0.31, 0.9]}), "member 1: 'investment rate' = 0.9 is not allowed (must be finite and within [0.15, 0.5])"),
    (pd.DataFrame({"depreciation rate": [np.nan]}), "member 0: 'depreciation rate' = nan is not allowed (must be finite)"),
])
def test_bad_member_inputs_are_named(runner, inputs, message):
    with pytest.raises(PlanSimError) as error:
        runner.run(inputs, workers=1)
    assert message in str(error.value)


def test_bad_fixed_lever_is_named(runner):
    with pytest.raises(PlanSimError, match="lever 'coal share target' = 0.9 is outside its allowed range"):
        runner.run(pd.DataFrame(index=range(1)), {"coal share target": 0.9}, workers=1)


def test_direct_binding_equals_public_simlin_methods(shanghai, runner):
    """The per-member fast path (pysimlin's C binding) gives the public Sim methods' numbers bit for bit."""
    from model.ensemble import _public_member_function, _simlin_model, run_members, simlin_ident

    members = sample(load_uncertainties(reference=shanghai), 5, seed=2)
    spec = runner.spec({"car plate quota": 20.0})
    names = tuple(simlin_ident(c) for c in members.columns)
    fast = run_members(spec, names, members.to_numpy())
    slow = np.empty((len(members), len(spec.outputs), spec.n_saved))
    with _simlin_model(spec).simulate(overrides=dict(spec.base)) as sim:
        member = _public_member_function(sim, names, spec.outputs)
        for i, row in enumerate(members.to_numpy()):
            member(row, slow[i])
    np.testing.assert_array_equal(fast, slow.transpose(0, 2, 1))
