"""The causes of a model variable, two levels deep, read from the model file's equations
(``model.mdl``: the variables each equation names; a stock's causes are its flows), each with
its value in two runs and the change between them."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..mdl import ModelText

DEPTH = 2


@dataclass
class Cause:
    """A variable in the tree: its model name, unit, values in the scenario and in the
    run it is compared against (the year asked), and the variables that drive it."""

    name: str
    units: str
    kind: str
    value: float = float("nan")
    against: float = float("nan")
    children: list["Cause"] = field(default_factory=list)

    @property
    def change(self) -> float:
        """Scenario minus the run compared against (model units)."""
        return self.value - self.against

    @property
    def relative(self) -> float:
        """The change as a fraction of the compared run's value (NaN when that is 0)."""
        return self.change / abs(self.against) if self.against else float("nan")

    def names(self) -> list[str]:
        """Every variable of the tree, this one first (each once)."""
        out = [self.name]
        for child in self.children:
            out += [n for n in child.names() if n not in out]
        return out


def direct_causes(text: ModelText, name: str) -> list[str]:
    """What drives ``name``: a stock's inflows and outflows, otherwise the variables its equation
    names (control times left out)."""
    var = text.variables[name]
    found = var.inflows + var.outflows if var.is_stock else var.depends
    return [n for n in found if n in text.variables and text.variables[n].kind != "control"]


def tree(text: ModelText, name: str, depth: int = DEPTH) -> Cause:
    """The causes tree of ``name``, ``depth`` levels below it (no values yet)."""
    var = text.variables[name]
    node = Cause(name, var.units, var.kind)
    if depth > 0:
        node.children = [tree(text, child, depth - 1) for child in direct_causes(text, name)]
    return node


def fill(node: Cause, scenario: pd.Series, against: pd.Series) -> Cause:
    """Put each variable's value in ``scenario`` and ``against`` (model name -> value) into the
    tree, and order each level by the size of its relative change (largest first)."""
    node.value, node.against = float(scenario[node.name]), float(against[node.name])
    for child in node.children:
        fill(child, scenario, against)
    node.children.sort(key=lambda c: -abs(c.relative) if c.relative == c.relative else 0.0)
    return node
