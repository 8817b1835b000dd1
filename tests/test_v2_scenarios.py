"""The shipped scenarios under lever paths: they run on both engines, each lever they set is named
and justified in both languages, every seed section and quotation they cite is in the seed, the
plan scenario delivers its targets, and each lever's plan text is quoted from the seed."""
import os
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from model import lever_paths
from model.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = ROOT / "scenarios"
SHIPPED = sorted(SCENARIO_DIR.glob("*.yaml"))
LEVERS_FILE = ROOT / "model" / "levers.yaml"
# The seed plan proposal, copied into the project (scenarios/seed/); PLANSIM_SEED_TEXT overrides.
SEED_FILE = Path(os.environ.get("PLANSIM_SEED_TEXT", ROOT / "scenarios" / "seed" / "shanghai-12th-fyp-proposal-2010.txt"))
NUMERALS = "一二三四五六七八九十"
CITATION = re.compile(rf"([{NUMERALS}]+)[(（](\d+)[)）]")  # 六(24): chapter 六, item (24)
QUOTE = re.compile(r"“([^”]*)”")  # a quotation of the seed in a Chinese description
NOT_IN_SEED = "规划建议中无"  # a plan_text phrase starting so says what the seed does not contain
PLAN_TEXT_SEPARATOR = re.compile(r"[,;] ")  # ASCII separators: the seed's own text uses ， and 、


def chinese_number(text: str) -> int:
    """一 -> 1, 十 -> 10, 十二 -> 12 (the seed's chapters run to 十二)."""
    digits = {c: i + 1 for i, c in enumerate(NUMERALS)}
    if text.startswith("十"):
        return 10 + (digits[text[1]] if len(text) > 1 else 0)
    return digits[text]


def seed_sections(text: str) -> dict[int, set[int]]:
    """Chapter number -> the item numbers under it, read off the seed's headings (一、 and （4）)."""
    sections: dict[int, set[int]] = {}
    chapter = None
    for line in text.splitlines():
        heading = re.match(rf"^([{NUMERALS}]+)、", line)
        item = re.match(r"^（(\d+)）", line)
        if heading:
            chapter = chinese_number(heading.group(1))
            sections[chapter] = set()
        elif item and chapter is not None:
            sections[chapter].add(int(item.group(1)))
    return sections


def normalised(text: str) -> str:
    """Lower case, hyphens as spaces, single curly quotes as double (a quote inside a quote)."""
    return " ".join(text.lower().replace("-", " ").replace("‘", "“").replace("’", "”").split())


@pytest.fixture(scope="module")
def seed() -> str:
    assert SEED_FILE.is_file(), f"seed plan text not found: {SEED_FILE}"
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def fast(shanghai):
    return shanghai.with_engine("simlin")


@pytest.fixture(scope="module")
def levers_meta() -> dict:
    return yaml.safe_load(LEVERS_FILE.read_text(encoding="utf-8"))


def own_levers(path: Path) -> dict:
    """The levers a file sets itself (not those it inherits through extends)."""
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("levers") or {}


def test_seed_sections_are_read():
    text = "一、A\n（1）x\n（2）y\n十一、B\n（44）z\n"
    assert seed_sections(text) == {1: {1, 2}, 11: {44}}
    assert chinese_number("十二") == 12 and chinese_number("九") == 9


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_cited_section_is_in_the_seed(path, seed):
    sections = seed_sections(seed)
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    for lang in ("zh", "en"):
        cited = CITATION.findall(scenario["description"][lang])
        assert cited, f"{path.name} ({lang}) cites no section"
        for chapter, item in cited:
            assert int(item) in sections.get(chinese_number(chapter), set()), f"{path.name}: {chapter}({item}) is not in the seed"


def test_a_section_not_in_the_seed_is_caught(seed):
    sections = seed_sections(seed)
    assert 24 in sections[6] and 24 not in sections[7]  # 六(24) exists, 七(24) does not
    assert set().union(*sections.values()) == set(range(1, 53))  # items (1)-(52)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_quotations_are_the_seeds_words(path, seed):
    """Every “...” in a Chinese description is the seed's text (…… joins separate phrases)."""
    text = normalised(seed)
    description = yaml.safe_load(path.read_text(encoding="utf-8"))["description"]["zh"]
    quotes = QUOTE.findall(description)  # inner quotes are ‘…’, so a quote ends at its own ”
    assert quotes, f"{path.name} quotes nothing from the seed"
    for quote in quotes:
        for phrase in quote.split("……"):
            assert normalised(phrase) in text, f"{path.name}: “{phrase}” is not in the seed"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_lever_set_is_named_in_both_languages(path, levers_meta):
    description = yaml.safe_load(path.read_text(encoding="utf-8"))["description"]
    en, zh = normalised(description["en"]), description["zh"]
    for lever in own_levers(path):
        meta = levers_meta[lever]
        english = {normalised(lever), normalised(re.sub(r"\s*\(.*?\)", "", meta["label_en"]))}
        assert any(name in en for name in english), f"{path.name}: '{lever}' not named in English ({english})"
        assert meta["label_zh"] in zh, f"{path.name}: '{lever}' not named in Chinese ({meta['label_zh']})"


