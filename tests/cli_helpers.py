"""Running the command line in the test process (shared by the CLI tests)."""
from __future__ import annotations

from model.cli import main


def run_cli(capsys, *argv):
    """(exit code, stdout, stderr) of ``python -m model ARGV`` run in this process."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
