"""Convert levers still written the old way in model/shanghai.mdl into the path (knot) form.

Old form (one lever X)::

    X = 0.31                        ~ units [min,max,step] ~ comment
    historical X = 0.31             ~ units ~ comment
    effective X = IF THEN ELSE(Time>=policy start time, X, historical X)

Path form: five knots ``X point k year`` / ``X point k value`` (k = 1..5) and ``effective X``
piecewise linear through them (see ``model.lever_paths``). The old history holds before the
policy start (knots 1-2 at the historical value), the lever's value from the policy start on
(knots 3-5); when the two are equal the path is constant. ``policy start time`` goes when no
equation names it any more. Chinese names of the new variables are written to
model/variables_zh.yaml (from the lever's label in model/levers.yaml) and the old ones removed.

Idempotent: a file without old-form levers is left as it is.

    python scripts/lever_paths.py          # convert in place
    python scripts/lever_paths.py --check  # exit 1 if a lever is still in the old form
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from model import mdl
from model.lever_paths import KNOTS, effective_equation, knot_name
from model.paths import LEVERS_FILE, MODEL_FILE

VARIABLES_ZH_FILE = MODEL_FILE.parent / "variables_zh.yaml"
START = "policy start time"
OLD_FORM = re.compile(r"^IF THEN ELSE\(\s*Time\s*>=\s*policy start time\s*,\s*(?P<lever>[^,()]+?)\s*,"
                      r"\s*(?P<history>[^,()]+?)\s*\)$", re.IGNORECASE)
HISTORY_START = 2000  # the calibration's first year: knot 1 of a converted path
YEAR_UNITS = "Year [2000,2100,1]"


def _number(x: float) -> str:
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def _block(name: str, equation: str, units: str, comment: str) -> str:
    return f"\n\n{name}=\n\t{equation}\n\t~\t{units}\n\t~\t{comment}\n\t"


def _name_of(piece: str) -> str | None:
    fields = piece.split("~")
    if len(fields) < 3 or "=" not in fields[0]:
        return None
    return " ".join(fields[0].partition("=")[0].split())


def _units_field(piece: str) -> str:
    return " ".join(piece.split("~")[1].split())


def old_levers(text: str) -> list[tuple[str, str, str]]:
    """(effective variable, lever, historical constant) of every lever in the old form."""
    variables = mdl.parse(text).variables
    found = []
    for name, var in variables.items():
        match = OLD_FORM.match(var.equation)
        if match:
            lever, history = (" ".join(match.group(g).split()) for g in ("lever", "history"))
            if variables.get(lever) is not None and variables[lever].kind == "constant":
                found.append((name, lever, history))
    return found


def convert_text(text: str) -> tuple[str, list[str], list[str]]:
    """The model text with every old-form lever in path form; also the variables removed and
    the levers converted."""
    equations, mark, sketch = text.partition(mdl.SKETCH_MARK)
    variables = mdl.parse(text).variables
    found = old_levers(text)
    if not found:
        return text, [], []
    pieces = equations.split("|")
    index = {_name_of(p): k for k, p in enumerate(pieces) if _name_of(p)}
    removed: list[str] = []
    for effective, lever, history in found:
        var, hist = variables[lever], variables.get(history)
        value = var.value
        before = hist.value if hist is not None and hist.kind == "constant" else value
        # (2000, history) (2010, history) then the lever's value from the policy start (2010)
        start = variables[START].value if START in variables else 2010.0
        years = [HISTORY_START, start, start, start, start]
        values = [before, before, value, value, value]
        units = _units_field(pieces[index[lever]])
        plain_units = var.units
        knots = []
        for k in range(1, KNOTS + 1):
            knots.append(_block(knot_name(lever, k, "year"), _number(years[k - 1]), YEAR_UNITS,
                                f"Path of {lever}: year of knot {k} (knot years never decrease)."))
            comment = var.comment if k == 1 else f"Path of {lever}: value of knot {k}."
            knots.append(_block(knot_name(lever, k, "value"), _number(values[k - 1]), units, comment))
        pieces[index[lever]] = "|".join(knots)
        pieces[index[effective]] = _block(
            effective, effective_equation(lever, "\n\t\t"), plain_units,
            f"{lever} in force at Time: piecewise linear through its five knots, held before the first "
            "and after the last (two knots in the same year make a step).")
        if hist is not None and history in index:
            pieces[index[history]] = None
            removed.append(history)
    pieces = [p for p in pieces if p is not None]
    out = "|".join(pieces)
    remaining = mdl.parse(out + mark + sketch).variables
    if START in remaining and not any(START in v.depends for v in remaining.values()):
        k = next(k for k, p in enumerate(pieces) if _name_of(p) == START)
        del pieces[k]
        removed.append(START)
        out = "|".join(pieces)
    out = out.replace("Each lever acts from the policy start time; before it, the historical value applies.",
                      "Each lever is a path through five knots (year, value): the recorded policy up to 2010, "
                      "then the scenario's.")
    return out + mark + sketch, removed, [lever for _, lever, _ in found]


# -- Chinese names (model/variables_zh.yaml, kept as text: entries sorted by name) -----------------
def _entries(text: str) -> tuple[str, dict[str, str]]:
    header, entries, current = [], {}, None
    for line in text.splitlines(keepends=True):
        if line and not line[0].isspace() and not line.startswith("#"):
            current = yaml.safe_load(line.split(":", 1)[0] + ": null")
            current = next(iter(current))
            entries[current] = line
        elif current is None:
            header.append(line)
        else:
            entries[current] += line
    return "".join(header), entries


def _quoted(text: str) -> str:
    return yaml.safe_dump(text, allow_unicode=True, width=10_000).removesuffix("\n...\n").strip()


def update_chinese(text: str, levers: list[str], removed: list[str], labels: dict[str, str]) -> str:
    header, entries = _entries(text)
    for name in removed:
        entries.pop(name, None)
    for lever in levers:
        label = labels.get(lever, lever)
        old = yaml.safe_load(entries.pop(lever, "") or "null") or {}
        first_comment = (old.get(lever) or {}).get("comment") or f"{label}。"
        for k in range(1, KNOTS + 1):
            year, value = knot_name(lever, k, "year"), knot_name(lever, k, "value")
            entries[year] = (f"{year}:\n  name: {_quoted(f'{label}路径第{k}点年份')}\n"
                             f"  comment: {_quoted(f'{label}路径第{k}个节点的年份（节点年份不减）。')}\n")
            comment = first_comment if k == 1 else f"{label}路径第{k}个节点的取值。"
            entries[value] = (f"{value}:\n  name: {_quoted(f'{label}路径第{k}点取值')}\n"
                              f"  comment: {_quoted(comment)}\n")
    return header + "".join(entries[name] for name in sorted(entries))


def _effective_entries(text: str, effective: dict[str, str], labels: dict[str, str]) -> str:
    header, entries = _entries(text)
    for name, lever in effective.items():
        label = labels.get(lever, lever)
        old = (yaml.safe_load(entries.get(name, "null")) or {}).get(name) or {}
        entries[name] = (f"{name}:\n  name: {_quoted(old.get('name') or f'实际{label}')}\n"
                         f"  comment: {_quoted(f'{label}在当期的取值：按五个节点分段线性插值，首个节点之前取首值、末个节点之后取末值（两个节点年份相同即为阶跃）。')}\n")
    return header + "".join(entries[n] for n in sorted(entries))


def convert(model_file: Path = MODEL_FILE, words_file: Path = VARIABLES_ZH_FILE,
            levers_file: Path = LEVERS_FILE) -> list[str]:
    """Convert the files in place; return the levers converted (none: nothing written)."""
    text = model_file.read_text(encoding="utf-8")
    found = old_levers(text)
    new, removed, levers = convert_text(text)
    if not levers:
        return []
    model_file.write_text(new, encoding="utf-8")
    if words_file.exists():
        labels = {name: (meta or {}).get("label_zh", name)
                  for name, meta in (yaml.safe_load(levers_file.read_text(encoding="utf-8")) or {}).items()}
        words = update_chinese(words_file.read_text(encoding="utf-8"), levers, removed, labels)
        words = _effective_entries(words, {effective: lever for effective, lever, _ in found}, labels)
        words_file.write_text(words, encoding="utf-8")
    return levers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a lever is still in the old form")
    args = parser.parse_args(argv)
    if args.check:
        old = old_levers(MODEL_FILE.read_text(encoding="utf-8"))
        for _, lever, _ in old:
            print(f"{MODEL_FILE.name}: lever '{lever}' is still in the old form")
        return 1 if old else 0
    levers = convert()
    print(f"converted {len(levers)} lever(s): {', '.join(levers)}" if levers else "no lever in the old form")
    return 0


if __name__ == "__main__":
    sys.exit(main())