def test_the_plan_scenario_names_the_levers_it_leaves_at_their_defaults(levers_meta):
    """The plan scenario accounts for every lever: set, or said why it keeps its default."""
    description = yaml.safe_load((SCENARIO_DIR / "plan.yaml").read_text(encoding="utf-8"))["description"]
    for lever, meta in levers_meta.items():
        assert meta["label_zh"] in description["zh"], lever


def test_timing_is_shown_with_paths(shanghai):
    """At least two scenarios give a lever a start year or points (the point of the timing)."""
    timed = [p.stem for p in SHIPPED if any(isinstance(v, dict) for v in own_levers(p).values())]
    assert len(timed) >= 2, timed
    control = load_scenario(SCENARIO_DIR / "population-control.yaml", shanghai).levers["population control"]
    knots = shanghai.lever_path("population control", control)
    assert lever_paths.value_at(knots, lever_paths.model_time(2013)) == 0  # as the plan until 2013
    assert lever_paths.value_at(knots, lever_paths.model_time(2014)) == pytest.approx(0.2)
    assert lever_paths.value_at(knots, lever_paths.model_time(2016)) == pytest.approx(0.35)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_alike_on_both_engines(path, shanghai, fast):
    levers = load_scenario(path, shanghai).levers
    reference = shanghai.run(levers)
    assert len(reference.columns) > 10 and list(reference.index) == list(range(2010, 2021))
    pd.testing.assert_frame_equal(reference, fast.run(levers), rtol=1e-9, atol=1e-9)


def test_the_plan_scenario_meets_its_2015_share_targets(shanghai):
    run = shanghai.run(load_scenario(SCENARIO_DIR / "plan.yaml", shanghai).levers)
    row = run.loc[2015]  # indicators in display units: % of GDP, % of energy
    assert row["rd_share"] == pytest.approx(3.3, abs=0.05)
    assert row["coal_share"] == pytest.approx(40, abs=0.5)
    assert row["nonfossil_share"] == pytest.approx(12, abs=0.5)
    assert run.loc[2012, "coal_share"] > 41  # a ramp from the 2010 mix, not a step in 2011
    baseline = shanghai.run({}).loc[2015]
    assert baseline["coal_share"] > 45  # the recorded 2010 mix held: the plan moves it


def test_the_plan_scenario_sets_no_population_cap(shanghai):
    """九(38) speaks of services, structure and distribution: population control stays at 0."""
    levers = load_scenario(SCENARIO_DIR / "plan.yaml", shanghai).levers
    assert levers["population control"] == 0


def test_plan_texts_are_quoted_from_the_seed(seed, levers_meta):
    text = normalised(seed)
    for lever, meta in levers_meta.items():
        phrases = PLAN_TEXT_SEPARATOR.split(meta["plan_text"])
        quoted = [p for p in phrases if not p.startswith(NOT_IN_SEED)]
        assert quoted, f"{lever}: plan_text quotes nothing from the seed"
        for phrase in quoted:
            assert normalised(phrase) in text, f"{lever}: plan_text '{phrase}' is not in the seed"


def test_plan_text_check_catches_words_not_in_the_seed(seed):
    text = normalised(seed)
    for made_up in ("合理控制人口规模", "投资结构优化", "完善居住证、居转户政策"):  # cited before, not in the seed
        assert normalised(made_up) not in text


# (scenario, lever, +1 if the scenario pushes it above the default path's 2011 value, -1 below)
DIRECTIONS = [
    ("low-carbon", "energy saving effort", +1), ("low-carbon", "capacity retirement rate", +1),
    ("low-carbon", "coal share target", -1), ("low-carbon", "non fossil share target", +1),
    ("service-led", "service sector reform", +1), ("service-led", "tertiary share of investment", +1),
    ("rail-first", "car plate quota", -1), ("rail-first", "rail construction starts plan", +1), ("population-control", "population control", +1),
    ("external-slowdown", "investment rate", -1), ("plan", "hukou conversion rate", +1),
    ("plan", "capacity retirement rate", +1), ("plan", "coal share target", -1),
    ("plan", "non fossil share target", +1),
]


@pytest.mark.parametrize("name, lever, sign", DIRECTIONS, ids=lambda x: str(x))
def test_each_scenario_pushes_its_levers_the_way_its_text_says(shanghai, name, lever, sign):
    """Against the default path (the recorded policy): a recalibrated default must not turn a
    'more effort' scenario into less. Compared in 2020, when every path has reached its level."""
    setting = load_scenario(SCENARIO_DIR / f"{name}.yaml", shanghai).levers[lever]
    year = lever_paths.model_time(2020)
    default = lever_paths.value_at(shanghai.lever_path(lever), year)
    value = lever_paths.value_at(shanghai.lever_path(lever, setting), year)
    assert sign * (value - default) > 0, f"{name}: {lever} = {value} against the default {default}"
