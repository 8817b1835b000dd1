"""Policy search (goal seeking): lever settings that meet chosen plan targets.

    from model.project import Project
    from model.search import search, Settings
    found = search(Project(engine="simlin"), Settings(targets="binding"))
    found.levers      # the proposed lever settings (numbers or paths), ready for a scenario file
    found.card        # the scorecard of the proposal (central run)

The targets come from model/data/plan_targets.csv (``goals.select``); the optimiser is pymoo's
(a genetic algorithm with constraints, NSGA-II for the trade-off when the targets cannot all be
met); runs go through the Simlin engine in batches (``evaluate.Evaluator``).
"""
from .goals import Goals, select
from .optimise import Found, Settings, search

__all__ = ["Found", "Goals", "Settings", "search", "select"]
