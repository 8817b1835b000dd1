"""Policy search (issue 14): a known answer, conflicting targets, the written scenario, bad input.

Known answers are built from the declarations and plain runs, never typed in: the test finds a
target that exactly one lever moves, and bisects that lever itself.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.cli.main import main
from model.scorecard import is_met, target_status
from model.search import Settings, search, select

SMALL = dict(population=8, generations=5, period=3)  # a test-sized search (the benchmark sizes the real one)


@pytest.fixture(scope="module")
def fast(shanghai):
    """The session's model on Simlin (the declaration is shared: nothing is read again)."""
    return shanghai.with_engine("simlin")


@pytest.fixture(scope="module")
def one_lever_target(fast):
    """(target row, lever row): a target missed by default that one lever alone moves and that
    the lever's end of range meets, found by runs at every lever's ends."""
    levers = fast.levers()
    targets = fast.targets
    default = fast.run()
    moved: dict[int, list[tuple[str, float]]] = {k: [] for k in range(len(targets))}
    for lever in levers.itertuples():
        for end in (lever.min, lever.max):
            run = fast.run({lever.name: end})
            for k, t in enumerate(targets.itertuples(index=False)):
                a, b = run.loc[int(t.year), t.model_indicator], default.loc[int(t.year), t.model_indicator]
                if abs(a - b) > 1e-9 * max(1.0, abs(b)):
                    moved[k].append((lever.name, end))
    for k, t in targets.iterrows():
        names = {name for name, _ in moved[k]}
        if len(names) != 1 or is_met(target_status(default.loc[int(t["year"]), t["model_indicator"]], t)):
            continue
        name = names.pop()
        for _, end in moved[k]:
            if is_met(target_status(fast.run({name: end}).loc[int(t["year"]), t["model_indicator"]], t)):
                return t, levers.set_index("name").loc[name]
    pytest.skip("no declared target is moved by exactly one lever")


def analytic(fast, target, lever) -> float:
    """The setting of ``lever`` nearest its default that meets ``target``, by bisection of plain runs."""
    def met(value: float) -> bool:
        return is_met(target_status(fast.run({lever.name: value}).loc[int(target["year"]), target["model_indicator"]], target))

    near = float(lever["default"])
    far = next(end for end in (lever["min"], lever["max"]) if met(end))
    for _ in range(30):
        mid = (near + far) / 2
        near, far = (near, mid) if met(mid) else (mid, far)
    return far


def test_a_target_one_lever_reaches_is_met_within_one_step_of_the_analytic_setting(fast, one_lever_target):
    target, lever = one_lever_target
    key = f"{target['plan']}:{target['id']}"
    found = search(fast, Settings(targets=key, **SMALL))
    assert found.feasible
    assert list(found.changes["lever"]) == [lever.name]  # least change: no other lever moves
    proposed = float(found.changes["proposed_level"].iloc[0])
    assert abs(proposed - analytic(fast, target, lever)) <= float(lever["step"]) + 1e-12
    assert found.card["status"].map(is_met).all()


def test_two_targets_no_setting_meets_together_are_reported_as_conflicting(fast, one_lever_target, tmp_path):
    """On the one-lever target's indicator: "at least high" and "at most low" (each reachable
    by that lever, never both) conflict; the trade-off front spans them."""
    target, lever = one_lever_target
    year, indicator = int(target["year"]), target["model_indicator"]
    low = fast.run({lever.name: lever["min"]}).loc[year, indicator]
    high = fast.run({lever.name: lever["max"]}).loc[year, indicator]
    low, high = min(low, high), max(low, high)
    rows = pd.DataFrame([
        {**target.to_dict(), "plan": "test", "id": "up", "op": ">=", "value": low + 0.75 * (high - low)},
        {**target.to_dict(), "plan": "test", "id": "down", "op": "<=", "value": low + 0.25 * (high - low)},
    ])
    found = search(fast, Settings(targets="all", levers=[lever.name], **SMALL), targets=rows)
    assert not found.feasible
    assert found.conflicts == [("test:up", "test:down")] or found.conflicts == [("test:down", "test:up")]
    assert found.unreachable == []
    assert found.front is not None and len(found.front) >= 2
    values = found.front["value test:up"]
    assert values.max() - values.min() > 0.25 * (high - low)  # the front spans the trade-off

    from model.search import report

    assert report.front_figure(found, fast.indicators(), tmp_path / "front.png", "zh").stat().st_size > 0
    changes = report.changes_table(found, fast.levers(), "en")
    text = report.markdown(found, changes, report.targets_table(found, fast.indicators(), "en"), "en",
                           targets_spec="all", start="defaults", scenario_file="x.yaml", figures=["front.png"],
                           members=None)
    assert "cannot all be met" in text and ("test:up × test:down" in text or "test:down × test:up" in text)


