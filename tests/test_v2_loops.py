"""The documented feedback loops (model/loops.yaml) behave as documented (issue 12, section 3):
Simlin's Loops That Matter analysis reads each declared loop's polarity, and cutting one link of
the loop moves the model the way that polarity implies (Sterman's behaviour-anomaly test)."""
from __future__ import annotations

import shutil
import warnings

import pytest
import simlin
import yaml

import model
from model.mdl import ident, read
from model.paths import MODEL_FILE

LOOPS_FILE = MODEL_FILE.parent / "loops.yaml"
LOOPS = yaml.safe_load(LOOPS_FILE.read_text(encoding="utf-8"))
POLARITY = {"reinforcing": simlin.LoopPolarity.REINFORCING, "balancing": simlin.LoopPolarity.BALANCING}


def test_every_declared_loop_is_named_in_both_languages_and_closes_in_the_model():
    variables = read(MODEL_FILE).variables
    for loop_id, loop in LOOPS.items():
        assert loop["polarity"] in POLARITY, loop_id
        assert loop["name_en"] and loop["name_zh"], loop_id
        members = loop["members"]
        assert all(name in variables for name in members), (loop_id, [n for n in members if n not in variables])
        # each member drives the next, and the last drives the first: a closed loop
        for source, target in zip(members, members[1:] + members[:1]):
            assert source in variables[target].depends or source == target, (loop_id, source, target)


@pytest.fixture(scope="module")
def loop_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("loops") / "shanghai.mdl"
    shutil.copy(MODEL_FILE, path)  # pinning loops edits the loaded model: never the project's file
    sim = simlin.load(path)
    with sim.edit() as (_, patch):
        for loop_id, loop in LOOPS.items():
            patch.set_loop_name(loop_id, [ident(name) for name in loop["members"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # too many loops to list them all: discovery mode
        return sim.run(analyze_loops=True)


@pytest.mark.parametrize("loop_id", list(LOOPS))
def test_simlin_reads_the_declared_polarity(loop_run, loop_id):
    found = {loop.name: loop.polarity for loop in loop_run.loops}
    assert found[loop_id] == POLARITY[LOOPS[loop_id]["polarity"]]


@pytest.fixture(scope="module")
def fast():
    return model.load(engine="simlin")


@pytest.mark.parametrize("loop_id", [k for k, v in LOOPS.items() if "knockout" in v])
def test_cutting_a_loop_moves_the_model_as_its_polarity_implies(fast, loop_id):
    loop = LOOPS[loop_id]
    effect = loop["effect"]
    variable, year = effect["variable"], effect["year"]
    bau = fast.run_variables(final_year=2020, variables=[variable]).loc[year, variable]
    cut = fast.run_variables(final_year=2020, params=loop["knockout"], variables=[variable]).loc[year, variable]
    if effect["direction"] == "lower":
        assert cut < bau * 0.999, (loop_id, cut, bau)
    else:
        assert cut > bau * 1.001, (loop_id, cut, bau)


def test_the_readme_lists_every_declared_loop():
    readme = (MODEL_FILE.parent.parent / "README.md").read_text(encoding="utf-8")
    for loop_id, loop in LOOPS.items():
        assert f"**{loop_id} {loop['name_en']}**" in readme, loop_id
