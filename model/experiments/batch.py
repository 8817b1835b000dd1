"""Headless scenario batches: run many scenario files in parallel and write their outputs.

``run_batch(paths, out_dir, workers=N)`` validates every file, runs the good ones over N
worker processes (``model.experiments.executor``; each loads its own copy of the project once),
and writes into ``out_dir``:

- ``results.csv``   tidy runs: scenario, year, indicator, value, unit;
- ``scorecard.csv`` scenario, plan, target_id, year, value, target, op, attribute, gap, status;
- ``scorecard.md``  the scorecard as a table, one column per scenario;
- ``<module>.png``  one figure per model module (``model.figures.scenarios``);
- ``manifest.json`` the schema of ``model.experiments.outdir.write_manifest``: hashes of the model and
  data files, package versions, levers as run, failures with their reasons, start and end.

Files are in the language ``lang`` (labels, units, plan and status words) and values are
rounded to each indicator's declared precision. A scenario that fails (bad file of any kind,
failed run) is reported with its reason; the others are written. The folder is written by
``model.experiments.outdir.OutputFolder``: checked and locked before anything runs, filled in a hidden
temporary folder and swapped in at the end, so ``out_dir`` is one complete batch or absent.
Results do not depend on the engine (``pysd`` or ``simlin``, equal to 1e-9 and written
rounded) nor on the number of workers: every run starts from a clean model state and outputs
follow the order of ``paths``.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from ..declaration import DEFAULT_FINAL_YEAR
from ..derivation import to_long
from ..errors import PlanSimError
from ..i18n import t, unit
from ..metadata import MODULES, plan_targets, round_to_precision
from ..paths import MODEL_FILE
from ..project import Project
from ..scenarios import Scenario, load_each
from ..scorecard import MET, export_table, score
from . import executor as executors
from . import tasks
from .outdir import MANIFEST_FILE, OutputDirError, OutputFolder, check_target, now, sha256, write_atomic, write_manifest

RESULTS_FILE = "results.csv"
SCORECARD_FILE = "scorecard.csv"
SCORECARD_MD_FILE = "scorecard.md"
DEFAULT_LANGUAGE = "en"  # the CLI's files; the app defaults to Chinese
MAX_REASON_CHARS = 1_500  # one failure's message, whatever the file held
__all__ = ["OutputDirError", "write_atomic", "run_batch", "load_batch", "run_scenarios"]


def bounded(text: object, limit: int = MAX_REASON_CHARS) -> str:
    """``text`` cut to ``limit`` characters (a message never grows with a hostile input)."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f" ... [{len(text) - limit} more characters]"


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
def run_scenarios(
    project: Project,
    scenarios: Sequence[Scenario],
    executor: executors.Executor | None = None,
    final_year: int = DEFAULT_FINAL_YEAR,
    progress: bool = True,
) -> tuple[dict[str, pd.DataFrame], list[Failure]]:
    """Run each scenario on ``project``; return results by name (in the order given) and the
    failed runs. The runs go to ``executor`` (default: this process); a serial executor runs
    them on ``project`` itself, worker processes on their own copy of it."""
    executor = executor if executor is not None else executors.Serial()
    if executor.kind == "serial":
        run, key = (lambda levers, year: project.run(levers, year)), ()
    else:
        run, key = tasks.run, (tasks.ProjectKey.of(project),)
    outcomes = executor.outcomes(run, {s.name: (*key, s.levers, final_year) for s in scenarios}, "scenarios", progress)
    results, failures = {}, []
    for s in scenarios:
        outcome = outcomes[s.name]
        if isinstance(outcome, BaseException):
            failures.append(Failure(str(s.path or s.name), bounded(f"run failed: {type(outcome).__name__}: {outcome}")))
        else:
            results[s.name] = outcome
    return results, failures


def load_batch(paths: Iterable[str | Path], project: Project) -> tuple[list[Scenario], list[Failure]]:
    """Load every file; a bad file of any kind or a name already used is a failure, the rest go on."""
    scenarios, failed = load_each(paths, project)
    return scenarios, [Failure(str(path), bounded("invalid scenario file:\n  " + "\n  ".join(err.problems)))
                       for path, err in failed]


