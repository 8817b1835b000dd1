"""The model file as documentation: every variable's equation, units, range, comment and group.

Equations are the text of model/shanghai.mdl as PySD's Vensim parser reads it; the group of a
variable is the ``.Name`` section of the file it is defined in (Population, Economy, Energy,
Transport, Levers, Control). In Chinese the Model tab shows each variable's Chinese name and
comment from model/variables_zh.yaml (``variable_words``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

GROUP_HEADER = re.compile(r"^\*{10,}\s*\n\s*\.(?P<group>[^\n]+?)\s*\n\*{10,}~", re.MULTILINE)


def _groups(text: str, names: list[str]) -> dict[str, str]:
    """Group of each variable: the last group header before its definition."""
    headers = [(m.start(), m.group("group")) for m in GROUP_HEADER.finditer(text)]
    out = {}
    for name in names:
        spaced = r"\s+".join(re.escape(part) for part in name.split())
        found = re.search(rf"^[ \t]*{spaced}[ \t]*(=|\()", text, re.MULTILINE | re.IGNORECASE)
        before = [group for pos, group in headers if found and pos < found.start()]
        out[name] = before[-1] if before else ""
    return out


def equations(mdl_path: Path, doc: pd.DataFrame) -> pd.DataFrame:
    """One row per model variable: name, group, type, equation, units, range, documentation.

    ``doc`` is ``ShanghaiModel.doc`` (PySD's table of the model, indexed by Vensim name); it
    gives the type (Stateful for stocks, Auxiliary, Constant, Lookup) and the units.
    """
    from pysd.translators.vensim.vensim_file import VensimFile

    parsed = VensimFile(str(mdl_path))
    parsed.parse()
    elements = [e for section in parsed.sections for e in section.elements]
    text = Path(mdl_path).read_text(encoding="utf-8")
    groups = _groups(text, [e.name for e in elements])
    rows = []
    for element in elements:
        if element.name not in doc.index:
            continue
        info = doc.loc[element.name]
        limits = info["Limits"]
        shown = [f"{x:g}" for x in limits if pd.notna(x)] if isinstance(limits, tuple) else []
        rows.append({
            "name": element.name,
            "group": groups[element.name],
            "type": info["Type"],
            "equation": " ".join(str(element.expression).split()),
            "units": info["Units"],
            "range": f"[{', '.join(shown)}]" if shown else "",
            "documentation": info["Comment"],
        })
    return pd.DataFrame(rows)


VARIABLES_ZH_FILE = Path(__file__).resolve().parent.parent / "model" / "variables_zh.yaml"


@lru_cache(maxsize=1)
def variable_words_zh() -> dict[str, dict[str, str]]:
    """Chinese name and comment of each model variable (model/variables_zh.yaml:
    ``<variable as in the .mdl>: {name: 中文名, comment: 中文说明}``), through
    ``model.i18n.variable_words`` when the model offers it; empty when there is no such file."""
    from model import i18n as shared

    reader = getattr(shared, "variable_words", None)
    if callable(reader):
        return dict(reader())
    if not VARIABLES_ZH_FILE.is_file():
        return {}
    data = yaml.safe_load(VARIABLES_ZH_FILE.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        return {}
    return {str(name): {k: str(v) for k, v in entry.items() if v} for name, entry in data.items()
            if isinstance(entry, dict)}


def variable_words(lang: str) -> dict[str, dict[str, str]]:
    """Name and comment of each model variable in ``lang`` (the model file's own words are the
    English ones, so English gives an empty table)."""
    return variable_words_zh() if lang == "zh" else {}
