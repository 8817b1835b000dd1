"""The model file as documentation: every variable's equation, units, range, comment and group.

Equations are the text of model/shanghai.mdl as PySD's Vensim parser reads it; the group of a
variable is the ``.Name`` section of the file it is defined in (Population, Economy, Energy,
Transport, Levers, Control).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

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
