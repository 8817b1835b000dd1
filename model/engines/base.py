"""The engine interface: ``run`` one simulation, ``run_members`` many, as arrays."""
from __future__ import annotations

from typing import Mapping, Protocol, Sequence

import numpy as np

from ..declaration import Declaration, RunTimes


Override = float  # engines take constants only: lever paths arrive as knot constants



class Engine(Protocol):
    """Runs the declared model. Overrides name model constants (levers or parameters) and are
    changes from the declaration's defaults; they never carry over to the next run. Results
    are the ``variables`` at every saved time from ``times.start`` to ``times.final_year``."""

    name: str
    declaration: Declaration

    def run(self, overrides: Mapping[str, Override], times: RunTimes, variables: Sequence[str]) -> np.ndarray:
        """One run: array (saved times, variables)."""
        ...

    def run_members(self, overrides: Mapping[str, float], names: Sequence[str], matrix: np.ndarray,
                    times: RunTimes, variables: Sequence[str]) -> np.ndarray:
        """One run per row of ``matrix`` (columns: constants ``names``) on top of ``overrides``:
        array (members, saved times, variables)."""
        ...


def saved_years(times: RunTimes, saveper: float) -> np.ndarray:
    """The whole years a run saves (SAVEPER is one year)."""
    n = int(round((times.final_year - times.start) / saveper)) + 1
    return np.round(times.start + saveper * np.arange(n)).astype(int)
