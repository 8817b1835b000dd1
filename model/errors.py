"""Errors raised for bad input, each naming what was wrong and what is allowed, in zh and en.

Every message is bounded, whatever the input: a value taken from the input is shown through
``quote`` (at most ``QUOTE_LIMIT`` characters, however large or deeply nested the value), and
one error lists at most ``MAX_PROBLEMS`` problems, then "... and N more".

A problem is a template of model/words.yaml (keys ``error_*``, ``{field}`` placeholders) with its
fields and where it was found (file, line, column, key). ``err.messages("zh")`` gives each
problem in Chinese, ``err.messages("en")`` (also ``err.problems`` and ``str(err)``) in English.
Plain strings are accepted too (``PlanSimError("text")``) and shown as they are in both
languages.
"""
from __future__ import annotations

import difflib
import math
import reprlib
from typing import Iterable, Mapping

MAX_PROBLEMS = 20  # problems listed per error (per file for scenario files)
QUOTE_LIMIT = 80  # characters of an input value shown in a message
PATH_LIMIT = 160  # characters of a file name shown in a message
NAMES_LIMIT = 12  # valid names listed after an unknown one

_repr = reprlib.Repr()
_repr.maxlevel, _repr.maxlist, _repr.maxtuple, _repr.maxdict, _repr.maxset = 2, 4, 4, 4, 4
_repr.maxstring = _repr.maxother = _repr.maxlong = QUOTE_LIMIT


