"""The import rules of the layout (README, "Architecture"), read from the source of every module.

declaration -> engines -> experiments -> faces: each layer imports only the layers before it.
Every ``import`` and ``from ... import`` is found by parsing (ast), including those inside
functions, so a lazy import cannot hide a dependency. This is the one test of the import rules
(the webapp's among them).
"""
from __future__ import annotations

import ast
import sys
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("model", "calibration", "webapp", "scripts", "benchmarks", "tests")
# The PySD translation a user may write next to the model file by hand (.gitignore): not ours.
GENERATED = {"model/shanghai.py"}

# What the model is: read from the .mdl and its companion files; runs nothing.
DECLARATION = {"model.declaration", "model.mdl", "model.metadata", "model.errors", "model.i18n",
               "model.paths", "model.datafiles", "model.lever_paths"}
ENGINE_LIBRARIES = {"pysd", "simlin"}
# Third-party libraries an engine module may use besides its own engine library.
ENGINE_ALLOWED_LIBRARIES = {"numpy", "pandas"}
OWN_ENGINE_LIBRARY = {"model.engines.pysd_engine": "pysd", "model.engines.simlin_engine": "simlin"}


def _files() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in FOLDERS:
        files += sorted((ROOT / folder).rglob("*.py"))
    return [f for f in files if f.relative_to(ROOT).as_posix() not in GENERATED
            and "__pycache__" not in f.parts]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = _files()
MODULES = {_module_name(f) for f in FILES}


@lru_cache(maxsize=None)
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``, at any depth."""
    return imports_in(_tree(path), _module_name(path), path.name == "__init__.py")


def imports_in(tree: ast.Module, name: str, is_package: bool) -> list[tuple[int, str]]:
    """The imports of module ``name``; relative imports resolved, ``from . import x`` naming the
    submodule ``x`` when there is one."""
    package = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            submodules = [f"{module}.{alias.name}" for alias in node.names
                          if f"{module}.{alias.name}" in MODULES]
            if node.module or len(submodules) < len(node.names):  # `from . import load`: the package
                found.append((node.lineno, module))
            found += [(node.lineno, sub) for sub in submodules]
    return sorted(found)


def _top(module: str) -> str:
    return module.split(".")[0]


def _project(module: str) -> bool:
    return module in MODULES or _top(module) in {"model", "calibration", "webapp"}


def _by_module(prefix: str) -> list[Path]:
    return [f for f in FILES if _module_name(f) == prefix or _module_name(f).startswith(prefix + ".")]


def _violations(path: Path, allowed) -> str:
    """One line per import of ``path`` that ``allowed(module)`` refuses ("" if none)."""
    return "\n".join(f"{_rel(path)}:{line} imports {module}" for line, module in imports(path)
                     if not allowed(module))


def test_the_rules_see_every_layer():
    """The lists below name real files (a rename must not silently empty a rule)."""
    assert DECLARATION <= MODULES
    assert set(OWN_ENGINE_LIBRARY) <= MODULES and "model.engines" in MODULES
    assert _by_module("webapp") and _by_module("calibration")
    # and the parser sees imports inside functions
    lazy = [m for _, m in imports(ROOT / "model" / "engines" / "pysd_engine.py")]
    assert "pysd" in lazy


@pytest.mark.parametrize("path", [f for f in FILES if _module_name(f) in DECLARATION], ids=_rel)
def test_declaration_imports_only_the_declaration(path):
    """No engine (pysd, simlin, model.engines, model.project), no experiment, no face: within the
    project, only the other declaration modules."""
    def allowed(module):
        if _project(module):
            return module in DECLARATION
        return _top(module) not in ENGINE_LIBRARIES

    found = _violations(path, allowed)
    assert not found, found


@pytest.mark.parametrize("path", _by_module("model.engines"), ids=_rel)
def test_engines_import_only_the_declaration(path):
    """An engine module: the declaration, its own package, numpy, pandas, the standard library
    and its own engine library (pysd_engine: pysd; simlin_engine: simlin)."""
    own = OWN_ENGINE_LIBRARY.get(_module_name(path))

    def allowed(module):
        if _project(module):
            return module in DECLARATION or module == "model.engines" or module.startswith("model.engines.")
        top = _top(module)
        return top in sys.stdlib_module_names or top in ENGINE_ALLOWED_LIBRARIES or top == own

    found = _violations(path, allowed)
    assert not found, found


@pytest.mark.parametrize("path", [ROOT / "app.py", *_by_module("webapp")], ids=_rel)
def test_webapp_imports_no_engine_library_nor_calibration(path):
    """The app runs the model through model.Project; it reads calibration's outputs through
    the model's declared paths, not through the calibration package."""
    found = _violations(path, lambda m: _top(m) not in ENGINE_LIBRARIES | {"calibration"})
    assert not found, found


@pytest.mark.parametrize("path", [f for f in FILES if not _rel(f).startswith(("model/engines/", "tests/"))],
                         ids=_rel)
def test_only_the_engines_import_an_engine_library(path):
    """PySD and pysimlin are used behind the engine interface only (tests may compare with them)."""
    found = _violations(path, lambda m: _top(m) not in ENGINE_LIBRARIES)
    assert not found, found


def _is_pythonpath(node) -> bool:
    return isinstance(node, ast.Constant) and node.value == "PYTHONPATH"


def path_edits(tree: ast.Module) -> list[str]:
    """Lines that change where Python finds modules: sys.path, site.addsitedir, PYTHONPATH."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                (node.value.id, node.attr) in {("sys", "path"), ("site", "addsitedir")}):
            out.append(f"{node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in {"sys", "site"} and any(
                alias.name in {"path", "addsitedir"} for alias in node.names):
            out.append(f"{node.lineno}: from {node.module} import")
        elif isinstance(node, ast.Subscript) and _is_pythonpath(node.slice) or \
                isinstance(node, ast.Dict) and any(_is_pythonpath(key) for key in node.keys) or \
                isinstance(node, ast.keyword) and node.arg == "PYTHONPATH":
            out.append(f"{getattr(node, 'lineno', '?')}: PYTHONPATH")
    return out


@pytest.mark.parametrize("path", FILES, ids=_rel)
def test_no_file_edits_the_module_search_path(path):
    """The packages are found because they are installed (pip install -e .) or in the working
    folder, never by editing sys.path."""
    assert path_edits(_tree(path)) == []


def test_the_checks_see_lazy_imports_and_path_edits():
    source = ast.parse(
        "import os\n"
        "def run():\n"
        "    import sys\n"
        "    from ..declaration import Declaration\n"
        "    from . import base, nothing_here\n"
        "    from simlin._ffi import lib\n"
        "    sys.path.insert(0, '.')\n"
        "    os.environ['PYTHONPATH'] = '.'\n"
        "    env = {'PYTHONPATH': '.'}\n"
        "    env = dict(PYTHONPATH='.')\n")
    assert imports_in(source, "model.engines.fake", is_package=False) == [
        (1, "os"), (3, "sys"), (4, "model.declaration"), (5, "model.engines"), (5, "model.engines.base"),
        (6, "simlin._ffi")]
    assert imports_in(ast.parse("from . import mdl"), "model", is_package=True) == [(1, "model.mdl")]
    assert sorted(path_edits(source)) == ["10: PYTHONPATH", "7: sys.path", "8: PYTHONPATH", "9: PYTHONPATH"]
