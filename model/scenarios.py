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

Lever values are numbers in the lever's own units (``python -m model levers``), or paths
(``model.lever_paths``): ``{value: 0.3, from: 2014, ramp: 2}`` or ``{points: {2014: 0.1, 2016: 0.3}}``;
``Scenario.levers`` holds a float for a number and a ``LeverPath`` for a path. Every problem is
reported with the file, the key (``levers.<lever>``), the line where the YAML parser gives it,
the bad value and what is allowed; one file's problems are collected and raised together as
one ``ScenarioError`` whose ``problems`` lists them (``messages("zh")`` in Chinese).
``extends: other`` reads ``other.yaml`` from the folder of the extending file, else from the
shipped scenarios/ folder.

Any content gives a Scenario or a ScenarioError, quickly and with a short message: only regular
files of at most ``MAX_BYTES`` are read; YAML is read with the 1.2 core schema, without aliases
(a few hundred bytes of nested aliases expand to gigabytes), at most ``MAX_DEPTH`` levels deep.
"""
from __future__ import annotations

import difflib
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

import yaml

from .errors import (LeverError, PlanSimError, Problem, TypeName, Unit, Word, lever_range, names, quote,
                     unknown_name)
from .lever_paths import LeverPath
from .paths import PROJECT_DIR

if TYPE_CHECKING:
    from .declaration import Declaration

TOP_LEVEL_KEYS = ("name", "title", "description", "extends", "levers")
REQUIRED_KEYS = ("name", "title", "description")
TITLE_KEYS = ("zh", "en")
# Names become file names (extends) and column labels: keep them plain and short.
NAME_LIMIT = 100
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,%d}$" % (NAME_LIMIT - 1))
SUFFIX = ".yaml"
SHIPPED_DIR = PROJECT_DIR / "scenarios"  # searched for ``extends`` after the file's own folder
MAX_BYTES = 100_000  # a scenario file is a few hundred bytes; anything this big is a mistake
MAX_DEPTH = 20  # nesting of lists and mappings (a scenario needs 3)
MAX_EXTENDS = 10  # length of an extends chain
MAX_NUMBER_CHARS = 40  # characters of one number (no lever needs more than a few digits)


class ScenarioError(PlanSimError):
    """One or more problems in scenario files; ``problems`` lists each as one line of English,
    ``messages(lang)`` in Chinese or English (see ``model.errors``)."""


@dataclass
class Scenario:
    """A scenario as loaded: ``levers`` holds every override, inherited ones included.

    ``description`` is the English text (as before); ``description_zh`` and ``description_en``
    hold both languages (a file with one plain-text description gives it in both).
    """

    name: str
    title_zh: str
    title_en: str
    description: str
    extends: str | None
    levers: "dict[str, float | LeverPath]" = field(default_factory=dict)  # a number, or a path
    path: Path | None = None
    description_zh: str = ""
    description_en: str = ""

    def __post_init__(self):
        self.description_en = self.description_en or self.description
        self.description_zh = self.description_zh or self.description


# -- YAML: a safe loader for the YAML 1.2 core schema, without aliases, bounded ----------------
class _Mapping(dict):
    """A dict that knows the 1-based line of each of its keys in the YAML text."""

    lines: dict


class _Refused(yaml.MarkedYAMLError):
    """Something the scenario loader refuses, as a Problem at the parser's mark."""

    def __init__(self, mark, template: str, **fields):
        super().__init__(None, None, template, mark)
        self.template, self.fields = template, fields


