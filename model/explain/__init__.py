"""Why did an indicator move? Loop dominance over time (Simlin's Loops That Matter, read through
model/loops.yaml) and the causes tree (two levels of the model's equations) with each cause's
change between two runs (issue 14, section 2).

``explain(project, indicator, levers, against)`` gives an ``Explanation``; ``model.explain.text``
prints it in Chinese or English, ``model.explain.figure`` draws the band chart of loop shares.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from ..errors import PlanSimError, Problem, quote
from ..mdl import read
from .causes import Cause, direct_causes, fill, tree
from .loops import DeclaredLoop, Dominance, declared_loops, dominance

ANALYSIS_TIMEOUT = 10.0  # seconds Simlin may search for loops (the search itself takes about 1 s)


@dataclass
class Explanation:
    """One indicator explained: its id and model variable, the year compared, the loops'
    dominance in the scenario and the causes tree."""

    indicator: str
    variable: str
    year: int
    dominance: Dominance
    causes: Cause
    declared: tuple[DeclaredLoop, ...]


def check_indicator(project, indicator: str) -> str:
    """``indicator`` when it is an id of model/indicators.yaml; otherwise PlanSimError naming
    the closest ids."""
    ids = list(project.indicators().index)
    if indicator in ids:
        return indicator
    close = difflib.get_close_matches(str(indicator)[:60].lower(), ids, n=5, cutoff=0.5)
    hint = Problem("explain_did_you_mean", ids=", ".join(close)) if close else Problem("explain_list_hint")
    raise PlanSimError(Problem("explain_unknown_indicator", indicator=quote(indicator), hint=hint))


def changed_constants(project, levers: Mapping[str, object] | None,
                      params: Mapping[str, object] | None = None) -> dict[str, float]:
    """The run's constants (calibrated defaults, ``params``, then the levers' knots) that differ
    from the model file's own values: what the loop analysis must set."""
    text = read(project.mdl_path).variables
    constants = {**project.constants(), **project.overrides(levers, params)}
    return {n: float(v) for n, v in constants.items()
            if n in text and not (text[n].kind == "constant" and math.isclose(text[n].value, float(v), rel_tol=0, abs_tol=0))}


def loop_analysis(project, levers: Mapping[str, object] | None, final_year: int,
                  params: Mapping[str, object] | None = None) -> dict:
    """Simlin's loop analysis of the run with ``levers`` and other constants ``params`` (every
    declared loop pinned); see ``model.engines.simlin_engine.loop_analysis``."""
    from ..engines.simlin_engine import loop_analysis as analyse

    pinned = {d.id: d.members for d in declared_loops()}
    return analyse(project.mdl_path, changed_constants(project, levers, params), pinned,
                   project.declaration.run_times(final_year), project.control["SAVEPER"], ANALYSIS_TIMEOUT)


def causes_tree(project, variable: str, levers, against, year: int) -> Cause:
    """The causes tree of model ``variable`` with values in ``year`` of both runs."""
    text = read(project.mdl_path)
    root = tree(text, variable)
    names = root.names()
    a = project.run_variables(levers, year, variables=names).loc[year]
    b = project.run_variables(against, year, variables=names).loc[year]
    return fill(root, a, b)


def explain(project, indicator: str, levers: Mapping[str, object] | None = None,
            against: Mapping[str, object] | None = None, final_year: int | None = None,
            analysis: dict | None = None) -> Explanation:
    """Explain ``indicator`` in the run with ``levers`` against the run with ``against`` (None:
    business as usual), to ``final_year`` (default: the model's). ``analysis``: a loop analysis
    of the same run already made (``loop_analysis``), e.g. cached by the app."""
    indicator = check_indicator(project, indicator)
    variable = project.indicators().loc[indicator, "variable"]
    year = int(final_year or project.control["FINAL TIME"])
    if analysis is None:
        analysis = loop_analysis(project, levers, year)
    text = read(project.mdl_path)
    found = dominance(analysis, variable, tuple(direct_causes(text, variable)))
    return Explanation(indicator, variable, year, found, causes_tree(project, variable, levers, against, year),
                       declared_loops())


__all__ = ["Explanation", "explain", "check_indicator", "loop_analysis", "causes_tree", "declared_loops"]
