"""Scenario files (``scenarios/*.yaml``): load, validate, resolve ``extends``, write.

A scenario file names the plan text it stands for and lists only the levers that differ from
its parent (``extends``) or, without a parent, from the model defaults::

    name: rail-first
    title: {zh: 轨道交通优先, en: Rail-first transport}
    description: 六(24) 落实公交优先发展战略 ...
    extends: plan
    levers:
      rail construction starts plan: 70   # km/Year
      car plate quota: 6                  # 10^4 cars/Year

Lever values are numbers in the lever's own units (``python -m model levers``). Every problem is
reported with the file, the key (``levers.<lever>``), the line where the YAML parser gives it,
the bad value and what is allowed; one file's problems are collected and raised together as
one ``ScenarioError`` whose ``problems`` lists them. ``extends: other`` reads ``other.yaml``
from the folder of the extending file.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

import yaml

from .errors import LeverError, PlanSimError
from .metadata import unknown_name_message

if TYPE_CHECKING:
    from .engine import ShanghaiModel

TOP_LEVEL_KEYS = ("name", "title", "description", "extends", "levers")
REQUIRED_KEYS = ("name", "title", "description")
TITLE_KEYS = ("zh", "en")
# Names become file names (extends) and column labels: keep them plain.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
SUFFIX = ".yaml"


class ScenarioError(PlanSimError):
    """One or more problems in scenario files; ``problems`` lists each as one line of text."""

    def __init__(self, problems: str | Iterable[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Scenario:
    """A scenario as loaded: ``levers`` holds every override, inherited ones included."""

    name: str
    title_zh: str
    title_en: str
    description: str
    extends: str | None
    levers: dict[str, float] = field(default_factory=dict)
    path: Path | None = None


# -- YAML: safe loader that refuses duplicate keys and remembers the line of every key ----------
class _Mapping(dict):
    """A dict that knows the 1-based line of each of its keys in the YAML text."""

    lines: dict


class _DuplicateKey(yaml.MarkedYAMLError):
    """A key given twice in one mapping (YAML allows the parser to keep the last silently)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are ``_Mapping``s and which rejects duplicate keys."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode):
    data = _Mapping()
    data.lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value, not a list or mapping", key_node.start_mark
            ) from None
        line = key_node.start_mark.line + 1
        if key in data:
            raise _DuplicateKey(
                None, None, f"duplicate key {key!r} (first given on line {data.lines[key]})", key_node.start_mark
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = line


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse(path: Path, text: str):
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        if isinstance(err, _DuplicateKey):
            raise ScenarioError(f"{path}: {where}{err.problem}") from None
        context = ""
        if err.context:
            started = f" (started on line {err.context_mark.line + 1})" if err.context_mark else ""
            context = f"{err.context}{started}: "
        raise ScenarioError(f"{path}: {where}malformed YAML: {context}{err.problem}") from None
    except yaml.YAMLError as err:
        raise ScenarioError(f"{path}: malformed YAML: {err}") from None


# -- validation ----------------------------------------------------------------------------------
def _default_model() -> "ShanghaiModel":
    from . import _shared

    return _shared()


def _type_name(value: object) -> str:
    return "nothing (null)" if value is None else type(value).__name__


def _where(path: Path, data: Mapping, key: object, prefix: str = "") -> str:
    line = getattr(data, "lines", {}).get(key)
    return f"{path}: " + (f"line {line}: " if line else "") + f"key '{prefix}{key}'"


def _check_text(path: Path, data: Mapping, key: str, problems: list[str], prefix: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{_where(path, data, key, prefix)}: expected non-empty text, got {_type_name(value)} {value!r}")
        return ""
    return value.strip()


def _check_levers(path: Path, data: Mapping, shanghai: "ShanghaiModel", problems: list[str]) -> dict[str, float]:
    levers = data.get("levers")
    if levers is None:  # "levers:" with nothing under it, or no key: no overrides
        return {}
    if not isinstance(levers, Mapping):
        problems.append(
            f"{_where(path, data, 'levers')}: expected a mapping of lever name to number, "
            f"got {_type_name(levers)} {levers!r}"
        )
        return {}
    table = shanghai.levers().set_index("name")
    checked: dict[str, float] = {}
    for name, value in levers.items():
        where = _where(path, levers, name, "levers.")
        if name in table.index and (isinstance(value, bool) or not isinstance(value, (int, float))):
            row = table.loc[name]
            problems.append(
                f"{where}: expected a number in {row['units']}, got {_type_name(value)} {value!r}; "
                f"allowed range [{row['min']:g}, {row['max']:g}] {row['units']}"
            )
            continue
        try:  # names, finiteness and ranges: the model's own check, one lever at a time
            checked.update(shanghai.validate_levers({name: value}))
        except LeverError as err:
            problems.append(f"{where}: {err}")
    return checked


def _read(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read: {err.strerror}") from None
    data = _parse(path, text)
    if data is None:
        raise ScenarioError(
            f"{path}: empty file; expected a mapping with keys {', '.join(REQUIRED_KEYS)} and optional extends, levers"
        )
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{path}: expected a mapping (key: value lines) at the top level, got {_type_name(data)}")
    return data


def _load(path: Path, shanghai: "ShanghaiModel", chain: tuple[Path, ...]) -> Scenario:
    data = _read(path)
    problems: list[str] = []
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problems.append(f"{_where(path, data, key)}: {unknown_name_message('top-level key', key, TOP_LEVEL_KEYS)}")
    for key in REQUIRED_KEYS:
        if key not in data:
            problems.append(f"{path}: missing required key '{key}'")

    name = _check_text(path, data, "name", problems) if "name" in data else ""
    if name and not NAME_PATTERN.match(name):
        problems.append(
            f"{_where(path, data, 'name')}: {name!r} is not allowed; use letters, digits, '-' and '_' "
            "(the name is the file name other scenarios extend)"
        )
    title_zh = title_en = ""
    if "title" in data:
        title = data["title"]
        if not isinstance(title, Mapping):
            problems.append(f"{_where(path, data, 'title')}: expected a mapping with keys zh and en, got {_type_name(title)} {title!r}")
        else:
            for key in title:
                if key not in TITLE_KEYS:
                    problems.append(f"{_where(path, title, key, 'title.')}: {unknown_name_message('title key', key, TITLE_KEYS)}")
            for key in TITLE_KEYS:
                if key not in title:
                    problems.append(f"{_where(path, data, 'title')}: missing 'title.{key}'")
            title_zh = _check_text(path, title, "zh", problems, "title.") if "zh" in title else ""
            title_en = _check_text(path, title, "en", problems, "title.") if "en" in title else ""
    description = _check_text(path, data, "description", problems) if "description" in data else ""

    inherited: dict[str, float] = {}
    parent_name = data.get("extends")
    if parent_name is not None:
        if not isinstance(parent_name, str) or not NAME_PATTERN.match(parent_name):
            problems.append(f"{_where(path, data, 'extends')}: expected a scenario name, got {_type_name(parent_name)} {parent_name!r}")
        else:
            inherited = _load_parent(path, data, parent_name, shanghai, chain, problems)

    own = _check_levers(path, data, shanghai, problems)
    if problems:
        raise ScenarioError(problems)
    return Scenario(name, title_zh, title_en, description, parent_name, {**inherited, **own}, path)


def _load_parent(path, data, parent_name, shanghai, chain, problems) -> dict[str, float]:
    where = _where(path, data, "extends")
    parent_path = path.parent / f"{parent_name}{SUFFIX}"
    if parent_path.resolve() in chain:
        names = " -> ".join(p.stem for p in (*chain, parent_path.resolve()))
        problems.append(f"{where}: extends cycle {names}")
        return {}
    if not parent_path.is_file():
        others = sorted(p.stem for p in path.parent.glob(f"*{SUFFIX}") if p.resolve() != path.resolve())
        close = difflib.get_close_matches(parent_name, others, n=3, cutoff=0.5)
        hint = f"closest: {', '.join(map(repr, close))}" if close else f"scenarios there: {', '.join(map(repr, others)) or 'none'}"
        problems.append(f"{where}: no scenario {parent_name!r} (looked for {parent_path}); {hint}")
        return {}
    try:
        parent = _load(parent_path, shanghai, chain + (parent_path.resolve(),))
    except ScenarioError as err:
        problems.append(f"{where}: parent scenario {parent_name!r} is invalid:")
        problems.extend(f"  {line}" for line in err.problems)
        return {}
    if parent.name != parent_name:
        problems.append(f"{where}: file {parent_path.name} names itself {parent.name!r}, not {parent_name!r}")
    return parent.levers


def load_scenario(path: str | Path, model: "ShanghaiModel | None" = None) -> Scenario:
    """Read and validate one scenario file; inherited levers are resolved into ``levers``.

    Levers are checked against ``model`` (default: the package's shared model). Raises
    ``ScenarioError`` listing every problem found in the file.
    """
    path = Path(path)
    return _load(path, model or _default_model(), (path.resolve(),))


def load_scenarios(paths: Iterable[str | Path], model: "ShanghaiModel | None" = None) -> list[Scenario]:
    """Load several files; raise one ``ScenarioError`` listing the problems of all of them
    (and any scenario name used by two files)."""
    shanghai = model or _default_model()
    scenarios, problems, seen = [], [], {}
    for path in paths:
        try:
            scenario = load_scenario(path, shanghai)
        except ScenarioError as err:
            problems.extend(err.problems)
            continue
        if scenario.name in seen:
            problems.append(f"{path}: key 'name': scenario name {scenario.name!r} is also used by {seen[scenario.name]}")
            continue
        seen[scenario.name] = path
        scenarios.append(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenarios


def scenario_to_yaml(name: str, title_zh: str, title_en: str, description: str, levers: Mapping[str, float]) -> str:
    """A scenario file (no ``extends``) with ``levers`` as its overrides, loadable unchanged.

    Values are written as plain floats (numpy numbers are converted); names are not checked
    against the model here: ``load_scenario`` checks them when the file is read.
    """
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ScenarioError(f"scenario name {name!r}: use letters, digits, '-' and '_'")
    numbers = {}
    for lever, value in levers.items():
        number = float(value)
        if not math.isfinite(number):
            raise ScenarioError(f"lever {lever!r} = {value!r} is not a finite number")
        numbers[str(lever)] = number
    document = {
        "name": name,
        "title": {"zh": title_zh, "en": title_en},
        "description": description,
        "levers": numbers,
    }
    header = "# PlanSim Shanghai scenario. Levers not listed take their model defaults.\n"
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