class _Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema (``1:10`` is text, ``4e-1`` is 0.4, only
    true/false are booleans, no dates), string keys only, no duplicate keys, no aliases (a few
    hundred bytes of nested aliases expand to gigabytes) and at most ``MAX_DEPTH`` levels."""

    yaml_implicit_resolvers: dict = {}
    yaml_constructors: dict = {}
    yaml_multi_constructors: dict = {}
    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _Refused(self.peek_event().start_mark, "error_yaml_alias")
        if self._depth >= MAX_DEPTH:
            raise _Refused(self.peek_event().start_mark, "error_too_deep", limit=MAX_DEPTH)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])


def _number_text(loader: _Loader, node: yaml.Node, pattern: re.Pattern, tag: str) -> str:
    text = loader.construct_scalar(node)
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(node.start_mark, "error_number_too_long", length=len(text), limit=MAX_NUMBER_CHARS)
    if not pattern.match(text):
        raise _Refused(node.start_mark, "error_yaml_tag_value", tag=tag, value=quote(text))
    return text


def _construct_int(loader: _Loader, node: yaml.Node) -> int:
    text = _number_text(loader, node, _INT, "!!int")
    return int(text[2:], {"0o": 8, "0x": 16}[text[:2]]) if text[:2] in ("0o", "0x") else int(text)


def _construct_float(loader: _Loader, node: yaml.Node) -> float:
    text = _number_text(loader, node, _FLOAT, "!!float").lower()
    return float(text.replace(".inf", "inf").replace(".nan", "nan"))


def _construct_bool(loader: _Loader, node: yaml.Node) -> bool:
    text = loader.construct_scalar(node)
    if not _BOOL.match(text):
        raise _Refused(node.start_mark, "error_yaml_tag_value", tag="!!bool", value=quote(text))
    return text.lower() == "true"


def _construct_null(loader: _Loader, node: yaml.Node) -> None:
    text = loader.construct_scalar(node)
    if not _NULL.match(text):
        raise _Refused(node.start_mark, "error_yaml_tag_value", tag="!!null", value=quote(text))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode):
    if not isinstance(node, yaml.MappingNode):
        raise _Refused(node.start_mark, "error_yaml_tag_value", tag="!!map", value=quote(node.tag))
    data = _Mapping()
    data.lines = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        # `true:` would be a bool, `0.5:` a float: keys are text, or whole numbers (the years of
        # a lever path's points: `2014: 0.2`)
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise _Refused(key_node.start_mark, "error_key_not_text", type=TypeName(key), value=quote(key))
        line = key_node.start_mark.line + 1
        if key in data:
            raise _Refused(key_node.start_mark, "error_duplicate_key", name=quote(key), first=data.lines[key])
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = line


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode):
    if not isinstance(node, yaml.SequenceNode):
        raise _Refused(node.start_mark, "error_yaml_tag_value", tag="!!seq", value=quote(node.tag))
    data: list = []
    yield data
    data.extend(loader.construct_object(child, deep=True) for child in node.value)


def _construct_str(loader: _Loader, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _Refused(node.start_mark, "error_yaml_tag_value", tag="!!str", value=quote(node.tag))
    return loader.construct_scalar(node)


def _construct_other(loader: _Loader, node: yaml.Node):
    raise _Refused(node.start_mark, "error_yaml_tag", tag=quote(node.tag))


for _tag, _constructor in {
    "bool": _construct_bool, "int": _construct_int, "float": _construct_float, "null": _construct_null,
    "str": _construct_str, "seq": _construct_sequence, "map": _construct_mapping,
}.items():
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _constructor)
_Loader.add_constructor(None, _construct_other)  # any other tag (!!python/..., !!binary, !!timestamp)


def _parse(path: Path, text: str):
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as err:
        mark = err.problem_mark
        raise ScenarioError(Problem(err.template, file=path, line=mark.line + 1, column=mark.column + 1,
                                    **err.fields)) from None
    except yaml.MarkedYAMLError as err:
        # The parser's own words (English, with at most a token of the text) shown as a quote.
        mark = err.problem_mark or err.context_mark
        place = {"line": mark.line + 1, "column": mark.column + 1} if mark else {}
        detail = quote("; ".join(str(x) for x in (err.context, err.problem) if x), 160)
        if err.context and err.context_mark:
            problem = Problem("error_yaml_started", file=path, start=err.context_mark.line + 1, detail=detail, **place)
        else:
            problem = Problem("error_yaml", file=path, detail=detail, **place)
        raise ScenarioError(problem) from None
    except yaml.reader.ReaderError as err:  # a control character: position counts characters
        raise ScenarioError(Problem("error_yaml_character", file=path, character=f"#x{err.character:04x}"
                                    if isinstance(err.character, int) else quote(err.character),
                                    position=err.position)) from None
    except yaml.YAMLError as err:
        raise ScenarioError(Problem("error_yaml", file=path, detail=quote(type(err).__name__))) from None
    except RecursionError:
        raise ScenarioError(Problem("error_too_deep", file=path, limit=MAX_DEPTH)) from None


# -- reading: regular files only, bounded -------------------------------------------------------
_KINDS = ((stat.S_ISDIR, "error_kind_directory"), (stat.S_ISFIFO, "error_kind_fifo"),
          (stat.S_ISCHR, "error_kind_device"), (stat.S_ISBLK, "error_kind_device"),
          (stat.S_ISSOCK, "error_kind_socket"))
_OS_REASONS = {"EACCES": "error_os_permission", "EPERM": "error_os_permission",
               "ENAMETOOLONG": "error_os_name_too_long", "ELOOP": "error_os_loop", "ENOTDIR": "error_os_not_dir"}


def _os_problem(path: Path, err: OSError) -> Problem:
    import errno

    code = errno.errorcode.get(err.errno or 0, "")
    if code in _OS_REASONS:
        return Problem("error_cannot_read", file=path, reason=Word(_OS_REASONS[code]))
    return Problem("error_cannot_read_code", file=path, code=quote(code or type(err).__name__, 40))


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes; else ScenarioError.

    Opened without blocking (a FIFO would wait for a writer forever) and checked with ``fstat``
    on the open file, so a symlink to /dev/zero, a FIFO or a folder is refused before any read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ScenarioError(Problem("error_no_file", file=path)) from None
    except OSError as err:
        raise ScenarioError(_os_problem(path, err)) from None
    except ValueError:  # a NUL character in the name
        raise ScenarioError(Problem("error_bad_file_name", file=quote(str(path)))) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((word for test, word in _KINDS if test(info.st_mode)), "error_kind_other")
            raise ScenarioError(Problem("error_not_regular", file=path, kind=Word(kind)))
        if info.st_size > limit:
            raise ScenarioError(Problem("error_too_big", file=path, size=info.st_size, limit=limit // 1000))
        chunks, size = [], 0
        while size <= limit:  # the file may have grown since fstat
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as err:
        raise ScenarioError(_os_problem(path, err)) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ScenarioError(Problem("error_too_big", file=path, size=f">{limit}", limit=limit // 1000))
    return data


def _read(path: Path):
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(Problem("error_not_utf8", file=path, offset=err.start)) from None
    data = _parse(path, text)
    if data is None:
        raise ScenarioError(Problem("error_empty", file=path, required=", ".join(REQUIRED_KEYS),
                                    optional="extends, levers"))
    if not isinstance(data, Mapping):  # the text is not a scenario: never quote it (it may be any file)
        raise ScenarioError(Problem("error_top_not_mapping", file=path, type=TypeName(data)))
    return data


# -- validation ----------------------------------------------------------------------------------
def _default_model() -> "Declaration":
    """The declared model, read for this call when the caller gives none (a project or a
    declaration: anything with ``levers()`` and ``validate_levers``)."""
    from .declaration import Declaration

    return Declaration()


def _at(path: Path, data: Mapping, key: object, prefix: str = "") -> dict:
    """Where a key is: file, line (when the parser gave one) and the key's dotted name."""
    return {"file": path, "line": getattr(data, "lines", {}).get(key), "key": f"{prefix}{key}"}


