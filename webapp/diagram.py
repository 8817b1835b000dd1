"""A stock-flow diagram of one model module, generated from the model file as Graphviz DOT.

Structure comes from Simlin's reading of model/shanghai.mdl (stocks with their inflows and
outflows, and every causal link with its polarity); the module of a variable is its group in the
file (see ``modeldoc``). Variables of the Levers group are drawn in the module whose variables
they feed. The browser lays the DOT out (``st.graphviz_chart``): no Graphviz install is needed.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd

from model.fast import simlin_ident

LEVER_FILL, STOCK_FILL, OUTSIDE_COLOUR, FLOW_COLOUR = "#d9f2d9", "#dce9f7", "#9a9a9a", "#4a6fa5"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class StockFlowStructure:
    """Stocks, flows, auxiliaries and links of the model, by Vensim name."""

    def __init__(self, mdl_path: Path, equations: pd.DataFrame, lever_modules: dict[str, str], modules: tuple[str, ...]):
        import simlin

        sim = simlin.load(Path(mdl_path))
        name_of = {simlin_ident(n): n for n in equations["name"]}
        self.kind: dict[str, str] = {}
        self.flow_ends: dict[str, list[str | None]] = {}
        for var in sim.variables:
            name = name_of.get(simlin_ident(var.name))
            if name is None:
                continue
            kind = type(var).__name__.lower()
            self.kind[name] = kind
            if kind == "stock":
                for flow in var.inflows:
                    self.flow_ends.setdefault(name_of[simlin_ident(flow)], [None, None])[1] = name
                for flow in var.outflows:
                    self.flow_ends.setdefault(name_of[simlin_ident(flow)], [None, None])[0] = name
        for name in self.flow_ends:
            self.kind[name] = "flow"
        constant = set(equations.loc[equations["type"] == "Constant", "name"])
        self.levers = set(lever_modules)
        self.hidden = constant - self.levers
        self.links = [
            (name_of[simlin_ident(link.from_var)], name_of[simlin_ident(link.to_var)], link.polarity.name)
            for link in sim.get_links()
            if simlin_ident(link.from_var) in name_of and simlin_ident(link.to_var) in name_of
        ]
        self.units = dict(zip(equations["name"], equations["units"]))
        self.docs = dict(zip(equations["name"], equations["documentation"]))
        self.module = self._modules(dict(zip(equations["name"], equations["group"])), lever_modules, modules)

    def _modules(self, groups: dict[str, str], lever_modules: dict[str, str], modules: tuple[str, ...]) -> dict[str, set[str]]:
        """Module(s) of each variable: its group; for other groups, the modules of what it feeds."""
        feeds = defaultdict(set)
        for src, dst, _ in self.links:
            feeds[src].add(dst)
        memo: dict[str, set[str]] = {}

        def of(name: str, seen: frozenset = frozenset()) -> set[str]:
            if name in memo:
                return memo[name]
            group = groups.get(name, "").lower()
            if name in lever_modules:
                found = {lever_modules[name]}
            elif group in modules:
                found = {group}
            else:
                found = set().union(*(of(d, seen | {name}) for d in feeds[name] if d not in seen))
            memo[name] = found
            return found

        return {name: of(name) for name in groups}

    def dot(self, module: str, names: dict[str, str] | None = None, units: dict[str, str] | None = None,
            docs: dict[str, str] | None = None) -> str:
        """DOT source of one module: its stocks, flows, auxiliaries and levers, and the variables
        of other modules that feed them (grey). ``names``, ``units`` and ``docs`` give the shown
        name, unit and comment of a variable in the reader's language (default: the model's)."""
        names, units, docs = names or {}, units if units is not None else self.units, docs if docs is not None else self.docs
        inside = {n for n, mods in self.module.items() if module in mods and n not in self.hidden and n in self.kind}
        inputs = {s for s, d, _ in self.links if d in inside and s not in inside and s not in self.hidden}
        lines = [
            "digraph model {",
            '  graph [rankdir=TB, fontname="sans-serif", nodesep=0.3, ranksep=0.4];',
            '  node [fontname="sans-serif", fontsize=10];',
            '  edge [fontname="sans-serif", fontsize=9];',
        ]
        for name in sorted(inside | inputs):
            shown = names.get(name, name)
            tip = _quote(f"{shown} [{units.get(name, '')}]: {docs.get(name, '')}")
            kind = self.kind.get(name, "aux")
            if name in inputs:
                style = f'shape=plaintext, fontcolor="{OUTSIDE_COLOUR}", label={_quote(shown)}'
            elif kind == "stock":
                style = f'shape=box, style="filled", fillcolor="{STOCK_FILL}", penwidth=1.5, label={_quote(shown)}'
            elif kind == "flow":  # a valve on the pipe, named beside it
                style = f'shape=circle, label="", width=0.2, fixedsize=true, color="{FLOW_COLOUR}", xlabel={_quote(shown)}'
            elif name in self.levers:
                style = f'shape=box, style="rounded,filled", fillcolor="{LEVER_FILL}", label={_quote(shown)}'
            else:
                style = f"shape=plaintext, label={_quote(shown)}"
            lines.append(f"  {_quote(name)} [{style}, tooltip={tip}];")
        cloud = 0
        for flow, (source, sink) in self.flow_ends.items():
            if flow not in inside:
                continue
            ends = []
            for end in (source, sink):
                if end is None or end not in inside:
                    cloud += 1
                    end = f"cloud{cloud}"
                    lines.append(f'  {end} [shape=ellipse, style=dashed, label="", width=0.35, height=0.2, color="{OUTSIDE_COLOUR}"];')
                ends.append(_quote(end))
            lines.append(f'  {ends[0]} -> {_quote(flow)} [penwidth=3, arrowhead=none, color="{FLOW_COLOUR}"];')
            lines.append(f'  {_quote(flow)} -> {ends[1]} [penwidth=3, color="{FLOW_COLOUR}"];')
        sign = {"POSITIVE": "+", "NEGATIVE": "−"}
        for src, dst, polarity in self.links:
            if dst in inside and (src in inside or src in inputs) and self.kind.get(dst) != "stock":
                lines.append(
                    f'  {_quote(src)} -> {_quote(dst)} [style=dashed, color="#7f7f7f", arrowsize=0.6, '
                    f'headlabel="{sign.get(polarity, "")}"];'
                )
        lines.append("}")
        return "\n".join(lines)
