"""model/variables_zh.yaml: a Chinese name and comment for every model variable, numbers kept."""
import re

import pytest

from model import PlanSimError
from model import i18n

# Plan and census ordinals are written the Chinese way ("12th plan" -> “十二五”).
ORDINALS = {"十一五": "11", "十二五": "12", "十三五": "13", "第六次": "6"}
POWERS = {"10^4": "万", "10^8": "亿"}  # "10^4 yuan" is 万元, "7 x 10^8 yuan" is 7亿元


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", text))


@pytest.fixture(scope="module")
def doc(shanghai):
    return shanghai.doc


def test_every_variable_has_a_chinese_name_and_comment_and_no_extra(doc):
    words = i18n.variable_words()
    assert set(words) == set(doc["Real Name"])
    for name, entry in words.items():
        assert entry["name"].strip() and entry["comment"].strip(), name
        assert re.search(r"[\u4e00-\u9fff]", entry["name"] + entry["comment"]), name  # Chinese, not a copy


def test_each_comment_keeps_the_numbers_of_the_english_one(doc):
    words = i18n.variable_words()
    lost = {}
    for name, comment in zip(doc["Real Name"], doc["Comment"].fillna("")):
        zh = words[name]["comment"]
        for ordinal, number in ORDINALS.items():
            zh = zh.replace(ordinal, f" {number} ")
        english = str(comment)
        for power, character in POWERS.items():
            if power in english:
                assert character in zh, (name, power)
                english = english.replace(power, " ")
        missing = _numbers(english) - _numbers(zh)
        if missing:
            lost[name] = sorted(missing)
    assert not lost, lost


def test_a_variable_given_twice_is_refused(tmp_path):
    path = tmp_path / "variables_zh.yaml"
    path.write_text("GDP:\n  name: 地区生产总值\n  comment: 实际GDP。\nGDP:\n  name: 生产总值\n  comment: 重复。\n",
                    encoding="utf-8")
    with pytest.raises(PlanSimError, match=r"variables_zh.yaml: line 4: key 'GDP' given twice"):
        i18n.read_variable_words(path)


def test_an_entry_without_a_comment_is_refused(tmp_path):
    path = tmp_path / "variables_zh.yaml"
    path.write_text("GDP:\n  name: 地区生产总值\n", encoding="utf-8")
    with pytest.raises(PlanSimError, match=r"'GDP' lacks \['comment'\]"):
        i18n.read_variable_words(path)
