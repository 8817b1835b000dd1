"""Headless scenario batches: run many scenario files in parallel and write their outputs.

``run_batch(paths, out_dir, workers=N)`` validates every file, runs the good ones over N
worker processes (each loads its own ShanghaiModel once), and writes into ``out_dir``:

- ``results.csv``   tidy runs: scenario, year, indicator, value, unit;
- ``scorecard.csv`` scenario, plan, target_id, year, value, target, op, attribute, gap, status;
- ``scorecard.md``  the scorecard as a table, one column per scenario;
- ``<module>.png``  one figure per model module (``model.figures``);
- ``manifest.json`` hashes of the model and data files, package versions, levers as run,
  failures with their reasons, start and end time. Written last: its presence means the
  batch finished.

A scenario that fails (bad file, failed run) is reported with its reason; the others are
written. Each file is written under a temporary name in ``out_dir`` and renamed into place, so
it appears whole or not at all. Results do not depend on the number of workers: every run
starts from a clean model state and outputs follow the order of ``paths``.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import platform
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd
from tqdm import tqdm

from .engine import DEFAULT_FINAL_YEAR, ShanghaiModel, to_long
from .errors import PlanSimError
from .metadata import MODULES, plan_targets
from .paths import (BASELINE_FILE, CALIBRATED_PARAMETERS_FILE, HISTORY_FILE, INDICATORS_FILE,
                    LEVERS_FILE, PROJECT_DIR, SERIES_FILE, TARGETS_FILE)
from .scenarios import Scenario, ScenarioError, load_scenario
from .scorecard import score

RESULTS_FILE = "results.csv"
SCORECARD_FILE = "scorecard.csv"
SCORECARD_MD_FILE = "scorecard.md"
MANIFEST_FILE = "manifest.json"
DATA_FILES = (LEVERS_FILE, INDICATORS_FILE, BASELINE_FILE, TARGETS_FILE, HISTORY_FILE, SERIES_FILE,
              CALIBRATED_PARAMETERS_FILE)
PACKAGES = ("numpy", "pandas", "scipy", "pysd", "pysimlin", "matplotlib", "PyYAML", "tqdm")


class OutputDirError(PlanSimError):
    """The output folder cannot be used (not empty without --force, or not a folder)."""


@dataclass
class Failure:
    """A scenario that produced no output: its file (or name) and why."""

    source: str
    reason: str


@dataclass
class BatchReport:
    """What a batch did: scenarios written (in order), failures, files written."""

    out_dir: Path
    written: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


# -- running -------------------------------------------------------------------------------------
_worker_model: ShanghaiModel | None = None


def _init_worker() -> None:
    """Process initializer: one model per worker, loaded once."""
    global _worker_model
    _worker_model = ShanghaiModel()


def _run_in_worker(levers: dict[str, float], final_year: int) -> pd.DataFrame:
    return _worker_model.run(levers, final_year)


def _ready() -> None:
    """A no-op task: submitting one per worker starts the pool's processes early."""


def default_workers() -> int:
    """All cores."""
    return os.cpu_count() or 1


def open_pool(workers: int, tasks: int) -> ProcessPoolExecutor | None:
    """A pool of ``min(workers, tasks)`` spawned processes (nothing inherited from this one),
    each with its own model; None when one process is enough (run here instead)."""
    if workers < 1:
        raise PlanSimError(f"workers must be at least 1, got {workers}")
    if workers == 1 or tasks <= 1:
        return None
    return ProcessPoolExecutor(min(workers, tasks), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)


def execute(pool: ProcessPoolExecutor | None, local: Callable, remote: Callable, jobs: dict,
            desc: str, progress: bool) -> dict:
    """Run ``jobs`` (key -> args): ``remote(*args)`` in the pool, or ``local(*args)`` here.

    Returns key -> result, or key -> the exception it raised (one job's failure never stops
    the others), in the order of ``jobs``; a progress bar on stderr counts finished jobs.
    """
    out: dict = {}
    with tqdm(total=len(jobs), desc=desc, unit="job", file=sys.stderr, disable=not progress) as bar:
        if pool is None:
            for key, args in jobs.items():
                try:
                    out[key] = local(*args)
                except Exception as err:  # noqa: BLE001 - reported with its reason
                    out[key] = err
                bar.update()
        else:
            futures = {pool.submit(remote, *args): key for key, args in jobs.items()}
            for future in as_completed(futures):
                try:
                    out[futures[future]] = future.result()
                except Exception as err:  # noqa: BLE001 - includes a worker that died
                    out[futures[future]] = err
                bar.update()
    return {key: out[key] for key in jobs}


