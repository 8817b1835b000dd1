"""Processes and arguments: a scheduler that does not answer fails fast, workers die with their
parent, Ctrl-C stops cleanly, out-of-range arguments are refused with the allowed range."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from model.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "scenarios" / "plan.yaml"
SHIPPED = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
psutil = pytest.importorskip("psutil")


# -- --scheduler ---------------------------------------------------------------------------------
@pytest.fixture
def silent_port():
    """A port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for conn in accepted:
        conn.close()


@pytest.fixture
def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.mark.parametrize("command", ["uncertainty", "sensitivity"])
def test_a_scheduler_that_does_not_answer_fails_fast(tmp_path, capsys, silent_port, closed_port, command):
    for port, message in ((silent_port, "no answer within"), (closed_port, "cannot connect")):
        code = main([command, str(PLAN), "--samples", "4", "--out", str(tmp_path / "o"), "--no-progress",
                     "--scheduler", f"tcp://127.0.0.1:{port}"])
        err = capsys.readouterr().err
        assert code == 2 and message in err and "Traceback" not in err
        assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("address", ["not a url", "http://127.0.0.1:8786", "tcp://127.0.0.1", "tcp://h:99999"])
def test_a_malformed_scheduler_address_is_refused(tmp_path, capsys, address):
    with pytest.raises(SystemExit) as caught:
        main(["uncertainty", str(PLAN), "--out", str(tmp_path / "o"), "--scheduler", address])
    assert caught.value.code == 2
    assert "expected a Dask scheduler address tcp://HOST:PORT" in capsys.readouterr().err


# -- workers die with their parent ---------------------------------------------------------------
def descendants(pid: int, at_least: int, within_s: float = 120) -> list:
    """The processes under ``pid`` once there are ``at_least`` of them."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        children = psutil.Process(pid).children(recursive=True)
        if len(children) >= at_least:
            return children
        time.sleep(0.2)
    raise AssertionError(f"process {pid} did not start {at_least} workers")


def survivors(processes: list, within_s: float = 20) -> list:
    """Those of ``processes`` still running after up to ``within_s`` seconds (zombies count as gone)."""
    deadline = time.monotonic() + within_s
    while True:
        alive = []
        for p in processes:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


COMMANDS = ("run", "uncertainty")


def start(command: str, tmp_path: Path) -> subprocess.Popen:
    """``command`` in a new session (its own process group, as a shell job), long enough to be stopped."""
    if command == "run":
        from model.scenarios import scenario_to_yaml

        files = []
        for k in range(60):
            path = tmp_path / f"variant-{k:02d}.yaml"
            path.write_text(scenario_to_yaml(path.stem, "变体", "Variant", "d", {"coal share target": 0.3 + k / 1000}),
                            encoding="utf-8")
            files.append(str(path))
        argv = ["run", *files, "--workers", "2", "--final-year", "2050"]
    else:
        argv = ["uncertainty", str(PLAN), "--samples", "30000", "--workers", "2", "--final-year", "2030"]
    # Output to a file, not a pipe: a surviving worker would hold a pipe open and hang the test.
    with open(tmp_path / "stderr.txt", "w", encoding="utf-8") as err:
        return subprocess.Popen([sys.executable, "-m", "model", *argv, "--out", str(tmp_path / "out"), "--no-progress"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)


@pytest.mark.parametrize("command", COMMANDS)
def test_sigkill_leaves_no_orphaned_worker(tmp_path, command):
    proc = start(command, tmp_path)
    try:
        workers = descendants(proc.pid, 3)
    finally:
        proc.kill()
        proc.wait()
    left = survivors(workers)
    for p in left:  # do not leave them to the next test
        p.kill()
    assert not left, [p.cmdline()[:4] for p in left]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("presses", [1, 3], ids=["once", "three-times"])
@pytest.mark.parametrize("command", COMMANDS)
def test_ctrl_c_stops_cleanly_with_one_line(tmp_path, command, presses):
    """Ctrl-C, or an impatient user's Ctrl-C pressed again while the command cleans up."""
    proc = start(command, tmp_path)
    try:
        workers = descendants(proc.pid, 3)
        time.sleep(1.0)  # let the workers get to work
        for _ in range(presses):
            os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole group
            time.sleep(0.05)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines()[-1].startswith("interrupted")
    assert not survivors(workers)
    assert not [p.name for p in tmp_path.iterdir() if "out" in p.name]  # no folder, lock or temporary folder


# -- argument ranges -----------------------------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    (["uncertainty", "P", "--out", "o", "--seed", "-1"], "-1 is outside the allowed range 0 to 4,294,967,295"),
    (["uncertainty", "P", "--out", "o", "--samples", "1000000000"], "outside the allowed range 1 to 200,000"),
    (["uncertainty", "P", "--out", "o", "--samples", "2**70"], "expected a whole number from 1 to 200,000"),
    (["uncertainty", "P", "--out", "o", "--samples", "9" * 5000], "expected a whole number from 1 to 200,000"),
    (["sensitivity", "P", "--out", "o", "--samples", "16777216"], "outside the allowed range 2 to 65,536"),
    (["project", "--final-year", "2010"], "2,010 is outside the allowed range 2,011 to 2,050"),
    (["run", "P", "--out", "o", "--workers", "0"], "0 is outside the allowed range 1 to"),
    (["uncertainty", "P", "--out", "o", "--lang", "fr"], "invalid choice: 'fr'"),
])
def test_an_out_of_range_argument_is_refused_with_its_range(capsys, argv, message):
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 2 and message in err and len(err) < 1000


def test_workers_beyond_the_cores_are_capped_with_a_note(capsys):
    args = build_parser().parse_args(["uncertainty", "P", "--out", "o", "--workers", "1000"])
    assert args.workers == (os.cpu_count() or 1)
    assert f"note: --workers 1000 is more than this machine's {os.cpu_count()} core(s)" in capsys.readouterr().err


def test_too_many_sensitivity_runs_are_refused_before_running(tmp_path, capsys):
    code = main(["sensitivity", str(PLAN), "--samples", "65536", "--over", "both", "--out", str(tmp_path / "s"),
                 "--no-progress"])
    assert code == 2 and "at most 2,000,000 are allowed" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()