# -- writing -------------------------------------------------------------------------------------
def check_out_dir(out_dir: Path, force: bool) -> None:
    """Refuse an unusable ``--out`` before anything runs (``outdir.check_target``)."""
    check_target(Path(out_dir), force)


def _number(value: float) -> str:
    """A rounded value as written: thousands separated, no float noise, no trailing '.0'."""
    value = float(value)
    if value != value:
        return "-"
    if abs(value) >= 1e15:
        return f"{value:.4g}"
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


def scorecard_markdown(card: pd.DataFrame, final_year: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """The scorecard as a Markdown table in ``lang``: one row per target, one column per scenario
    (its title). ``card`` is ``model.scorecard.export_table`` output with a ``scenario`` column
    (values already rounded to each indicator's precision)."""
    names = list(dict.fromkeys(card["scenario"]))
    titles = dict(zip(card["scenario"], card["scenario_title"])) if "scenario_title" in card else {}
    heads = [t(f"cli_md_{k}", lang) for k in ("plan", "target", "year", "attribute", "figure", "unit")]
    lines = [
        f"# {t('cli_md_title', lang)}",
        "",
        t("cli_md_intro", lang, final_year=final_year, rule=t("scorecard_rule", lang)),
        "",
        "| " + " | ".join(heads) + " | " + " | ".join(f"{titles.get(n, n)} (`{n}`)" for n in names) + " |",
        "|---|---|---|---|---|---|" + "---|" * len(names),
    ]
    for key, rows in card.groupby(["plan", "target_id", "year"], sort=False):
        first = rows.iloc[0]
        cells = {r.scenario: f"{_number(r.value)} ({r.status_label})" for r in rows.itertuples()}
        label = f"{first.label} (`{key[1]}`)"
        lines.append(
            f"| {first.plan_label} | {label} | {key[2]} | {first.attribute_label} | {t('fig_op_' + first.op, lang)} "
            f"{_number(first.target)} | "
            f"{first.unit} | " + " | ".join(cells.get(n, "") for n in names) + " |"
        )
    # met counts exceeded too (the scorecard's rule); near and missed as they are
    counted = card["status"].where(~card["status"].isin(MET), "met")
    counts = counted.groupby(card["scenario"]).value_counts().unstack(fill_value=0)
    summary = [
        "/".join(str(int(counts.loc[n].get(s, 0))) for s in ("met", "near", "missed")) if n in counts.index else ""
        for n in names
    ]
    lines.append(f"| | **{t('cli_md_summary', lang)}** | | | | | " + " | ".join(summary) + " |")
    return "\n".join(lines) + "\n"


def scenario_entries(scenarios: Sequence[Scenario], project: Project) -> list[dict]:
    """The manifest's record of each scenario: file, hash, titles, overrides and every lever."""
    defaults = project.levers().set_index("name")["default"].astype(float).to_dict()
    entries = []
    for s in scenarios:
        overrides = {name: _as_data(value) for name, value in s.levers.items()}  # a path as YAML writes it
        entries.append({
            "name": s.name, "file": str(s.path), "sha256": sha256(s.path) if s.path else None,
            "title_zh": s.title_zh, "title_en": s.title_en, "extends": s.extends,
            "overrides": overrides, "levers": {**defaults, **overrides},
        })
    return entries


def _as_data(value):
    """A lever as JSON holds it: a number, or a path's mapping (point years as text keys)."""
    data = value.as_data() if hasattr(value, "as_data") else value
    if isinstance(data, dict) and "points" in data:
        return {"points": {str(year): v for year, v in data["points"].items()}}
    return data


def results_table(results: dict[str, pd.DataFrame], lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Tidy runs as written to results.csv: scenario, year, indicator, value (rounded to the
    indicator's precision), unit and label in ``lang``."""
    from ..metadata import indicator_table

    table = indicator_table()
    tidy = pd.concat([to_long(r, name) for name, r in results.items()], ignore_index=True)
    tidy["value"] = round_to_precision(tidy["value"], tidy["indicator"])
    tidy["unit"] = tidy["indicator"].map(table["unit"]).map(lambda u: unit(u, lang))
    tidy["label"] = tidy["indicator"].map(table[f"label_{lang}"])
    return tidy[["scenario", "year", "indicator", "value", "unit", "label"]]


def write_outputs(out_dir: Path, results: dict[str, pd.DataFrame], final_year: int,
                  executor: executors.Executor | None = None, progress: bool = False,
                  lang: str = DEFAULT_LANGUAGE, titles: dict[str, str] | None = None) -> list[Path]:
    """results.csv, scorecard.csv, scorecard.md and one PNG per module (nothing if no results),
    in ``lang``; ``titles`` maps scenario name -> title in ``lang``.

    Figures are rendered on ``executor`` when given (they take most of a small batch's time).
    """
    from ..figures import scenarios as figures

    if not results:
        return []
    executor = executor if executor is not None else executors.Serial()
    targets = plan_targets()
    written = []
    tidy = results_table(results, lang)
    written.append(write_atomic(out_dir / RESULTS_FILE, lambda p: tidy.to_csv(p, index=False)))
    card = pd.concat([score(r, targets).assign(scenario=name) for name, r in results.items()], ignore_index=True)
    card = export_table(card[["scenario", *card.columns[:-1]]], lang, targets, titles)
    written.append(write_atomic(out_dir / SCORECARD_FILE, lambda p: card.to_csv(p, index=False)))
    text = scorecard_markdown(card, final_year, lang)
    written.append(write_atomic(out_dir / SCORECARD_MD_FILE, lambda p: p.write_text(text, encoding="utf-8")))
    jobs = {m: (m, results, lang, titles) for m in MODULES}
    pngs = executor.outcomes(figures.module_png, jobs, "figures", progress)
    for module, png in pngs.items():
        if isinstance(png, BaseException) and executor.kind != "serial":
            png = figures.module_png(*jobs[module])  # e.g. a worker died: draw it here instead
        if isinstance(png, BaseException):
            raise PlanSimError(bounded(f"figure of module {module!r} failed: {type(png).__name__}: {png}")) from png
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
    lang: str = DEFAULT_LANGUAGE,
    *,
    project: Project | None = None,
    engine: str = "pysd",
) -> BatchReport:
    """Validate, run and write a batch (module docstring) on ``project`` (default: the model on
    ``engine``). Raises ``OutputDirError`` before running anything if ``out_dir`` is unusable;
    scenario problems end up in ``failures``.

    Worker processes come from a fork server: a script that calls this with ``workers > 1``
    must do so under ``if __name__ == "__main__":`` (``python -m model run`` does).
    """
    folder = OutputFolder(out_dir, force)
    workers = executors.default_workers() if workers is None else int(workers)
    started = now()
    with folder as tmp:
        # One executor for the runs and the figures; its workers start (import, load their
        # model) while this process loads its own model and validates the files.
        tasks_at_most = max(len(paths), len(MODULES)) if len(paths) > 1 else 1
        with executors.create(min(workers, tasks_at_most)) as executor:
            if project is None:
                from ..engines import check_name

                key = tasks.ProjectKey(str(MODEL_FILE), check_name(engine), True)
                executor.warm(tasks.warm, key)
                project = Project(engine=engine)
            else:
                executor.warm(tasks.warm, tasks.ProjectKey.of(project))
            first = int(project.control["INITIAL TIME"])
            if not (isinstance(final_year, int) and final_year > first):
                raise PlanSimError(f"--final-year must be a whole year after {first}, got {final_year!r}")
            scenarios, failures = load_batch(paths, project)
            results, run_failures = run_scenarios(project, scenarios, executor if len(scenarios) > 1 else None,
                                                  final_year, progress)
            failures += run_failures
            titles = {s.name: getattr(s, f"title_{lang}") for s in scenarios}
            files = write_outputs(tmp, results, final_year, executor, progress, lang, titles)
        ran = [s for s in scenarios if s.name in results]
        write_manifest(
            tmp, command="run", argv=argv if argv is not None else sys.argv, started=started,
            settings={"final_year": final_year, "workers": workers, "lang": lang, "force": force,
                      "engine": project.engine_name},
            scenarios=scenario_entries(ran, project),
            failures=[{"source": f.source, "reason": f.reason} for f in failures],
            outputs=[p.name for p in files],
        )
    out = folder.target
    return BatchReport(out, list(results), failures, [out / p.name for p in files] + [out / MANIFEST_FILE])
