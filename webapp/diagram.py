"""A stock-flow diagram of one model module, generated from the model file as Graphviz DOT.

Structure comes from ``model.mdl`` (the one reader of model/shanghai.mdl): stocks with their
inflows and outflows, and a causal link from every variable an equation names (a stock's links
are its flows, not its initial value). Each link's polarity is given by the caller (Simlin's
analysis of the file, ``model.engines.simlin_engine.link_polarities``). The module of a variable
is its group in the file; variables of the Levers group are drawn in the module whose variables
they feed. The browser lays the DOT out (``st.graphviz_chart``): no Graphviz install is needed.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Mapping

from model.mdl import ModelText

LEVER_FILL, STOCK_FILL, OUTSIDE_COLOUR, FLOW_COLOUR = "#d9f2d9", "#dce9f7", "#9a9a9a", "#4a6fa5"
HIGHLIGHT_COLOUR = "#d62728"  # a feedback loop drawn on the diagram (the Why? panel's dominant loop)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class StockFlowStructure:
    """Stocks, flows, auxiliaries and links of the model, by Vensim name."""

    def __init__(self, text: ModelText, lever_modules: dict[str, str], modules: tuple[str, ...],
                 polarity: Mapping[tuple[str, str], str] | None = None):
        """``text``: the model file as ``model.mdl.read`` gives it; ``lever_modules``: the module
        of each lever; ``polarity``: (from, to) by name -> 'positive', 'negative' or 'unknown'
        (links it does not name are drawn without a sign)."""
        variables = {n: v for n, v in text.variables.items() if v.kind != "control"}
        self.kind: dict[str, str] = {n: "stock" if v.is_stock else "aux" for n, v in variables.items()}
        self.flow_ends: dict[str, list[str | None]] = {}
        for name in sorted((n for n, v in variables.items() if v.is_stock), key=lambda n: n.lower()):
            for flow in variables[name].inflows:
                self.flow_ends.setdefault(flow, [None, None])[1] = name
            for flow in variables[name].outflows:
                self.flow_ends.setdefault(flow, [None, None])[0] = name
        for name in self.flow_ends:
            self.kind[name] = "flow"
        self.levers = set(lever_modules)
        self.hidden = {n for n, v in variables.items() if v.kind == "constant"} - self.levers
        polarity = polarity or {}
        self.links = [
            (src, name, polarity.get((src, name), "unknown").upper())
            for name, var in variables.items()
            for src in (var.inflows + var.outflows if var.is_stock else var.depends) if src in variables
        ]
        self.units = {n: v.units for n, v in text.variables.items()}
        self.docs = {n: v.comment for n, v in text.variables.items()}
        self.module = self._modules({n: v.group for n, v in text.variables.items()}, lever_modules, modules)

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

    def dot(self, module: str | None, names: dict[str, str] | None = None, units: dict[str, str] | None = None,
            docs: dict[str, str] | None = None, highlight: tuple[str, ...] = ()) -> str:
        """DOT source of one module: its stocks, flows, auxiliaries and levers, and the variables
        of other modules that feed them (grey). ``names``, ``units`` and ``docs`` give the shown
        name, unit and comment of a variable in the reader's language (default: the model's).
        ``highlight``: a feedback loop's variables in order (model names): they and the links
        from each to the next are drawn in red, and every one of them is drawn, whatever its
        module; ``module`` None: the highlighted loop alone."""
        names, units, docs = names or {}, units if units is not None else self.units, docs if docs is not None else self.docs
        inside = {n for n, mods in self.module.items() if module in mods and n not in self.hidden and n in self.kind}
        inside |= {n for n in highlight if n in self.kind}
        loop_links = set(zip(highlight, highlight[1:] + highlight[:1]))
        red = f', color="{HIGHLIGHT_COLOUR}", fontcolor="{HIGHLIGHT_COLOUR}", penwidth=2.5'
        inputs = {s for s, d, _ in self.links if d in inside and s not in inside and s not in self.hidden}
        if module is None:  # the loop alone
            inputs = set()
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
            lines.append(f"  {_quote(name)} [{style}{red if name in highlight else ''}, tooltip={tip}];")
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
            colour = HIGHLIGHT_COLOUR if flow in highlight and (source in highlight or sink in highlight) else FLOW_COLOUR
            lines.append(f'  {ends[0]} -> {_quote(flow)} [penwidth=3, arrowhead=none, color="{colour}"];')
            lines.append(f'  {_quote(flow)} -> {ends[1]} [penwidth=3, color="{colour}"];')
        sign = {"POSITIVE": "+", "NEGATIVE": "−"}
        for src, dst, polarity in self.links:
            if dst in inside and (src in inside or src in inputs) and self.kind.get(dst) != "stock":
                colour = f'{HIGHLIGHT_COLOUR}", penwidth="2' if (src, dst) in loop_links else "#7f7f7f"
                lines.append(
                    f'  {_quote(src)} -> {_quote(dst)} [style=dashed, color="{colour}", arrowsize=0.6, '
                    f'headlabel="{sign.get(polarity, "")}"];'
                )
        lines.append("}")
        return "\n".join(lines)
