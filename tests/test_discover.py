"""Scenario discovery (``model.discover``, ``python -m model discover``) on cases with a known answer.

The constructed case: a target whose indicator moves with one lever only (the only input varied),
its figure set to the indicator's value at a known level x* of that lever: the target is then
missed exactly on one side of x*, and PRIM's (and CART's) box must cut that lever there.
Nothing here depends on the calibrated numbers: the lever, x* and the figure come from runs.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import model
from model.cli import main
from cli_helpers import run_cli
from model.discover import discover, find_target, target_choices
from model.experiments.uncertainty import Uncertainty

MEMBERS = 64
X_STAR = 0.6  # where in the lever's range the target's figure is reached


@pytest.fixture(scope="module")
def project():
    return model.Project(engine="simlin")


def _value(project, lever, level, indicator, year):
    return float(project.run({lever: level}, final_year=max(2020, year)).loc[year, indicator])


@pytest.fixture(scope="module")
def case(project):
    """(lever, low, high, x*, synthetic target row, increasing): the first declared target whose
    indicator is strictly monotone in a lever over the lever's whole range (five levels)."""
    levers = project.levers()
    for _, target in project.targets.iterrows():
        year, indicator = int(target["year"]), target["model_indicator"]
        for _, lever in levers.iterrows():
            low, high = float(lever["min"]), float(lever["max"])
            if high <= low:
                continue
            values = np.array([_value(project, lever["name"], low + s * (high - low), indicator, year)
                               for s in np.linspace(0, 1, 5)])
            steps = np.diff(values)
            if np.all(np.isfinite(values)) and (np.all(steps > 0) or np.all(steps < 0)) \
                    and abs(values[-1] - values[0]) > 1e-3 * max(abs(values).max(), 1e-9):
                x_star = low + X_STAR * (high - low)
                row = target.copy()
                increasing = bool(steps[0] > 0)
                row["op"] = ">=" if increasing else "<="  # missed below x* (or above, if decreasing)
                row["value"] = _value(project, lever["name"], x_star, indicator, year)
                return lever["name"], low, high, x_star, row, increasing
    pytest.fail("no declared target's indicator is monotone in any lever: the constructed case needs one")


def _only(case):
    name, low, high, *_ = case
    return [Uncertainty(name=name, distribution="uniform", low=low, high=high, centre=(low + high) / 2)]


def _check_statistics(result, box):
    """Coverage and density as the box's members give them, and as the algorithm reported them."""
    x = result.inputs
    inside = np.ones(len(x), dtype=bool)
    for _, lim in box.limits.iterrows():
        inside &= (x[lim["input"]] >= lim["low"]).to_numpy() & (x[lim["input"]] <= lim["high"]).to_numpy()
    assert 0 <= box.coverage <= 1 and 0 <= box.density <= 1 and 0 < box.mass <= 1
    assert box.members == inside.sum() and box.missed == result.missed[inside].sum()
    assert box.coverage == pytest.approx(result.missed[inside].sum() / result.missed.sum())
    assert box.density == pytest.approx(result.missed[inside].mean())
    assert box.mass == pytest.approx(inside.mean())


@pytest.mark.parametrize("method", ["prim", "cart"])
def test_the_box_cuts_the_one_lever_at_the_analytic_threshold(project, case, method):
    name, low, high, x_star, target, increasing = case
    result = discover(project, {}, target, members=MEMBERS, method=method, seed=3, lever_span=0,
                      uncertainties=_only(case), threshold=1.0, max_boxes=1)
    levels = result.inputs[name].to_numpy()
    # the scorecard's rule gives the analytic answer: missed exactly on one side of x*
    expected = levels < x_star if increasing else levels > x_star
    assert (result.missed == expected).all() and 0 < result.missed.sum() < MEMBERS
    assert result.outcome == "boxes" and len(result.boxes) == 1
    box = result.boxes[0]
    assert list(box.limits["input"]) == [name]
    cut = box.limits.iloc[0]["high"] if increasing else box.limits.iloc[0]["low"]
    kept = box.limits.iloc[0]["low"] if increasing else box.limits.iloc[0]["high"]
    assert kept == (levels.min() if increasing else levels.max())  # the other side is not restricted
    # the cut lies between the sampled levels around x*: within a few sample spacings of it
    spacing = (high - low) / MEMBERS
    assert abs(cut - x_star) <= 4 * spacing, (cut, x_star, spacing)
    assert box.density == 1.0 and box.coverage >= 0.8
    _check_statistics(result, box)
    table = result.table("zh")
    assert list(table["input"]) == [name] and table["label"].iloc[0] == project.levers().set_index("name").loc[name, "label_zh"]


