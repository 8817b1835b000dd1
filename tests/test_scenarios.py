"""Scenario files: the shipped ones load and cite the plan; every bad file gets its message."""
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from model.scenarios import Scenario, ScenarioError, load_scenario, load_scenarios, scenario_to_yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = ROOT / "scenarios"
BAD_DIR = Path(__file__).resolve().parent / "bad_scenarios"
SHIPPED = sorted(SCENARIO_DIR.glob("*.yaml"))
REQUIRED = {"baseline", "plan", "service-led", "low-carbon", "rail-first", "population-control", "external-slowdown"}
PLAN_SECTION = re.compile(r"[一二三四五六七八九十]+\(\d+\)")  # e.g. 六(24) in the seed plan text


def test_the_required_scenarios_are_shipped():
    assert REQUIRED <= {p.stem for p in SHIPPED}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_validates_and_cites_the_plan(path, shanghai):
    scenario = load_scenario(path, shanghai)
    assert scenario.name == path.stem  # extends finds a scenario by its file name
    assert scenario.title_zh and scenario.title_en
    assert PLAN_SECTION.search(scenario.description), "description must cite a section such as 六(24)"
    assert shanghai.validate_levers(scenario.levers) == scenario.levers


def test_baseline_is_the_model_defaults(shanghai):
    baseline = load_scenario(SCENARIO_DIR / "baseline.yaml", shanghai)
    assert baseline.levers == {} and baseline.extends is None


def test_plan_sets_the_levers_at_the_strength_of_the_text(shanghai):
    levers = load_scenario(SCENARIO_DIR / "plan.yaml", shanghai).levers
    assert levers["RD intensity target"] == 0.033  # 一(4): 3.3% of GDP
    assert levers["coal share target"] == 0.40  # energy sector plan: about 40%
    defaults = shanghai.levers().set_index("name")["default"]
    # Each pushed in the plan's direction relative to business as usual.
    for lever in ("energy saving effort", "capacity retirement rate", "service sector reform",
                  "population control", "rail construction starts plan"):
        assert levers[lever] > defaults[lever], lever


def test_extends_inherits_then_overrides(shanghai):
    plan = load_scenario(SCENARIO_DIR / "plan.yaml", shanghai)
    rail = load_scenario(SCENARIO_DIR / "rail-first.yaml", shanghai)
    assert rail.extends == "plan"
    assert rail.levers == {**plan.levers, "rail construction starts plan": 70.0, "car plate quota": 6.0}


def test_three_level_chain(tmp_path, shanghai):
    def write(name, extends, levers):
        parent = f"extends: {extends}\n" if extends else ""
        body = "".join(f"  {k}: {v}\n" for k, v in levers.items())
        (tmp_path / f"{name}.yaml").write_text(
            f"name: {name}\ntitle: {{zh: 甲, en: A}}\ndescription: test\n{parent}levers:\n{body}", encoding="utf-8"
        )

    write("a", None, {"coal share target": 0.4, "car plate quota": 10})
    write("b", "a", {"population control": 0.2})
    write("c", "b", {"coal share target": 0.3})
    c = load_scenario(tmp_path / "c.yaml", shanghai)
    assert c.levers == {"coal share target": 0.3, "car plate quota": 10.0, "population control": 0.2}


