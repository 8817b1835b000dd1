"""The reference engine: PySD runs model/shanghai.mdl (translated once into the cache folder)."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..declaration import Declaration, RunTimes
from ..errors import PlanSimError
from ..paths import cache_dir
from .base import Override


def translate(mdl_path: Path) -> Path:
    """Translate the Vensim file once per content and PySD version; return the .py path.

    The translation lives in the cache folder under a hash of the file, written to a temporary
    folder first and renamed into place so that parallel processes never read half a file.
    """
    import pysd

    digest = hashlib.sha256(mdl_path.read_bytes() + pysd.__version__.encode()).hexdigest()[:16]
    target = cache_dir() / "pysd" / f"{mdl_path.stem}-{digest}"
    py_file = target / f"{mdl_path.stem}.py"
    if py_file.exists():
        return py_file
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".translate-", dir=target.parent))
    try:
        shutil.copy(mdl_path, work / mdl_path.name)
        pysd.read_vensim(str(work / mdl_path.name), initialize=False)
        try:
            os.rename(work, target)
        except OSError:  # another process finished first: use its translation
            pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return py_file


def memoize_call_counts(pysd_model, signature: list) -> bool:
    """Speed: PySD (3.14) recounts, at every run, how often each uncached variable is called,
    scanning all dependencies for each (about half the time of a 2010-2020 run). The counts only
    decide which functions get a per-step cache, never a result, and they change only with the
    overridden names and output columns; so they are remembered per such signature
    (``signature[0]``, set before each run). Returns False, leaving PySD as it is, when this
    PySD has no ``_count_calls`` method (another release): runs are then slower, not different."""
    count = getattr(pysd_model, "_count_calls", None)
    if not callable(count):
        return False
    counts: dict[tuple, int] = {}

    def remembered(element):
        key = (signature[0], element)
        if key not in counts:
            counts[key] = count(element)
        return counts[key]

    pysd_model._count_calls = remembered
    return True


@contextmanager
def _start_time(pysd_model, start: float):
    """Run from ``start`` instead of the file's INITIAL TIME (calibration runs from 2000).

    PySD's own way, ``initial_condition=(start, {})``, initialises the model at the file's
    initial time and only then moves the clock, so INITIAL() values (the inventory scope factor)
    would be those of 2010, not of the start: 7 % off on the 2000-2010 CO2 against Simlin. The
    file's initial time is replaced for the run instead, so everything initialises at ``start``.
    """
    control = pysd_model.components._control_vars
    original = control["initial_time"]
    control["initial_time"] = lambda: start
    try:
        yield
    finally:
        control["initial_time"] = original


class PySDEngine:
    """PySD running the declared model. PySD keeps parameters until the model is reloaded, so
    every run resets what the run before changed; runs of one engine take turns (a lock)."""

    name = "pysd"

    def __init__(self, declaration: Declaration):
        import pysd

        self.declaration = declaration
        self._lock = threading.RLock()
        self._pysd = pysd.load(str(translate(declaration.mdl_path)))
        self._signature: list = [()]
        self.memoized = memoize_call_counts(self._pysd, self._signature)
        # calibrated defaults differ from the file: the first run applies them
        self._touched: set[str] = set(declaration.calibrated)

    def run(self, overrides: Mapping[str, Override], times: RunTimes, variables: Sequence[str]) -> np.ndarray:
        defaults = self.declaration.constants()
        columns = list(variables)
        with self._lock:
            params = {name: defaults[name] for name in self._touched}
            params.update({name: _pysd_value(value) for name, value in overrides.items()})
            self._touched = set(overrides)
            # Output is saved every SAVEPER (one year); cache_output=False suits a time step much
            # smaller than that.
            self._signature[0] = (tuple(columns), frozenset(params))
            with _start_time(self._pysd, times.start):
                result = self._pysd.run(
                    params=params, return_columns=columns, initial_condition="original",
                    final_time=float(times.final_year), time_step=times.dt,
                    saveper=self.declaration.control["SAVEPER"], cache_output=False,
                )
        return result[columns].to_numpy(dtype=float)

    def run_members(self, overrides: Mapping[str, float], names: Sequence[str], matrix: np.ndarray,
                    times: RunTimes, variables: Sequence[str]) -> np.ndarray:
        matrix = np.asarray(matrix, dtype=float)
        return np.stack([self.run({**overrides, **dict(zip(names, row))}, times, variables) for row in matrix]) \
            if len(matrix) else np.empty((0, 0, len(variables)))


def _pysd_value(value: Override) -> float:
    """A constant as PySD takes it (engines get constants only: paths come as knots)."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    raise PlanSimError(f"an override must be a number, got {type(value).__name__}")
