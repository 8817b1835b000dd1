"""The import rules of the layout (issue 11), checked on the sources: the webapp imports neither
an engine library (``pysd``, ``simlin``) nor ``calibration`` (it takes file paths from
``model.paths``) and reads no private attribute of another object."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from model.paths import PROJECT_DIR

WEBAPP_FILES = [PROJECT_DIR / "app.py", *sorted((PROJECT_DIR / "webapp").glob("*.py"))]
WEBAPP_FORBIDDEN = ("pysd", "simlin", "calibration")


def imported(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports, at any depth (a function's imports too);
    relative imports are resolved against the file's package."""
    package = path.parent.name if (path.parent / "__init__.py").exists() else ""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x / from .x import y: inside the file's package
                base = ".".join(filter(None, [package, base]))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def forbidden(names: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if name.split(".")[0] in roots)


def test_imported_finds_direct_nested_and_relative_imports(tmp_path):
    package = tmp_path / "webapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    source = package / "x.py"
    source.write_text("import pysd.x\nfrom . import runs\ndef f():\n    from calibration.results import A\n")
    assert forbidden(imported(source), WEBAPP_FORBIDDEN) == ["calibration.results", "calibration.results.A", "pysd.x"]
    assert "webapp.runs" in imported(source)


def test_webapp_imports_neither_engine_libraries_nor_calibration():
    found = {str(path.relative_to(PROJECT_DIR)): forbidden(imported(path), WEBAPP_FORBIDDEN)
             for path in WEBAPP_FILES}
    assert {path: names for path, names in found.items() if names} == {}


def test_importing_the_webapp_loads_no_engine_library_nor_calibration():
    """The same rule through every module-level import chain (the webapp's files and the model's)."""
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
