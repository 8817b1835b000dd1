"""Output folders written whole or not at all, one writer at a time.

Every command that writes a folder (``run``, ``uncertainty``, ``sensitivity``, ``hindcast``, ``compare
--out``) follows one rule:

- ``--out`` is checked before anything runs: a file in its place or above it, a folder that
  cannot be written, a non-empty folder without ``--force`` -> ``OutputDirError`` (exit 2);
- ``--force`` replaces a whole folder that PlanSim wrote (it has ``manifest.json`` or
  ``INCOMPLETE.txt``); a folder of other files is never replaced;
- a lock file ``.NAME.lock`` beside the folder, created with O_EXCL and holding the writer's
  PID, refuses a second writer; a lock whose process is gone is stale and is taken over;
- outputs go into a fresh hidden folder ``.NAME.XXXX.partial`` beside the target, which
  holds ``INCOMPLETE.txt`` until the end; then it is swapped in by rename (an atomic
  exchange on Linux). An interrupted run leaves the old folder as it was (a killed one also
  leaves its ``.partial`` folder, cleared by the next run on the same ``--out``).

So ``--out`` is always either one complete run (its ``manifest.json`` written last) or absent.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Callable

from ..errors import PlanSimError
from .workers import alive

MANIFEST_FILE = "manifest.json"
INCOMPLETE_FILE = "INCOMPLETE.txt"
SCHEMA = "plansim-output/1"
PACKAGES = ("numpy", "pandas", "scipy", "pysd", "pysimlin", "matplotlib", "PyYAML", "tqdm", "SALib")
HELP_OUT = (
    "Output folder (--out): checked before anything runs (exit 2 if it cannot be written); it must\n"
    "not exist or be empty unless --force. Files are written into a hidden folder beside it and\n"
    "swapped in at the end, so --out holds one complete run or nothing; a second run on the same\n"
    "--out is refused while the first one writes.")
HELP_FORCE = ("replace an existing output folder written by PlanSim (its old files are deleted once the "
              "new run is complete; an interrupted run keeps the old folder)")
_INCOMPLETE_TEXT = ("This folder is a PlanSim run that has not finished (or was interrupted).\n"
                    "Its files are not a complete result; run the command again.\n")


class OutputDirError(PlanSimError):
    """The output folder cannot be used (not empty without --force, not a folder, not writable,
    or another run is writing it)."""


def _first_existing(path: Path) -> Path:
    while not os.path.lexists(path) and path != path.parent:
        path = path.parent
    return path


def check_target(target: Path, force: bool) -> None:
    """Raise ``OutputDirError`` if ``target`` cannot become this command's output folder."""
    if target.is_symlink():
        raise OutputDirError(f"--out {target}: is a symbolic link; give the folder itself")
    if target.exists():
        if not target.is_dir():
            raise OutputDirError(f"--out {target}: exists and is not a folder")
        try:
            entries = {p.name for p in target.iterdir()}
        except OSError as err:
            raise OutputDirError(f"--out {target}: cannot be read ({err.strerror})") from None
        if entries and not force:
            raise OutputDirError(f"--out {target}: folder is not empty; choose another, or add --force "
                                 f"to replace it (its files are deleted once the new run is complete)")
        if entries and not entries & {MANIFEST_FILE, INCOMPLETE_FILE}:
            raise OutputDirError(f"--out {target}: --force replaces only a folder written by PlanSim "
                                 f"(with {MANIFEST_FILE}); this one has none: move it or choose another")
    ancestor = _first_existing(target.parent)
    if not ancestor.is_dir():
        raise OutputDirError(f"--out {target}: {ancestor} is a file, not a folder")
    if ancestor == target.parent and not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputDirError(f"--out {target}: cannot write in {ancestor} (permission denied)")


def check_file_target(target: str | Path, force: bool) -> None:
    """Refuse an output file that exists (unless ``force``) or whose folder cannot be written."""
    target = Path(target)
    if target.is_dir():
        raise OutputDirError(f"--out {target}: is a folder; give a file name such as compare.csv")
    if os.path.lexists(target) and not force:
        raise OutputDirError(f"--out {target}: the file exists; choose another name or add --force to replace it")
    ancestor = _first_existing(Path(os.path.abspath(target)).parent)
    if not ancestor.is_dir():
        raise OutputDirError(f"--out {target}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputDirError(f"--out {target}: cannot write in {ancestor} (permission denied)")
    try:
        Path(os.path.abspath(target)).parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputDirError(f"--out {target}: cannot create its folder ({err.strerror})") from None


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS):  # file system without the exchange
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


