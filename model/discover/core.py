"""The discovery itself: inputs, ensemble, scoring, PRIM or CART boxes (see the package docstring)."""
from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..declaration import DEFAULT_FINAL_YEAR
from ..errors import PlanSimError
from ..i18n import t, unit as unit_word, variable_words
from ..lever_paths import START_SUFFIX, LeverPath
from ..project import Project
from ..scorecard import MET, target_status

DEFAULT_MEMBERS = 1000
DEFAULT_LEVER_SPAN = 0.2  # levers vary within +-20 % of their range around the scenario's level
DEFAULT_THRESHOLD = 0.8  # density (share of members that miss) a box must reach
DEFAULT_MASS_MIN = 0.05  # a box holds at least 5 % of the members (PRIM's and CART's default)
DEFAULT_MAX_BOXES = 1  # further boxes, among the members left outside, are small and often fit noise
METHODS = ("prim", "cart")
CART_DEPTH = 4  # at most four conditions per box: "the few conditions"
OUTCOMES = ("boxes", "never", "always", "no_box")
TABLE_COLUMNS = ["box", "input", "kind", "label", "unit", "low", "high", "range_low", "range_high",
                 "coverage", "density", "mass", "members_in_box", "missed_in_box"]
# The EMA Workbench warns on import that ipyparallel (its parallel evaluator, unused here) is
# missing; users of discover must not see it, and pytest treats warnings as errors.
_EMA_IMPORT_WARNING = "ipyparallel not installed"


# The Workbench 2.5.3 calls DataFrame.drop(inplace=True), deprecated in pandas 3.1 (a warning
# about the library's code, not about the user's data).
_EMA_PANDAS_WARNING = "The inplace keyword in DataFrame"


