"""The model behind the app: one project per process, runs cached by their full lever set.

The page receives one ``model.Project`` (the model's declaration on one engine), built once per
process by ``project()``. The engine is chosen by the environment variable ``PLANSIM_APP_ENGINE``:
``simlin`` (default) compiles model/shanghai.mdl with Simlin, several times quicker than PySD
(results agree to 1e-9 or better, checked in tests/test_app.py), so that a moved lever answers
within the 150 ms goal; ``pysd`` runs it with PySD, the project's reference engine. Lever names,
ranges and calibrated defaults come from the declaration either way.

Engines are safe to share between sessions (each guards its own state), and every run gives
every lever. Run results are cached with ``st.cache_data``, which hands each caller its own
copy; the read-only metadata (``Catalog``) is shared as plain Python records, which are also
much quicker to read on every rerun than DataFrame rows.

With the uncertainty switch on, ``spread`` runs an ensemble of ``ENSEMBLE_MEMBERS`` members over
the declared uncertainties (model/uncertainties.yaml) for the current levers with
``model.uncertainty.ensemble_for_levers`` on the same project's declaration (always run by
Simlin, checked against PySD in tests/test_ensemble.py), cached by lever set like the runs.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from model import PlanSimError, Project, engines, history, mdl, scenarios, scorecard
from model.experiments import uncertainty
from model.lever_paths import LeverPath
from model.metadata import MODULES
from model.paths import SCENARIO_DIR

from .i18n import t

UPLOAD_NAME = "uploaded.yaml"  # the name an upload is checked under (the user's name is only shown)
ENGINE_VARIABLE, DEFAULT_ENGINE = "PLANSIM_APP_ENGINE", "simlin"
# the engines (model.engines), the app's default first
ENGINES = (DEFAULT_ENGINE, *(name for name in engines.ENGINES if name != DEFAULT_ENGINE))

# Issue 6: "about 500 members, updated within about 2 seconds" (benchmarks/bench_app.py).
ENSEMBLE_MEMBERS = 500
# Fixed, so that the bands of a lever set are the same on every redraw and in every session.
ENSEMBLE_SEED = uncertainty.DEFAULT_SEED

LeverItems = tuple[tuple[str, object], ...]  # (lever, number or LeverPath)


def engine_name() -> str:
    """The engine chosen by PLANSIM_APP_ENGINE (``simlin`` when unset)."""
    name = os.environ.get(ENGINE_VARIABLE, DEFAULT_ENGINE).strip().lower()
    if name not in ENGINES:
        raise PlanSimError(f"{ENGINE_VARIABLE}={name[:40]!r} is not an engine; allowed: {', '.join(ENGINES)}")
    return name


@st.cache_resource(show_spinner=f"{t('loading_model', 'zh')} / {t('loading_model', 'en')}")  # before a language is known
def project() -> Project:
    """The process's project: the declared model on the engine of ``engine_name()``."""
    return Project(engine=engine_name())


@dataclass(frozen=True, eq=False)  # hashed by identity: one per process
class Catalog:
    """Everything the page shows that does not depend on the levers. Read-only: never mutate."""

    levers: tuple[dict, ...]          # Project.levers() rows plus "id" (the lever's Python name)
    indicators: dict[str, dict]       # indicator id -> Project.indicators() row
    targets: tuple[dict, ...]         # Project.targets rows
    target_table: pd.DataFrame        # Project.targets itself, for model.scorecard.score
    observations: pd.DataFrame        # model.history.observations()
    scenarios: dict[str, scenarios.Scenario]   # shipped scenarios by name, in file-name order
    defaults: dict[str, float]        # lever name -> default value
    plans: tuple[str, ...]            # the plans' ids, in order (model/data/plan_targets.csv)

    def full_levers(self, overrides: dict[str, object]) -> dict[str, object]:
        """Every lever's setting: the defaults updated by ``overrides`` (numbers as floats,
        paths as ``model.lever_paths.LeverPath``)."""
        return {**self.defaults, **{name: v if isinstance(v, LeverPath) else float(v) for name, v in overrides.items()}}

    def scenario_levers(self, name: str) -> dict[str, object]:
        """Every lever's setting in a shipped scenario."""
        return self.full_levers(self.scenarios[name].levers)

    def module_levers(self, module: str) -> list[dict]:
        return [row for row in self.levers if row["module"] == module]

    def module_indicators(self, module: str) -> list[str]:
        return [ind for ind, row in self.indicators.items() if row["module"] == module]


