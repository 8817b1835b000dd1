"""Lever paths (issue 12, section 2 and 3): the knot form in the model file, the path forms of
scenarios and the Python API, their validation, both engines, ensembles, sensitivity, the CLI."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import model
from model import lever_paths, mdl
from model.errors import LeverError
from model.experiments import sensitivity as sens
from model.experiments import uncertainty
from model.experiments.ensemble import EnsembleRunner
from model.lever_paths import LeverPath
from model.paths import LEVERS_FILE, MODEL_FILE, PROJECT_DIR
from model.scenarios import ScenarioError, load_scenario, scenario_to_yaml

HEADER = "title: {zh: 测试, en: Test}\ndescription: a test\n"
EFFECTIVE = ["effective RD intensity target", "effective population control", "effective car plate quota",
             "effective investment rate", "effective coal share target"]


@pytest.fixture(scope="module")
def fast(shanghai):
    return shanghai.with_engine("simlin")


# -- the model file --------------------------------------------------------------------------------
def test_every_lever_is_a_path_of_five_knots_and_nothing_old_remains(shanghai):
    import yaml

    variables = mdl.read(MODEL_FILE).variables
    levers = yaml.safe_load(LEVERS_FILE.read_text(encoding="utf-8"))
    assert "policy start time" not in variables
    assert not [n for n in variables if n.startswith("historical ")]
    table = shanghai.levers().set_index("name")
    for lever in levers:
        assert lever not in variables  # the lever itself is no constant any more
        for k in range(1, 6):
            year, value = variables[lever_paths.knot_name(lever, k, "year")], variables[lever_paths.knot_name(lever, k, "value")]
            assert year.group == value.group == "Levers" and year.kind == value.kind == "constant"
            assert year.units == "Year" and year.limits[:2] == (2000, 2100)
            assert value.limits == (table.loc[lever, "min"], table.loc[lever, "max"], table.loc[lever, "step"])
        effective = variables[table.loc[lever, "effective"]]
        assert effective.group == "Levers"
        assert set(lever_paths.knot_names(lever)) <= set(effective.depends)
        assert " ".join(effective.equation.split()) == " ".join(lever_paths.effective_equation(lever).split())


def test_value_at_holds_steps_ramps_and_both_ends_as_the_equation_does():
    """The path's value, as the equation computes it, at and between knot years: a repeated year
    is a step in force from that year, a ramp is linear, the ends are held; and the text of a
    path rounds an estimate at its bound (1.8e-33) to 0."""
    knots = ((2000.0, 1.0), (2010.0, 3.0), (2012.0, 3.0), (2012.0, 5.0), (2014.0, 4.0))
    times = np.array([1990, 2000, 2005, 2010, 2011, 2011.96875, 2012, 2013, 2014, 2030])
    np.testing.assert_allclose(lever_paths.value_at(knots, times), [1, 1, 2, 3, 3, 3, 5, 4.5, 4, 4])
    assert lever_paths.value_at(((2011.0, 2.0),) * 5, 2010.0) == 2.0  # one year for every knot: constant
    assert lever_paths.describe(((2000.0, 1.758e-33), (2010.0, 0.06)) + ((2010.0, 0.06),) * 3, 100) == "0 (2001) -> 6 (2011)"


def test_the_effective_equation_is_the_documented_piecewise_linear_path(fast):
    """Steps, ramps and holds: the model's effective lever equals value_at on the knots."""
    levers = {"population control": {"points": {2013: 0.2, 2016: 0.5, 2018: 0.1}},
              "car plate quota": {"value": 6, "from": 2012, "ramp": 3},
              "investment rate": 0.3}
    run = fast.run_variables(levers, final_year=2022, variables=EFFECTIVE, time_step=1 / 16)
    pc = fast.lever_path("population control", levers["population control"])
    # years are calendar years: a value in force during year Y sits at model time Y - 1 (a year-end)
    assert run.loc[2011, "effective population control"] == 0  # default before the first point
    assert run.loc[2012, "effective population control"] == pytest.approx(0.2)  # a step: in force in 2013
    assert run.loc[2014, "effective population control"] == pytest.approx(0.4)  # linear between points
    assert run.loc[2020, "effective population control"] == pytest.approx(0.1)  # the last one held
    assert list(run["effective population control"]) == pytest.approx(list(lever_paths.value_at(pc, run.index)))
    assert run.loc[2011, "effective car plate quota"] == pytest.approx(12)  # from 2012: the ramp starts then
    assert run.loc[2012, "effective car plate quota"] == pytest.approx(12 - 6 / 3)
    assert run.loc[2014, "effective car plate quota"] == pytest.approx(6)  # reached in 2015 (ramp 3 years)
    assert run.loc[2010, "effective investment rate"] == pytest.approx(0.3)  # a number: from calendar 2011


