"""The model file as documentation: every variable's equation, units, range, comment and group.

Read by ``model.mdl`` (the one reader of model/shanghai.mdl): the group of a variable is the
``.Name`` section of the file it is defined in (Population, Economy, Energy, Transport, Levers,
Control). In Chinese the Model tab shows each variable's Chinese name and comment from
model/variables_zh.yaml (``variable_words``).
"""
from __future__ import annotations

import math

import pandas as pd

from model import i18n as shared
from model.mdl import ModelText


def equations(text: ModelText, doc: pd.DataFrame) -> pd.DataFrame:
    """One row per model variable, in file order: name, group, type, equation, units, range,
    documentation. ``doc`` is the declaration's PySD-style table (``Project.doc``, indexed by
    name); it gives the type (Stateful for stocks, Auxiliary, Constant)."""
    rows = []
    for var in text.variables.values():
        shown = [f"{x:g}" for x in var.limits or () if not math.isnan(x)]
        rows.append({
            "name": var.name,
            "group": var.group,
            "type": doc.loc[var.name, "Type"],
            "equation": var.equation,
            "units": var.units,
            "range": f"[{', '.join(shown)}]" if shown else "",
            "documentation": var.comment,
        })
    return pd.DataFrame(rows)


def variable_words_zh() -> dict[str, dict[str, str]]:
    """Chinese name and comment of each model variable (model/variables_zh.yaml:
    ``<variable as in the .mdl>: {name: 中文名, comment: 中文说明}``)."""
    return shared.variable_words()


def variable_words(lang: str) -> dict[str, dict[str, str]]:
    """Name and comment of each model variable in ``lang`` (the model file's own words are the
    English ones, so English gives an empty table)."""
    return variable_words_zh() if lang == "zh" else {}
