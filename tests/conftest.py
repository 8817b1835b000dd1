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