def _check_text(path: Path, data: Mapping, key: str, problems: list, prefix: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem("error_expected_text", **_at(path, data, key, prefix), type=TypeName(value),
                                value=quote(value)))
        return ""
    return value.strip()


def _check_bilingual(path: Path, data: Mapping, key: str, problems: list, text_allowed: bool) -> tuple[str, str]:
    """A ``{zh: ..., en: ...}`` mapping (or, if ``text_allowed``, one text for both)."""
    value = data[key]
    if text_allowed and isinstance(value, str):
        text = _check_text(path, data, key, problems)
        return text, text
    if not isinstance(value, Mapping):
        template = "error_text_or_bilingual" if text_allowed else "error_bilingual"
        problems.append(Problem(template, **_at(path, data, key), type=TypeName(value), value=quote(value)))
        return "", ""
    for sub in value:
        if sub not in TITLE_KEYS:
            problems.append(unknown_name("error_what_language_key", sub, TITLE_KEYS, **_at(path, value, sub, f"{key}.")))
    for sub in TITLE_KEYS:
        if sub not in value:
            problems.append(Problem("error_missing_language", **_at(path, data, key), key_name=f"{key}.{sub}"))
    zh = _check_text(path, value, "zh", problems, f"{key}.") if "zh" in value else ""
    en = _check_text(path, value, "en", problems, f"{key}.") if "en" in value else ""
    return zh, en


def _check_levers(path: Path, data: Mapping, shanghai: "Declaration", problems: list) -> dict[str, "float | LeverPath"]:
    levers = data.get("levers")
    if levers is None:  # "levers:" with nothing under it, or no key: no overrides
        return {}
    if not isinstance(levers, Mapping):
        problems.append(Problem("error_levers_not_mapping", **_at(path, data, "levers"), type=TypeName(levers),
                                value=quote(levers)))
        return {}
    table = shanghai.levers().set_index("name")
    checked: dict[str, float | LeverPath] = {}
    for name, value in levers.items():
        where = _at(path, levers, name, "levers.")
        if name in table.index and (isinstance(value, bool) or not isinstance(value, (int, float, Mapping))):
            row = table.loc[name]
            problems.append(Problem("error_lever_type", **where, units=Unit(row["units"]), type=TypeName(value),
                                    value=quote(value), range=lever_range(row)))
            continue
        try:  # names, finiteness and ranges: the model's own check, one lever at a time
            checked.update(shanghai.validate_levers({name: value}))
        except LeverError as err:
            problems.extend(item.at(**where) for item in err.items)
    return checked