@contextmanager
def _quiet_ema():
    """A context in which the Workbench's two known, harmless warnings are ignored (by message)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_EMA_IMPORT_WARNING, category=UserWarning)
        warnings.filterwarnings("ignore", message=_EMA_PANDAS_WARNING)
        yield


def _ema(module: str):
    """``ema_workbench.analysis.prim`` or ``.cart`` (imported inside ``_quiet_ema``)."""
    import importlib

    return importlib.import_module(f"ema_workbench.analysis.{module}")


# -- targets -----------------------------------------------------------------------------------
def target_choices(targets: pd.DataFrame) -> list[str]:
    """Every target as ``plan:id`` (an id may recur in two plans)."""
    return [f"{plan}:{tid}" for plan, tid in zip(targets["plan"], targets["id"])]


def find_target(text: str, targets: pd.DataFrame, lang: str = "en") -> pd.Series:
    """The target row named ``plan:id``, or ``id`` when only one plan has it; else PlanSimError
    listing the valid names."""
    text = str(text).strip()[:80]
    plan, _, tid = text.rpartition(":")
    rows = targets[(targets["id"] == tid) & ((targets["plan"] == plan) if plan else True)]
    if len(rows) == 1:
        return rows.iloc[0]
    key = "discover_ambiguous_target" if len(rows) > 1 else "discover_unknown_target"
    choices = target_choices(rows if len(rows) > 1 else targets)
    raise PlanSimError(t(key, lang, target=repr(text), choices=", ".join(choices)))


# -- inputs ------------------------------------------------------------------------------------
def lever_uncertainties(project: Project, levers: Mapping[str, object], span: float,
                        skip: Sequence[str] = ()):
    """Uniform distributions of each lever's level within ``span`` (a share of its range) around
    the scenario's setting (``levers``, else the default), clipped to the range. Levers set by
    points (no single level), with zero width, or named in ``skip`` are left out."""
    from ..experiments.uncertainty import Uncertainty

    if not (isinstance(span, (int, float)) and 0 <= span <= 1):
        raise PlanSimError(f"lever span must be a share of each lever's range from 0 to 1, got {span!r}")
    out = []
    for row in project.levers().to_dict("records"):
        name = row["name"]
        setting = levers.get(name, row["default"])
        if name in skip or (isinstance(setting, LeverPath) and setting.kind == "points"):
            continue
        centre = float(setting.value if isinstance(setting, LeverPath) else setting)
        width = span * (float(row["max"]) - float(row["min"]))
        low, high = max(float(row["min"]), centre - width), min(float(row["max"]), centre + width)
        if high > low:
            out.append(Uncertainty(name=name, distribution="uniform", low=low, high=high, centre=centre,
                                   basis="lever span", reason=f"lever within +-{span:.0%} of its range",
                                   source="python -m model discover"))
    return out


def describe_inputs(project: Project, uncertainties) -> pd.DataFrame:
    """One row per input: name, kind (lever, start year, parameter), label_zh, label_en, unit
    (the model file's unit), range_low, range_high (the distribution's bounds)."""
    levers = project.levers().set_index("name")
    zh = variable_words()
    rows = []
    for u in uncertainties:
        lever = u.name[:-len(START_SUFFIX)] if u.name.endswith(START_SUFFIX) else None
        if u.name in levers.index:
            row = levers.loc[u.name]
            rows.append((u.name, "lever", row["label_zh"], row["label_en"], row["units"]))
        elif lever in levers.index:
            row = levers.loc[lever]
            rows.append((u.name, "start year", row["label_zh"] + t("discover_start_year", "zh"),
                         row["label_en"] + t("discover_start_year", "en"), "Year"))
        else:
            units = project.doc.loc[u.name, "Units"] if u.name in project.doc.index else ""
            rows.append((u.name, "parameter", zh.get(u.name, {}).get("name", u.name), u.name,
                         units if isinstance(units, str) else ""))
    frame = pd.DataFrame(rows, columns=["name", "kind", "label_zh", "label_en", "unit"])
    frame["range_low"] = [u.low for u in uncertainties]
    frame["range_high"] = [u.high for u in uncertainties]
    return frame.set_index("name")


# -- results -----------------------------------------------------------------------------------
@dataclass
class Box:
    """Ranges of the inputs a box restricts (``limits``: input, low, high) and its statistics:
    coverage (share of all misses inside), density (share of members inside that miss), mass
    (share of members inside), members and misses inside."""

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    members: int
    missed: int


@dataclass
class Discovery:
    """What ``discover`` found. ``values``: the target's indicator in its year per member (the
    indicator's unit); ``statuses``: the scorecard status per member; ``missed``: not met."""

    target: pd.Series
    method: str
    inputs: pd.DataFrame
    described: pd.DataFrame
    values: np.ndarray
    statuses: np.ndarray
    missed: np.ndarray
    outcome: str
    boxes: list[Box] = field(default_factory=list)
    trajectory: pd.DataFrame | None = None  # PRIM: the first box's peeling trajectory
    chosen: int | None = None  # PRIM: the row of the trajectory reported as the first box
    threshold: float = DEFAULT_THRESHOLD
    mass_min: float = DEFAULT_MASS_MIN

    @property
    def name(self) -> str:
        return f"{self.target['plan']}:{self.target['id']}"

    def table(self, lang: str = "en") -> pd.DataFrame:
        """The boxes as users read them: one row per restricted input of each box (TABLE_COLUMNS);
        label and unit in ``lang``."""
        rows = []
        for k, box in enumerate(self.boxes, start=1):
            for _, lim in box.limits.iterrows():
                info = self.described.loc[lim["input"]]
                rows.append([k, lim["input"], info["kind"], info[f"label_{lang}"], unit_word(info["unit"], lang),
                             lim["low"], lim["high"], info["range_low"], info["range_high"], box.coverage,
                             box.density, box.mass, box.members, box.missed])
        return pd.DataFrame(rows, columns=TABLE_COLUMNS)

    def members_table(self) -> pd.DataFrame:
        """Each member's inputs, the target's value, status and whether it missed."""
        out = self.inputs.copy()
        out["value"], out["status"], out["missed"] = self.values, self.statuses, self.missed
        return out.rename_axis("member")

    def message(self, lang: str = "en") -> str:
        """One paragraph: how often the target is missed and what was found."""
        n, k = len(self.missed), int(self.missed.sum())
        fields = dict(target=self.name, members=n, missed=k, share=f"{k / n:.0%}", method=self.method.upper(),
                      boxes=len(self.boxes), threshold=f"{self.threshold:.0%}", mass=f"{self.mass_min:.0%}")
        return t(f"discover_outcome_{self.outcome}", lang, **fields)


