"""Scenario files: the shipped ones load and cite the plan; every bad file gets its message."""
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from model.lever_paths import LeverPath
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
    assert levers["non fossil share target"] == 0.12  # energy sector plan: about 12%, 六(25)
    assert levers["population control"] == 0  # 九(38) sets no cap on the population's size
    defaults = shanghai.levers().set_index("name")["default"]
    # Each pushed in the plan's direction relative to business as usual.
    for lever in ("capacity retirement rate", "service sector reform", "hukou conversion rate"):
        assert levers[lever] > defaults[lever], lever


def test_extends_inherits_then_overrides(shanghai):
    plan = load_scenario(SCENARIO_DIR / "plan.yaml", shanghai)
    rail = load_scenario(SCENARIO_DIR / "rail-first.yaml", shanghai)
    assert rail.extends == "plan"
    assert rail.levers == {**plan.levers, "rail construction starts plan": 150.0,
                           "car plate quota": LeverPath.at_points({2011: 9, 2014: 6})}


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


# -- descriptions and messages in both languages --------------------------------------------------
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]*")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_has_a_chinese_and_an_english_description(path, shanghai):
    scenario = load_scenario(path, shanghai)
    assert scenario.description == scenario.description_en != scenario.description_zh
    for text in (scenario.description_zh, scenario.description_en):
        assert PLAN_SECTION.search(text)
    # Chinese prose (identifiers such as rd_share aside); English prose beside quoted section numbers
    assert len(CJK.findall(scenario.description_zh)) > 3 * len(LATIN_WORD.findall(scenario.description_zh))
    assert len(LATIN_WORD.findall(scenario.description_en)) > len(CJK.findall(scenario.description_en))


def test_a_plain_description_fills_both_languages(tmp_path, shanghai):
    path = tmp_path / "one.yaml"
    path.write_text("name: one\ntitle: {zh: 一, en: One}\ndescription: 只有一种 六(24)\n", encoding="utf-8")
    scenario = load_scenario(path, shanghai)
    assert scenario.description == scenario.description_zh == scenario.description_en == "只有一种 六(24)"


def test_a_bilingual_description_needs_both_languages(tmp_path, shanghai):
    path = tmp_path / "half.yaml"
    path.write_text("name: half\ntitle: {zh: 半, en: Half}\ndescription: {zh: 中文, fr: français}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, shanghai)
    assert "unknown language key 'fr'" in str(caught.value) and "missing 'description.en'" in str(caught.value)
    assert "缺少 'description.en'" in "\n".join(caught.value.messages("zh"))


def test_scenario_to_yaml_writes_a_bilingual_description(tmp_path, shanghai):
    text = scenario_to_yaml("two", "二", "Two", {"zh": "说明", "en": "About"}, {"car plate quota": 9})
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path, shanghai)
    assert (scenario.description_zh, scenario.description_en) == ("说明", "About")


def _error_templates() -> dict:
    from model.i18n import words

    return {key: entry for key, entry in words().items() if key.startswith("error_")}


# Latin words a Chinese message may keep: the file's own keys, argument names, format names.
KEPT_WORDS = {"YAML", "UTF", "kB", "yaml", "name", "title", "description", "extends", "levers", "zh", "en",
              "final_year", "initial_year", "time_step", "params", "null", "true", "false", "n",
              "value", "from", "ramp", "points"}  # the keys of a lever path


def test_every_error_template_has_both_languages_and_the_same_fields():
    import string

    templates = _error_templates()
    assert len(templates) > 40
    for key, entry in templates.items():
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f} for lang in ("zh", "en")}
        assert fields["zh"] == fields["en"], key


def test_every_error_template_the_code_names_is_declared():
    templates = _error_templates()
    code = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "model").rglob("*.py"))
    named = set(re.findall(r"[\"'](error_[a-z_]+[a-z])[\"']", code))
    assert named and not named - set(templates), named - set(templates)


def test_chinese_error_templates_have_no_english_words():
    for key, entry in _error_templates().items():
        text = re.sub(r"\{[a-z_]+\}", "", entry["zh"])
        assert set(LATIN_WORD.findall(text)) <= KEPT_WORDS, (key, entry["zh"])


def _untranslated(message: str, path: Path) -> set:
    """Latin words of a Chinese message outside quoted values, the file name and kept words."""
    text = re.sub(r"/\S+\.yaml", "", message.replace(str(path), ""))  # file names
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "", text)  # quoted values and names
    text = re.sub(r"[\w-]+(?: -> [\w-]+)+", "", text)  # an extends cycle: scenario (file) names
    return set(LATIN_WORD.findall(text)) - KEPT_WORDS - {"True", "False", "None", "nan", "inf"}  # values


@pytest.mark.parametrize("name", sorted(BAD))
def test_chinese_messages_of_every_bad_file_are_chinese(name, shanghai):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BAD_DIR / name, shanghai)
    zh, en = caught.value.messages("zh"), caught.value.messages("en")
    assert len(zh) == len(en) and zh != en and en == caught.value.problems
    for message in zh:
        assert not _untranslated(message, BAD_DIR / name), message
        assert CJK.search(message), message


def test_chinese_messages_of_lever_errors_are_chinese(shanghai):
    from model import LeverError

    for levers in ({"coal share target": 25}, {"car plate quota": "x"}, {"investment rat": 0.3}, [1], {"car plate quota": math.nan}):
        with pytest.raises(LeverError) as caught:
            shanghai.run(levers)
        (message,) = caught.value.messages("zh")
        assert CJK.search(message) and not _untranslated(message, Path("-")), message