def _load(path: Path, shanghai: "Declaration", chain: tuple[str, ...], check_name: bool) -> Scenario:
    data = _read(path)
    if data and not set(data) & set(TOP_LEVEL_KEYS):  # some other file: never quote its keys
        raise ScenarioError(Problem("error_not_a_scenario", file=path, count=len(data), keys=", ".join(TOP_LEVEL_KEYS)))
    problems: list = []
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problems.append(unknown_name("error_what_top_key", key, TOP_LEVEL_KEYS, **_at(path, data, key)))
    for key in REQUIRED_KEYS:
        if key not in data:
            problems.append(Problem("error_missing_key", file=path, key_name=key))

    name = _check_text(path, data, "name", problems) if "name" in data else ""
    if name and not NAME_PATTERN.match(name):
        problems.append(Problem("error_bad_name", **_at(path, data, "name"), value=quote(name), limit=NAME_LIMIT))
    elif name and check_name and name != path.stem:
        problems.append(Problem("error_name_not_file", **_at(path, data, "name"), value=quote(name),
                                stem=quote(path.stem)))
    title_zh, title_en = _check_bilingual(path, data, "title", problems, False) if "title" in data else ("", "")
    description_zh, description_en = (_check_bilingual(path, data, "description", problems, True)
                                      if "description" in data else ("", ""))

    inherited: dict[str, float] = {}
    parent_name = data.get("extends")
    if parent_name is not None:
        if not isinstance(parent_name, str) or not NAME_PATTERN.match(parent_name):
            problems.append(Problem("error_extends_type", **_at(path, data, "extends"), type=TypeName(parent_name),
                                    value=quote(parent_name), limit=NAME_LIMIT))
            parent_name = None
        else:
            inherited = _load_parent(path, data, parent_name, shanghai, chain, problems)

    own = _check_levers(path, data, shanghai, problems)
    if problems:
        raise ScenarioError(problems)
    return Scenario(name, title_zh, title_en, description_en, parent_name, {**inherited, **own}, path,
                    description_zh, description_en)


def _exists(path: Path) -> bool:
    try:
        os.stat(path)
    except (OSError, ValueError):
        return False
    return True


def extends_folders(path: Path) -> list[Path]:
    """Where ``extends: NAME`` looks for NAME.yaml: the file's own folder, then scenarios/."""
    folders = [path.parent]
    if os.path.realpath(SHIPPED_DIR) != os.path.realpath(path.parent):
        folders.append(SHIPPED_DIR)
    return folders


def _load_parent(path, data, parent_name, shanghai, chain, problems) -> dict[str, float]:
    where = _at(path, data, "extends")
    folders = extends_folders(path)
    parent_path = next((f / f"{parent_name}{SUFFIX}" for f in folders if _exists(f / f"{parent_name}{SUFFIX}")), None)
    if parent_path is None:
        others = sorted({p.stem for f in folders for p in f.glob(f"*{SUFFIX}")} - {path.stem})
        close = difflib.get_close_matches(parent_name, others, n=3, cutoff=0.5)
        hint = Problem("error_closest", names=names(close)) if close else \
            Problem("error_scenarios_there", names=names(others) or "-")
        problems.append(Problem("error_extends_missing", **where, name=quote(parent_name),
                                places=", ".join(str(f / f"{parent_name}{SUFFIX}") for f in folders), hint=hint))
        return {}
    real = os.path.realpath(parent_path)
    if real in chain:
        cycle = " -> ".join(Path(p).stem for p in (*chain, real))
        problems.append(Problem("error_extends_cycle", **where, names=cycle))
        return {}
    if len(chain) >= MAX_EXTENDS:
        problems.append(Problem("error_extends_too_long", **where, limit=MAX_EXTENDS))
        return {}
    try:
        parent = _load(parent_path, shanghai, chain + (real,), check_name=True)
    except ScenarioError as err:
        problems.append(Problem("error_parent_invalid", **where, name=quote(parent_name)))
        problems.extend(item.at(indent=1) for item in err.items)
        return {}
    return parent.levers