# -- the discovery -----------------------------------------------------------------------------
def discover(project: Project, levers: Mapping[str, object] | None, target: pd.Series, *,
             members: int = DEFAULT_MEMBERS, method: str = "prim", seed: int | None = 0,
             lever_span: float = DEFAULT_LEVER_SPAN, uncertainties=None, threshold: float = DEFAULT_THRESHOLD,
             mass_min: float = DEFAULT_MASS_MIN, max_boxes: int = DEFAULT_MAX_BOXES, **run_options) -> Discovery:
    """Run ``members`` members around ``levers`` (uncertain parameters, ``uncertainties``
    default model/uncertainties.yaml, plus levers within ``lever_span``) on Simlin, score
    ``target`` (a plan_targets row, see ``find_target``) and find the boxes where it is missed.
    ``run_options`` go to ``EnsembleRunner.run`` (executor, workers, progress, ...)."""
    from ..experiments.ensemble import EnsembleRunner
    from ..experiments.uncertainty import load_uncertainties, sample

    if method not in METHODS:
        raise PlanSimError(f"method {str(method)[:20]!r} is not one of {', '.join(METHODS)}")
    if not 0 < threshold <= 1:
        raise PlanSimError(f"threshold must be a share in (0, 1], got {threshold!r}")
    fast = project if project.engine_name == "simlin" else project.with_engine("simlin")
    levers = fast.validate_levers(levers)
    uncertainties = list(load_uncertainties(reference=fast) if uncertainties is None else uncertainties)
    uncertainties += lever_uncertainties(fast, levers, lever_span, skip=[u.name for u in uncertainties])
    uncertainties = [u for u in uncertainties if not u.zero_width]
    if not uncertainties:
        raise PlanSimError("nothing varies: no uncertain parameter and lever span 0")
    year = int(target["year"])
    inputs = sample(uncertainties, members, seed)
    ensemble = EnsembleRunner(fast).run(inputs, levers, max(DEFAULT_FINAL_YEAR, year), **run_options)
    values = ensemble.indicator(target["model_indicator"])[year].to_numpy(float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise PlanSimError(f"{int(bad.sum())} member(s) give no finite {target['model_indicator']} in {year} "
                           f"(first: member {int(np.flatnonzero(bad)[0])})")
    statuses = np.array([target_status(v, target) for v in values])
    missed = ~np.isin(statuses, MET)
    result = Discovery(target=target, method=method, inputs=inputs, described=describe_inputs(fast, uncertainties),
                       values=values, statuses=statuses, missed=missed, outcome="boxes",
                       threshold=threshold, mass_min=mass_min)
    if missed.all() or not missed.any():
        result.outcome = "always" if missed.all() else "never"
        return result
    finder = _prim_boxes if method == "prim" else _cart_boxes
    result.boxes, result.trajectory, result.chosen = finder(inputs, missed, threshold, mass_min, max_boxes)
    if not result.boxes:
        result.outcome = "no_box"
    return result


def _limits(lims: pd.DataFrame, x: pd.DataFrame) -> pd.DataFrame:
    """The inputs a box (rows lower, upper) restricts within the sampled ranges, with its bounds."""
    rows = []
    for name in x.columns:
        low, high = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        slack = 1e-9 * max(abs(float(x[name].max()) - float(x[name].min())), 1e-300)
        if low > x[name].min() + slack or high < x[name].max() - slack:
            rows.append((name, low, high))
    return pd.DataFrame(rows, columns=["input", "low", "high"])


def _prim_boxes(x: pd.DataFrame, missed: np.ndarray, threshold: float, mass_min: float, max_boxes: int):
    with _quiet_ema():
        return _prim_search(x, missed, threshold, mass_min, max_boxes)


def _prim_search(x: pd.DataFrame, missed: np.ndarray, threshold: float, mass_min: float, max_boxes: int):
    prim = _ema("prim")
    alg = prim.Prim(x.reset_index(drop=True), missed.astype(int), threshold=threshold, mass_min=mass_min)
    boxes, trajectory, chosen = [], None, None
    for _ in range(max_boxes):
        if alg.yi_remaining.size == 0 or alg.determine_coi(alg.yi_remaining) == 0:
            break
        box = alg.find_box()
        if box is None or box.res_dim == 0:  # the Workbench's "dump box": nothing reaches the threshold
            break
        path = box.peeling_trajectory
        reaching = np.flatnonzero(path["density"].to_numpy() >= threshold)
        i = int(reaching[0]) if reaching.size else len(path) - 1
        box.select(i)
        if _simplify(box, alg, x, missed, threshold):
            i = len(box.peeling_trajectory) - 1  # the simplified box, appended to the trajectory
        path = box.peeling_trajectory
        stats = path.iloc[i]
        boxes.append(Box(_limits(box.box_lims[i], x), float(stats["coverage"]), float(stats["density"]),
                         float(stats["mass"]), int(stats["n"]), int(stats["k"])))
        if trajectory is None:
            trajectory, chosen = path[["coverage", "density", "mass", "res_dim", "n", "k"]].copy(), i
    return boxes, trajectory, chosen


def _simplify(box, alg, x: pd.DataFrame, missed: np.ndarray, threshold: float) -> bool:
    """Drop the restrictions a box does not need (the Workbench's ``drop_restriction``, each
    drop a new point of the trajectory): while dropping one keeps the density at or above
    ``threshold``, drop the one whose removal keeps it highest. PRIM peels noise inputs a little
    too; the box users read should name only the few conditions that matter. True if any was
    dropped (the last box of the trajectory is then the simplified one)."""
    rows = alg.yi_remaining
    dropped = False
    data, y = x.iloc[rows].reset_index(drop=True), missed[rows]
    while True:
        lims = box.box_lims[-1]
        restricted = list(_limits(lims, x)["input"])
        if len(restricted) <= 1:
            return dropped
        best, best_density = None, -1.0
        for name in restricted:
            inside = np.ones(len(data), dtype=bool)
            for other in restricted:
                if other != name:
                    inside &= (data[other] >= lims[other].iloc[0]).to_numpy() & (data[other] <= lims[other].iloc[1]).to_numpy()
            density = y[inside].mean() if inside.any() else 0.0
            if density > best_density:
                best, best_density = name, density
        if best_density < threshold:
            return dropped
        box.drop_restriction(best)
        dropped = True


def _cart_boxes(x: pd.DataFrame, missed: np.ndarray, threshold: float, mass_min: float, max_boxes: int):
    """CART (scikit-learn's decision tree; the Workbench's wrapper fails on one input): each leaf
    is a box (the splits on its path); leaves whose density reaches ``threshold``, by coverage."""
    from sklearn.tree import DecisionTreeClassifier

    values = x.to_numpy(float)
    tree = DecisionTreeClassifier(min_samples_leaf=max(1, math.ceil(mass_min * len(x))), max_depth=CART_DEPTH,
                                  random_state=0).fit(values, missed)
    leaves = tree.apply(values)
    nodes = tree.tree_
    found = []

    def walk(node: int, low: np.ndarray, high: np.ndarray) -> None:
        left, right = nodes.children_left[node], nodes.children_right[node]
        if left == right:  # a leaf
            inside = leaves == node
            k, n = int(missed[inside].sum()), int(inside.sum())
            if n and k / n >= threshold:
                lims = pd.DataFrame([low, high], columns=x.columns)
                found.append(Box(_limits(lims, x), k / missed.sum(), k / n, n / len(x), n, k))
            return
        j, cut = nodes.feature[node], nodes.threshold[node]
        walk(left, low, np.where(np.arange(len(high)) == j, np.minimum(high, cut), high))
        walk(right, np.where(np.arange(len(low)) == j, np.maximum(low, cut), low), high)

    walk(0, values.min(axis=0), values.max(axis=0))
    found.sort(key=lambda b: -b.coverage)
    return found[:max_boxes], None, None
