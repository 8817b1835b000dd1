"""The tasks experiments send to an executor: plain module-level functions of plain arguments
(they pickle cheaply), each worker keeping one project per model and engine.

A project is named by a ``ProjectKey`` (model file, engine name, calibrated or not) rather than
sent whole: a worker reads the declaration and loads its engine once, on its first task.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..declaration import Declaration, RunTimes
from ..project import Project


@dataclass(frozen=True)
class ProjectKey:
    """What names a project in a worker: its model file, engine and use of calibration."""

    mdl_path: str
    engine: str
    use_calibration: bool

    @classmethod
    def of(cls, project: Project) -> "ProjectKey":
        return cls(str(project.mdl_path), project.engine_name, bool(project.declaration.calibrated))


@lru_cache(maxsize=4)
def project(key: ProjectKey) -> Project:
    """This process's project for ``key`` (built on first use)."""
    return Project(Declaration(key.mdl_path, key.use_calibration), key.engine)


def warm(key: ProjectKey) -> None:
    """Load the project now (a worker's first task, while the caller does other work)."""
    project(key)


def run(key: ProjectKey, levers: Mapping[str, float], final_year: int) -> pd.DataFrame:
    """One projection: ``Project.run`` in this process."""
    return project(key).run(levers, final_year)


def run_members(key: ProjectKey, overrides: Mapping[str, float], names: Sequence[str], times: RunTimes,
                variables: Sequence[str], matrix: np.ndarray) -> np.ndarray:
    """The engine's ``run_members`` for one chunk of members (array members x years x variables)."""
    return project(key).engine.run_members(overrides, names, matrix, times, variables)
