"""Global sensitivity of every scored indicator to the levers and/or the uncertain parameters
(SALib: Sobol' variance decomposition or Morris elementary effects).

Inputs are sampled in the unit hypercube and mapped to model values: a lever uniformly over its
allowed range (model file), an uncertainty through its declared distribution
(model/uncertainties.yaml). An optional dummy input, read by no model variable, shows the
numerical noise floor of the indices (its indices should be near 0).

Outputs are the plan targets' indicators in their target years (model/data/plan_targets.csv).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..declaration import DEFAULT_FINAL_YEAR
from ..errors import PlanSimError
from ..lever_paths import FIRST_YEAR, LAST_YEAR, START_SUFFIX
from ..metadata import plan_targets
from .ensemble import Ensemble, EnsembleRunner
from .uncertainty import Uncertainty

METHODS = ("sobol", "morris")
DUMMY = "dummy (read by no model variable)"
# Bootstrap settings of SALib's confidence intervals.
CONF_LEVEL = 0.95
NUM_RESAMPLES = 100
# Morris grid levels (SALib's default, the value Saltelli et al. 2008 recommend).
MORRIS_LEVELS = 4


@dataclass(frozen=True)
class Factor:
    """One input of the analysis: a lever, an uncertain parameter or the dummy."""

    name: str
    kind: str  # "lever" (a level), "lever start" (a start year), "uncertainty" or "dummy"
    to_value: Callable[[np.ndarray], np.ndarray]  # unit-interval sample -> model value


def factors(
    runner: EnsembleRunner,
    *,
    levers: bool = True,
    uncertainties: Sequence[Uncertainty] = (),
    dummy: bool = False,
    start_years: tuple[float, float] | None = None,
) -> list[Factor]:
    """The inputs: every lever's level (uniform over its range) if ``levers``, every lever's
    start year (uniform over ``start_years`` = (first, last), inputs ``X start year``) if
    given, the given uncertainties (lever path levels and start years among them, see
    model/uncertainties.yaml), and the dummy if ``dummy``."""
    out = []
    if levers:
        for row in runner.reference.levers().itertuples():
            out.append(Factor(row.name, "lever", lambda u, lo=row.min, hi=row.max: lo + u * (hi - lo)))
    if start_years is not None:
        first, last = (float(y) for y in start_years)
        if not FIRST_YEAR <= first < last <= LAST_YEAR:
            raise PlanSimError(f"start years [{first:g}, {last:g}] must lie in [{FIRST_YEAR}, {LAST_YEAR}], first < last")
        for row in runner.reference.levers().itertuples():
            out.append(Factor(row.name + START_SUFFIX, "lever start",
                              lambda u, lo=first, hi=last: lo + u * (hi - lo)))
    out += [Factor(u.name, "uncertainty", u.ppf) for u in uncertainties if not u.zero_width]
    if dummy:
        out.append(Factor(DUMMY, "dummy", lambda u: u))
    if len(out) < 2:
        raise PlanSimError("a sensitivity analysis needs at least two inputs (levers and/or uncertainties)")
    return out


def problem(inputs: Sequence[Factor]) -> dict:
    """The SALib problem in unit space (every input on [0, 1])."""
    return {"num_vars": len(inputs), "names": [f.name for f in inputs], "bounds": [[0.0, 1.0]] * len(inputs)}


def sample_unit(inputs: Sequence[Factor], method: str, n: int, seed: int | None) -> np.ndarray:
    """SALib's sample in unit space: Sobol' (Saltelli scheme, n * (D + 2) rows, n a power of 2)
    or Morris (n trajectories, n * (D + 1) rows)."""
    _check_method(method)
    if method == "sobol":
        if not (n >= 2 and (n & (n - 1)) == 0):
            raise PlanSimError(f"--samples for Sobol' must be a power of 2 (e.g. 1024), got {n}")
        from SALib.sample import sobol

        return sobol.sample(problem(inputs), n, calc_second_order=False, seed=seed)
    if n < 2:
        raise PlanSimError(f"--samples (Morris trajectories) must be at least 2, got {n}")
    from SALib.sample import morris

    return morris.sample(problem(inputs), n, num_levels=MORRIS_LEVELS, seed=seed)


def n_runs(inputs: Sequence[Factor], method: str, n: int) -> int:
    """Model runs the sample needs: Sobol' n * (D + 2) (no second-order terms), Morris n * (D + 1)."""
    _check_method(method)
    return n * (len(inputs) + (2 if method == "sobol" else 1))


