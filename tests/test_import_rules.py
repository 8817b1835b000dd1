"""The webapp's side of the layout rules, checked at run time: importing it loads neither an
engine library (``pysd``, ``simlin``) nor ``calibration`` through any import chain, and it reads
no private attribute of another object. (The rules on the sources, every layer: test_architecture.py.)"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from model.paths import PROJECT_DIR

WEBAPP_FILES = [PROJECT_DIR / "app.py", *sorted((PROJECT_DIR / "webapp").glob("*.py"))]
WEBAPP_FORBIDDEN = ("pysd", "simlin", "calibration")


def test_importing_the_webapp_loads_no_engine_library_nor_calibration():
    """Through every module-level import chain (the webapp's files and the model's)."""
    modules = ", ".join(f"webapp.{path.stem}" for path in WEBAPP_FILES if path.parent.name == "webapp")
    code = (f"import sys, {modules}\n"
            f"print(sorted({{m for m in sys.modules if m.split('.')[0] in {WEBAPP_FORBIDDEN!r}}}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_webapp_reads_no_private_attribute_of_other_objects():
    """No ``thing._name`` in the webapp except on ``self`` (so none of PySD's or pysimlin's)."""
    found = []
    for path in WEBAPP_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.append(f"{path.relative_to(PROJECT_DIR)}:{node.lineno} .{node.attr}")
    assert found == []