@st.cache_resource(show_spinner=False)
def catalog() -> Catalog:
    m = project()
    levers = m.levers()
    levers.insert(0, "id", [mdl.py_name(name) for name in levers["name"]])
    levers["module"] = pd.Categorical(levers["module"], MODULES, ordered=True)
    levers = levers.sort_values("module", kind="stable").astype({"module": str})
    indicators, targets = m.indicators(), m.targets.copy()
    loaded = scenarios.load_scenarios(sorted(SCENARIO_DIR.glob("*.yaml")), model=m)
    return Catalog(
        levers=tuple(levers.to_dict("records")),
        indicators={ind: {"id": ind, **row} for ind, row in indicators.to_dict("index").items()},
        targets=tuple(targets.to_dict("records")),
        target_table=targets,
        observations=history.observations(),
        scenarios={sc.name: sc for sc in loaded},
        defaults=dict(zip(levers["name"], levers["default"].astype(float))),
        plans=tuple(plan.id for plan in m.declaration.plans),
    )


def as_items(levers: dict[str, object]) -> LeverItems:
    """A hashable, order-free key for a full lever set (paths are frozen LeverPaths)."""
    return tuple(sorted((name, value if isinstance(value, LeverPath) else float(value))
                        for name, value in levers.items()))


@st.cache_data(show_spinner=False, max_entries=512)
def run(levers: LeverItems) -> pd.DataFrame:
    """Every indicator 2010-2020 for a full lever set (see ``model.Project.run``)."""
    return project().run(dict(levers))


@st.cache_data(show_spinner=False, max_entries=512)
def score(levers: LeverItems) -> list[dict]:
    """The plan scorecard of a run, by ``model.scorecard.score`` (the CLI's rule), as records."""
    return scorecard.score(run(levers), targets=catalog().target_table).to_dict("records")


@dataclass(frozen=True)
class Spread:
    """What the page shows of an ensemble (kept small: cached copies are unpickled per rerun)."""

    bands: pd.DataFrame          # indicator, year, p05, p25, p50, p75, p95 (indicator units)
    probabilities: pd.DataFrame  # plan, target_id, indicator, year, op, target, probability_met, probability_near
    members: int

    def chance(self) -> dict[tuple[str, str], tuple[float, float]]:
        """(plan, target_id) -> (probability met, probability near), each a share in [0, 1]."""
        table = self.probabilities
        return {(plan, target): (float(met), float(near)) for plan, target, met, near in zip(
            table["plan"], table["target_id"], table["probability_met"], table["probability_near"])}


@st.cache_resource(show_spinner=False)
def uncertainties() -> tuple:
    """The declared uncertainties (model/uncertainties.yaml with the calibration's ranges), read
    once per process: every lever change with the switch on reuses them."""
    return tuple(uncertainty.load_uncertainties(reference=project()))


@st.cache_data(show_spinner=False, max_entries=64)
def spread(levers: LeverItems, members: int = ENSEMBLE_MEMBERS) -> Spread:
    """Bands and target probabilities of ``members`` ensemble members for a full lever set."""
    summary = uncertainty.ensemble_for_levers(project(), dict(levers), n_members=members, seed=ENSEMBLE_SEED,
                                              uncertainties=uncertainties())
    return Spread(summary.bands, summary.probabilities, members)


class Result:
    """A run as arrays: quick to read many times in one rerun (DataFrame access copies attrs)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.years = frame.index.to_numpy()
        self._values = frame.to_numpy(dtype=float)
        self._column = {ind: i for i, ind in enumerate(frame.columns)}

    def series(self, ind: str) -> np.ndarray:
        return self._values[:, self._column[ind]]


def read_uploaded_scenario(content: bytes) -> scenarios.Scenario:
    """Validate an uploaded scenario file with the command line's loader and return it.

    The bytes are written under a name of our choosing in a fresh temporary folder, next to
    copies of the shipped scenarios so that ``extends: plan`` resolves as it does for a file in
    scenarios/. Raises ``ScenarioError``; its messages name the file ``uploaded.yaml`` and the
    shipped files ``scenarios/NAME.yaml``, never the temporary folder.
    """
    with tempfile.TemporaryDirectory(prefix="plansim-upload-") as folder:
        work = Path(folder)
        for shipped in SCENARIO_DIR.glob("*.yaml"):
            shutil.copyfile(shipped, work / shipped.name)
        path = work / UPLOAD_NAME
        path.write_bytes(content)
        try:
            return scenarios.load_scenario(path, model=project(), check_name=False)  # saved as uploaded.yaml
        except scenarios.ScenarioError as err:  # in both languages, without the temporary folder
            raise err.renamed(str(path), UPLOAD_NAME).renamed(str(work), SCENARIO_DIR.name) from None
