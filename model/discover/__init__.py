"""Scenario discovery: under which conditions does a scenario miss a plan target?

``python -m model discover SCENARIO --target ID`` runs an uncertainty ensemble around the
scenario, scores the target in every member (the scorecard's rule, ``model.scorecard``: a
member *misses* the target unless its status is met or exceeded, so ``near`` counts as missed,
as in the ensemble's P(met)), then looks for the few input ranges (boxes) in which the misses
concentrate, with PRIM (the EMA Workbench's ``ema_workbench.analysis.prim``) or CART (scikit-learn's
decision tree, at most CART_DEPTH splits per box).

Inputs varied (one Latin hypercube over all of them, ``model.experiments.uncertainty.sample``):

- the uncertain parameters of model/uncertainties.yaml, over their declared distributions;
- every lever the scenario does not set by points, uniformly within ``lever_span`` (default
  0.2, i.e. +-20 %) of its allowed range around the scenario's setting (its level; the
  scenario's timing is kept), clipped to the range: the plan may be carried out a little more or
  less strongly than written. ``lever_span=0`` keeps the levers as set. A lever whose level
  uncertainties.yaml already varies keeps that declaration.

Each box is reported with its coverage (share of all misses that fall in the box) and density
(share of the members in the box that miss), as the Workbench computes them. PRIM's box is the
first on its peeling trajectory whose density reaches ``threshold`` (the largest coverage at
that density), then rid of the restrictions it does not need to keep that density (the
Workbench's ``drop_restriction``: the few conditions that matter); further boxes are searched
among the members left outside, up to ``max_boxes``.
CART reports the tree's leaves whose density reaches ``threshold``, largest coverage first.
"""
from __future__ import annotations

from .core import (DEFAULT_LEVER_SPAN, DEFAULT_MASS_MIN, DEFAULT_MAX_BOXES, DEFAULT_MEMBERS, DEFAULT_THRESHOLD,
                   METHODS, Box, Discovery, discover, find_target, lever_uncertainties, target_choices)

__all__ = ["DEFAULT_LEVER_SPAN", "DEFAULT_MASS_MIN", "DEFAULT_MAX_BOXES", "DEFAULT_MEMBERS", "DEFAULT_THRESHOLD",
           "METHODS", "Box", "Discovery", "discover", "find_target", "lever_uncertainties", "target_choices"]
