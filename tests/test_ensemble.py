"""The ensemble runner (chunks on an executor, either engine) against single runs of the project."""
import numpy as np
import pandas as pd
import pytest

import model
from model import PlanSimError
from model.experiments.ensemble import EnsembleRunner
from model.experiments.uncertainty import load_uncertainties, sample


@pytest.fixture(scope="module")
def simlin(shanghai):
    """The session's declaration on the fast engine."""
    return shanghai.with_engine("simlin")


@pytest.fixture(scope="module")
def runner(simlin):
    return EnsembleRunner(simlin)


def _relative_difference(fast: pd.DataFrame, slow: pd.DataFrame) -> float:
    """Largest |fast - slow| / |slow| over every indicator and year (NaN where both are NaN)."""
    assert list(fast.columns) == list(slow.columns) and list(fast.index) == list(slow.index)
    a, b = fast.to_numpy(), slow.to_numpy()
    assert (np.isnan(a) == np.isnan(b)).all()
    both = ~np.isnan(b)
    return float(np.max(np.abs(a[both] - b[both]) / np.maximum(np.abs(b[both]), 1e-12)))


@pytest.mark.parametrize("engine", ["pysd", "simlin"])
def test_members_equal_single_runs_on_each_engine(shanghai, engine):
    """Members (every uncertain parameter and two levers varied) equal ``Project.run`` of the
    same inputs on the same engine, and on the other engine, to 1e-9 (relative) on every
    indicator and year: one derivation of indicators for single runs and ensembles."""
    project = shanghai.with_engine(engine)
    members = sample(load_uncertainties(reference=shanghai), 6, seed=7)
    rng = np.random.default_rng(7)
    members["investment rate"] = rng.uniform(0.2, 0.4, len(members))
    members["coal share target"] = rng.uniform(0.3, 0.5, len(members))
    fixed = {"rail construction starts plan": 70.0, "energy saving effort": 0.03}
    ensemble = EnsembleRunner(project).run(members, fixed, workers=1)
    lever_names = set(shanghai.levers()["name"])
    other = shanghai.with_engine("simlin" if engine == "pysd" else "pysd")
    for m in (0, 3, 5):
        row = members.iloc[m].to_dict()
        levers = {**fixed, **{k: v for k, v in row.items() if k in lever_names}}
        params = {k: v for k, v in row.items() if k not in lever_names}
        assert _relative_difference(ensemble.member(m), project.run(levers, params=params)) < 1e-12, f"member {m}"
        assert _relative_difference(ensemble.member(m), other.run(levers, params=params)) < 1e-9, f"member {m}"


def test_simlin_members_on_threads_equal_those_run_in_order(runner, shanghai):
    """The app's ensembles run Simlin members on threads of the page's process (Simlin's runs
    release Python's lock): every member is bit for bit the member run in order, whatever
    thread and chunk it ran in, and a failing chunk still raises."""
    from model.experiments.executor import Threads

    members = sample(load_uncertainties(reference=shanghai), 24, seed=3)
    with Threads(2) as executor:
        threaded = runner.run(members, {"investment rate": 0.3}, executor=executor, chunk_size=5)
    np.testing.assert_array_equal(threaded.values, runner.run(members, {"investment rate": 0.3}, workers=1).values)
    with pytest.raises(PlanSimError, match="threads must be a whole number"):
        Threads(0)


def test_pysd_members_in_worker_processes_equal_those_run_here(shanghai):
    """The PySD engine's members go to worker processes too (each loads the project once)."""
    runner = EnsembleRunner(shanghai)
    members = sample(load_uncertainties(reference=shanghai), 4, seed=1)
    np.testing.assert_array_equal(runner.run(members, workers=2, chunk_size=2).values,
                                  runner.run(members, workers=1).values)


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
    """Ctrl-C in the CLI stops every pool's workers (model.experiments.workers.terminate_all); a later
    ensemble in the same process starts new ones instead of failing on the stopped pool."""
    from model.experiments.workers import terminate_all

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


def test_final_year_shortens_the_run(runner):
    ensemble = runner.run(pd.DataFrame(index=range(2)), final_year=2015, workers=1)
    assert list(ensemble.years) == list(range(2010, 2016))
    assert ensemble.values.shape == (2, 6, len(ensemble.indicators))


@pytest.mark.parametrize("inputs, message", [
    (pd.DataFrame({"depreciaton rate": [0.06]}), "unknown model constant 'depreciaton rate'; closest valid names: 'depreciation rate'"),
    (pd.DataFrame({"investment rate": [0.31, 0.9]}), "member 1: 'investment rate' = 0.9 is not allowed (must be finite and within [0.2, 0.4])"),
    (pd.DataFrame({"depreciation rate": [np.nan]}), "member 0: 'depreciation rate' = nan is not allowed (must be finite)"),
])
def test_bad_member_inputs_are_named(runner, inputs, message):
    with pytest.raises(PlanSimError) as error:
        runner.run(inputs, workers=1)
    assert message in str(error.value)


def test_bad_fixed_lever_is_named(runner):
    with pytest.raises(PlanSimError, match="lever 'coal share target' = 0.9 is outside its allowed range"):
        runner.run(pd.DataFrame(index=range(1)), {"coal share target": 0.9}, workers=1)


def test_direct_binding_equals_public_simlin_methods(shanghai, simlin):
    """The per-member fast path (pysimlin's C binding) gives the public Sim methods' numbers bit for bit."""
    from model.engines.simlin_engine import _compiled, public_member_function, run_members
    from model.mdl import ident

    members = sample(load_uncertainties(reference=shanghai), 5, seed=2)
    times = shanghai.declaration.run_times(2020)
    spec = simlin.engine.spec({**shanghai.constants(), **shanghai.overrides({"car plate quota": 20.0})}, times,
                              shanghai.declaration.indicator_variables())
    names = tuple(ident(c) for c in members.columns)
    fast = run_members(spec, names, members.to_numpy())
    slow = np.empty((len(members), len(spec.outputs), spec.n_saved))
    with _compiled(spec).simulate(overrides=dict(spec.base)) as sim:
        member = public_member_function(sim, names, spec.outputs)
        for i, row in enumerate(members.to_numpy()):
            member(row, slow[i])
    np.testing.assert_array_equal(fast, slow.transpose(0, 2, 1))


def test_an_ensemble_runner_needs_a_project(shanghai):
    with pytest.raises(TypeError, match="model.Project"):
        EnsembleRunner(shanghai.declaration)


def test_simlin_without_its_private_binding_uses_the_public_methods(shanghai, monkeypatch):
    """The fast path reads pysimlin's private C binding (``simlin._ffi``, ``Sim._ptr``); a
    pysimlin laid out otherwise must fall back to the public methods with the same numbers."""
    import sys

    from model.engines import simlin_engine

    levers = {"car plate quota": 20.0, "investment rate": 0.4}
    expected = shanghai.with_engine("simlin").run(levers)
    monkeypatch.setitem(sys.modules, "simlin._ffi", None)  # "import simlin._ffi" now fails
    chosen = []
    real = simlin_engine.public_member_function
    monkeypatch.setattr(simlin_engine, "public_member_function",
                        lambda *args: chosen.append(True) or real(*args))
    monkeypatch.setattr(simlin_engine, "_thread_cache", __import__("threading").local())  # no cached Sims
    fresh = model.Project(shanghai.declaration, "simlin")
    pd.testing.assert_frame_equal(fresh.run(levers), expected, rtol=1e-12)
    assert chosen, "the public Sim methods were not used"
