"""PlanSim Shanghai: a stock-flow model of Shanghai's 12th Five-Year Plan (2011-2015).

    import model
    result = model.run({"RD intensity target": 0.033}, final_year=2020)
    result.loc[2015, ["gdp_growth_avg_5y", "tertiary_share", "rd_share"]]

``run`` uses one process-wide model object, safe to call from several threads (their runs take
turns); ``load()`` gives an object of your own, for runs in parallel.
"""
from __future__ import annotations

import threading

import pandas as pd

from .engine import DEFAULT_FINAL_YEAR, ShanghaiModel, compute_indicators, to_long
from .errors import LeverError, PlanSimError
from .metadata import plan_targets

__all__ = [
    "DEFAULT_FINAL_YEAR", "LeverError", "PlanSimError", "ShanghaiModel", "compute_indicators",
    "indicators", "levers", "load", "plan_targets", "run", "to_long",
]


def load() -> ShanghaiModel:
    """A new model object (the translation is cached on disk, so this is quick after the first)."""
    return ShanghaiModel()


_SHARED: list[ShanghaiModel] = []
_SHARED_LOCK = threading.Lock()


def _shared() -> ShanghaiModel:
    """The process-wide model, created once even when threads ask for it at the same time."""
    with _SHARED_LOCK:
        if not _SHARED:
            _SHARED.append(ShanghaiModel())
        return _SHARED[0]


def run(levers: dict | None = None, final_year: int = DEFAULT_FINAL_YEAR, **kwargs) -> pd.DataFrame:
    """Project from the 2010 baseline with ``levers`` (name -> value); every indicator by year."""
    return _shared().run(levers, final_year, **kwargs)


def levers() -> pd.DataFrame:
    """The policy levers with their metadata."""
    return _shared().levers()


def indicators() -> pd.DataFrame:
    """The indicators every run reports."""
    return _shared().indicators()
