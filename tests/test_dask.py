"""The Dask path: the same ensemble on a distributed cluster equals the local run for the same seed."""
import numpy as np
import pytest

from model.experiments.ensemble import EnsembleRunner
from model.experiments.uncertainty import load_uncertainties, run_uncertainty


@pytest.fixture(scope="module")
def cluster():
    """An in-process LocalCluster (threads, no dashboard): quick to start, nothing left behind."""
    from distributed import LocalCluster

    with LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as local:
        yield local


def test_dask_cluster_gives_the_local_ensemble(cluster, shanghai):
    runner = EnsembleRunner(shanghai.with_engine("simlin"))
    unknowns = load_uncertainties(reference=shanghai)
    levers = {"population control": 0.2}
    local = run_uncertainty(levers, 120, 21, uncertainties=unknowns, runner=runner, workers=1)
    seen = []
    # by scheduler address, as `--scheduler` does; small chunks so that both threads work
    remote = run_uncertainty(levers, 120, 21, uncertainties=unknowns, runner=runner,
                             scheduler=cluster.scheduler_address, chunk_size=16, progress=seen.append)
    np.testing.assert_array_equal(remote.values, local.values)
    assert remote.inputs.equals(local.inputs)
    assert sum(seen) == 120 and len(seen) == 8