def load_scenario(path: str | Path, model: "Declaration | None" = None, *, check_name: bool = True) -> Scenario:
    """Read and validate one scenario file; inherited levers are resolved into ``levers``.

    Levers are checked against ``model`` (a Project or Declaration; default: the model file
    read for this call). ``check_name``
    requires ``name:`` to equal the file name (without .yaml); an upload saved under a name of
    the caller's choosing passes False. Raises ``ScenarioError`` (at most ``MAX_PROBLEMS``
    problems, then a count) for anything wrong in the file, and never another exception for
    any content: only regular files of at most ``MAX_BYTES`` bytes are read.
    """
    path = Path(path)
    shanghai = model or _default_model()
    try:
        return _load(path, shanghai, (os.path.realpath(path),), check_name)
    except PlanSimError:
        raise
    except RecursionError:
        raise ScenarioError(Problem("error_too_deep", file=path, limit=MAX_DEPTH)) from None
    except Exception as err:  # noqa: BLE001 - a file must never crash a batch or the app
        raise ScenarioError(Problem("error_unexpected", file=path, kind=quote(type(err).__name__, 40))) from err


def load_each(paths: Iterable[str | Path], model: "Declaration | None" = None
              ) -> tuple[list[Scenario], list[tuple[Path, ScenarioError]]]:
    """Load every file on its own: a bad file (whatever it holds) or a scenario name already
    used is that file's failure, with its ``ScenarioError``; the other files load."""
    shanghai = model or _default_model()
    scenarios, failures, seen = [], [], {}
    for path in map(Path, paths):
        try:
            scenario = load_scenario(path, shanghai)
        except ScenarioError as err:
            failures.append((path, err))
            continue
        if scenario.name in seen:
            failures.append((path, ScenarioError(Problem("error_name_twice", file=path, key="name",
                                                          name=quote(scenario.name), other=str(seen[scenario.name])))))
            continue
        seen[scenario.name] = path
        scenarios.append(scenario)
    return scenarios, failures


def load_scenarios(paths: Iterable[str | Path], model: "Declaration | None" = None) -> list[Scenario]:
    """Load several files; raise one ``ScenarioError`` listing the problems of all of them
    (each file's list capped) and any scenario name used by two files."""
    scenarios, failures = load_each(paths, model)
    if failures:
        raise ScenarioError([item for _, err in failures for item in err.items], limit=None)
    return scenarios


def scenario_to_yaml(name: str, title_zh: str, title_en: str, description: "str | Mapping[str, str]",
                     levers: Mapping[str, float]) -> str:
    """A scenario file (no ``extends``) with ``levers`` as its overrides (numbers, LeverPaths
    or path mappings), loadable unchanged (as ``NAME.yaml``). ``description`` is one text or
    ``{"zh": ..., "en": ...}``.

    Values are written as plain floats (numpy numbers are converted); names are not checked
    against the model here: ``load_scenario`` checks them when the file is read.
    """
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ScenarioError(Problem("error_bad_name", key="name", value=quote(name), limit=NAME_LIMIT))
    numbers = {}
    for lever, value in levers.items():
        if isinstance(value, LeverPath):
            value = value.as_data()
        if isinstance(value, Mapping):  # a path: checked by load_scenario when the file is read
            numbers[str(lever)] = _plain_data(value)
            continue
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        if not math.isfinite(number):
            raise ScenarioError(Problem("error_lever_not_finite_plain", name=quote(lever), value=quote(value)))
        numbers[str(lever)] = number
    if isinstance(description, Mapping):
        description = {lang: str(description[lang]) for lang in TITLE_KEYS}
    document = {
        "name": name,
        "title": {"zh": title_zh, "en": title_en},
        "description": description,
        "levers": numbers,
    }
    header = "# PlanSim Shanghai scenario. Levers not listed take their model defaults.\n"
    return header + yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _plain_data(value: object) -> object:
    """A path mapping with plain Python numbers (numpy ones converted) for the YAML dumper."""
    if isinstance(value, Mapping):
        return {(int(k) if isinstance(k, (int, float)) and not isinstance(k, bool) else str(k)): _plain_data(v)
                for k, v in value.items()}
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return value
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


class _Dumper(yaml.SafeDumper):
    """Quotes a text that either YAML 1.1 or the loader's YAML 1.2 would read as something else."""


for _tag, _pattern, _first in (("bool", _BOOL, "tTfF"), ("int", _INT, "-+0123456789"),
                               ("float", _FLOAT, "-+0123456789."), ("null", _NULL, "~nN")):
    _Dumper.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", _pattern, list(_first))
