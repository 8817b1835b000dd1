"""PlanSim Shanghai: a stock-flow model of Shanghai's 12th Five-Year Plan (2011-2015).

    import model
    result = model.run({"RD intensity target": 0.033}, final_year=2020)
    result.loc[2015, ["gdp_growth_avg_5y", "tertiary_share", "rd_share"]]
    model.run({"population control": {"value": 0.3, "from": 2014, "ramp": 2}})  # a lever path
    model.run({"car plate quota": model.LeverPath.at_points({2013: 10, 2016: 6})})

``run`` uses one process-wide project (the reference engine, PySD), safe to call from several
threads (their runs take turns); ``load()`` gives a project of your own, on either engine.
"""
from __future__ import annotations

import threading

import pandas as pd

from .declaration import DEFAULT_FINAL_YEAR, Declaration
from .derivation import to_long
from .errors import LeverError, PlanSimError
from .lever_paths import LeverPath
from .metadata import plan_targets
from .project import Project

__all__ = [
    "DEFAULT_FINAL_YEAR", "Declaration", "LeverError", "LeverPath", "PlanSimError", "Project",
    "indicators", "levers", "load", "plan_targets", "run", "to_long",
]


def load(engine: str = "pysd", *, use_calibration: bool = True) -> Project:
    """A new project: the model declared by model/shanghai.mdl on ``engine`` (``pysd``, the
    reference, or ``simlin``, the fast one); ``use_calibration=False`` runs the file's own values."""
    return Project(engine=engine, use_calibration=use_calibration)


_SHARED: list[Project] = []
_SHARED_LOCK = threading.Lock()


def _shared() -> Project:
    """The process-wide project, created once even when threads ask for it at the same time."""
    with _SHARED_LOCK:
        if not _SHARED:
            _SHARED.append(Project())
        return _SHARED[0]


def run(levers: dict | None = None, final_year: int = DEFAULT_FINAL_YEAR, **kwargs) -> pd.DataFrame:
    """Project from the 2010 baseline with ``levers`` (name -> number or path, see
    ``model.lever_paths``); every indicator by year."""
    return _shared().run(levers, final_year, **kwargs)


def levers() -> pd.DataFrame:
    """The policy levers with their metadata."""
    return _shared().levers()


def indicators() -> pd.DataFrame:
    """The indicators every run reports."""
    return _shared().indicators()