def to_model_inputs(inputs: Sequence[Factor], unit: np.ndarray) -> pd.DataFrame:
    """Model values of each member (the dummy is dropped: no model variable reads it)."""
    return pd.DataFrame({
        f.name: f.to_value(unit[:, k]) for k, f in enumerate(inputs) if f.kind != "dummy"
    })


def scored_outputs(ensemble: Ensemble, targets: pd.DataFrame | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The plan targets inside the run and, for each, the members' values of its indicator in
    its year: (targets table, array members x targets)."""
    targets = plan_targets() if targets is None else targets
    years = {int(y): t for t, y in enumerate(ensemble.years)}
    inside = targets[targets["year"].astype(int).isin(years)].reset_index(drop=True)
    outputs = np.column_stack([
        ensemble.values[:, years[int(row["year"])], ensemble._index(row["model_indicator"])]
        for _, row in inside.iterrows()
    ]) if len(inside) else np.empty((len(ensemble), 0))
    return inside, outputs


def analyse(inputs: Sequence[Factor], method: str, unit: np.ndarray, outputs: np.ndarray, seed: int | None) -> list[pd.DataFrame]:
    """SALib indices of every output column: one frame per output, one row per input.

    Sobol': S1, S1_conf, ST, ST_conf. Morris: mu, mu_star, mu_star_conf, sigma, in indicator
    units per full range of the input (the unit sample spans each input's range once).
    An output that no input moves gets NaN indices (variance 0: the shares are undefined).
    """
    _check_method(method)
    prob = problem(inputs)
    frames = []
    for column in outputs.T:
        if np.ptp(column) == 0 or not np.isfinite(column).all():
            keys = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else ("mu", "mu_star", "mu_star_conf", "sigma")
            frames.append(pd.DataFrame({k: np.nan for k in keys}, index=prob["names"]))
            continue
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(prob, column, calc_second_order=False, num_resamples=NUM_RESAMPLES,
                                conf_level=CONF_LEVEL, seed=seed)
            frame = pd.DataFrame({k: res[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}, index=prob["names"])
        else:
            from SALib.analyze import morris

            res = morris.analyze(prob, unit, column, num_resamples=NUM_RESAMPLES, conf_level=CONF_LEVEL,
                                 num_levels=MORRIS_LEVELS, seed=seed)
            frame = pd.DataFrame({k: np.asarray(res[k], dtype=float) for k in ("mu", "mu_star", "mu_star_conf", "sigma")},
                                 index=prob["names"])
        frames.append(frame)
    return frames


def run_sensitivity(
    runner: EnsembleRunner,
    levers: Mapping[str, object] | None,
    *,
    method: str = "sobol",
    n: int = 1024,
    seed: int | None = 0,
    over_levers: bool = True,
    uncertainties: Sequence[Uncertainty] = (),
    dummy: bool = False,
    final_year: int = DEFAULT_FINAL_YEAR,
    targets: pd.DataFrame | None = None,
    start_years: tuple[float, float] | None = None,
    **run_options,
) -> pd.DataFrame:
    """Sample, run every member (levers not varied stay at ``levers``), analyse every scored
    indicator (``start_years``: vary every lever's start year too, see ``factors``). Returns indices.csv's table: method, plan, target_id, indicator, year, input,
    input_kind and the method's indices. ``run_options`` go to ``EnsembleRunner.run``."""
    inputs = factors(runner, levers=over_levers, uncertainties=uncertainties, dummy=dummy, start_years=start_years)
    unit = sample_unit(inputs, method, n, seed)
    ensemble = runner.run(to_model_inputs(inputs, unit), levers, final_year, **run_options)
    table, outputs = scored_outputs(ensemble, targets)
    if not len(table):
        raise PlanSimError(f"no plan target falls in 2010-{final_year}: nothing to analyse")
    frames = analyse(inputs, method, unit, outputs, seed)
    kinds = {f.name: f.kind for f in inputs}
    rows = []
    for (_, target), frame in zip(table.iterrows(), frames):
        frame = frame.rename_axis("input").reset_index()
        frame.insert(0, "method", method)
        frame.insert(1, "plan", target["plan"])
        frame.insert(2, "target_id", target["id"])
        frame.insert(3, "indicator", target["model_indicator"])
        frame.insert(4, "year", int(target["year"]))
        frame.insert(6, "input_kind", frame["input"].map(kinds))
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise PlanSimError(f"method {method!r} is not one of {list(METHODS)}")
