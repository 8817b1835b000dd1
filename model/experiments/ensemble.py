"""Ensembles: many runs of the model with fixed levers and per-member constants, on the
project's engine, in chunks on an executor (this process, local worker processes or Dask).

Each member is the project's model with fixed scenario levers plus per-member values of some
constants (uncertain parameters, or levers for a sensitivity analysis). A chunk of members is
one call of the engine's ``run_members`` (Simlin: one compiled simulation reset between
members, about 0.4 ms per member; PySD: single runs in a loop, the reference). Indicators come
from the one derivation (``model.derivation.derive``); the result does not depend on the engine
(to 1e-9) nor on where chunks ran.

Indicator units are those of model/indicators.yaml (population 10^4 persons, money 10^8 yuan at
2010 prices per year, energy 10^4 tce per year, shares in per cent).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from ..declaration import DEFAULT_FINAL_YEAR
from ..derivation import derive
from ..engines.base import saved_years
from ..errors import PlanSimError, unknown_name
from ..project import Project
from . import executor as executors
from . import tasks

# Runs below this size stay in the calling process unless workers are asked for: starting
# worker processes costs more.
IN_PROCESS_MAX_MEMBERS = 2000
# Chunks per worker: enough for a smooth progress bar and load balance, few enough to keep
# per-chunk overhead (one Sim per chunk) negligible.
CHUNKS_PER_WORKER = 8
MAX_CHUNK = 2000


@dataclass
class Ensemble:
    """Indicator trajectories of every member.

    ``values[m, t, i]`` is indicator ``indicators[i]`` in ``years[t]`` for member ``m``, in the
    unit ``units[indicator]``; ``inputs`` holds each member's varied constants (one row per member).
    """

    years: np.ndarray
    indicators: list[str]
    values: np.ndarray
    inputs: pd.DataFrame
    levers: dict[str, float]
    units: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.values.shape[0]

    def indicator(self, ind: str) -> pd.DataFrame:
        """One indicator: members as rows, years as columns."""
        return pd.DataFrame(self.values[:, :, self._index(ind)], columns=pd.Index(self.years, name="year"))

    def member(self, m: int) -> pd.DataFrame:
        """Member ``m`` in the shape of ``Project.run`` (index year, one column per indicator)."""
        frame = pd.DataFrame(self.values[m], index=pd.Index(self.years, name="year"), columns=self.indicators)
        frame.attrs["units"] = dict(self.units)
        return frame

    def _index(self, ind: str) -> int:
        try:
            return self.indicators.index(ind)
        except ValueError:
            raise PlanSimError(unknown_name("error_what_indicator", ind, self.indicators)) from None


class EnsembleRunner:
    """Runs ensembles of ``project`` (its declaration: names, lever ranges, calibrated defaults,
    time settings; its engine: the runs), so members are the model ``project.run`` projects."""

    def __init__(self, project: Project):
        if not isinstance(project, Project):
            raise TypeError(f"EnsembleRunner takes a model.Project, got {type(project).__name__}")
        self.project = project
        self._table = project.indicators()
        self._variables = sorted(set(self._table["variable"]))
        self._levers = project.levers().set_index("name")

    @property
    def reference(self) -> Project:
        """The project (its declaration answers names, ranges and defaults)."""
        return self.project

    def check_inputs(self, inputs: pd.DataFrame) -> pd.DataFrame:
        """Member inputs as floats: known constants, lever levels (``X``) and lever start years
        (``X start year``) only, finite, levers inside their ranges, start years in
        [2011, 2100]."""
        from ..lever_paths import FIRST_YEAR, LAST_YEAR

        constants = self.project.constants()
        parts = self.project.declaration.path_inputs()
        frame = inputs.astype(float)
        for name in frame.columns:
            if name not in constants and name not in parts:
                raise PlanSimError(unknown_name("error_what_constant", name, [*constants, *parts]))
            values = frame[name].to_numpy()
            bad = ~np.isfinite(values)
            if name in self._levers.index:
                low, high = self._levers.loc[name, ["min", "max"]]
            elif name in parts:
                low, high = FIRST_YEAR, LAST_YEAR
            else:
                low, high = -np.inf, np.inf
            bad |= (values < low) | (values > high)
            allowed = f"finite and within [{low:g}, {high:g}]" if np.isfinite(low) else "finite"
            if bad.any():
                m = int(np.flatnonzero(bad)[0])
                raise PlanSimError(f"member {m}: '{name}' = {float(values[m])!r} is not allowed (must be {allowed})")
        return frame

    def run(
        self,
        inputs: pd.DataFrame,
        levers: Mapping[str, object] | None = None,
        final_year: int = DEFAULT_FINAL_YEAR,
        *,
        workers: int | None = None,
        scheduler: str | None = None,
        client=None,
        executor: executors.Executor | None = None,
        chunk_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Ensemble:
        """Run one member per row of ``inputs`` (columns: model constant names).

        ``levers`` are fixed for every member (a column of ``inputs`` overrides a lever). The
        chunks run on ``executor`` when given; else on a Dask ``scheduler`` (``tcp://HOST:PORT``)
        or ``client``; else in ``workers`` local processes (``workers=1``: in this process;
        default: one process per CPU, except that runs of at most IN_PROCESS_MAX_MEMBERS stay
        in this process). ``progress(n)`` is called with the number of members each finished
        chunk held.
        """
        inputs = self.check_inputs(inputs)
        fixed = self.project.validate_levers(levers)
        times = self.project.declaration.run_times(final_year)
        # lever levels and start years become each member's knot constants: engines get constants
        members = self.project.declaration.member_constants(fixed, inputs)
        matrix = members.to_numpy()
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1):
            raise PlanSimError(f"workers must be a whole number >= 1, got {workers!r}")
        if executor is None:
            small = workers is None and scheduler is None and client is None and len(matrix) <= IN_PROCESS_MAX_MEMBERS
            executor = executors.create(1 if small else (None if workers is None else int(workers)), scheduler, client)
            with executor:
                raw = self._run_chunks(executor, fixed, list(members.columns), matrix, times, chunk_size, progress)
        else:
            raw = self._run_chunks(executor, fixed, list(members.columns), matrix, times, chunk_size, progress)
        years = saved_years(times, self.project.control["SAVEPER"])
        values = derive(raw, years, self._variables, self._table)
        return Ensemble(
            years=years, indicators=list(self._table.index), values=values, inputs=inputs.reset_index(drop=True),
            levers=fixed, units=self._table["unit"].to_dict(),
        )

    def _run_chunks(self, executor, fixed, names, matrix, times, chunk_size, progress) -> np.ndarray:
        overrides = {**self.project.constants(), **self.project.declaration.lever_constants(fixed)}
        chunks = _chunks(matrix, chunk_size, executor.slots)
        task = self._task(executor, overrides, names, times)
        done = (lambda k: progress(len(chunks[k]))) if progress else None
        parts = executor.map(task, chunks, done=done)
        return np.concatenate(parts) if parts else np.empty((0, len(saved_years(times, self.project.control["SAVEPER"])), len(self._variables)))

    def _task(self, executor, overrides, names, times) -> Callable[[np.ndarray], np.ndarray]:
        """A function chunk -> raw array: the project's engine here, or a picklable task."""
        engine = self.project.engine
        if executor.kind in ("serial", "threads"):  # this process: the engine itself
            return partial(engine.run_members, overrides, names, times=times, variables=self._variables)
        spec = getattr(engine, "spec", None)
        if spec is not None:  # Simlin: plain run settings, no model to build in the worker
            from ..engines.simlin_engine import run_members
            from ..mdl import ident

            return partial(run_members, spec(overrides, times, self._variables), tuple(ident(n) for n in names))
        return partial(tasks.run_members, tasks.ProjectKey.of(self.project), overrides, names, times, self._variables)


def _chunks(matrix: np.ndarray, chunk_size: int | None, slots: int) -> list[np.ndarray]:
    """Consecutive row blocks of ``matrix``; by default about CHUNKS_PER_WORKER per slot."""
    n = matrix.shape[0]
    if chunk_size is None:
        chunk_size = max(1, min(MAX_CHUNK, math.ceil(n / (slots * CHUNKS_PER_WORKER))))
    return [matrix[i:i + chunk_size] for i in range(0, n, chunk_size)]