def test_a_target_lever_delivers_its_number_by_its_target_year(fast):
    run = fast.run_variables({"RD intensity target": 0.033, "coal share target": 0.4},
                             variables=["effective RD intensity target", "effective coal share target"])
    assert run.loc[2015, "effective RD intensity target"] == pytest.approx(0.033)
    assert run.loc[2015, "effective coal share target"] == pytest.approx(0.4)
    default = fast.levers().set_index("name").loc["RD intensity target", "default_path"]
    start = lever_paths.value_at(default, 2010)
    assert run.loc[2010, "effective RD intensity target"] == pytest.approx(start)  # a ramp from the 2010 value
    # reached in force during 2015 (model time 2014) and held: the 2015 figure is the target
    assert run.loc[2012, "effective RD intensity target"] == pytest.approx(start + (0.033 - start) * 2 / 4)
    assert run.loc[2014, "effective RD intensity target"] == pytest.approx(0.033)
    assert run.loc[2020, "effective RD intensity target"] == pytest.approx(0.033)


def test_the_default_path_is_the_calibrated_one_and_the_slider_default_its_2011_value(shanghai):
    from model.declaration import calibrated_parameters

    calibrated = calibrated_parameters()
    # the calibration writes every knot of each lever's recorded path (calibration/policy_paths.csv)
    recorded = [name for name in shanghai.levers()["name"] if lever_paths.knot_name(name, 1, "value") in calibrated]
    assert recorded
    table = shanghai.levers().set_index("name")
    constants = shanghai.constants()
    for name in recorded:
        knots = [(calibrated[lever_paths.knot_name(name, k, "year")], calibrated[lever_paths.knot_name(name, k, "value")])
                 for k in range(1, 6)]
        assert all(constants[lever_paths.knot_name(name, k, "value")] == v for k, (_, v) in enumerate(knots, 1))
        assert table.loc[name, "default"] == pytest.approx(lever_paths.value_at(knots, lever_paths.model_time(2011)))
    raw = model.Project(use_calibration=False).levers().set_index("name")
    for name in table.index:  # the model file's own path: constant at the file's value
        assert len({v for _, v in raw.loc[name, "default_path"]}) == 1


# -- both engines ------------------------------------------------------------------------------
@pytest.mark.parametrize("levers", [
    {"population control": 0.3, "car plate quota": 8},
    {"population control": {"value": 0.3, "from": 2014, "ramp": 3}, "RD intensity target": 0.04},
    {"energy saving effort": {"points": {2012: 0.03, 2014: 0.01, 2016: 0.05, 2019: 0.04}},
     "rail construction starts plan": {"value": 80, "from": 2013, "ramp": 0}},
])
def test_pysd_and_simlin_agree_on_paths(shanghai, fast, levers):
    a = shanghai.run_variables(levers, variables=EFFECTIVE + ["GDP", "resident population", "total energy use"])
    b = fast.run_variables(levers, variables=EFFECTIVE + ["GDP", "resident population", "total energy use"])
    pd.testing.assert_frame_equal(a, b, rtol=1e-9, atol=1e-9)


def test_engines_get_constants_only(shanghai):
    overrides = shanghai.overrides({"population control": {"value": 0.3, "from": 2014}})
    assert all(isinstance(v, float) for v in overrides.values())
    assert set(overrides) == set(lever_paths.knot_names("population control"))
    with pytest.raises(model.PlanSimError, match="must be a number"):
        shanghai.engine.run({"population control point 1 value": "0.3"}, shanghai.declaration.run_times(2012), ["GDP"])


