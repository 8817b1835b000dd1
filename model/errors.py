"""Errors raised for bad input, each naming what was wrong and what is allowed."""
from __future__ import annotations


class PlanSimError(ValueError):
    """Base class of the project's input errors."""


class LeverError(PlanSimError):
    """A lever name or value that the model does not accept."""
