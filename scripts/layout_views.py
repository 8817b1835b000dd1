"""Redraw the sketch (views) of model/shanghai.mdl from its equations: one view per group.

The equations are the source of truth; this script lays out what they say so that Vensim (and
any tool reading the sketch) shows one view per module: stocks as boxes, flows as valves on
pipes (clouds where a flow leaves or enters the model), auxiliaries and constants below, arrows
for every dependency, and variables of other modules as grey shadow variables on the left.

    python scripts/layout_views.py          # rewrite the sketch section in place
    python scripts/layout_views.py --check  # exit 1 if the sketch is out of date
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

MODEL_FILE = Path(__file__).resolve().parent.parent / "model" / "shanghai.mdl"
SKETCH_MARK = "\\\\\\---/// Sketch information"
SKIP_GROUPS = {"Control"}
FONT = "$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0"
STOCK_Y, CLOUD_DY, COLUMN_DX = 260, 130, 300
GRID_TOP, GRID_DX, GRID_DY, GRID_COLUMNS = 480, 230, 55, 6


@dataclass
class Variable:
    name: str
    group: str
    equation: str
    inflows: list[str] = field(default_factory=list)
    outflows: list[str] = field(default_factory=list)

    @property
    def is_stock(self) -> bool:
        return self.equation.lstrip().upper().startswith("INTEG")


def parse(text: str) -> dict[str, Variable]:
    """Variables of the equations section with their group, equation and stock flows."""
    equations = text.split(SKETCH_MARK)[0]
    variables: dict[str, Variable] = {}
    group = ""
    for block in equations.split("|"):
        header = re.search(r"\*{10,}\s*\n\s*\.(\w[\w ]*)\s*\n\s*\*{10,}", block)
        if header:
            group = header.group(1).strip()
            continue
        if "~" not in block or "=" not in block.split("~")[0]:
            continue
        head = block.split("~")[0].replace("{UTF-8}", "")
        name, _, equation = head.partition("=")
        name = " ".join(name.split())
        if not name or group in SKIP_GROUPS:
            continue
        variables[name] = Variable(name, group, " ".join(equation.split()))
    names = sorted(variables, key=len, reverse=True)
    for var in variables.values():
        if var.is_stock:
            rate = var.equation[var.equation.index("(") + 1:].rsplit(",", 1)[0]
            for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", rate):
                term = term.strip()
                if term in variables:
                    (var.outflows if sign == "-" else var.inflows).append(term)
    for var in variables.values():
        var.depends = _references(var.equation, names, var.name)
    return variables


def _references(equation: str, names: list[str], own: str) -> list[str]:
    found, rest = [], f" {equation} "
    for name in names:  # longest first, so that 'x rate' is not also read as 'x'
        pattern = r"(?<![\w])" + re.escape(name) + r"(?![\w])"
        if name != own and re.search(pattern, rest):
            found.append(name)
            rest = re.sub(pattern, " ", rest)
    return found


class View:
    def __init__(self, title: str):
        self.lines = [f"*{title}", FONT]
        self.ids: dict[str, int] = {}
        self.next_id = 1

    def _add(self, line: str) -> int:
        ident = self.next_id
        self.next_id += 1
        self.lines.append(line.format(id=ident))
        return ident

    def variable(self, name: str, x: int, y: int, shape: int, shadow: bool = False) -> int:
        if shadow:
            line = f"10,{{id}},{name},{x},{y},46,19,8,2,0,3,-1,0,0,0,128-128-128,0-0-0,|12||128-128-128"
        elif shape == 3:
            line = f"10,{{id}},{name},{x},{y},46,25,3,3,0,0,0,0,0,0"
        else:
            line = f"10,{{id}},{name},{x},{y},46,19,{shape},3,0,0,-1,0,0,0"
        self.ids[name] = self._add(line)
        return self.ids[name]

    def cloud(self, x: int, y: int) -> int:
        return self._add(f"12,{{id}},48,{x},{y},10,8,0,3,0,0,-1,0,0,0")

    def valve(self, x: int, y: int) -> int:
        return self._add(f"11,{{id}},0,{x},{y},6,8,34,3,0,0,1,0,0,0")

    def pipe(self, valve: int, end: int, x: int, y: int, head: bool) -> None:
        self._add(f"1,{{id}},{valve},{end},{4 if head else 100},0,0,22,0,0,0,-1--1--1,,1|({x},{y})|")

    def arrow(self, source: int, target: int) -> None:
        self._add(f"1,{{id}},{source},{target},0,0,0,0,0,64,0,-1--1--1,,1|(0,0)|")


def layout(variables: dict[str, Variable], group: str) -> list[str]:
    """Sketch lines of one view."""
    view = View(group)
    members = [v for v in variables.values() if v.group == group]
    stocks = [v for v in members if v.is_stock]
    flows = {f for s in stocks for f in s.inflows + s.outflows if variables[f].group == group}
    stock_x = {s.name: 260 + COLUMN_DX * i for i, s in enumerate(stocks)}
    for s in stocks:
        view.variable(s.name, stock_x[s.name], STOCK_Y, 3)
    placed: set[str] = set()
    for s in stocks:
        for direction, names in (("in", s.inflows), ("out", s.outflows)):
            for k, flow in enumerate(names):
                if flow in placed or flow not in flows:
                    continue
                placed.add(flow)
                partner = next((o for o in stocks if o is not s and flow in (o.outflows if direction == "in" else o.inflows)), None)
                if partner is not None:  # pipe between two stocks of this view
                    x, y = (stock_x[s.name] + stock_x[partner.name]) // 2, STOCK_Y + 40 * (k % 2)
                    source, sink = (partner, s) if direction == "in" else (s, partner)
                    valve = view.valve(x, y)
                    view.pipe(valve, view.ids[sink.name], stock_x[sink.name], STOCK_Y, head=True)
                    view.pipe(valve, view.ids[source.name], stock_x[source.name], STOCK_Y, head=False)
                else:  # pipe to or from a cloud above (inflows) or below (outflows)
                    x = stock_x[s.name] + (k - (len(names) - 1) / 2) * 70
                    dy = -CLOUD_DY if direction == "in" else CLOUD_DY
                    x, y = int(x), STOCK_Y + dy // 2
                    cloud = view.cloud(x, STOCK_Y + dy)
                    valve = view.valve(x, y)
                    view.pipe(valve, view.ids[s.name], x, STOCK_Y, head=direction == "in")
                    view.pipe(valve, cloud, x, STOCK_Y + dy, head=direction == "out")
                view.variable(flow, x + 45, y + 16, 40)
    others = [v for v in members if not v.is_stock and v.name not in placed]
    for i, var in enumerate(others):
        row, col = divmod(i, GRID_COLUMNS)
        view.variable(var.name, 180 + GRID_DX * col, GRID_TOP + GRID_DY * row, 8)
    shadows = sorted({d for v in members for d in v.depends if d not in view.ids and d in variables})
    for i, name in enumerate(shadows):
        view.variable(name, 40, 120 + 45 * i, 8, shadow=True)
    for var in members:
        for dep in var.depends:
            if dep in view.ids and var.name in view.ids and dep not in var.inflows + var.outflows:
                view.arrow(view.ids[dep], view.ids[var.name])
    return view.lines


def sketch(text: str) -> str:
    variables = parse(text)
    groups = list(dict.fromkeys(v.group for v in variables.values()))
    lines = []
    for group in groups:  # every view opens with the sketch header
        lines += [SKETCH_MARK + " - do not modify anything except names",
                  "V300  Do not put anything below this section - it will be ignored"]
        lines += layout(variables, group)
    lines += ["///---\\\\\\", ":L<%^E!@", "9:Current", "15:0,0,0,0,0,0", "19:100,0", "5:GDP", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the sketch is out of date")
    args = parser.parse_args(argv)
    text = MODEL_FILE.read_text(encoding="utf-8")
    updated = text.split(SKETCH_MARK)[0] + sketch(text)
    if args.check:
        return 0 if updated == text else 1
    MODEL_FILE.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
