"""The one reader of the model file's text (model/shanghai.mdl, Vensim format).

Gives every variable with its group (the file's ``.Name`` sections: Population, Economy,
Energy, Transport, Levers, Control), equation, units, range ``[min, max, step]``, comment and
kind, the stocks' inflows and outflows, what each equation refers to, and the sketch text of
the views. The declaration, the app's documentation and diagrams, and scripts/ read the model
through this module; engines compile the same file themselves.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import PlanSimError

SKETCH_MARK = "\\\\\\---///"
CONTROL_VARIABLES = ("INITIAL TIME", "FINAL TIME", "TIME STEP", "SAVEPER")
GROUP_HEADER = re.compile(r"\*{10,}\s*\n\s*\.(\w[\w ]*)\s*\n\s*\*{10,}")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_UNITS_RANGE = re.compile(r"^(?P<units>[^\[]*?)\s*(\[(?P<range>[^\]]*)\])?\s*$")
MAX_BYTES = 2_000_000  # the model file is about 100 kB


@dataclass
class Variable:
    """One variable of the model file. ``kind``: stock, constant, auxiliary or control
    (the four control times); ``limits``: (min, max, step) with NaN where not given."""

    name: str
    group: str
    equation: str
    units: str
    limits: tuple[float, ...] | None
    comment: str
    kind: str
    inflows: list[str] = field(default_factory=list)
    outflows: list[str] = field(default_factory=list)
    depends: list[str] = field(default_factory=list)

    @property
    def is_stock(self) -> bool:
        return self.kind == "stock"

    @property
    def value(self) -> float:
        """A constant's value (its equation is a number)."""
        if self.kind not in ("constant", "control"):
            raise PlanSimError(f"'{self.name}' is not a constant")
        return float(self.equation)


@dataclass
class ModelText:
    """What the model file says: ``variables`` by name (file order) and each view's sketch."""

    path: Path
    variables: dict[str, Variable]
    sketch: str

    def of_kind(self, *kinds: str) -> dict[str, Variable]:
        return {n: v for n, v in self.variables.items() if v.kind in kinds}


def _limits(text: str) -> tuple[float, ...] | None:
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")][:3]
    return tuple(float(p) if _NUMBER.match(p) else math.nan for p in parts)


def _name_pattern(name: str) -> re.Pattern:
    return re.compile(r"(?<![\w])" + r"\s+".join(re.escape(p) for p in name.split()) + r"(?![\w])", re.IGNORECASE)


class _NameIndex:
    """The model's names by their first word, longest first, each with its pattern compiled once
    (a search of every name in every equation is quadratic: a minute for a thousand variables)."""

    def __init__(self, names: list[str]):
        self.by_first: dict[str, list[tuple[str, re.Pattern]]] = {}
        for name in sorted(names, key=len, reverse=True):
            first = name.split()[0].lower()
            self.by_first.setdefault(first, []).append((name, _name_pattern(name)))

    def references(self, equation: str, own: str) -> list[str]:
        """Variables named in ``equation``: at each word, the longest name starting there (so
        'GDP growth' is not 'GDP'); the variable itself is not its own reference."""
        text, found, end = f" {equation} ", set(), 0
        for word in re.finditer(r"[^\s()*/+,<>=^-]+", text):
            if word.start() < end:
                continue
            for name, pattern in self.by_first.get(word.group().lower(), ()):
                match = pattern.match(text, word.start())
                if match and name != own:
                    found.add(name)
                    end = match.end()
                    break
        return sorted(found)


def _references(equation: str, names: list[str], own: str) -> list[str]:
    """Variables named in ``equation`` (longest names first, so 'GDP growth' is not 'GDP')."""
    return _NameIndex(names).references(equation, own)


def parse(text: str, path: Path = Path("model.mdl")) -> ModelText:
    """Parse the text of a Vensim model file (equations, then sketch)."""
    equations, _, sketch = text.partition(SKETCH_MARK)
    variables: dict[str, Variable] = {}
    group = ""
    for block in equations.replace("{UTF-8}", "").split("|"):
        header = GROUP_HEADER.search(block)
        if header:
            group = header.group(1).strip()
            continue
        fields = block.split("~")
        if len(fields) < 3 or "=" not in fields[0]:
            continue
        name, _, equation = fields[0].partition("=")
        name, equation = " ".join(name.split()), " ".join(equation.split())
        match = _UNITS_RANGE.match(" ".join(fields[1].split()))
        units = match.group("units").strip() if match else fields[1].strip()
        limits = _limits(match.group("range")) if match and match.group("range") is not None else None
        if name in CONTROL_VARIABLES:
            kind = "control"
        elif equation.upper().startswith("INTEG"):
            kind = "stock"
        elif _NUMBER.match(equation):
            kind = "constant"
        else:
            kind = "auxiliary"
        if name in variables:
            raise PlanSimError(f"{path.name}: variable '{name}' is defined twice")
        variables[name] = Variable(name, group, equation, units, limits, " ".join(fields[2].split()), kind)
    index = _NameIndex(list(variables))
    for var in variables.values():
        var.depends = index.references(var.equation, var.name)
        if var.is_stock:
            rate = var.equation[var.equation.index("(") + 1:].rsplit(",", 1)[0]
            for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", rate):
                term = term.strip()
                if term in variables:
                    (var.outflows if sign == "-" else var.inflows).append(term)
    return ModelText(Path(path), variables, SKETCH_MARK + sketch if sketch else "")


@lru_cache(maxsize=4)
def _read_cached(path: str, mtime_ns: int, size: int) -> ModelText:
    file = Path(path)
    if size > MAX_BYTES:
        raise PlanSimError(f"{file.name}: {size} bytes, more than the {MAX_BYTES} a model file may have")
    return parse(file.read_text(encoding="utf-8"), file)


def read(path: Path | str) -> ModelText:
    """The model file at ``path``, parsed once per content (cached by modification time)."""
    file = Path(path)
    stat = file.stat()
    return _read_cached(str(file), stat.st_mtime_ns, stat.st_size)


def py_name(name: str) -> str:
    """The Python-safe identifier of a model name, as PySD spells it (``RD intensity target``
    -> ``rd_intensity_target``); used for keys in links and the app."""
    return re.sub(r"\W", "_", "_".join(name.split())).lower()


def ident(name: str) -> str:
    """Simlin's canonical identifier of a model name."""
    return "_".join(name.split()).lower()
