"""How the model runs: engines behind one interface, chosen by name.

An engine runs the declared model (``model.declaration.Declaration``) and returns arrays; it
imports only the declaration. ``pysd`` is the reference engine; ``simlin`` (an independent
compiler of the same file) is tested equal to it and serves speed.
"""
from __future__ import annotations

from ..declaration import Declaration
from ..errors import PlanSimError
from .base import Engine, Override

ENGINES = ("pysd", "simlin")
DEFAULT_ENGINE = "pysd"

__all__ = ["DEFAULT_ENGINE", "ENGINES", "Engine", "Override", "create", "check_name"]


def check_name(name: str) -> str:
    """``name`` as an engine name, or PlanSimError listing the engines."""
    cleaned = str(name).strip().lower()
    if cleaned not in ENGINES:
        raise PlanSimError(f"engine {str(name)[:40]!r} is not one of: {', '.join(ENGINES)}")
    return cleaned


def create(name: str, declaration: Declaration) -> Engine:
    """A new engine ``name`` ('pysd' or 'simlin') for ``declaration``."""
    name = check_name(name)
    if name == "pysd":
        from .pysd_engine import PySDEngine

        return PySDEngine(declaration)
    from .simlin_engine import SimlinEngine

    return SimlinEngine(declaration)
