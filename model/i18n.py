"""Words shown to users in Chinese and English, declared once in model/words.yaml.

``t(key, lang)`` gives a word; ``unit(text, lang)`` gives one spelling per language for every
unit the model uses (indicator units as whole texts, model-file units token by token). The app
adds its own interface words (webapp/labels.yaml) on top of these; the CLI's files use these.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import PlanSimError

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
WORDS_FILE = Path(__file__).resolve().parent / "words.yaml"
VARIABLES_FILE = Path(__file__).resolve().parent / "variables_zh.yaml"
VARIABLE_KEYS = ("name", "comment")


class _NoDuplicatesLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice (plain YAML keeps the last one silently)."""


def _mapping(loader: _NoDuplicatesLoader, node: yaml.MappingNode) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise PlanSimError(f"line {key_node.start_mark.line + 1}: key {str(key)[:80]!r} given twice")
        seen.add(key)
    return loader.construct_mapping(node)


_NoDuplicatesLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _read_entries(path: Path, keys: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``name: {key: text, ...}`` with every key of ``keys`` non-empty; each name once."""
    with open(path, encoding="utf-8") as handle:
        try:
            data = yaml.load(handle, Loader=_NoDuplicatesLoader)  # noqa: S506 - a SafeLoader subclass
        except PlanSimError as err:
            raise PlanSimError(f"{path.name}: {err}") from None
    if not isinstance(data, dict):
        raise PlanSimError(f"{path.name}: expected a mapping of names to {{{', '.join(keys)}}}")
    for key, entry in data.items():
        missing = [k for k in keys if not isinstance(entry, dict) or not entry.get(k)]
        if missing:
            raise PlanSimError(f"{path.name}: '{str(key)[:80]}' lacks {missing}")
    return data


def read_words(path: Path) -> dict[str, dict[str, str]]:
    """A words file: ``key: {zh: ..., en: ...}`` for every key; each key once, both languages."""
    return _read_entries(path, LANGUAGES)


def read_variable_words(path: Path) -> dict[str, dict[str, str]]:
    """A variables file: ``model variable: {name: ..., comment: ...}``; each variable once."""
    return _read_entries(path, VARIABLE_KEYS)


@lru_cache(maxsize=1)
def variable_words() -> dict[str, dict[str, str]]:
    """Chinese short name and comment of each model variable (model/variables_zh.yaml), keyed by
    the variable's name in the PySD doc ("Real Name"); the English ones are the model file's."""
    return read_variable_words(VARIABLES_FILE)


@lru_cache(maxsize=1)
def words() -> dict[str, dict[str, str]]:
    return read_words(WORDS_FILE)


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise PlanSimError(f"language {str(lang)[:20]!r} is not one of {', '.join(LANGUAGES)}")
    return lang


def t(key: str, lang: str, **fields: object) -> str:
    """The word ``key`` in ``lang``, with ``{field}`` placeholders filled in."""
    text = words()[key][check_language(lang)]
    return text.format(**fields) if fields else text


def unit(text: object, lang: str) -> str:
    """One spelling of a unit in ``lang``: ``10^4 persons`` -> ``万人``, ``wan_car/Year`` -> ``万辆/年``."""
    text = str(text)
    table = words()
    whole = f"unit: {text}"
    if whole in table:
        return table[whole][check_language(lang)]
    parts = re.split(r"([/*() ])", text)
    return "".join(table[f"unit_{p}"][lang] if f"unit_{p}" in table else p for p in parts)