# -- the Python API ----------------------------------------------------------------------------
def test_the_api_takes_numbers_mappings_and_path_objects_alike(fast):
    as_mapping = fast.run({"population control": {"value": 0.3, "from": 2014, "ramp": 2}})
    as_object = fast.run({"population control": LeverPath.from_year(0.3, 2014, 2)})
    as_points = fast.run({"population control": LeverPath.at_points({2014: 0.0, 2016: 0.3})})
    pd.testing.assert_frame_equal(as_mapping, as_object)
    pd.testing.assert_frame_equal(as_mapping, as_points)
    assert not as_mapping.equals(fast.run({"population control": 0.3}))
    assert fast.run({"population control": 0.3}).equals(fast.run({"population control": {"value": 0.3, "from": 2011}}))


@pytest.mark.parametrize("path, words", [
    ({"value": 0.3, "from": 2010}, ["'population control'", "from", "2011", "2100"]),
    ({"value": 0.3, "from": 2014.5}, ["from", "whole year"]),
    ({"value": 0.3, "from": 2101}, ["from = 2101"]),
    ({"value": 0.3, "from": 2014, "ramp": -1}, ["ramp = -1", "0 to"]),
    ({"value": 0.9, "from": 2014}, ["value = 0.9", "[0, 0.8]"]),
    ({"value": 0.3}, ["lacks the key from"]),
    ({"value": 0.3, "from": 2014, "speed": 2}, ["unknown path key", "speed"]),
    ({"points": {2016: 0.2, 2014: 0.3}}, ["years must increase", "2014"]),
    ({"points": {2014: 0.2, "2014": 0.3}}, ["years must increase"]),
    ({"points": {2012: 0.1, 2013: 0.2, 2014: 0.3, 2015: 0.4, 2016: 0.5}}, ["1 to 4"]),
    ({"points": {2012: 0.1, 2014: 0.95}}, ["points.2014 = 0.95", "[0, 0.8]"]),
    ({"points": {2009: 0.1}}, ["points.2009", "2011"]),
    ({"points": {}}, ["1 to 4"]),
    ("0.3", ["must be a number, {value"]),
])
def test_bad_paths_are_refused_naming_lever_key_and_range_in_both_languages(fast, path, words):
    with pytest.raises(LeverError) as caught:
        fast.run({"population control": path})
    english = " ".join(caught.value.messages("en"))
    for word in words:
        assert word in english, english
    chinese = " ".join(caught.value.messages("zh"))
    assert "population control" in chinese and re.search(r"[\u4e00-\u9fff]", chinese)


# -- scenario files ----------------------------------------------------------------------------
def _scenario(tmp_path, name, levers_yaml):
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\n{HEADER}levers:\n{levers_yaml}", encoding="utf-8")
    return path


def test_scenario_files_take_numbers_ramps_and_points(tmp_path, fast):
    path = _scenario(tmp_path, "paths", "  investment rate: 0.35\n"
                                        "  population control: {value: 0.3, from: 2014, ramp: 2}\n"
                                        "  car plate quota:\n    points:\n      2013: 10\n      2016: 6\n")
    scenario = load_scenario(path, fast)
    assert scenario.levers["investment rate"] == 0.35
    assert scenario.levers["population control"] == LeverPath.from_year(0.3, 2014, 2)
    assert scenario.levers["car plate quota"] == LeverPath.at_points({2013: 10, 2016: 6})
    run = fast.run_variables(scenario.levers, variables=EFFECTIVE)
    assert run.loc[2016, "effective car plate quota"] == 6 and run.loc[2016, "effective population control"] == 0.3


