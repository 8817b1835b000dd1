"""Argument types of the command line: every number has an allowed range, said in the error.

A bad value ends in argparse's usage line and ``error: argument --x: ...`` (exit 2), before
anything runs. Messages quote at most a few dozen characters of what was typed.
"""
from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlsplit

SEED_RANGE = (0, 2**32 - 1)  # numpy and SALib seeds
FINAL_YEAR_RANGE = (2011, 2050)  # the runs start in 2010; the model is a 2010s-2020s planning model
UNCERTAINTY_SAMPLES_RANGE = (1, 200_000)  # about 3 kB of outputs per member and year span: < 1 GB
SENSITIVITY_SAMPLES_RANGE = (2, 65_536)  # Sobol' N (a power of 2) or Morris trajectories
MAX_SENSITIVITY_RUNS = 2_000_000  # N * (inputs + 2) model runs
SCHEDULER_SCHEMES = ("tcp", "tls", "inproc")
LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def int_in(low: int, high: int):
    """An argparse type: a whole number in [low, high]."""
    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", ""), 10) if len(text) <= 40 else None
        except ValueError:
            value = None
        if value is None:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low:,} to {high:,}, got {_shown(text)}")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value:,} is outside the allowed range {low:,} to {high:,}")
        return value

    parse.__name__ = "whole number"
    return parse


seed = int_in(*SEED_RANGE)
final_year = int_in(*FINAL_YEAR_RANGE)
uncertainty_samples = int_in(*UNCERTAINTY_SAMPLES_RANGE)
sensitivity_samples = int_in(*SENSITIVITY_SAMPLES_RANGE)


def workers(text: str) -> int:
    """At least 1; more than the machine's cores is cut to the core count (with a note):
    extra processes on the same cores only add start-up time and memory."""
    value = int_in(1, 1_000_000)(text)
    cores = os.cpu_count() or 1
    if value > cores:
        print(f"note: --workers {value} is more than this machine's {cores} core(s); using {cores}", file=sys.stderr)
        return cores
    return value


def scheduler(text: str) -> str:
    """A Dask scheduler address ``tcp://HOST:PORT`` (or ``tls://``), checked for form only."""
    parts = urlsplit(text) if len(text) <= 300 else None
    try:
        port = parts.port if parts else None
    except ValueError:
        port = None
    if parts is None or parts.scheme not in SCHEDULER_SCHEMES or (parts.scheme != "inproc" and not (parts.hostname and port)):
        raise argparse.ArgumentTypeError(
            f"expected a Dask scheduler address tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786, port 1-65535), got {_shown(text)}")
    return text


def add_engine(p: argparse.ArgumentParser, default: str) -> None:
    """``--engine pysd|simlin``: which engine runs the model (equal results to 1e-9)."""
    from ..engines import ENGINES

    p.add_argument("--engine", choices=ENGINES, default=default,
                   help=f"engine that runs the model: pysd (the reference) or simlin (fast, tested equal to "
                        f"PySD to 1e-9); default {default}")