# file -> pieces its message must contain: file, key, line, bad value, what is allowed
BAD = {
    "malformed.yaml": ["malformed.yaml: line 3, column 12: malformed YAML in a construct started on line 2",
                       "while parsing a flow mapping"],
    "empty.yaml": ["empty.yaml: empty file", "name, title, description"],
    "not-a-mapping.yaml": ["not-a-mapping.yaml: expected a mapping", "got list"],
    "unknown-key.yaml": ["unknown-key.yaml: line 4: key 'levrs'", "unknown top-level key 'levrs'",
                         "closest valid names: 'levers'"],
    "unknown-lever.yaml": ["unknown-lever.yaml: line 6: key 'levers.coal share'", "unknown lever 'coal share'",
                           "closest valid names: 'coal share target'"],
    "wrong-type.yaml": ["wrong-type.yaml: line 5: key 'levers.rail construction starts plan'",
                        "expected a number (km/year), got str 'seventy'", "allowed range [0, 150] km/year"],
    "bool-value.yaml": ["bool-value.yaml: line 5: key 'levers.population control'", "got bool True",
                        "allowed range [0, 0.8]"],
    "out-of-range.yaml": ["out-of-range.yaml: line 5: key 'levers.coal share target'", "= 0.9",
                          "outside its allowed range [0.2, 0.55]"],
    "nan-value.yaml": ["nan-value.yaml: line 5: key 'levers.energy saving effort'", "nan is not a finite number",
                       "allowed range [0, 0.06] 1/year"],
    "inf-value.yaml": ["inf-value.yaml: line 5: key 'levers.car plate quota'", "inf is not a finite number",
                       "allowed range [0, 40]"],
    "duplicate-lever.yaml": ["duplicate-lever.yaml: line 7, column 3: duplicate key 'coal share target'",
                             "first given on line 5"],
    "duplicate-top-key.yaml": ["duplicate-top-key.yaml: line 4, column 1: duplicate key 'description'",
                               "first given on line 3"],
    "missing-description.yaml": ["missing-description.yaml: missing required key 'description'"],
    "bad-title.yaml": ["bad-title.yaml: line 2: key 'title': missing 'title.en'"],
    "levers-not-mapping.yaml": ["levers-not-mapping.yaml: line 4: key 'levers'",
                                "expected a mapping of lever name to number, got list"],
    "extends-missing.yaml": ["extends-missing.yaml: line 4: key 'extends'", "no scenario 'no-such-scenario'",
                             "no-such-scenario.yaml"],
    "cycle-a.yaml": ["cycle-a.yaml: line 4: key 'extends'", "extends cycle cycle-a -> cycle-b -> cycle-a"],
    "cycle-b.yaml": ["cycle-b.yaml: line 4: key 'extends'", "extends cycle cycle-b -> cycle-a -> cycle-b"],
    "bad-name.yaml": ["bad-name.yaml: line 1: key 'name'", "'my scenario!' is not allowed",
                      "letters, digits, '-' and '_'"],
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_gets_its_message(name, shanghai):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BAD_DIR / name, shanghai)
    message = str(caught.value)
    for piece in BAD[name]:
        assert piece in message
    assert len(caught.value.problems) == 1 or name.startswith("cycle"), caught.value.problems


def test_every_bad_file_is_asserted():
    assert {p.name for p in BAD_DIR.glob("*.yaml")} == set(BAD)
    assert len(BAD) >= 10


def test_all_problems_of_a_file_are_reported_together(tmp_path, shanghai):
    path = tmp_path / "many.yaml"
    path.write_text(
        "name: many\ntitle: {zh: 多, en: Many}\nextra: 1\nlevers:\n"
        "  coal share target: 2\n  population control: '0.1'\n  nonsense lever: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, shanghai)
    problems = caught.value.problems
    assert len(problems) == 5, problems
    joined = "\n".join(problems)
    for piece in ("line 3: key 'extra'", "missing required key 'description'", "line 5: key 'levers.coal share target'",
                  "line 6: key 'levers.population control': expected a number", "line 7: key 'levers.nonsense lever'"):
        assert piece in joined


def test_missing_file(tmp_path, shanghai):
    with pytest.raises(ScenarioError, match="nope.yaml: no such file"):
        load_scenario(tmp_path / "nope.yaml", shanghai)


def test_load_scenarios_rejects_a_name_used_twice(tmp_path, shanghai):
    text = (SCENARIO_DIR / "baseline.yaml").read_text(encoding="utf-8")
    (tmp_path / "baseline.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match="scenario name 'baseline' is also used by"):
        load_scenarios([SCENARIO_DIR / "baseline.yaml", tmp_path / "baseline.yaml"], shanghai)
    assert [s.name for s in load_scenarios(SHIPPED, shanghai)] == [p.stem for p in SHIPPED]


def test_scenario_to_yaml_is_a_file_the_loader_accepts_unchanged(tmp_path, shanghai):
    levers = {"coal share target": np.float64(0.38), "rail construction starts plan": 60, "RD intensity target": 0.1 + 0.2 - 0.3 + 0.033}
    text = scenario_to_yaml("my-run_2", "我的情景: 测试", "My run: a test", "From the app.\nSecond line: 六(24).", levers)
    path = tmp_path / "my-run_2.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_scenario(path, shanghai)
    assert loaded == Scenario("my-run_2", "我的情景: 测试", "My run: a test", "From the app.\nSecond line: 六(24).",
                              None, {k: float(v) for k, v in levers.items()}, path)
    assert "我的情景" in text  # written as UTF-8 text, not escapes
    assert yaml.safe_load(text)["levers"]["rail construction starts plan"] == 60.0


def test_scenario_to_yaml_refuses_what_no_file_can_hold():
    with pytest.raises(ScenarioError, match="use letters, digits"):
        scenario_to_yaml("has space", "甲", "A", "d", {})
    with pytest.raises(ScenarioError, match="not a finite number"):
        scenario_to_yaml("ok", "甲", "A", "d", {"coal share target": math.nan})
