"""Shared fixtures: one translated model per test session (translation is cached on disk)."""
import pytest

import model


@pytest.fixture(scope="session")
def shanghai() -> model.Project:
    """A project (PySD engine) for the whole session; every run starts from a clean state."""
    return model.load()


@pytest.fixture(scope="session")
def default_run(shanghai):
    """The default projection 2010-2020."""
    return shanghai.run()


@pytest.fixture(scope="session")
def problem():
    """The calibration problem (calibration/: specs, history, recorded paths), read once."""
    from calibration.problem import Calibration

    return Calibration()


@pytest.fixture(scope="session")
def estimates(problem):
    """The committed estimates, in the order of ``problem``'s parameters."""
    from calibration import results

    return results.read_estimates(problem)