def test_a_bad_path_in_a_file_names_file_line_lever_and_key(tmp_path, fast):
    path = _scenario(tmp_path, "bad", "  investment rate: 0.35\n"
                                      "  population control: {value: 0.3, from: 2009}\n"
                                      "  car plate quota:\n    points: {2016: 6, 2013: 10}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, fast)
    lines = caught.value.messages("en")
    assert len(lines) == 2
    assert "bad.yaml" in lines[0] and "line 6" in lines[0] and "levers.population control" in lines[0]
    assert "from = 2009" in lines[0] and "2011" in lines[0]
    assert "levers.car plate quota" in lines[1] and "years must increase" in lines[1]
    assert all("bad.yaml" in line for line in caught.value.messages("zh"))


def test_scenario_yaml_round_trips_paths(tmp_path, fast):
    levers = {"investment rate": 0.35, "population control": LeverPath.from_year(0.3, 2014, 2),
              "car plate quota": LeverPath.at_points({2013: 10, 2016: 6.5})}
    text = scenario_to_yaml("round", "往返", "Round trip", "text", levers)
    path = tmp_path / "round.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path, fast).levers == levers


def test_the_shipped_scenarios_load_and_run_with_numbers_from_2011(fast):
    for path in sorted((PROJECT_DIR / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path, fast)
        run = fast.run_variables(scenario.levers, variables=EFFECTIVE)
        assert np.isfinite(run.to_numpy()).all()
        if "population control" in scenario.levers and not isinstance(scenario.levers["population control"], LeverPath):
            assert run.loc[2011, "effective population control"] == scenario.levers["population control"]


# -- ensembles and sensitivity ------------------------------------------------------------------
def test_uncertainties_can_vary_a_lever_path_level_and_start_year(tmp_path, fast):
    path = tmp_path / "uncertainties.yaml"
    entry = "  distribution: uniform\n  basis: documented range\n  reason: r\n  source: s\n"
    path.write_text(f"population control start year:\n  low: 2011\n  high: 2018\n{entry}"
                    f"car plate quota:\n  low: 6\n  high: 12\n{entry}", encoding="utf-8")
    loaded = uncertainty.load_uncertainties(path, reference=fast, calibration=None)
    assert {u.name for u in loaded} == {"population control start year", "car plate quota"}
    runner = EnsembleRunner(fast)
    ensemble = uncertainty.run_uncertainty({"population control": 0.4}, 40, 1, uncertainties=loaded,
                                           runner=runner, workers=1)
    starts, quotas = ensemble.inputs["population control start year"], ensemble.inputs["car plate quota"]
    assert starts.min() >= 2011 and starts.max() <= 2018 and np.ptp(starts) > 5 and np.ptp(quotas) > 4
    # a later start of control lets more migrants in by 2015
    pop = ensemble.indicator("resident_population")[2015]
    assert np.corrcoef(starts, pop)[0, 1] > 0.9


def test_each_member_is_the_single_run_of_its_path(fast):
    runner = EnsembleRunner(fast)
    inputs = pd.DataFrame({"population control start year": [2014.0, 2016.0], "car plate quota": [8.0, 10.0]})
    ensemble = runner.run(inputs, {"population control": {"value": 0.4, "from": 2012, "ramp": 2}}, workers=1)
    for m, (start, quota) in enumerate(zip(inputs.iloc[:, 0], inputs.iloc[:, 1])):
        single = fast.run({"population control": {"value": 0.4, "from": int(start), "ramp": 2}, "car plate quota": quota})
        pd.testing.assert_frame_equal(ensemble.member(m), single, check_names=False, rtol=1e-12, atol=1e-12)
    with pytest.raises(model.PlanSimError, match=r"start year' = 2005.0 is not allowed"):
        runner.run(pd.DataFrame({"population control start year": [2005.0]}), workers=1)


def test_an_uncertain_start_year_outside_the_years_is_refused(tmp_path, fast):
    path = tmp_path / "uncertainties.yaml"
    path.write_text("population control start year:\n  distribution: uniform\n  low: 2005\n  high: 2018\n"
                    "  basis: documented range\n  reason: r\n  source: s\n", encoding="utf-8")
    with pytest.raises(model.PlanSimError, match=r"\[2011, 2100\]"):
        uncertainty.load_uncertainties(path, reference=fast, calibration=None)


def test_sensitivity_can_vary_start_years(fast):
    runner = EnsembleRunner(fast)
    indices = sens.run_sensitivity(runner, {"population control": 0.5}, method="morris", n=4, seed=1,
                                   over_levers=False, start_years=(2011, 2019), workers=1)
    assert {"lever start"} == set(indices["input_kind"])
    pop = indices[(indices["indicator"] == "resident_population") & (indices["year"] == 2020)].set_index("input")
    assert pop.loc["population control start year", "mu_star"] > 0
    assert pop.loc["car plate quota start year", "mu_star"] < pop.loc["population control start year", "mu_star"]


def _member_path(knots: pd.DataFrame, lever: str, m: int = 0) -> list:
    return [(knots.iloc[m][lever_paths.knot_name(lever, k, "year")], knots.iloc[m][lever_paths.knot_name(lever, k, "value")])
            for k in range(1, 6)]


def test_member_constants_keep_a_ramp_and_move_points(fast):
    declaration = fast.declaration
    inputs = pd.DataFrame({"car plate quota": [6.0], "car plate quota start year": [2015.0]})
    knots = declaration.member_constants({"car plate quota": LeverPath.from_year(8, 2012, 3)}, inputs)
    path = _member_path(knots, "car plate quota")
    # start 2015 (calendar): the ramp runs from model time 2014 to 2017
    assert lever_paths.value_at(path, 2014) == pytest.approx(12) and lever_paths.value_at(path, 2017) == pytest.approx(6)
    # a path by points: moved to the start year (its level varied: replaced by the number)
    moved = declaration.member_constants({"car plate quota": LeverPath.at_points({2013: 8, 2014: 4})},
                                         inputs[["car plate quota start year"]])
    path = _member_path(moved, "car plate quota")
    assert lever_paths.value_at(path, 2013.9) == pytest.approx(12) and lever_paths.value_at(path, 2014) == 8
    assert lever_paths.value_at(path, 2015) == 4
    level = declaration.member_constants({"car plate quota": LeverPath.at_points({2013: 8})}, inputs[["car plate quota"]])
    assert lever_paths.value_at(_member_path(level, "car plate quota"), 2011) == 6


# -- the command line ------------------------------------------------------------------------------
def test_cli_levers_shows_planner_units_and_the_default_path(capsys):
    from model.cli.main import main

    assert main(["levers"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0]
    assert "default path" in header
    row = next(line for line in out.splitlines() if line.startswith("population control"))
    assert " % " in row and " 80 " in row  # 0.8 shown as 80 %
    assert main(["levers", "--csv"]) == 0
    table = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert table.set_index("name").loc["RD intensity target", "target_year"] == 2015
    assert table.set_index("name").loc["population control", "display_unit"] == "%"


def test_cli_runs_and_validates_scenarios_with_paths(tmp_path, capsys):
    from model.cli.main import main

    good = _scenario(tmp_path, "good", "  population control: {value: 0.3, from: 2014, ramp: 2}\n"
                                       "  car plate quota: {points: {2013: 10, 2016: 6}}\n")
    bad = _scenario(tmp_path, "bad", "  population control: {value: 0.3, from: 2014, ramp: -2}\n")
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "ok      " in out and "ramp = -2" in out
    assert main(["run", str(good), "--out", str(tmp_path / "out"), "--engine", "simlin"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    overrides = manifest["scenarios"][0]["overrides"]
    assert overrides["population control"] == {"value": 0.3, "from": 2014, "ramp": 2}
    assert overrides["car plate quota"] == {"points": {"2013": 10, "2016": 6}}
    capsys.readouterr()
    plan = PROJECT_DIR / "scenarios" / "baseline.yaml"
    assert main(["compare", str(plan), str(good), "--engine", "simlin"]) == 0
    assert "Population control" in capsys.readouterr().out


# -- scripts/lever_paths.py ----------------------------------------------------------------------
OLD_LEVER = """
new lever=
\t0.25
\t~\tDmnl [0,0.5,0.01]
\t~\tA new lever written the old way. Business as usual: 25 percent.
\t|

historical new lever=
\t0.2
\t~\tDmnl
\t~\tBefore the policy start.
\t|

effective new lever=
\tIF THEN ELSE(Time>=policy start time, new lever, historical new lever)
\t~\tDmnl
\t~\tIn force.
\t|
"""


def test_the_conversion_script_turns_an_old_lever_into_knots_idempotently(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("lever_paths_script", PROJECT_DIR / "scripts" / "lever_paths.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    text = MODEL_FILE.read_text(encoding="utf-8")
    start = "\npolicy start time=\n\t2010\n\t~\tYear\n\t~\tLevers act from 2010.\n\t|\n"
    group = text.index("\t.Levers")
    cut = text.index("|", group) + 1
    old = text[:cut] + start + OLD_LEVER + text[cut:]
    new, removed, levers = script.convert_text(old)
    assert levers == ["new lever"] and set(removed) == {"historical new lever", "policy start time"}
    again, removed_again, levers_again = script.convert_text(new)
    assert again == new and not removed_again and not levers_again  # idempotent
    variables = mdl.parse(new).variables
    knots = [(variables[f"new lever point {k} year"].value, variables[f"new lever point {k} value"].value)
             for k in range(1, 6)]
    assert knots == [(2000, 0.2), (2010, 0.2), (2010, 0.25), (2010, 0.25), (2010, 0.25)]  # history, then the lever
    assert variables["new lever point 1 value"].limits == (0, 0.5, 0.01)
    assert variables["effective new lever"].group == "Levers"
    file = tmp_path / "shanghai.mdl"
    file.write_text(new, encoding="utf-8")
    # the converted file runs: the old policy start's step is now the knots' step
    import pysd

    converted = pysd.read_vensim(str(file))
    result = converted.run(return_columns=["effective new lever"], final_time=2012)
    assert list(result["effective new lever"]) == pytest.approx([0.25, 0.25, 0.25])


def test_the_conversion_script_names_the_new_variables_in_chinese():
    import importlib.util

    import yaml

    spec = importlib.util.spec_from_file_location("lever_paths_script", PROJECT_DIR / "scripts" / "lever_paths.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    words = ("# header\nnew lever:\n  name: 新杠杆\n  comment: 新杠杆，2010年为25%。\n"
             "historical new lever:\n  name: 历史新杠杆\n  comment: 政策开始前。\n"
             "policy start time:\n  name: 政策开始时间\n  comment: 2010年末。\n")
    out = script.update_chinese(words, ["new lever"], ["historical new lever", "policy start time"], {"new lever": "新杠杆"})
    table = yaml.safe_load(out)
    assert out.startswith("# header\n")
    assert set(table) == {f"new lever point {k} {part}" for k in range(1, 6) for part in ("year", "value")}
    assert table["new lever point 1 value"]["comment"] == "新杠杆，2010年为25%。"  # the lever's own words, numbers kept
    assert table["new lever point 3 year"]["name"] == "新杠杆路径第3点年份"


def test_a_path_is_inherited_through_extends(tmp_path, fast):
    _scenario(tmp_path, "parent", "  population control: {value: 0.3, from: 2014, ramp: 2}\n")
    child = tmp_path / "child.yaml"
    child.write_text(f"name: child\n{HEADER}extends: parent\nlevers:\n  car plate quota: 8\n", encoding="utf-8")
    levers = load_scenario(child, fast).levers
    assert levers == {"population control": LeverPath.from_year(0.3, 2014, 2), "car plate quota": 8}


def test_engines_agree_from_2000_when_an_initial_value_depends_on_a_path(shanghai, fast):
    """INITIAL() of a path-dependent variable (the CO2 inventory scope factor reads the fuel mix
    at the start) is taken at the run's own start year by both engines: a 2000 run starts at
    its initial CO2 whatever the coal path (PySD's tuple start took the 2010 mix: 7 % off)."""
    params = lever_paths.constants("coal share target", ((2000, 0.6), (2010, 0.496), (2010, 0.496),
                                                         (2010, 0.496), (2010, 0.496)))
    columns = ["CO2 emissions", "inventory scope factor", "coal share of energy"]
    a = shanghai.run_variables(initial_year=2000, final_year=2010, params=params, variables=columns)
    b = fast.run_variables(initial_year=2000, final_year=2010, params=params, variables=columns)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9, atol=1e-9)
    start = shanghai.constants()["initial CO2 emissions"]
    assert a.loc[2000, "CO2 emissions"] == pytest.approx(start)