def test_a_robust_search_meets_the_target_with_the_probability_an_ensemble_confirms(fast, one_lever_target):
    """The proposal's probabilities equal those of an uncertainty ensemble of the same members
    (model.experiments.uncertainty), and each is at least P when the search says met."""
    from model.experiments.ensemble import EnsembleRunner
    from model.experiments.uncertainty import load_uncertainties, sample, target_probabilities

    target, _ = one_lever_target
    members = sample(load_uncertainties(reference=fast), 8, 3)
    settings = Settings(targets=f"{target['plan']}:{target['id']}", robust=0.75, robust_population=4,
                        robust_generations=2, **SMALL)
    found = search(fast, settings, members=members)
    ensemble = EnsembleRunner(fast).run(members, found.levers, found.goals.final_year, workers=1)
    check = target_probabilities(ensemble, found.goals.table)
    assert list(found.card["probability_met"]) == pytest.approx(list(check["probability_met"]))
    if found.feasible:
        assert (found.card["probability_met"] >= 0.75).all()


def test_select_binding_takes_the_targets_the_declaration_marks_binding(fast):
    targets = fast.targets
    goals = select(targets, "binding")
    assert len(goals) == int(targets["attribute"].str.startswith("binding").sum()) > 0
    assert len(select(targets, "all")) == len(targets)
    first = targets.iloc[0]
    assert len(select(targets, f"{first['plan']}:{first['id']}")) == 1


def test_shortfall_is_not_positive_exactly_when_the_scorecard_says_met(fast, default_run):
    goals = select(fast.targets, "all")
    values = np.array([default_run.loc[int(y), i] for y, i in zip(goals.table["year"], goals.table["model_indicator"])])
    for shift in (-2.0, -0.5, 0.0, 0.5, 2.0):
        moved = values + shift * goals.table["_scale"].to_numpy()
        short = goals.shortfall(moved)
        met = [is_met(target_status(v, row)) for v, (_, row) in zip(moved, goals.table.iterrows())]
        assert list(short <= 0) == met


def test_the_written_scenario_validates_and_runs(fast, one_lever_target, tmp_path, capsys):
    target, _ = one_lever_target
    out = tmp_path / "found"
    code = main(["search", "--targets", f"{target['plan']}:{target['id']}", "--population", "8",
                 "--generations", "4", "--no-progress", "--name", "found-levers", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    files = {p.name for p in out.iterdir()}
    assert {"found-levers.yaml", "changes.csv", "targets.csv", "report.md", "changes.png", "manifest.json"} <= files
    assert main(["validate", str(out / "found-levers.yaml")]) == 0
    assert main(["run", str(out / "found-levers.yaml"), "--engine", "simlin", "--no-progress", "--workers", "1",
                 "--out", str(tmp_path / "run")]) == 0
    from model.scenarios import load_scenario

    found = load_scenario(out / "found-levers.yaml", fast)
    card = fast.run(found.levers)
    assert is_met(target_status(card.loc[int(target["year"]), target["model_indicator"]], target))


@pytest.mark.parametrize("argv, words", [
    (["--targets", "no_such_target"], "not a target id"),
    (["--robust", "1.5"], "expected a probability"),
    (["--objective", "cheapest"], "invalid choice"),
    (["--members", "1"], "outside the allowed range"),
    (["--levers", "no such lever"], "is not a lever"),
    (["--name", "bad name!"], "--name"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "add --robust"),
    (["--start-years", "2016", "2012"], "--start-years"),
    (["--from", "no-such-file.yaml"], "no-such-file.yaml"),
])
def test_bad_options_are_refused_with_a_clear_message_and_exit_2(argv, words, tmp_path, capsys):
    try:
        code = main(["search", *argv, "--no-progress", "--out", str(tmp_path / "out")])
    except SystemExit as err:  # argparse's own errors
        code = err.code
    assert code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_searched_start_year_makes_a_path_and_an_unchanged_lever_keeps_its_path(fast):
    """Decision vectors become scenario levers: with --start-years a changed lever steps to its
    level in the searched year; a lever left at its start keeps the starting path exactly."""
    from model.lever_paths import LeverPath
    from model.search.evaluate import Space

    levers = fast.levers()
    first, second = levers["name"].iloc[0], levers["name"].iloc[1]
    base = {second: LeverPath.from_year(float(levers["max"].iloc[1]), 2014, 2)}
    space = Space.of(fast, base, [first, second], (2011, 2016))
    x = space.start.copy()
    x[0] = float(levers["min"].iloc[0])
    x[2] = 2013.4
    paths = space.paths(x)
    assert paths[first] == LeverPath.from_year(float(levers["min"].iloc[0]), 2013, 0)
    assert paths[second] == fast.validate_levers(base)[second]
    assert space.change(x)[0] == pytest.approx(abs(float(levers["min"].iloc[0]) - space.x0[0])
                                              / (levers["max"].iloc[0] - levers["min"].iloc[0]))
    assert fast.validate_levers(paths)  # a scenario the model accepts