def test_a_density_threshold_below_one_reports_what_prim_found(project, case):
    result = discover(project, {}, case[4], members=MEMBERS, method="prim", seed=5, lever_span=0,
                      uncertainties=_only(case), threshold=0.8)
    assert result.boxes and result.trajectory is not None
    path = result.trajectory
    assert path.iloc[result.chosen]["density"] >= 0.8 and (path.iloc[:result.chosen]["density"] < 0.8).all()
    for box in result.boxes:
        _check_statistics(result, box)


@pytest.mark.parametrize("figure, outcome", [(-1e12, "never"), (1e12, "always")])
def test_never_and_always_missed_have_no_box(project, case, figure, outcome):
    target = case[4].copy()
    target["op"], target["value"] = ">=", figure
    result = discover(project, {}, target, members=32, seed=1, lever_span=0, uncertainties=_only(case))
    assert result.outcome == outcome and result.boxes == [] and result.table("en").empty
    assert "no box to find" in result.message("en") and "无情景框可找" in result.message("zh")


def test_target_names(project):
    targets = project.targets
    row = targets.iloc[0]
    assert find_target(f"{row['plan']}:{row['id']}", targets)["id"] == row["id"]
    counts = targets["id"].value_counts()
    single = counts[counts == 1].index[0]
    assert find_target(single, targets)["id"] == single
    with pytest.raises(model.PlanSimError) as caught:
        find_target("no_such_target", targets)
    assert all(choice in str(caught.value) for choice in target_choices(targets))
    if (counts > 1).any():
        with pytest.raises(model.PlanSimError) as caught:
            find_target(counts[counts > 1].index[0], targets, "zh")
        assert "请写明规划" in str(caught.value)


def test_cli_rejects_a_bad_target_listing_the_valid_ones(tmp_path, capsys, project):
    out = tmp_path / "d"
    code, _, err = run_cli(capsys, "discover", model.paths.SCENARIO_DIR / "baseline.yaml", "--target", "nope",
                           "--out", out, "--members", 32, "--no-progress")
    assert code == 2 and "unknown target 'nope'" in err
    assert all(choice in err for choice in target_choices(project.targets))
    assert not out.exists()
    with pytest.raises(SystemExit) as caught:
        main(["discover", "x.yaml", "--target", "a", "--out", str(out), "--threshold", "0"])
    assert caught.value.code == 2 and "expected a number in (0, 1]" in capsys.readouterr().err


def test_cli_writes_a_complete_folder(tmp_path, capsys, project):
    target = project.targets.iloc[0]
    out = tmp_path / "d"
    code, text, err = run_cli(capsys, "discover", model.paths.SCENARIO_DIR / "plan.yaml", "--target",
                              f"{target['plan']}:{target['id']}", "--members", 32, "--out", out, "--no-progress",
                              "--method", "cart", "--lang", "zh")
    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["command"] == "discover"
    assert set(manifest["outputs"]) == {p.name for p in out.iterdir()}
    assert (out / "discover.png").read_bytes().startswith(b"\x89PNG")
    members = pd.read_csv(out / "members.csv")
    assert len(members) == 32 and members["missed"].sum() == manifest["details"]["missed"]
    assert f"{target['plan']}:{target['id']}" in text
    # the levers vary by default (+-20 % of their range): they are inputs beside the parameters
    kinds = {entry["kind"] for entry in manifest["details"]["inputs"]}
    assert {"lever", "parameter"} <= kinds


def test_words_exist_in_both_languages():
    from model.i18n import words

    keys = [k for k in words() if k.startswith("discover_")]
    assert len(keys) >= 10 and all(words()[k]["zh"] and words()[k]["en"] for k in keys)


def test_prim_keeps_only_the_conditions_that_matter():
    """A tiny synthetic problem: misses where a < 0.3, five inputs that do not matter; the box
    names a alone, cut near 0.3 (PRIM alone also peels some noise inputs a little)."""
    from model.discover import core

    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.uniform(size=(400, 6)), columns=["a", *(f"noise{k}" for k in range(5))])
    missed = (x["a"] < 0.3).to_numpy()
    boxes, path, chosen = core._prim_boxes(x, missed, 0.9, 0.05, 1)
    assert len(boxes) == 1 and list(boxes[0].limits["input"]) == ["a"]
    assert abs(boxes[0].limits.iloc[0]["high"] - 0.3) < 0.05 and boxes[0].density >= 0.9
    assert path.iloc[chosen]["res_dim"] == 1
