"""Move every lever's knots and ``effective X`` into the ``.Levers`` group of model/shanghai.mdl.

Parts of the model add their levers at the end of their own group (fewer merge conflicts); the
model keeps all levers in one group (tests/test_v2_paths.py). Idempotent.

    PYTHONPATH=. python scripts/levers_group.py
"""
from __future__ import annotations

import re

import yaml

from model.lever_paths import KNOTS, knot_name
from model.paths import LEVERS_FILE, MODEL_FILE

BLOCK = re.compile(r"(?ms)^(?P<name>[^\n*~|{\\][^\n=]*?)\s*=.*?^\t\|\n\n?")
LEVERS_HEADER = "********************************************************\n\t.Levers\n"
SKETCH = "\\\\\\---///"


def lever_names() -> list[str]:
    levers = yaml.safe_load(LEVERS_FILE.read_text(encoding="utf-8"))
    names = []
    for lever in levers:
        for k in range(1, KNOTS + 1):
            names += [knot_name(lever, k, "year"), knot_name(lever, k, "value")]
        names.append(f"effective {lever}")
    return names


def main() -> int:
    text = MODEL_FILE.read_text(encoding="utf-8")
    equations, sketch = text.split(SKETCH, 1)
    head, levers_part = equations.split(LEVERS_HEADER, 1)
    wanted = set(lever_names())
    moved = []

    def take(match: re.Match) -> str:
        if match.group("name").strip() in wanted:
            moved.append(match.group(0).rstrip("\n") + "\n\n")
            return ""
        return match.group(0)

    head = BLOCK.sub(take, head)
    if not moved:
        print("every lever is in the Levers group")
        return 0
    # the Levers group: its header comment block, then the moved levers, then the rest
    control = levers_part.index("********************************************************\n\t.Control")
    levers_body = levers_part[:control].rstrip("\n") + "\n\n" + "".join(moved)
    MODEL_FILE.write_text(head + LEVERS_HEADER + levers_body + levers_part[control:] + SKETCH + sketch,
                          encoding="utf-8")
    print(f"moved {len(moved)} lever variables into the Levers group")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
