"""Uncertainty analysis: declared parameter distributions, Latin hypercube ensembles, bands and
the probability of meeting each plan target.

Uncertain parameters (X) are declared once, apart from the levers (L): in model/uncertainties.yaml
with a documented range, or there as "from calibration" when calibration/parameters.csv gives the
parameter's estimate and standard error, which then make its distribution (``load_uncertainties``).

    import model
    from model.experiments import uncertainty
    summary = uncertainty.ensemble_for_levers(model.load("simlin"), {"energy saving effort": 0.04})
    summary.bands              # indicator, year, p05, p25, p50, p75, p95
    summary.probabilities      # plan, target_id, indicator, year, op, target, probability_met
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from ..declaration import DEFAULT_FINAL_YEAR, Declaration
from ..lever_paths import FIRST_YEAR, LAST_YEAR, STEP_YEAR
from ..errors import PlanSimError
from ..errors import unknown_name
from ..metadata import plan_targets
from ..paths import CALIBRATED_PARAMETERS_FILE, PACKAGE_DIR
from ..project import Project
from .ensemble import Ensemble, EnsembleRunner

UNCERTAINTIES_FILE = PACKAGE_DIR / "uncertainties.yaml"
DISTRIBUTIONS = {  # required numeric keys; the optional centre key and its meaning
    "uniform": (("low", "high"), None),
    "triangular": (("low", "high"), "mode"),
    "normal": (("sd", "low", "high"), "mean"),
}
TEXT_KEYS = ("basis", "reason", "source")
FROM_CALIBRATION = "from calibration"  # an entry whose range is the calibration's estimate
BASES = ("documented range", "calibration estimate")
# calibration/parameters.csv (issue 4): the column holding each estimate's standard error, and
# the columns holding its estimation bounds.
STANDARD_ERROR_COLUMN = "std_error"
BOUND_COLUMNS = ("lower", "upper")
ROLE_COLUMN = "role"
# A lever's recorded path is a lever (a choice a scenario makes), not an uncertain parameter;
# ("historical lever": the role's name before levers became paths).
SKIPPED_ROLES = ("recorded path", "historical lever")
# A calibrated normal is cut at +- 3 standard errors (99.7 % of its mass) so that members stay
# physically meaningful (no negative stocks or shares) where no other bound is declared.
TRUNCATION_SE = 3.0
# The percentiles written as bands (issue 6: p05, p25, p50, p75, p95).
BAND_PERCENTILES = (5, 25, 50, 75, 95)
# Seed of the app's quick ensembles, fixed so that bands do not flicker between redraws.
DEFAULT_SEED = 2011


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain constant: its distribution on [low, high] and why it is uncertain.

    ``centre`` is the mode (triangular) or mean (normal); ``sd`` the normal's standard deviation
    before truncation to [low, high]. Values are in the constant's model units.
    """

    name: str
    distribution: str
    low: float
    high: float
    centre: float
    sd: float = 0.0
    basis: str = ""
    reason: str = ""
    source: str = ""

    @property
    def zero_width(self) -> bool:
        return self.low == self.high or (self.distribution == "normal" and self.sd == 0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at probabilities ``u`` in [0, 1) (inverse cumulative distribution)."""
        from scipy import stats

        u = np.asarray(u, dtype=float)
        if self.zero_width:
            return np.full(u.shape, self.centre)
        width = self.high - self.low
        if self.distribution == "uniform":
            return self.low + u * width
        if self.distribution == "triangular":
            return stats.triang.ppf(u, (self.centre - self.low) / width, loc=self.low, scale=width)
        a, b = (self.low - self.centre) / self.sd, (self.high - self.centre) / self.sd
        return stats.truncnorm.ppf(u, a, b, loc=self.centre, scale=self.sd)

    def describe(self) -> str:
        """Short text of the distribution, e.g. 'triangular(0.005, 0.015, 0.025)'."""
        if self.distribution == "uniform":
            return f"uniform({self.low:g}, {self.high:g})"
        if self.distribution == "triangular":
            return f"triangular({self.low:g}, {self.centre:g}, {self.high:g})"
        return f"normal({self.centre:g}, {self.sd:g}) on [{self.low:g}, {self.high:g}]"


def load_uncertainties(
    path: Path | str = UNCERTAINTIES_FILE,
    reference: Declaration | Project | None = None,
    calibration: Path | str | None = CALIBRATED_PARAMETERS_FILE,
) -> list[Uncertainty]:
    """The declared uncertainties, checked against the model; calibrated ones replaced.

    Every name must be a model constant, or a part of a lever's path: ``X`` (the path's level,
    inside the lever's range) or ``X start year`` (when it starts, in [2011, 2100]): the timing
    and reach of a policy can be uncertain. Every distribution must lie inside the range the
    model file declares for the constant.
    """
    path = Path(path)
    reference = reference if reference is not None else Declaration()
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as error:
        raise PlanSimError(f"{path}: cannot read the uncertainties: {error}") from error
    if not isinstance(data, dict):
        raise PlanSimError(f"{path}: expected a mapping of parameter name -> distribution")
    calibrated = calibrated_uncertainties(calibration, reference) if calibration is not None else {}
    out = {}
    for name, entry in data.items():
        if entry == FROM_CALIBRATION:
            if name not in calibrated:
                where = Path(calibration).name if calibration is not None else "no calibration file"
                raise PlanSimError(f"{path.name}: '{name}' is '{FROM_CALIBRATION}', but {where} gives it no estimate "
                                   f"with a standard error; declare a range or rerun python -m calibration")
            out[name] = calibrated[name]
        elif name in calibrated:
            raise PlanSimError(f"{path.name}: '{name}' has a range, but the calibration estimates it with a standard "
                               f"error: write '{name}: {FROM_CALIBRATION}' (one declaration per parameter)")
        else:
            out[name] = _parse_entry(path, name, entry, reference)
    # estimated with a standard error but not listed: an uncertainty all the same
    out.update({name: u for name, u in calibrated.items() if name not in out})
    return list(out.values())


def calibrated_uncertainties(path: Path | str, reference: Declaration | Project) -> dict[str, Uncertainty]:
    """Normal distributions (estimate, standard error) from calibration/parameters.csv, truncated
    to estimate +- TRUNCATION_SE standard errors, the estimation bounds (columns lower, upper)
    and the model file's range, whichever are narrower; {} while that file or its
    standard-error column is missing.

    Skipped: rows without a finite standard error (the calibration reports none for an estimate
    on a bound; the parameter's declared range stays) and rows whose role is in SKIPPED_ROLES.
    """
    path = Path(path)
    if not path.exists():
        return {}
    from ..datafiles import read_parameters

    table = read_parameters(path)  # checked: numbers where numbers belong, names once
    if STANDARD_ERROR_COLUMN not in table.columns:
        return {}
    out = {}
    for row_number, row in table.iterrows():
        name = row["parameter"]
        where = f"{path.name}: row {row_number + 2}, parameter '{name}'"
        value, se = pd.to_numeric(row["value"], errors="coerce"), pd.to_numeric(row[STANDARD_ERROR_COLUMN], errors="coerce")
        if pd.isna(se) or str(row.get(ROLE_COLUMN, "")) in SKIPPED_ROLES:
            continue
        if name not in reference.constants():
            raise PlanSimError(f"{where}: {unknown_name('error_what_constant', name, reference.constants()).text('en')}")
        if pd.isna(value) or not math.isfinite(se) or se < 0:
            raise PlanSimError(f"{where}: needs a finite value and a standard error >= 0, got "
                               f"value {row['value']!r}, {STANDARD_ERROR_COLUMN} {row[STANDARD_ERROR_COLUMN]!r}")
        value, se = float(value), float(se)
        if se == 0:  # a derived state no estimate moves (e.g. set by assumptions alone): not uncertain here
            continue
        model_low, model_high = _model_limits(reference, name)
        low = max(value - TRUNCATION_SE * se, _finite_or(row.get(BOUND_COLUMNS[0]), -math.inf), model_low)
        high = min(value + TRUNCATION_SE * se, _finite_or(row.get(BOUND_COLUMNS[1]), math.inf), model_high)
        if not low <= value <= high:
            raise PlanSimError(f"{where}: the estimate {value:g} lies outside its bounds [{low:g}, {high:g}] "
                               f"(estimation bounds and the model file's range)")
        out[name] = Uncertainty(
            name=name, distribution="normal", low=low, high=high, centre=value, sd=se,
            basis="calibration estimate", reason=f"estimated from 2000-2010 history ({row.get(ROLE_COLUMN, 'estimate')})",
            source=f"calibration/{path.name}: estimate and standard error (Jacobian at the optimum)",
        )
    return out


def _parse_entry(path: Path, name: str, entry: object, reference: Declaration | Project) -> Uncertainty:
    where = f"{path.name}: '{name}'"
    constants = reference.constants()
    parts = getattr(reference, "declaration", reference).path_inputs()
    if name in parts:  # a lever path's level ('X') or start year ('X start year')
        lever, part = parts[name]
        row = reference.levers().set_index("name").loc[lever]
        default, limits = ((float(row["default"]), (float(row["min"]), float(row["max"]))) if part == "level"
                           else (float(STEP_YEAR), (float(FIRST_YEAR), float(LAST_YEAR))))
    elif name not in constants:
        raise PlanSimError(f"{where}: {unknown_name('error_what_constant', name, [*constants, *parts]).text('en')}")
    else:
        default, limits = constants[name], _model_limits(reference, name)
    if not isinstance(entry, dict):
        raise PlanSimError(f"{where}: expected a mapping with distribution, bounds, basis, reason, source")
    kind = entry.get("distribution")
    if kind not in DISTRIBUTIONS:
        raise PlanSimError(f"{where}: distribution {kind!r} is not one of {list(DISTRIBUTIONS)}")
    required, centre_key = DISTRIBUTIONS[kind]
    allowed = set(required) | {centre_key, "distribution", *TEXT_KEYS} - {None}
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise PlanSimError(f"{where}: unknown keys {unknown} for a {kind} distribution; allowed {sorted(allowed)}")
    numbers = {}
    for key in required + ((centre_key,) if centre_key in entry else ()):
        value = entry.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise PlanSimError(f"{where}: '{key}' = {value!r} must be a finite number")
        numbers[key] = float(value)
    for key in TEXT_KEYS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise PlanSimError(f"{where}: '{key}' must be a non-empty text")
    if entry["basis"] not in BASES:
        raise PlanSimError(f"{where}: basis {entry['basis']!r} is not one of {list(BASES)}")
    low, high = numbers["low"], numbers["high"]
    centre = numbers.get(centre_key, default) if centre_key else (low + high) / 2
    if not low <= centre <= high:
        what = f"'{centre_key}'" if centre_key in entry else f"the model default {centre:g} (used as {centre_key})"
        raise PlanSimError(f"{where}: {what} must lie in [low, high] = [{low:g}, {high:g}]")
    if numbers.get("sd", 0) < 0:
        raise PlanSimError(f"{where}: 'sd' = {numbers['sd']:g} must be >= 0")
    model_low, model_high = limits
    if low < model_low or high > model_high:
        raise PlanSimError(
            f"{where}: [{low:g}, {high:g}] leaves the range [{model_low:g}, {model_high:g}] the model file declares"
            + (" (a start year: [2011, 2100])" if name in parts and parts[name][1] == "start" else "")
        )
    return Uncertainty(
        name=name, distribution=kind, low=low, high=high, centre=centre, sd=numbers.get("sd", 0.0),
        basis=entry["basis"], reason=entry["reason"], source=entry["source"],
    )


def _finite_or(value: object, fallback: float) -> float:
    number = pd.to_numeric(value, errors="coerce")
    return float(number) if pd.notna(number) and math.isfinite(float(number)) else fallback


def _model_limits(reference: Declaration | Project, name: str) -> tuple[float, float]:
    """The [min, max] the model file declares for a constant; infinite where it declares none."""
    limits = reference.doc.loc[name, "Limits"]
    low = float(limits[0]) if len(limits) > 0 and not pd.isna(limits[0]) else -math.inf
    high = float(limits[1]) if len(limits) > 1 and not pd.isna(limits[1]) else math.inf
    return low, high


def sample(uncertainties: Sequence[Uncertainty], n: int, seed: int | None) -> pd.DataFrame:
    """``n`` members by Latin hypercube sampling (scipy.stats.qmc): one column per uncertainty.

    The same seed gives the same sample.
    """
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise PlanSimError(f"number of samples must be a whole number >= 1, got {n!r}")
    names = [u.name for u in uncertainties]
    if len(set(names)) != len(names):
        raise PlanSimError(f"uncertainties named more than once: {sorted({x for x in names if names.count(x) > 1})}")
    if not uncertainties:
        return pd.DataFrame(index=range(n))
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(uncertainties), rng=np.random.default_rng(seed)).random(n)
    return pd.DataFrame({u.name: u.ppf(unit[:, k]) for k, u in enumerate(uncertainties)})


def bands(ensemble: Ensemble, percentiles: Sequence[float] = BAND_PERCENTILES) -> pd.DataFrame:
    """Percentiles across members: columns indicator, year, p05, p25, p50, p75, p95.

    Years where an indicator is undefined for every member (growth in the first year) are left out.
    """
    levels = np.percentile(ensemble.values, list(percentiles), axis=0)  # (levels, years, indicators)
    rows = []
    for i, ind in enumerate(ensemble.indicators):
        for t, year in enumerate(ensemble.years):
            if np.isnan(ensemble.values[:, t, i]).all():
                continue
            rows.append([ind, int(year), *levels[:, t, i]])
    return pd.DataFrame(rows, columns=["indicator", "year", *(f"p{int(p):02d}" for p in percentiles)])


def target_probabilities(ensemble: Ensemble, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of members whose value meets each plan target (the scorecard's rule,
    ``model.scorecard.target_status``; met counts ``exceeded`` too) or is near it.

    Columns plan, target_id, indicator, year, op, target, probability_met, probability_near.
    Targets dated after the ensemble's last year are left out.
    """
    from ..scorecard import MET, target_status

    targets = plan_targets() if targets is None else targets
    years = {int(y): t for t, y in enumerate(ensemble.years)}
    rows = []
    for target in targets.to_dict("records"):  # plain dicts: a Series lookup per member is slow
        year = int(target["year"])
        if year not in years:
            continue
        values = ensemble.values[:, years[year], ensemble._index(target["model_indicator"])]
        statuses = np.array([target_status(float(v), target) for v in values])
        rows.append({
            "plan": target["plan"], "target_id": target["id"], "indicator": target["model_indicator"],
            "year": year, "op": target["op"], "target": float(target["value"]),
            "probability_met": float(np.mean(np.isin(statuses, MET))),
            "probability_near": float(np.mean(statuses == "near")),
        })
    return pd.DataFrame(rows, columns=[
        "plan", "target_id", "indicator", "year", "op", "target", "probability_met", "probability_near",
    ])


def run_uncertainty(
    levers: Mapping[str, object] | None,
    n: int,
    seed: int | None,
    *,
    uncertainties: Sequence[Uncertainty] | None = None,
    runner: EnsembleRunner,
    final_year: int = DEFAULT_FINAL_YEAR,
    **run_options,
) -> Ensemble:
    """Sample the uncertainties (Latin hypercube) and run every member with fixed ``levers``
    on ``runner``'s project. ``run_options`` go to ``EnsembleRunner.run`` (workers, executor,
    scheduler, client, progress)."""
    uncertainties = load_uncertainties(reference=runner.reference) if uncertainties is None else uncertainties
    return runner.run(sample(uncertainties, n, seed), levers, final_year, **run_options)


@dataclass
class UncertaintySummary:
    """What the app shows: bands per indicator and year, probability per target."""

    bands: pd.DataFrame
    probabilities: pd.DataFrame
    ensemble: Ensemble


def ensemble_for_levers(
    project: Project, levers: Mapping[str, object] | None, n_members: int = 500,
    seed: int | None = DEFAULT_SEED, final_year: int = DEFAULT_FINAL_YEAR,
    uncertainties: Sequence[Uncertainty] | None = None, threads: int | None = None,
) -> UncertaintySummary:
    """Bands and target probabilities for the given levers, quickly (about 1.5 s for 500
    members on 2 cores; benchmarks/bench_app.py), in this process.

    ``project`` is the model the caller already holds (the app's project): its declaration
    gives names, ranges and defaults (and its plan targets), so nothing is loaded again; the
    members run on Simlin (the same declaration on the fast engine, whatever engine ``project``
    runs single runs on), on ``threads`` threads (default: one per core; Simlin's runs release
    Python's lock, so threads run them side by side without the cost of worker processes).
    ``uncertainties`` default to ``load_uncertainties(reference=project)``.
    """
    from .executor import Threads, default_workers

    if uncertainties is None:
        uncertainties = load_uncertainties(reference=project)
    fast = project if project.engine_name == "simlin" else project.with_engine("simlin")
    with Threads(default_workers() if threads is None else threads) as executor:
        ensemble = run_uncertainty(levers, n_members, seed, uncertainties=uncertainties,
                                   runner=EnsembleRunner(fast), final_year=final_year, executor=executor)
    return UncertaintySummary(bands=bands(ensemble), probabilities=target_probabilities(ensemble, project.targets),
                              ensemble=ensemble)