def run_scenarios(
    scenarios: Sequence[Scenario],
    workers: int | None = None,
    final_year: int = DEFAULT_FINAL_YEAR,
    progress: bool = True,
    model: ShanghaiModel | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> tuple[dict[str, pd.DataFrame], list[Failure]]:
    """Run each scenario; return results by name (in the order given) and the failed runs.

    With ``pool`` the runs go there. Without, ``workers`` (default: all cores) decides: 1 runs
    in this process with ``model`` (or a new one); more open a pool for this call.
    """
    if pool is None:
        own_pool = open_pool(default_workers() if workers is None else int(workers), len(scenarios))
        if own_pool is not None:
            with own_pool:
                return run_scenarios(scenarios, final_year=final_year, progress=progress, pool=own_pool)
    shanghai = (model or ShanghaiModel()) if pool is None else None
    outcomes = execute(
        pool, lambda levers, year: shanghai.run(levers, year), _run_in_worker,
        {s.name: (s.levers, final_year) for s in scenarios}, "scenarios", progress,
    )
    results, failures = {}, []
    for s in scenarios:
        outcome = outcomes[s.name]
        if isinstance(outcome, BaseException):
            failures.append(Failure(str(s.path or s.name), f"run failed: {type(outcome).__name__}: {outcome}"))
        else:
            results[s.name] = outcome
    return results, failures


def load_batch(paths: Iterable[str | Path], model: ShanghaiModel) -> tuple[list[Scenario], list[Failure]]:
    """Load every file; a bad file or a name already used is a failure, the rest go on."""
    scenarios: list[Scenario] = []
    failures: list[Failure] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            s = load_scenario(path, model)
        except ScenarioError as err:
            failures.append(Failure(str(path), "invalid scenario file:\n  " + "\n  ".join(err.problems)))
            continue
        if s.name in seen:
            failures.append(Failure(str(path), f"scenario name {s.name!r} is also used by {seen[s.name]}"))
            continue
        seen[s.name] = s.path
        scenarios.append(s)
    return scenarios, failures


# -- writing -------------------------------------------------------------------------------------
def check_out_dir(out_dir: Path, force: bool) -> None:
    """Refuse a file, or a non-empty folder unless ``force``."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputDirError(f"--out {out_dir}: exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise OutputDirError(f"--out {out_dir}: folder is not empty; choose another or add --force to overwrite")


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        write(Path(tmp))
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _number(value: float) -> str:
    return f"{value:,.2f}" if abs(value) < 1e15 else f"{value:.4g}"


def scorecard_markdown(card: pd.DataFrame, targets: pd.DataFrame, final_year: int) -> str:
    """The scorecard as a Markdown table: one row per target, one column per scenario."""
    names = list(dict.fromkeys(card["scenario"]))
    units = targets.set_index(["plan", "id"])["unit"].to_dict()
    wording = targets.set_index(["plan", "id"])["indicator"].to_dict()
    lines = [
        "# Plan scorecard",
        "",
        f"Runs from the 2010 baseline to {final_year}. Each cell: model value (status). Status rule:",
        "`about` met within ±5% of the target figure, near within ±10%; `>=`/`<=` met or missed,",
        "near within 5% on the wrong side for expected targets only; binding targets are never near",
        "(see scenarios/README.md). Gap = value - target.",
        "",
        "| plan | target | year | attribute | target | unit | " + " | ".join(names) + " |",
        "|---|---|---|---|---|---|" + "---|" * len(names),
    ]
    for key, rows in card.groupby(["plan", "target_id", "year"], sort=False):
        first = rows.iloc[0]
        cells = {r.scenario: f"{_number(r.value)} ({r.status})" for r in rows.itertuples()}
        label = f"{wording.get(key[:2], key[1])} (`{key[1]}`)"
        lines.append(
            f"| {key[0]} | {label} | {key[2]} | {first.attribute} | {first.op} {first.target:g} | "
            f"{units.get(key[:2], '')} | " + " | ".join(cells.get(n, "") for n in names) + " |"
        )
    counts = card.groupby("scenario")["status"].value_counts().unstack(fill_value=0)
    summary = [
        "/".join(str(int(counts.loc[n].get(s, 0))) for s in ("met", "near", "missed")) if n in counts.index else ""
        for n in names
    ]
    lines.append("| | **met/near/missed** | | | | | " + " | ".join(summary) + " |")
    return "\n".join(lines) + "\n"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _project_relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return str(path)


def _packages() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(scenarios, failures, shanghai: ShanghaiModel, final_year, workers, started, finished,
                   outputs, argv=None) -> dict:
    """Everything needed to tell what produced a batch (all paths relative to the project)."""
    defaults = shanghai.levers().set_index("name")["default"].astype(float).to_dict()
    return {
        "command": argv if argv is not None else sys.argv,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 3),
        "final_year": final_year,
        "workers": workers,
        "model_file": {"path": _project_relative(shanghai.mdl_path), "sha256": _sha256(shanghai.mdl_path)},
        "data_files": {_project_relative(p): _sha256(p) for p in DATA_FILES if p.exists()},
        "packages": _packages(),
        "scenarios": [
            {
                "name": s.name, "file": str(s.path), "sha256": _sha256(s.path) if s.path else None,
                "title_zh": s.title_zh, "title_en": s.title_en, "extends": s.extends,
                "overrides": s.levers, "levers": {**defaults, **s.levers},
            }
            for s in scenarios
        ],
        "failures": [{"source": f.source, "reason": f.reason} for f in failures],
        "outputs": outputs,
    }


def write_outputs(out_dir: Path, results: dict[str, pd.DataFrame], final_year: int,
                  pool: ProcessPoolExecutor | None = None, progress: bool = False) -> list[Path]:
    """results.csv, scorecard.csv, scorecard.md and one PNG per module (nothing if no results).

    Figures are rendered in ``pool`` when given (they take most of a small batch's time).
    """
    from .figures import module_png

    if not results:
        return []
    targets = plan_targets()
    written = []
    tidy = pd.concat([to_long(r, name) for name, r in results.items()], ignore_index=True)
    written.append(write_atomic(out_dir / RESULTS_FILE, lambda p: tidy.to_csv(p, index=False)))
    card = pd.concat([score(r, targets).assign(scenario=name) for name, r in results.items()], ignore_index=True)
    card = card[["scenario", *card.columns[:-1]]]
    written.append(write_atomic(out_dir / SCORECARD_FILE, lambda p: card.to_csv(p, index=False)))
    text = scorecard_markdown(card, targets, final_year)
    written.append(write_atomic(out_dir / SCORECARD_MD_FILE, lambda p: p.write_text(text, encoding="utf-8")))
    pngs = execute(pool, module_png, module_png, {m: (m, results) for m in MODULES}, "figures", progress)
    for module, png in pngs.items():
        if isinstance(png, BaseException) and pool is not None:
            png = module_png(module, results)  # e.g. a worker died: draw it here instead
        if isinstance(png, BaseException):
            raise PlanSimError(f"figure of module {module!r} failed: {type(png).__name__}: {png}") from png
        written.append(write_atomic(out_dir / f"{module}.png", lambda p: p.write_bytes(png)))
    return written


def run_batch(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    workers: int | None = None,
    final_year: int = DEFAULT_FINAL_YEAR,
    force: bool = False,
    progress: bool = True,
    argv: list[str] | None = None,
) -> BatchReport:
    """Validate, run and write a batch (module docstring). Raises ``OutputDirError`` before
    running anything if ``out_dir`` is unusable; scenario problems end up in ``failures``.

    Worker processes are spawned: a script that calls this with ``workers > 1`` must do so
    under ``if __name__ == "__main__":`` (``python -m model run`` does).
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir, force)
    workers = default_workers() if workers is None else int(workers)
    started = datetime.now(timezone.utc)
    # One pool for the runs and the figures; its workers start (import, load their model)
    # while this process loads its own model and validates the files.
    tasks = max(len(paths), len(MODULES)) if len(paths) > 1 else 1
    pool = open_pool(workers, tasks)
    with pool or contextlib.nullcontext():
        for _ in range(min(workers, tasks) if pool else 0):
            pool.submit(_ready)
        shanghai = ShanghaiModel()
        first = int(shanghai.control["INITIAL TIME"])
        if not (isinstance(final_year, int) and final_year > first):
            raise PlanSimError(f"--final-year must be a whole year after {first}, got {final_year!r}")
        scenarios, failures = load_batch(paths, shanghai)
        results, run_failures = run_scenarios(scenarios, workers, final_year, progress, shanghai,
                                              pool if len(scenarios) > 1 else None)
        failures += run_failures
        out_dir.mkdir(parents=True, exist_ok=True)
        report = BatchReport(out_dir, list(results), failures)
        report.files = write_outputs(out_dir, results, final_year, pool, progress)
    ran = [s for s in scenarios if s.name in results]
    outputs = [p.name for p in report.files] + [MANIFEST_FILE]
    manifest = build_manifest(ran, failures, shanghai, final_year, workers, started,
                              datetime.now(timezone.utc), outputs, argv)
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    report.files.append(write_atomic(out_dir / MANIFEST_FILE, lambda p: p.write_text(text + "\n", encoding="utf-8")))
    return report