def cut(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` of at most ``limit`` characters: a longer one keeps its start and end around '...'."""
    if len(text) <= limit:
        return text
    head = max(1, (limit - 3) * 2 // 3)
    return text[:head] + "..." + text[len(text) - (limit - 3 - head):]


def cut_path(path: str, limit: int = PATH_LIMIT) -> str:
    """A file name of at most ``limit`` characters, keeping its end (the file's own name)."""
    return path if len(path) <= limit else "..." + path[len(path) - limit + 3:]


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A repr of ``value`` of at most ``limit`` characters, quick for any value.

    Containers are shown to two levels and four items (``reprlib``), so a value built by YAML
    aliases or a huge list costs no more than a small one; a whole number too long to print is
    shown by its magnitude (``≈1e399``), since Python refuses to print more than 4,300 digits.
    """
    try:
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
            digits = int(value.bit_length() * math.log10(2))
            return f"{'-' if value < 0 else ''}≈1e{digits}"
        return cut(_repr.repr(value), limit)
    except Exception:  # noqa: BLE001 - an odd object must not turn an error message into a crash
        return f"<{cut(type(value).__name__, 40)}>"


class Word:
    """A field value that is itself a word of words.yaml, shown in the message's language."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key

    def text(self, lang: str) -> str:
        from .i18n import t

        return t(self.key, lang)

    def __reduce__(self):
        return Word, (self.key,)


class Unit:
    """A field value that is a unit (model-file or indicator spelling), shown in the language."""

    __slots__ = ("unit",)

    def __init__(self, unit: object):
        self.unit = str(unit)

    def text(self, lang: str) -> str:
        from .i18n import unit

        return unit(self.unit, lang)

    def __reduce__(self):
        return Unit, (self.unit,)


class TypeName:
    """The type of an input value as users read it ("str"/"文本", "nothing (null)"/"空值")."""

    __slots__ = ("name",)

    def __init__(self, value: object):
        kind = "null" if value is None else type(value).__name__
        self.name = {"_Mapping": "dict", "CommentedMap": "dict", "float64": "float", "int64": "int"}.get(kind, kind)

    def text(self, lang: str) -> str:
        from .i18n import t, words

        key = f"error_type_{self.name}"
        if key in words():
            return t(key, lang)
        return t("error_type_other", lang, name=quote(self.name, 40))

    def __reduce__(self):
        return _type_named, (self.name,)


def _type_named(name: str) -> TypeName:
    made = TypeName(None)
    made.name = name
    return made


def names(values: Iterable[object], limit: int = NAMES_LIMIT) -> str:
    """Quoted names joined by commas, at most ``limit`` of them then '...'."""
    values = list(values)
    shown = ", ".join(quote(v) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")


class Problem:
    """One problem: the words.yaml template ``template`` with ``fields``, found at a place.

    Field values are shown as they are, except those with a ``text(lang)`` method (``Word``,
    ``Unit``, ``TypeName``, another ``Problem``), which are shown in the message's language.
    Values from the input must be passed through ``quote`` by the caller.
    """

    __slots__ = ("template", "fields", "file", "line", "column", "key", "indent")

    def __init__(self, template: str, *, file: object = None, line: int | None = None, column: int | None = None,
                 key: object = None, indent: int = 0, **fields: object):
        self.template = template
        self.fields = fields
        self.file = None if file is None else str(file)  # shortened when shown (renamed() needs it whole)
        self.line, self.column, self.indent = line, column, indent
        self.key = None if key is None else cut(str(key))

    def at(self, *, file: object = None, line: int | None = None, key: object = None, indent: int = 0) -> "Problem":
        """This problem placed in ``file`` at ``line``/``key`` (places it already has are kept)."""
        placed = Problem(self.template, file=file if self.file is None else self.file,
                         line=self.line if self.line is not None else line, column=self.column,
                         key=key if self.key is None else self.key, indent=self.indent + indent, **self.fields)
        return placed

    def text(self, lang: str) -> str:
        from .i18n import t

        place = f"{cut_path(self.file)}: " if self.file is not None else ""
        if self.line is not None and self.column is not None:
            place += t("error_at_column", lang, line=self.line, column=self.column)
        elif self.line is not None:
            place += t("error_at_line", lang, line=self.line)
        if self.key is not None:
            place += t("error_at_key", lang, key_name=self.key)
        fields = {k: v.text(lang) if hasattr(v, "text") else v for k, v in self.fields.items()}
        return "  " * self.indent + place + t(self.template, lang, **fields)

    def __reduce__(self):
        return _rebuild_problem, (self.template, self.fields, self.file, self.line, self.column, self.key,
                                  self.indent)


def _rebuild_problem(template, fields, file, line, column, key, indent) -> Problem:
    return Problem(template, file=file, line=line, column=column, key=key, indent=indent, **fields)


class Text:
    """A problem given as ready text (older callers): the same in every language."""

    __slots__ = ("value", "indent")

    def __init__(self, value: str, indent: int = 0):
        self.value, self.indent = str(value), indent

    def at(self, *, file: object = None, line: int | None = None, key: object = None, indent: int = 0) -> "Text":
        place = f"{cut_path(str(file))}: " if file is not None else ""
        return Text(place + self.value, self.indent + indent)

    def text(self, lang: str) -> str:
        return "  " * self.indent + self.value

    def __reduce__(self):
        return Text, (self.value, self.indent)


def capped(items: list, limit: int | None = MAX_PROBLEMS) -> list:
    """At most ``limit`` problems; the rest counted in a last "... and N more" line."""
    if limit is None or len(items) <= limit:
        return items
    indent = min(getattr(p, "indent", 0) for p in items)
    return items[:limit] + [Problem("error_more", count=len(items) - limit, indent=indent)]


class PlanSimError(ValueError):
    """Base class of the project's input errors.

    ``problems`` is the English list of problems (one line each); ``messages(lang)`` the list in
    ``lang`` ("zh" or "en"); ``items`` the ``Problem``/``Text`` objects behind them.
    """

    def __init__(self, problems: "str | Problem | Text | Iterable[str | Problem | Text]" = (),
                 *, limit: int | None = MAX_PROBLEMS):
        raw = [problems] if isinstance(problems, (str, Problem, Text)) else list(problems)
        self.items = capped([p if isinstance(p, (Problem, Text)) else Text(p) for p in raw], limit)
        super().__init__("\n".join(self.problems))

    @property
    def problems(self) -> list[str]:
        return self.messages("en")

    def messages(self, lang: str) -> list[str]:
        """Each problem as one line of text in ``lang`` ("zh" or "en")."""
        return [item.text(lang) for item in self.items]

    def renamed(self, old: str, new: str) -> "PlanSimError":
        """The same error with ``old`` replaced by ``new`` in file names and texts (the app shows
        an upload's own name instead of its temporary path), in every language."""
        return _rebuild_error(type(self), [_renamed(item, old, new) for item in self.items])

    def __reduce__(self):  # keep the problems (not only the English text) across processes
        return _rebuild_error, (type(self), self.items)


def _renamed(item, old: str, new: str):
    if isinstance(item, Text):
        return Text(item.value.replace(old, new), item.indent)
    if isinstance(item, Problem):
        fields = {k: _renamed(v, old, new) for k, v in item.fields.items()}
        return _rebuild_problem(item.template, fields, None if item.file is None else item.file.replace(old, new),
                                item.line, item.column, item.key, item.indent)
    return item.replace(old, new) if isinstance(item, str) else item


def _rebuild_error(cls, items):
    error = cls.__new__(cls)
    PlanSimError.__init__(error, items, limit=None)
    return error


class LeverError(PlanSimError):
    """A lever name or value that the model does not accept."""


# -- problems every part of the model reports ----------------------------------------------------
def unknown_name(what: str, name: object, valid: Iterable[str], **place) -> Problem:
    """'unknown lever 'x'; closest valid names: ...' (``what``: a words.yaml key)."""
    valid = list(valid)
    text = name if isinstance(name, str) else ""
    close = difflib.get_close_matches(text, valid, n=3, cutoff=0.5) if 0 < len(text) <= 200 else []
    if close:
        return Problem("error_unknown_closest", what=Word(what), name=quote(name), names=names(close), **place)
    return Problem("error_unknown_valid", what=Word(what), name=quote(name), names=names(valid), **place)


def lever_range(row: Mapping) -> Problem:
    """A lever's allowed range with its unit, ``[0.2, 0.55] Dmnl``, as a message field."""
    return Problem("error_range", min=f"{row['min']:g}", max=f"{row['max']:g}", units=Unit(row["units"]))
