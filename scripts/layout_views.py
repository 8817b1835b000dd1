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
import dataclasses
import sys

from model import mdl
from model.paths import MODEL_FILE

SKETCH_MARK = "\\\\\\---/// Sketch information"
SKIP_GROUPS = {"Control"}
FONT = "$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0"
STOCK_Y, CLOUD_DY, COLUMN_DX = 260, 130, 300
GRID_TOP, GRID_DX, GRID_DY, GRID_COLUMNS = 480, 230, 55, 6


def parse(text: str) -> dict[str, mdl.Variable]:
    """The variables drawn (all but the Control group's), read by ``model.mdl``. Each one's
    ``depends`` lists the drawn variables its equation names, longest names first (the order
    the arrows are written in)."""
    drawn = {n: v for n, v in mdl.parse(text, MODEL_FILE).variables.items() if v.group not in SKIP_GROUPS}
    rank = {name: k for k, name in enumerate(sorted(drawn, key=len, reverse=True))}
    return {n: dataclasses.replace(v, depends=sorted((d for d in v.depends if d in drawn), key=rank.get))
            for n, v in drawn.items()}


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


def layout(variables: dict[str, mdl.Variable], group: str) -> list[str]:
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
