"""Worker processes that die with their parent and leave Ctrl-C to it.

``init_worker()`` is the first thing every pool worker runs (``ProcessPoolExecutor``
initializer): it ignores SIGINT (Ctrl-C reaches the whole process group; the parent alone
decides what to do, so workers print no traceback) and starts a watchdog thread that ends the
worker as soon as its parent process is gone (SIGKILL of ``python -m model run`` would
otherwise leave workers running). ``register(pool)`` records a pool so that ``terminate_all()``
can stop its workers at once on Ctrl-C instead of waiting for their running tasks.
"""
from __future__ import annotations

import os
import signal
import threading
import time
import weakref
from concurrent.futures import ProcessPoolExecutor

WATCH_INTERVAL_S = 0.5  # how often a worker checks that its parent lives

_pools: "weakref.WeakSet[ProcessPoolExecutor]" = weakref.WeakSet()


def _watch(parent: int) -> None:
    while True:
        # A dead parent's children are handed to another process (init or a subreaper).
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(WATCH_INTERVAL_S)


def init_worker(then=None, *args) -> None:
    """Pool initializer: ignore SIGINT, watch the parent, then call ``then(*args)`` if given."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(os.getppid(),), name="parent-watchdog", daemon=True).start()
    if then is not None:
        then(*args)


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
