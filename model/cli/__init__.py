"""Command line: ``python -m model COMMAND`` (console script ``model.cli:main``).

``main`` parses and dispatches; ``args`` holds argument types and the options every command
shares; ``scenarios`` the commands on scenario files (run, validate, levers, compare);
``ensembles`` uncertainty and sensitivity; ``table`` the text tables they print.
"""
from .main import build_parser, main

__all__ = ["build_parser", "main"]
