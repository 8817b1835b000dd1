"""Fast ensembles: many runs of model/shanghai.mdl with the Simlin engine, locally or on Dask.

Each member is the default model with fixed scenario levers plus per-member values of some
constants (uncertain parameters, or levers for a sensitivity analysis). Members run in chunks: a
chunk keeps one compiled Simlin simulation, resets it between members and reads the outputs into
arrays (about 0.4 ms per member on an idle core), so no pandas work is done per member. Chunks go to local
worker processes, or to a Dask cluster when a scheduler address is given; the result does not
depend on where chunks ran.

Indicator units are those of model/indicators.yaml (population 10^4 persons, money 10^8 yuan at
2010 prices per year, energy 10^4 tce per year, shares in per cent).
"""
from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from .declaration import DEFAULT_FINAL_YEAR, Declaration
from .derivation import derive
from .engines.simlin_engine import RunSpec, run_members
from .errors import PlanSimError
from .mdl import ident as simlin_ident
from .paths import MODEL_FILE
from .project import Project

# Runs below this size stay in the calling process: starting worker processes costs more.
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
        """Member ``m`` in the shape of ``ShanghaiModel.run`` (index year, one column per indicator)."""
        frame = pd.DataFrame(self.values[m], index=pd.Index(self.years, name="year"), columns=self.indicators)
        frame.attrs["units"] = dict(self.units)
        return frame

    def _index(self, ind: str) -> int:
        try:
            return self.indicators.index(ind)
        except ValueError:
            from .metadata import unknown_name_message

            raise PlanSimError(unknown_name_message("indicator", ind, self.indicators)) from None


class EnsembleRunner:
    """Runs ensembles of the model with fixed levers and per-member constants.

    ``reference`` (a Project or its Declaration; default: the model file read for this runner)
    supplies names, lever ranges, calibrated defaults and time settings, so members are the
    same model that ``Project.run`` projects.
    """

    def __init__(self, reference: Project | Declaration | None = None, mdl_path: Path | str = MODEL_FILE):
        self.reference = reference if reference is not None else Declaration()
        self.mdl_path = str(Path(mdl_path).resolve())
        self._table = self.reference.indicators()
        self._variables = sorted(set(self._table["variable"]))
        self._levers = self.reference.levers().set_index("name")

    def spec(self, levers: Mapping[str, object] | None = None, final_year: int = DEFAULT_FINAL_YEAR) -> RunSpec:
        """The run settings for fixed ``levers`` (validated) up to ``final_year``."""
        ref = self.reference
        start = ref.control["INITIAL TIME"]
        if not (isinstance(final_year, (int, np.integer)) and final_year > start):
            raise PlanSimError(f"final_year must be a whole year after {start:g}, got {final_year!r}")
        base = {**ref.constants(), **ref.validate_levers(levers)}
        return RunSpec(
            mdl_path=self.mdl_path, start=start, stop=float(final_year), dt=ref.control["TIME STEP"],
            saveper=ref.control["SAVEPER"], base=tuple((simlin_ident(k), float(v)) for k, v in base.items()),
            outputs=tuple(simlin_ident(v) for v in self._variables),
        )

    def check_inputs(self, inputs: pd.DataFrame) -> pd.DataFrame:
        """Member inputs as floats: known constants only, finite, levers inside their ranges."""
        constants = self.reference.constants()
        frame = inputs.astype(float)
        for name in frame.columns:
            if name not in constants:
                from .metadata import unknown_name_message

                raise PlanSimError(unknown_name_message("model constant", name, constants))
            values = frame[name].to_numpy()
            bad = ~np.isfinite(values)
            if name in self._levers.index:
                low, high = self._levers.loc[name, ["min", "max"]]
                bad |= (values < low) | (values > high)
                allowed = f"finite and within [{low:g}, {high:g}]"
            else:
                allowed = "finite"
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
        chunk_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Ensemble:
        """Run one member per row of ``inputs`` (columns: model constant names).

        ``levers`` are fixed for every member (a column of ``inputs`` overrides a lever). With
        ``scheduler`` (``tcp://HOST:PORT``) or a Dask ``client`` the chunks run on that cluster;
        otherwise in ``workers`` local processes (``workers=1``: in this process; default: one
        process per CPU, except that runs of at most IN_PROCESS_MAX_MEMBERS stay in this process).
        ``progress(n)`` is called with the number of members each finished chunk held.
        """
        inputs = self.check_inputs(inputs)
        spec = self.spec(levers, final_year)
        names = tuple(simlin_ident(c) for c in inputs.columns)
        matrix = inputs.to_numpy()
        n = matrix.shape[0]
        if workers is not None and not (isinstance(workers, (int, np.integer)) and workers >= 1):
            raise PlanSimError(f"workers must be a whole number >= 1, got {workers!r}")
        n_workers = workers or os.cpu_count() or 1
        if scheduler is not None or client is not None:
            parts = _run_on_dask(spec, names, matrix, chunk_size, scheduler, client, progress)
        elif n_workers == 1 or (workers is None and n <= IN_PROCESS_MAX_MEMBERS):
            parts = []
            for chunk in _chunks(matrix, chunk_size, 1):
                parts.append(run_members(spec, names, chunk))
                if progress:
                    progress(len(chunk))
        else:
            parts = _run_in_processes(spec, names, _chunks(matrix, chunk_size, n_workers), n_workers, progress)
        raw = np.concatenate(parts) if parts else np.empty((0, spec.n_saved, len(spec.outputs)))
        years = np.round(spec.start + spec.saveper * np.arange(spec.n_saved)).astype(int)
        values = derive(raw, years, self._variables, self._table)
        fixed = self.reference.validate_levers(levers)
        return Ensemble(
            years=years, indicators=list(self._table.index), values=values, inputs=inputs.reset_index(drop=True),
            levers=fixed, units=self._table["unit"].to_dict(),
        )