class OutputFolder:
    """``with OutputFolder(out, force) as tmp:`` write every output into ``tmp``; on a normal
    exit it becomes ``out`` (module docstring). Checks and the lock happen on entering, before
    the caller runs anything; any exception (Ctrl-C included) deletes ``tmp`` and keeps ``out``."""

    def __init__(self, target: str | Path, force: bool = False):
        target = Path(target)
        self.target = Path(os.path.abspath(target.parent)) / target.name if target.name else Path(os.path.abspath(target))
        self.force = force
        self.lock = self.target.parent / f".{self.target.name}.lock"
        self.tmp: Path | None = None
        self._locked = False

    # -- lock ------------------------------------------------------------------------------
    def _acquire(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is not None and alive(holder):
                    raise OutputDirError(
                        f"--out {self.target}: another run (process {holder}) is writing this folder; wait for "
                        f"it to end (if no run is going on, delete {self.lock})") from None
                self.lock.unlink(missing_ok=True)  # stale: its writer is gone
                continue
            except OSError as err:
                raise OutputDirError(f"--out {self.target}: cannot write in {self.target.parent} "
                                     f"({err.strerror})") from None
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(f"{os.getpid()}\n")
            self._locked = True
            return
        raise OutputDirError(f"--out {self.target}: cannot take the lock {self.lock}")

    def _holder(self) -> int | None:
        try:
            text = self.lock.read_text(encoding="ascii", errors="replace")[:32].strip()
            return int(text) if text.isdigit() else None
        except OSError:
            return None

    def _release(self) -> None:
        if self._locked and self._holder() == os.getpid():
            self.lock.unlink(missing_ok=True)
        self._locked = False

    # -- life cycle ------------------------------------------------------------------------
    def __enter__(self) -> Path:
        check_target(self.target, self.force)
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputDirError(f"--out {self.target}: cannot create {self.target.parent} ({err.strerror})") from None
        self._acquire()
        try:
            check_target(self.target, self.force)  # as it is now that no one else writes it
            self._clear_leftovers()
            self.tmp = Path(tempfile.mkdtemp(dir=self.target.parent, prefix=f".{self.target.name}.", suffix=".partial"))
            os.chmod(self.tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; give the usual permissions
            (self.tmp / INCOMPLETE_FILE).write_text(_INCOMPLETE_TEXT, encoding="utf-8")
        except OSError as err:
            self._abort()
            raise OutputDirError(f"--out {self.target}: cannot write in {self.target.parent} ({err.strerror})") from None
        except BaseException:
            self._abort()
            raise
        return self.tmp

    def __exit__(self, kind, value, traceback) -> bool:
        if kind is not None:
            self._abort()
            return False
        try:
            self._commit()
        finally:
            self._abort()
        return False

    def _clear_leftovers(self) -> None:
        """Delete hidden folders of earlier runs on this target that were killed (we hold the lock)."""
        prefix = f".{self.target.name}."
        for path in self.target.parent.iterdir():
            if path.name.startswith(prefix) and path.name.endswith((".partial", ".old")) and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    def _commit(self) -> None:
        (self.tmp / INCOMPLETE_FILE).unlink()
        if not os.path.lexists(self.target):
            os.rename(self.tmp, self.target)
        elif _exchange(self.tmp, self.target):
            pass  # self.tmp now holds the old folder; _abort deletes it
        else:
            old = self.target.with_name(f".{self.target.name}.{os.getpid()}.old")
            os.rename(self.target, old)
            os.rename(self.tmp, self.target)
            shutil.rmtree(old, ignore_errors=True)
        self.tmp = self.tmp if os.path.lexists(self.tmp) else None

    def _abort(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        self._release()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# -- manifest ------------------------------------------------------------------------------------
def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def project_relative(path: Path) -> str:
    from ..paths import PROJECT_DIR

    try:
        return Path(path).resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return str(path)


def packages() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def provenance() -> dict:
    """Hashes of the model and data files (paths relative to the project), package versions."""
    from ..paths import (BASELINE_FILE, CALIBRATED_PARAMETERS_FILE, HISTORY_FILE, INDICATORS_FILE,
                        LEVERS_FILE, MODEL_FILE, SERIES_FILE, TARGETS_FILE)

    data = (LEVERS_FILE, INDICATORS_FILE, BASELINE_FILE, TARGETS_FILE, HISTORY_FILE, SERIES_FILE,
            CALIBRATED_PARAMETERS_FILE)
    return {
        "model_file": {"path": project_relative(MODEL_FILE), "sha256": sha256(MODEL_FILE)},
        "data_files": {project_relative(p): sha256(p) for p in data if p.exists()},
        "packages": packages(),
    }


def write_manifest(folder: Path, *, command: str, argv: list[str], started: datetime, settings: dict,
                   scenarios: list[dict], failures: list[dict], outputs: list[str], details: dict | None = None) -> Path:
    """``manifest.json``, the same schema for every command, written atomically and last:
    schema, command, argv, complete, started, finished, seconds, settings (final_year, lang,
    workers, seed, ...), model_file, data_files, packages, scenarios, failures, details (what
    only this command has), outputs (files relative to the folder, manifest.json last)."""
    finished = datetime.now(timezone.utc)
    manifest = {
        "schema": SCHEMA,
        "command": command,
        "argv": [str(a) for a in argv],
        "complete": True,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 3),
        "settings": settings,
        **provenance(),
        "scenarios": scenarios,
        "failures": failures,
        "details": details or {},
        "outputs": [*outputs, MANIFEST_FILE],
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n"
    return write_atomic(folder / MANIFEST_FILE, lambda p: p.write_text(text, encoding="utf-8"))


def now() -> datetime:
    return datetime.now(timezone.utc)
