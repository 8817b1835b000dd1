"""Interface words in Chinese and English (webapp/labels.yaml) and the model's own labels."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

LANGUAGES = ("zh", "en")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
LABELS_FILE = Path(__file__).resolve().parent / "labels.yaml"


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    with open(LABELS_FILE, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    for key, entry in data.items():
        missing = [lang for lang in LANGUAGES if not isinstance(entry, dict) or lang not in entry]
        if missing:
            raise ValueError(f"{LABELS_FILE.name}: '{key}' lacks {missing}")
    return data


def has(key: str) -> bool:
    return key in _labels()


def t(key: str, lang: str, **fields: object) -> str:
    """The interface word ``key`` in ``lang``, with ``{field}`` placeholders filled in."""
    text = _labels()[key][lang]
    return text.format(**fields) if fields else text


def units(text: str, lang: str) -> str:
    """Model units (``wan_car/Year``) in words of ``lang`` (``万辆/年``), token by token."""
    parts = re.split(r"([/*() ])", str(text))
    return "".join(t(f"unit_{part}", lang) if has(f"unit_{part}") else part for part in parts)


def label(meta: Mapping[str, object], lang: str) -> str:
    """A lever's or indicator's label in ``lang`` from its metadata row (label_zh / label_en)."""
    return str(meta[f"label_{lang}"])
