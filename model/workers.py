"""Worker processes that die with their parent and leave Ctrl-C to it.

``init_worker()`` is the first thing every pool worker runs (``ProcessPoolExecutor``
initializer): it ignores SIGINT (Ctrl-C reaches the whole process group; the parent alone
decides what to do, so workers print no traceback) and starts a watchdog thread that ends the
worker as soon as its parent process is gone (SIGKILL of ``python -m model run`` would
otherwise leave workers running). ``register(pool)`` records a pool so that ``terminate_all()``
can stop its workers at once on Ctrl-C instead of waiting for their running tasks.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import weakref
from concurrent.futures import ProcessPoolExecutor

WATCH_INTERVAL_S = 0.5  # how often a worker checks that its parent lives

_pools: "weakref.WeakSet[ProcessPoolExecutor]" = weakref.WeakSet()


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs: not gone, and not a zombie (dead, waiting for its parent to reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read(512).rsplit(")", 1)[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _watch(parent: int, main: int | None) -> None:
    while True:
        # A dead parent's children are handed to another process (init or a subreaper); the
        # main process is checked too: it may have died before this worker started, and a pool
        # worker's parent may be a fork server rather than the main process.
        if os.getppid() != parent or (main is not None and not pid_alive(main)):
            os._exit(1)
        time.sleep(WATCH_INTERVAL_S)


def init_worker(main: int | None = None, then=None, *args) -> None:
    """Pool initializer: ignore SIGINT, watch the parent and ``main`` (the PID of the process that
    made the pool), then call ``then(*args)`` if given."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(os.getppid(), main), name="parent-watchdog", daemon=True).start()
    if then is not None:
        then(*args)


@contextlib.contextmanager
def sigint_ignored():
    """Ignore SIGINT while worker processes are started: a spawned process inherits the ignored
    signal through exec, so a Ctrl-C during its start-up (imports) cannot print a traceback."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def register(pool: ProcessPoolExecutor) -> ProcessPoolExecutor:
    _pools.add(pool)
    return pool


def terminate_all() -> None:
    """Stop every registered pool's workers now (pending tasks are cancelled)."""
    for pool in list(_pools):
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
