"""Lean runs for the optimisation loop: Simlin without the DataFrame and validation overheads.

``SimlinModel.run_variables`` checks every name and builds a DataFrame on each call (about 5 ms);
the optimiser calls the model tens of thousands of times with names checked once, so this runner
passes pre-translated identifiers and returns a NumPy array (about 1.5 ms a run).
"""
from __future__ import annotations

import numpy as np

from model.engine import ShanghaiModel
from model.fast import SimlinModel, simlin_ident


class FastRunner(SimlinModel):
    """Runs ``variables`` from ``start`` to ``end``; the reference checks names once."""

    def __init__(self, reference: ShanghaiModel, variables: list[str], parameters: list[str],
                 start: int, end: int):
        super().__init__(reference)
        reference.validate_params(dict.fromkeys(parameters, 0.0))
        self.variables = list(variables)
        self.parameters = list(parameters)
        self._var_ids = [simlin_ident(v) for v in self.variables]
        self._par_ids = [simlin_ident(p) for p in self.parameters]
        # Constants whose default differs from the file (calibrated defaults of the reference).
        self._base = {simlin_ident(k): v for k, v in reference.constants().items()}
        self.start, self.end = start, end
        self.years = np.arange(start, end + 1)

    def run_array(self, values) -> np.ndarray:
        """Array (variables x years) for the parameter ``values`` (aligned with ``parameters``)."""
        self._set_specs(float(self.start), float(self.end), self.reference.control["TIME STEP"])
        overrides = dict(self._base)
        overrides.update(zip(self._par_ids, map(float, values)))
        with self._model.simulate(overrides=overrides) as sim:
            sim.run_to_end()
            out = np.array([sim.get_series(v) for v in self._var_ids])
        return out
