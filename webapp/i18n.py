"""Interface words in Chinese and English: the app's own (webapp/labels.yaml) on top of the
words every face shares (model/words.yaml: units, plans, statuses), and the model's labels."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

from model import i18n as shared

LANGUAGES = shared.LANGUAGES
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = shared.DEFAULT_LANGUAGE
LABELS_FILE = Path(__file__).resolve().parent / "labels.yaml"


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    own = shared.read_words(LABELS_FILE)
    both = sorted(set(own) & set(shared.words()))
    if both:
        raise ValueError(f"{LABELS_FILE.name}: {both} already declared in {shared.WORDS_FILE.name}")
    return {**shared.words(), **own}


def has(key: str) -> bool:
    return key in _labels()


def t(key: str, lang: str, **fields: object) -> str:
    """The interface word ``key`` in ``lang``, with ``{field}`` placeholders filled in."""
    text = _labels()[key][lang]
    return text.format(**fields) if fields else text


def units(text: str, lang: str) -> str:
    """A unit in words of ``lang`` (``wan_car/Year`` -> ``万辆/年``), one spelling per language."""
    return shared.unit(text, lang)


def label(meta: Mapping[str, object], lang: str) -> str:
    """A lever's or indicator's label in ``lang`` from its metadata row (label_zh / label_en)."""
    return str(meta[f"label_{lang}"])
