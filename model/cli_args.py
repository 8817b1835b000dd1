"""Argument types of the command line: every number has an allowed range, said in the error.

A bad value ends in argparse's usage line and ``error: argument --x: ...`` (exit 2), before
anything runs. Messages quote at most a few dozen characters of what was typed.
"""
from __future__ import annotations

import argparse
import os
import socket
import sys
from urllib.parse import urlsplit

from .errors import PlanSimError

SEED_RANGE = (0, 2**32 - 1)  # numpy and SALib seeds
FINAL_YEAR_RANGE = (2011, 2050)  # the runs start in 2010; the model is a 2010s-2020s planning model
UNCERTAINTY_SAMPLES_RANGE = (1, 200_000)  # about 3 kB of outputs per member and year span: < 1 GB
SENSITIVITY_SAMPLES_RANGE = (2, 65_536)  # Sobol' N (a power of 2) or Morris trajectories
MAX_SENSITIVITY_RUNS = 2_000_000  # N * (inputs + 2) model runs
SCHEDULER_SCHEMES = ("tcp", "tls", "inproc")
CONNECT_TIMEOUT_S = 4.0  # a Dask scheduler answers within milliseconds on a working network
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


class SchedulerError(PlanSimError):
    """The Dask scheduler cannot be reached or does not answer."""


def probe_scheduler(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast if nothing answers at ``address``: a closed port, or a port that accepts but
    stays silent (a Dask scheduler sends its handshake first; Dask's own connect would wait for
    it without end). Raises ``SchedulerError`` within about ``2 * timeout`` seconds."""
    parts = urlsplit(address)
    if parts.scheme != "tcp":
        return
    where = f"--scheduler {address}"
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            if not conn.recv(1):
                raise SchedulerError(f"{where}: the connection was closed at once; is this a Dask scheduler?")
    except socket.timeout:
        raise SchedulerError(f"{where}: no answer within {timeout:g} s; is this a Dask scheduler "
                             f"(dask scheduler prints its tcp:// address)?") from None
    except OSError as err:
        raise SchedulerError(f"{where}: cannot connect ({err.strerror or type(err).__name__}); "
                             f"is the scheduler running?") from None


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S):
    """A Dask ``Client`` on ``address`` after ``probe_scheduler``; ``SchedulerError`` if it fails."""
    probe_scheduler(address, timeout)
    from distributed import Client

    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except Exception as err:  # noqa: BLE001 - distributed raises OSError, TimeoutError and others
        raise SchedulerError(f"--scheduler {address}: cannot connect ({type(err).__name__}: {str(err)[:200]})") from None
