"""Lever paths: how a lever's value changes over time, and the knot constants that carry it.

In the model file every lever X is a path through five knots, constants named
``X point k year`` and ``X point k value`` (k = 1..5, years non-decreasing), and the model
reads only ``effective X``, piecewise linear through the knots (held before the first knot and
after the last; two knots in the same year make a step). The default path is the file's (or
the calibration's) knots: the recorded policy up to 2010, held after its last knot.

A user path (scenario YAML, the Python API, the app) replaces the knots of a projection:

- a number ``v``: a step to ``v`` at 2011 (``STEP_YEAR``); for a lever declared with
  ``target_year`` in model/levers.yaml, a linear ramp from the default path's 2010 value to
  ``v`` at the target year (a target lever delivers its target by its year);
- ``{value: v, from: S, ramp: R}``: the default path until S, then linear to ``v`` at S + R
  (R = 0: a step at S);
- ``{points: {year: value, ...}}`` (at most ``MAX_POINTS``): the default path until the first
  point's year, a step to the first point there, linear between points, the last one held.

Years of user paths are CALENDAR years in [``FIRST_YEAR``, ``LAST_YEAR``]: the value in force
during that year (from 2014 = on the flows of calendar 2014 on). The model's time t is the end of
year t, so a calendar year Y starts at t = Y - 1 (``model_time``): a plain number acts from the
projection's start (t = 2010, calendar 2011), as the plan's first year; a target lever's ramp
reaches its value during its target year and holds it (so the year's figure is the target).
Knots in the model file and in the calibration are in model time. Engines never see a path:
``knots`` turns one into constants.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

KNOTS = 5  # knot pairs per lever in the model file
MAX_POINTS = 4  # points of a user path (one knot is left for the default path before them)
STEP_YEAR = 2011  # a plain number acts from this calendar year on
FIRST_YEAR = 2011  # a user path starts no earlier (calendar year; the recorded history runs to 2010)
LAST_YEAR = 2100
RAMP_BASE_YEAR = 2010  # a target lever's ramp starts from the default's value here (model time)
CALENDAR_OFFSET = 1  # calendar year Y starts at model time t = Y - 1 (t is a year-end)


def model_time(year: float) -> float:
    """The model time at which calendar year ``year`` starts (the knot of a value in force in it)."""
    return float(year) - CALENDAR_OFFSET


def calendar_year(time: float) -> float:
    """The calendar year that starts at model time ``time`` (how knots are shown to people)."""
    return float(time) + CALENDAR_OFFSET
PATH_KEYS = ("value", "from", "ramp")
POINTS_KEY = "points"
START_SUFFIX = " start year"  # an ensemble input "X start year" varies when lever X's path starts

Knots = tuple[tuple[float, float], ...]  # KNOTS (year, value) pairs, years non-decreasing


def knot_name(lever: str, k: int, part: str) -> str:
    """Model name of knot ``k`` (1-based) of ``lever``: part 'year' or 'value'."""
    return f"{lever} point {k} {part}"


def knot_names(lever: str) -> list[str]:
    """The ten knot constants of ``lever``: year 1, value 1, ..., year 5, value 5."""
    return [knot_name(lever, k, part) for k in range(1, KNOTS + 1) for part in ("year", "value")]


def effective_equation(lever: str, separator: str = " ") -> str:
    """The model equation of ``effective X``: piecewise linear through the knots of ``lever``.

    Written as nested IF THEN ELSE from the last knot back (held after it; then the segment the
    time falls in; held before the first knot), so that a run evaluates one or two comparisons
    once the path has reached its last knot, as it has for most of a projection: the 23 lever
    paths took a fifth of a PySD run as a sum of one clipped term per segment. A segment is
    only reached when its end year is past the time and its start is not, so the division
    never meets two knots in the same year (a step)."""
    year = lambda k: knot_name(lever, k, "year")  # noqa: E731 - local shorthand
    value = lambda k: knot_name(lever, k, "value")  # noqa: E731
    equation = value(1)
    for k in range(1, KNOTS):
        segment = f"{value(k)} + ({value(k + 1)} - {value(k)}) * (Time - {year(k)}) / ({year(k + 1)} - {year(k)})"
        equation = f"IF THEN ELSE(Time >= {year(k)},{separator}{segment},{separator}{equation})"
    return f"IF THEN ELSE(Time >= {year(KNOTS)},{separator}{value(KNOTS)},{separator}{equation})"


def value_at(knots: Sequence[tuple[float, float]], time: float | np.ndarray) -> float | np.ndarray:
    """The path's value at ``time``, computed as the model's equation computes it."""
    t = np.asarray(time, dtype=float)
    out = np.full(t.shape, float(knots[0][1]))
    for (y0, v0), (y1, v1) in zip(knots[:-1], knots[1:]):
        if y1 > y0:  # a step (y1 == y0) has no segment
            out = np.where(t >= y0, v0 + (v1 - v0) * (t - y0) / (y1 - y0), out)
    out = np.where(t >= knots[-1][0], float(knots[-1][1]), out)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class LeverPath:
    """A user's path for one lever, as written (values in the lever's model units).

    ``kind``: 'number' (``value``), 'ramp' (``value``, ``start``, ``ramp``) or 'points'
    (``points``: (year, value) pairs). Build with ``LeverPath.of`` (any accepted form, checked by
    ``model.declaration.Declaration.validate_levers``) or the constructors below.
    """

    kind: str
    value: float | None = None
    start: int | None = None
    ramp: float | None = None
    points: tuple[tuple[int, float], ...] = ()

    @classmethod
    def number(cls, value: float) -> "LeverPath":
        return cls("number", value=float(value))

    @classmethod
    def from_year(cls, value: float, start: int, ramp: float = 0) -> "LeverPath":
        """To ``value`` from year ``start``, reached ``ramp`` years later (0: a step)."""
        return cls("ramp", value=float(value), start=int(start), ramp=float(ramp))

    @classmethod
    def at_points(cls, points: Mapping[int, float]) -> "LeverPath":
        return cls("points", points=tuple((int(y), float(v)) for y, v in points.items()))

    def as_data(self) -> float | dict:
        """The path as scenario YAML writes it (a number, {value, from, ramp} or {points})."""
        if self.kind == "number":
            return _plain(self.value)
        if self.kind == "ramp":
            return {"value": _plain(self.value), "from": int(self.start), "ramp": _plain(self.ramp)}
        return {POINTS_KEY: {int(y): _plain(v) for y, v in self.points}}

    def values(self) -> list[float]:
        """Every value the user gives (each must be inside the lever's range)."""
        return [v for _, v in self.points] if self.kind == "points" else [self.value]

    @property
    def first_year(self) -> int | None:
        """The year the path starts to differ from the default (None for a plain number)."""
        if self.kind == "ramp":
            return self.start
        if self.kind == "points":
            return self.points[0][0]
        return None

    def with_level(self, value: float) -> "LeverPath":
        """The same timing at another level (a number or the ramp's value); a path by points
        has no single level: it becomes the number ``value`` (as a lever set in full)."""
        if self.kind == "points":
            return LeverPath.number(value)
        return LeverPath(self.kind, float(value), self.start, self.ramp)

    def with_start(self, start: float) -> "LeverPath":
        """The same level from another start year (a number becomes a step at ``start``; a path
        by points moves all its points so that the first is at ``start``, none after
        LAST_YEAR). An ensemble may give a fractional year: the model takes any time."""
        if self.kind == "points":
            shift = float(start) - self.points[0][0]
            return LeverPath("points", points=tuple((min(y + shift, LAST_YEAR), v) for y, v in self.points))
        return LeverPath("ramp", self.value, start, self.ramp if self.kind == "ramp" else 0.0)


def _plain(x: float) -> float | int:
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 1e15 else x


def knots(path: LeverPath | float, default: Knots, target_year: int | None = None) -> Knots:
    """The five knots of a run for ``path`` on top of the ``default`` knots (see module doc).

    The default's knots before the user's first year are kept when they fit beside the user's
    knots (a run from 2000 then follows the recorded history); otherwise the default is
    represented by its value at the user's first year (exact for runs from 2010 on).
    """
    if not isinstance(path, LeverPath):
        path = LeverPath.number(path)
    if path.kind == "number":
        if target_year is not None:
            user = [(RAMP_BASE_YEAR, value_at(default, RAMP_BASE_YEAR)), (model_time(target_year), path.value)]
        else:
            step = model_time(STEP_YEAR)
            user = [(step, value_at(default, step)), (step, path.value)]
    elif path.kind == "ramp":
        start = model_time(path.start)
        user = [(start, value_at(default, start)), (start + path.ramp, path.value)]
    else:
        first = model_time(path.points[0][0])
        user = [(first, value_at(default, first)), *((model_time(y), v) for y, v in path.points)]
    user = [(float(y), float(v)) for y, v in user]
    before = [(float(y), float(v)) for y, v in default if y < user[0][0]]
    out = before + user if len(before) + len(user) <= KNOTS else user
    out += [out[-1]] * (KNOTS - len(out))
    return tuple(out)


def constants(lever: str, path_knots: Knots) -> dict[str, float]:
    """The knot constants of ``lever`` for ``path_knots`` (model names -> numbers)."""
    out = {}
    for k, (year, value) in enumerate(path_knots, start=1):
        out[knot_name(lever, k, "year")] = float(year)
        out[knot_name(lever, k, "value")] = float(value)
    return out


def recorded_constant(lever: str, value: float) -> dict[str, float]:
    """A recorded constant path: every value knot of ``lever`` at ``value`` (years unchanged)."""
    return {knot_name(lever, k, "value"): float(value) for k in range(1, KNOTS + 1)}


def is_whole_year(value: object) -> bool:
    """A whole number (int, or a float without fraction), not a bool."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    try:
        return math.isfinite(float(value)) and float(value) == int(value)
    except OverflowError:  # a whole number too large for a float: no year
        return False


def turning_points(path_knots: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The knots that change the path: repeats dropped, and where two knots share a value only
    the first kept (the value holds until the next)."""
    out: list[tuple[float, float]] = []
    for year, value in path_knots:
        if out and math.isclose(value, out[-1][1], rel_tol=1e-12, abs_tol=1e-15):
            continue
        if out and year == out[-1][0] and len(out) >= 2 and out[-2][0] == year:
            out[-1] = (year, value)
            continue
        out.append((float(year), float(value)))
    return out


def describe(path_knots: Sequence[tuple[float, float]], scale: float = 1.0, digits: int = 3) -> str:
    """A short text of a path in display units (value x ``scale``): '40' for a constant path,
    '31 (2001) -> 40 (2011)' otherwise: the calendar years the values are in force from (linear
    between the years shown, a step where a year repeats)."""
    points = turning_points(path_knots)
    # rounded first: an estimate at its bound of 0 is 1.8e-33, shown as 0 (+ 0.0: never "-0")
    number = lambda v: f"{round(v * scale, 9) + 0.0:.{digits}g}"  # noqa: E731 - one-line formatter
    if len(points) == 1:
        return number(points[0][1])
    return " -> ".join(f"{number(v)} ({calendar_year(y):g})" for y, v in points)
