"""Where many tasks run: the one executor of batches, ensembles and calibration.

``create(workers, scheduler=None, client=None)`` gives

- ``Serial``: every task in this process, in order (``workers=1``);
- ``Processes``: local worker processes (``workers > 1``). One pool kind: workers come from a
  fork server that has imported this package (cheap to start; safe in a parent that runs
  threads, e.g. Streamlit or Dask, unlike a plain fork). The pool is kept for the life of the
  process, so later experiments skip the start-up; every worker ignores Ctrl-C and ends as
  soon as its parent is gone (``model.experiments.workers``);
- ``Threads``: threads of this process, for engines whose runs release the GIL (Simlin's
  compiled simulation does): the app's ensembles, without the cost of sending work to processes;
- ``Dask``: tasks on a Dask distributed cluster (``scheduler`` ``tcp://HOST:PORT``, probed
  first so that a silent address fails within seconds, or a ``client`` the caller holds).

Every executor has ``map(fn, *iterables)`` (results in order; the first failure raises; also the
``workers=`` callable of ``scipy.optimize.differential_evolution``) and ``outcomes(fn, jobs)``
(key -> result, or the exception it raised: one job's failure never stops the others).
Results never depend on the executor: tasks are pure functions of their arguments.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import as_completed as futures_completed
from functools import lru_cache
from typing import Callable, Iterable, Mapping

from tqdm import tqdm

from ..errors import PlanSimError
from . import workers as worker_processes

# Modules the fork server imports once, so that every worker starts with them loaded.
PRELOAD = ("model.experiments.tasks", "simlin")


class Executor:
    """Runs tasks; subclasses say where (``submit``, ``completed``) and how many at once (``slots``)."""

    kind = "serial"
    slots = 1

    def submit(self, fn: Callable, *args) -> Future:
        raise NotImplementedError

    def completed(self, futures: list) -> Iterable:
        """``futures`` as they finish."""
        return futures_completed(futures)

    def map(self, fn: Callable, *iterables, done: Callable[[int], None] | None = None) -> list:
        """``[fn(*args) for args in zip(*iterables)]``, run where this executor runs; ``done(k)``
        is called as task ``k`` finishes (in any order). The first failure raises."""
        futures = [self.submit(fn, *args) for args in zip(*iterables)]
        index = {id(f): k for k, f in enumerate(futures)}
        for future in self.completed(futures):
            future.result()  # raises the task's exception here
            if done is not None:
                done(index[id(future)])
        return [future.result() for future in futures]

    def map_chunked(self, fn: Callable, items: Iterable) -> list:
        """``[fn(x) for x in items]`` in about ``slots`` tasks (one per slot: for many quick
        calls, e.g. the population of a differential evolution, where a task per call would
        cost more in transport than in work). Its signature is that of the ``workers=``
        callable of ``scipy.optimize.differential_evolution``."""
        items = list(items)
        size = max(1, -(-len(items) // self.slots))
        parts = self.map(apply_each, [fn] * len(range(0, len(items), size)),
                         [items[i:i + size] for i in range(0, len(items), size)])
        return [y for part in parts for y in part]

    def outcomes(self, fn: Callable, jobs: Mapping, desc: str = "", progress: bool = False) -> dict:
        """Run ``fn(*args)`` for each ``jobs`` key -> args; key -> result, or key -> the
        exception it raised (a worker that died included), in the order of ``jobs``; a
        progress bar on stderr counts finished jobs."""
        out: dict = {}
        with tqdm(total=len(jobs), desc=desc, unit="job", file=sys.stderr, disable=not progress) as bar:
            futures = {}
            for key, args in jobs.items():
                futures[self.submit(fn, *args)] = key
            for future in self.completed(list(futures)):
                try:
                    out[futures[future]] = future.result()
                except Exception as err:  # noqa: BLE001 - reported with its reason
                    out[futures[future]] = err
                bar.update()
        return {key: out[key] for key in jobs}

    def warm(self, fn: Callable, *args) -> None:
        """Start the workers now with ``fn(*args)`` each (e.g. load a model) while this process
        does other work; nothing for the serial executor."""

    def close(self) -> None:
        """Release what this executor holds (a cached process pool is kept for later)."""

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False

    def describe(self) -> str:
        return "this process"


class Serial(Executor):
    """Every task here, at once when submitted (so a failure is that task's only)."""

    def submit(self, fn: Callable, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as err:  # noqa: BLE001 - kept in the future, raised by result()
            future.set_exception(err)
        return future

    def completed(self, futures: list) -> Iterable:
        return iter(futures)  # done when submitted, in order


class Processes(Executor):
    """Local worker processes from the process's one pool of ``workers`` processes."""

    kind = "processes"

    def __init__(self, workers: int):
        self.slots = int(workers)
        self.pool = process_pool(self.slots)

    def submit(self, fn: Callable, *args) -> Future:
        with worker_processes.sigint_ignored():  # submitting may start the fork server and workers
            return self.pool.submit(fn, *args)

    def warm(self, fn: Callable, *args) -> None:
        for _ in range(self.slots):
            self.submit(fn, *args)

    def describe(self) -> str:
        return f"this machine, {self.slots} worker process(es)"


class Threads(Executor):
    """Tasks on ``threads`` threads of this process (a pool of its own, closed on exit). Only
    for tasks that are safe on several threads and spend their time outside Python's lock."""

    kind = "threads"

    def __init__(self, threads: int):
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise PlanSimError(f"threads must be a whole number >= 1, got {threads!r}")
        self.slots = threads
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="plansim")

    def submit(self, fn: Callable, *args) -> Future:
        return self.pool.submit(fn, *args)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"this process, {self.slots} thread(s)"


class Dask(Executor):
    """Tasks on a Dask cluster; the client is closed at the end unless the caller gave it."""

    kind = "dask"

    def __init__(self, scheduler: str | None = None, client=None):
        self.own = client is None
        self.client = client if client is not None else connect(scheduler)
        self.address = scheduler or getattr(client.scheduler, "address", "")
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, fn: Callable, *args):
        return self.client.submit(fn, *args, pure=False)

    def completed(self, futures: list) -> Iterable:
        from distributed import as_completed

        return as_completed(futures, loop=self.client.loop)

    def close(self) -> None:
        if self.own:
            self.client.close()

    def describe(self) -> str:
        return f"Dask scheduler {self.address}"