def _chunks(matrix: np.ndarray, chunk_size: int | None, slots: int) -> list[np.ndarray]:
    """Consecutive row blocks of ``matrix``; by default about CHUNKS_PER_WORKER per slot."""
    n = matrix.shape[0]
    if chunk_size is None:
        chunk_size = max(1, min(MAX_CHUNK, math.ceil(n / (slots * CHUNKS_PER_WORKER))))
    return [matrix[i:i + chunk_size] for i in range(0, n, chunk_size)]


def _run_in_processes(spec, names, chunks, n_workers, progress) -> list[np.ndarray]:
    from .workers import sigint_ignored

    pool = _process_pool(n_workers)
    if getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False):
        _process_pool.cache_clear()  # e.g. stopped by Ctrl-C (model.workers.terminate_all): start anew
        pool = _process_pool(n_workers)
    with sigint_ignored():  # submitting starts the fork server and the workers
        futures = [pool.submit(run_members, spec, names, chunk) for chunk in chunks]
    parts = []
    for future, chunk in zip(futures, chunks):  # in submission order: results keep member order
        parts.append(future.result())
        if progress:
            progress(len(chunk))
    return parts


@lru_cache(maxsize=None)
def _process_pool(n_workers: int) -> ProcessPoolExecutor:
    """A pool kept for the life of the process, so later ensembles skip the start-up.

    Workers come from a fork server that has imported this module (and Simlin) once: cheap to
    start, and safe in a parent that runs threads (Streamlit, Dask), unlike a plain fork.
    """
    from . import workers

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "simlin"])
    # Workers ignore Ctrl-C and end when their parent (the fork server, which ends with this
    # process) is gone.
    return workers.register(ProcessPoolExecutor(max_workers=n_workers, mp_context=context,
                                                initializer=workers.init_worker, initargs=(os.getpid(),)))


def _run_on_dask(spec, names, matrix, chunk_size, scheduler, client, progress) -> list[np.ndarray]:
    """Chunks as Dask tasks (sized by the cluster's thread count); results in member order."""
    from distributed import Client, as_completed

    own = client is None
    if own:
        client = Client(scheduler)
    try:
        chunks = _chunks(matrix, chunk_size, max(1, sum(client.nthreads().values())))
        futures = client.map(run_members, [spec] * len(chunks), [names] * len(chunks), chunks, pure=False)
        sizes = {future.key: len(chunk) for future, chunk in zip(futures, chunks)}
        for future in as_completed(futures):
            if future.status == "error":
                future.result()  # raises the worker's exception here
            if progress:
                progress(sizes[future.key])
        return client.gather(futures)
    finally:
        if own:
            client.close()

