"""The same model file run by the Simlin engine: an independent second reading, and a fast path.

Simlin (``pysimlin``) compiles the Vensim file itself; it shares no code with PySD. Results are
returned in the same shape as ``ShanghaiModel.run_variables`` (index ``year``, columns by model
variable name), so the two engines can be compared and swapped.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .engine import DEFAULT_FINAL_YEAR, ShanghaiModel, compute_indicators
from .paths import MODEL_FILE


def simlin_ident(name: str) -> str:
    """Simlin's canonical identifier of a Vensim variable name."""
    return "_".join(name.split()).lower()


class SimlinModel:
    """Runs model/shanghai.mdl with Simlin. Levers and parameters are checked by ``reference``
    (a ShanghaiModel), so the same names, ranges and calibrated defaults apply. Runs of one
    object are serialised by a lock (the simulation specs live in the object)."""

    def __init__(self, reference: ShanghaiModel, mdl_path: Path | str = MODEL_FILE):
        import simlin

        self.reference = reference
        self._lock = threading.RLock()
        self._model = simlin.load(Path(mdl_path))
        self._specs: tuple[float, float, float] | None = None
        self._indicators = reference.indicators()

    def check(self) -> tuple:
        """Simlin's model and unit diagnostics (empty when the file is clean)."""
        return tuple(self._model.check()) + tuple(self._model.check_units())

    def _set_specs(self, start: float, stop: float, dt: float) -> None:
        if self._specs != (start, stop, dt):  # set_sim_specs re-serialises the project: only on change
            self._model.project.set_sim_specs(start=start, stop=stop, dt=dt, save_step=self.reference.control["SAVEPER"])
            self._specs = (start, stop, dt)

    def run_variables(
        self,
        levers: Mapping[str, object] | None = None,
        final_year: int = DEFAULT_FINAL_YEAR,
        *,
        params: Mapping[str, object] | None = None,
        variables: list[str] | None = None,
        initial_year: float | None = None,
        time_step: float | None = None,
    ) -> pd.DataFrame:
        """Run and return model variables by their Vensim names at yearly points."""
        ref = self.reference
        overrides = {**ref.constants(), **ref.validate_params(params), **ref.validate_levers(levers)}
        start, final_year, dt = ref._check_run_arguments(final_year, initial_year, time_step)
        names = variables if variables is not None else sorted(set(self._indicators["variable"]))
        with self._lock:
            self._set_specs(start, float(final_year), dt)
            with self._model.simulate(overrides={simlin_ident(k): v for k, v in overrides.items()}) as sim:
                sim.run_to_end()
                frame = pd.DataFrame({name: sim.get_series(simlin_ident(name)) for name in names})
        saveper = ref.control["SAVEPER"]
        frame.index = pd.Index(np.round(start + saveper * np.arange(len(frame))).astype(int), name="year")
        return frame

    def run(self, levers=None, final_year: int = DEFAULT_FINAL_YEAR, **kwargs) -> pd.DataFrame:
        """Every indicator by year, as ``ShanghaiModel.run`` returns it."""
        return compute_indicators(self.run_variables(levers, final_year, **kwargs), self._indicators)