def apply_each(fn: Callable, items: list) -> list:
    """``[fn(x) for x in items]`` (a task of ``Executor.map_chunked``)."""
    return [fn(x) for x in items]


def create(workers: int | None = None, scheduler: str | None = None, client=None) -> Executor:
    """The executor for ``workers`` local processes (None: one per core; 1: this process), or
    for a Dask ``scheduler`` address / ``client`` when given."""
    if scheduler is not None or client is not None:
        return Dask(scheduler, client)
    workers = default_workers() if workers is None else workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise PlanSimError(f"workers must be a whole number >= 1, got {workers!r}")
    return Serial() if workers == 1 else Processes(workers)


def default_workers() -> int:
    """All cores."""
    return os.cpu_count() or 1


def process_pool(workers: int) -> ProcessPoolExecutor:
    """The process's pool of ``workers`` processes, started anew if Ctrl-C stopped it
    (``model.experiments.workers.terminate_all``)."""
    pool = _process_pool(workers)
    if getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False):
        _process_pool.cache_clear()
        pool = _process_pool(workers)
    return pool


@lru_cache(maxsize=None)
def _process_pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return worker_processes.register(ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=worker_processes.init_worker,
        initargs=(os.getpid(),)))


# -- Dask ------------------------------------------------------------------------------------
CONNECT_TIMEOUT_S = 4.0  # a Dask scheduler answers within milliseconds on a working network


class SchedulerError(PlanSimError):
    """The Dask scheduler cannot be reached or does not answer."""


def probe_scheduler(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast if nothing answers at ``address``: a closed port, or a port that accepts but
    stays silent (a Dask scheduler sends its handshake first; Dask's own connect would wait for
    it without end). Raises ``SchedulerError`` within about ``2 * timeout`` seconds."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme != "tcp":
        return
    where = f"--scheduler {address}"
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            if not conn.recv(1):
                raise SchedulerError(f"{where}: the connection was closed at once; is this a Dask scheduler?")
    except socket.timeout:
        raise SchedulerError(f"{where}: no answer within {timeout:g} s; is this a Dask scheduler "
                             f"(dask scheduler prints its tcp:// address)?") from None
    except OSError as err:
        raise SchedulerError(f"{where}: cannot connect ({err.strerror or type(err).__name__}); "
                             f"is the scheduler running?") from None


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S):
    """A Dask ``Client`` on ``address`` after ``probe_scheduler``; ``SchedulerError`` if it fails."""
    probe_scheduler(address, timeout)
    from distributed import Client

    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except Exception as err:  # noqa: BLE001 - distributed raises OSError, TimeoutError and others
        raise SchedulerError(f"--scheduler {address}: cannot connect ({type(err).__name__}: {str(err)[:200]})") from None
