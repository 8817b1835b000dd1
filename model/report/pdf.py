"""The report's pages, drawn with matplotlib's object-oriented API (``Figure`` on the PDF
canvas, never pyplot) and saved with ``PdfPages``: every page A4 portrait, text in ``lang``.

Fonts are embedded as TrueType (``pdf.fonttype`` 42, subset; Chinese through the CJK family of
``model.figures.fonts``), so the text is searchable and prints the same anywhere. Pages:

1. cover: title, date, the model's version and hash, the numbered scenarios, then the
   scorecard matrix (one row per plan target, one column per scenario), continued as needed;
2. the levers as set per scenario (label, unit, value or path in display units); rows that
   differ between the scenarios are shaded;
3. per model module, the charts of the indicators that a target is scored on or that have
   history: one line per scenario (colour, dash and marker differ), history points, targets.
Every page's footer repeats the model's version and hash.
"""
from __future__ import annotations

import io
import math
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Mapping, Sequence

import matplotlib
import pandas as pd
from matplotlib.backends.backend_pdf import FigureCanvasPdf, PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MultipleLocator

from ..errors import PlanSimError
from ..figures.fonts import apply_fonts, font_context
from ..figures.scenarios import HISTORY_STYLE, YEAR_TICK, scenario_style, target_style, target_text
from ..i18n import t, unit
from ..metadata import MODULES
from .stamp import ModelStamp, model_stamp
from .tables import (NOT_SCORED, STATUS_COLOURS, STATUS_FILLS, STATUS_MARKS, differing, lever_matrix, scorecard_matrix,
                     status_text, target_label)

A4 = (8.27, 11.69)  # inches, portrait
MARGIN = 0.6  # inches on every side
ROW = 0.2  # inches per table row (one line of text)
FONT = 7.0  # points, table text
WORDS_UP_TO = 4  # with more scenarios a matrix cell shows the mark only (the legend says them)
PANELS = (2, 3)  # columns, rows of charts per page
MAX_SCENARIOS = 10  # lines per chart that stay apart (colour, dash and marker)
SHADE = "#eeeeee"  # rows of the lever table that differ between scenarios


class ReportError(PlanSimError):
    """A report that cannot be written (no scenario, unusable output path)."""


@dataclass(frozen=True)
class ReportScenario:
    """One scenario of a report: its name, titles, lever settings and run."""

    name: str
    title_zh: str
    title_en: str
    levers: Mapping[str, object]   # lever name -> number or LeverPath (missing: the default)
    result: pd.DataFrame           # ``Project.run`` output: index year, one column per indicator

    def title(self, lang: str) -> str:
        return getattr(self, f"title_{lang}") or self.name


@dataclass(frozen=True)
class Inputs:
    """What the pages show besides the runs (the model's declarations and history)."""

    levers: pd.DataFrame       # ``Project.levers()``
    indicators: pd.DataFrame   # ``model.metadata.indicator_table()``: index id
    targets: pd.DataFrame      # the plan targets (plan_targets.csv)
    history: pd.DataFrame      # ``model.history.observations()``: indicator, year, value
    stamp: ModelStamp

    @classmethod
    def of(cls, levers: pd.DataFrame, targets: pd.DataFrame | None = None,
           history: pd.DataFrame | None = None) -> "Inputs":
        from ..history import observations
        from ..metadata import indicator_table, plan_targets

        return cls(levers, indicator_table(), plan_targets() if targets is None else targets,
                   observations() if history is None else history, model_stamp())


# -- writing -------------------------------------------------------------------------------------
def check_out(path: Path | str) -> Path:
    """``path`` as a PDF the report may be written to; ReportError saying why not."""
    path = Path(path)
    shown = str(path)[:200]
    if path.is_dir():
        raise ReportError(f"--out {shown!r} is a folder; give a file name ending in .pdf")
    if path.suffix.lower() != ".pdf":
        raise ReportError(f"--out {shown!r}: the report is a PDF; give a file name ending in .pdf")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError(f"--out {shown!r}: the folder {str(folder)[:200]!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ReportError(f"--out {shown!r}: not writable (permission denied)")
    return path


def write_report(items: Sequence[ReportScenario], out: Path | str, lang: str, inputs: Inputs) -> Path:
    """Write the report of ``items`` to ``out`` (a temporary file beside it, renamed when
    complete: an interrupted or failed report leaves no PDF behind)."""
    from ..experiments.outdir import write_atomic

    path = check_out(out)
    _check(items, lang)
    return write_atomic(path, lambda tmp: _write(items, tmp, lang, inputs))


def report_bytes(items: Sequence[ReportScenario], lang: str, inputs: Inputs) -> bytes:
    """The report of ``items`` as PDF bytes (the app's download)."""
    _check(items, lang)
    buffer = io.BytesIO()
    _write(items, buffer, lang, inputs)
    return buffer.getvalue()


def _check(items: Sequence[ReportScenario], lang: str) -> None:
    if lang not in ("zh", "en"):
        raise ReportError(f"language {lang!r}: allowed zh, en")
    if not items:
        raise ReportError("no scenario to report")
    if len(items) > MAX_SCENARIOS:
        raise ReportError(f"{len(items)} scenarios: a report holds at most {MAX_SCENARIOS}")


def figures(items: Sequence[ReportScenario], lang: str, inputs: Inputs):
    """The report's pages as figures, one at a time (draw them inside ``font_context(lang)``)."""
    pages = [*_scorecard_pages(items, lang, inputs), *_lever_pages(items, lang, inputs),
             *_chart_pages(items, lang, inputs)]
    for number, draw in enumerate(pages, start=1):
        fig = _page(lang, inputs.stamp, number, len(pages))
        draw(fig)
        apply_fonts(fig, lang)
        yield fig


def _write(items, target, lang: str, inputs: Inputs) -> None:
    meta = {"Title": t("report_title", lang), "Subject": " / ".join(s.title(lang) for s in items),
            "Creator": f"PlanSim Shanghai {inputs.stamp.version}",
            "Keywords": f"model sha256 {inputs.stamp.sha256}"}
    with font_context(lang), matplotlib.rc_context({"pdf.fonttype": 42}):
        with PdfPages(target, metadata=meta) as pdf:
            for fig in figures(items, lang, inputs):
                pdf.savefig(fig)


# -- page furniture ------------------------------------------------------------------------------
def _page(lang: str, stamp: ModelStamp, number: int, total: int) -> Figure:
    fig = Figure(figsize=A4)
    FigureCanvasPdf(fig)
    fig.text(MARGIN / A4[0], 0.35 / A4[1], t("report_footer", lang, version=stamp.version, file=stamp.model_file,
                                              hash=stamp.short), fontsize=6.5, color="#555555")
    fig.text(1 - MARGIN / A4[0], 0.35 / A4[1], t("report_page", lang, n=number, m=total), fontsize=6.5,
             color="#555555", ha="right")
    return fig


def _x(inches: float) -> float:
    return inches / A4[0]


def _y(inches_from_top: float) -> float:
    return 1 - inches_from_top / A4[1]


def _scenario_key(fig: Figure, items, lang: str, top: float) -> float:
    """The numbered scenario titles (the tables' column heads); returns the next free top."""
    fig.text(_x(MARGIN), _y(top), t("report_scenarios", lang), fontsize=9, weight="bold", va="top")
    top += 0.25
    for k, item in enumerate(items, start=1):
        fig.text(_x(MARGIN + 0.1), _y(top), f"{k}.  {_clip(item.title(lang), 110)}", fontsize=8, va="top")
        top += 0.19
    return top + 0.1


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _em(char: str) -> float:
    """A character's width in ems, roughly: CJK and full-width glyphs 1, others about 0.6."""
    return 1.0 if ord(char) > 0x2e7f else 0.6


def _fit(text: str, width: float, lines: int) -> list[str]:
    """``text`` broken into at most ``lines`` lines of ``width`` inches at the table's font
    (between words, or between any two CJK characters), the last cut with an ellipsis."""
    room = width * 72 / FONT - 0.6  # ems, less the cell's padding
    tokens = re.findall(r"[\u2e80-\U0002ffff]|[^\s\u2e80-\U0002ffff]+\s*|\s+", " ".join(str(text).split()))
    out, line, used = [], "", 0.0
    for token in tokens:
        size = sum(_em(c) for c in token.rstrip())
        if line and used + size > room:
            out.append(line.rstrip())
            line, used = "", 0.0
            token = token.lstrip()
        line += token
        used += sum(_em(c) for c in token)
    out.append(line.rstrip())
    if len(out) > lines or any(sum(_em(c) for c in part) > room for part in out):
        out = out[:lines]
        last = out[-1]
        while last and sum(_em(c) for c in last) > room - 1:
            last = last[:-1]
        out[-1] = last.rstrip() + "…"
    return out


def _row_lines(row: list[str], widths: list[float], most: int) -> int:
    return max(len(_fit(text, width, most)) for text, width in zip(row, widths))


def _row_height(lines: int) -> float:
    return ROW + (lines - 1) * 0.13


def _chunks(rows: list[list[str]], widths: list[float], most: int, first: float, later: float) -> list[tuple[int, int]]:
    """Rows split into pages: ``first`` inches of table on the first page, ``later`` on the next."""
    chunks, start, used, room = [], 0, 0.0, first
    for k, row in enumerate(rows):
        height = _row_height(_row_lines(row, widths, most))
        if used + height > room and k > start:
            chunks.append((start, k))
            start, used, room = k, 0.0, later
        used += height
    chunks.append((start, len(rows)))
    return chunks


def _table(fig: Figure, top: float, widths: list[float], head: list[str], rows: list[list[str]],
           colours: list[list[str | None]] | None = None, fills: list[list[str | None]] | None = None,
           most: int = 1) -> float:
    """Draw a table from ``top`` (inches from the page's top): column ``widths`` in inches, one
    head row, then ``rows``, each cell's text broken into at most ``most`` lines (``_fit``).
    Returns the next free top."""
    edges = [MARGIN]
    for width in widths:
        edges.append(edges[-1] + width)

    def cell(row_top: float, col: int, text: str, height: float, *, bold=False, colour=None, fill=None):
        if fill:
            fig.add_artist(Rectangle((_x(edges[col]), _y(row_top + height)), _x(widths[col]), height / A4[1],
                                     transform=fig.transFigure, facecolor=fill, edgecolor="none", zorder=0))
        fig.text(_x(edges[col] + 0.04), _y(row_top + 0.045), "\n".join(_fit(text, widths[col], most)),
                 fontsize=FONT, va="top", weight="bold" if bold else "normal", color=colour or "black",
                 linespacing=1.25)

    for col, text in enumerate(head):
        cell(top, col, text, ROW, bold=True, fill="#dddddd")
    top += ROW
    for r, row in enumerate(rows):
        height = _row_height(_row_lines(row, widths, most))
        for col, text in enumerate(row):
            cell(top, col, text, height, colour=(colours[r][col] if colours else None),
                 fill=(fills[r][col] if fills else None))
        fig.add_artist(Line2D([_x(MARGIN), _x(edges[-1])], [_y(top + height)] * 2, transform=fig.transFigure,
                              color="#cccccc", linewidth=0.4))
        top += height
    return top + 0.1


# -- scorecard matrix ----------------------------------------------------------------------------
BOTTOM = 0.85  # inches kept free at the page's foot (the footer)


def _key_height(items) -> float:
    """Inches ``_scenario_key`` takes."""
    return 0.35 + 0.19 * len(items)


def _scorecard_pages(items, lang: str, inputs: Inputs) -> list[Callable[[Figure], None]]:
    from ..scorecard import score

    matrix = scorecard_matrix({s.name: score(s.result, targets=inputs.targets) for s in items}, inputs.targets)
    targets = inputs.targets.to_dict("records")
    words = len(items) <= WORDS_UP_TO
    body = A4[0] - 2 * MARGIN
    cell = min(1.1, (body - 3.4) / len(items)) if words else min(0.5, (body - 3.4) / len(items))
    widths = [body - cell * len(items)] + [cell] * len(items)
    head = [t("report_target", lang)] + [str(k) for k in range(1, len(items) + 1)]
    rows, colours, fills = [], [], []
    for target, statuses in zip(targets, matrix.itertuples(index=False)):
        rows.append([target_label(target, inputs.indicators, lang)]
                    + [status_text(s, lang) if words else STATUS_MARKS.get(s, NOT_SCORED) for s in statuses])
        colours.append([None] + [STATUS_COLOURS.get(s) for s in statuses])
        fills.append([None] + [STATUS_FILLS.get(s) for s in statuses])
    legend = "   ".join(status_text(s, lang) for s in STATUS_MARKS)
    stamp = inputs.stamp
    cover, heading = 1.22 + _key_height(items), 0.5  # inches above the table on the first / later pages
    room = A4[1] - MARGIN - BOTTOM - ROW
    chunks = _chunks(rows, widths, 2, room - cover, room - heading)

    def page(start: int, stop: int, first: bool):
        def draw(fig: Figure) -> None:
            top = MARGIN
            if first:
                fig.text(_x(MARGIN), _y(top), t("report_title", lang), fontsize=17, weight="bold", va="top")
                top += 0.45
                fig.text(_x(MARGIN), _y(top), t("report_date", lang, date=date.today().isoformat()), fontsize=9,
                         va="top")
                top += 0.22
                fig.text(_x(MARGIN), _y(top), t("report_model", lang, version=stamp.version, file=stamp.model_file),
                         fontsize=9, va="top")
                top += 0.2
                fig.text(_x(MARGIN), _y(top), f"SHA-256 {stamp.sha256}", fontsize=7.5, va="top", family="monospace")
                top += 0.35
                top = _scenario_key(fig, items, lang, top)
            fig.text(_x(MARGIN), _y(top), t("report_scorecard", lang) + ("" if first else t("report_continued", lang)),
                     fontsize=11, weight="bold", va="top")
            top += 0.25
            fig.text(_x(MARGIN), _y(top), t("report_scorecard_note", lang) + "   " + legend, fontsize=7, va="top")
            top += 0.25
            _table(fig, top, widths, head, rows[start:stop], colours[start:stop], fills[start:stop], most=2)
        return draw

    return [page(a, b, k == 0) for k, (a, b) in enumerate(chunks)]


# -- levers --------------------------------------------------------------------------------------
def _lever_pages(items, lang: str, inputs: Inputs) -> list[Callable[[Figure], None]]:
    names = [s.name for s in items]
    table = lever_matrix({s.name: s.levers for s in items}, inputs.levers, lang)
    shaded = differing(table, names).to_numpy()
    body = A4[0] - 2 * MARGIN
    label = 2.3
    widths = [label, 0.9] + [(body - label - 0.9) / len(items)] * len(items)
    head = [t("report_lever", lang), t("report_unit", lang)] + [str(k) for k in range(1, len(items) + 1)]
    rows = [[r["label"], r["unit"], *(r[n] for n in names)] for _, r in table.iterrows()]
    fills = [[SHADE if s else None] * len(widths) for s in shaded]
    above = 0.5 + _key_height(items) + 0.1
    room = A4[1] - MARGIN - BOTTOM - ROW - above
    chunks = _chunks(rows, widths, 3, room, room)

    def page(start: int, stop: int):
        def draw(fig: Figure) -> None:
            top = MARGIN
            fig.text(_x(MARGIN), _y(top), t("report_levers", lang) + ("" if start == 0 else t("report_continued", lang)),
                     fontsize=11, weight="bold", va="top")
            top += 0.25
            fig.text(_x(MARGIN), _y(top), t("report_levers_note", lang), fontsize=7, va="top")
            top = _scenario_key(fig, items, lang, top + 0.25)
            _table(fig, top, widths, head, rows[start:stop], fills=fills[start:stop], most=3)
        return draw

    return [page(a, b) for a, b in chunks]


# -- charts --------------------------------------------------------------------------------------
def charted(inputs: Inputs) -> list[str]:
    """The indicators charted: those a plan target is scored on or that have history, in the
    order of model/indicators.yaml."""
    wanted = set(inputs.targets["model_indicator"]) | set(inputs.history["indicator"])
    return [ind for ind in inputs.indicators.index if ind in wanted]


def _chart_pages(items, lang: str, inputs: Inputs) -> list[Callable[[Figure], None]]:
    per_page = PANELS[0] * PANELS[1]
    chosen = charted(inputs)
    pages = []
    for module in MODULES:
        ids = [i for i in chosen if inputs.indicators.loc[i, "module"] == module]
        for start in range(0, len(ids), per_page):
            pages.append(_chart_page(module, ids[start:start + per_page], items, lang, inputs))
    return pages


def _chart_page(module: str, ids: list[str], items, lang: str, inputs: Inputs) -> Callable[[Figure], None]:
    def draw(fig: Figure) -> None:
        fig.text(_x(MARGIN), _y(MARGIN), t("fig_module_title", lang, module=t(f"module_{module}", lang)),
                 fontsize=11, weight="bold", va="top")
        grid = fig.add_gridspec(PANELS[1], PANELS[0], left=_x(MARGIN + 0.35), right=1 - _x(MARGIN),
                                top=_y(MARGIN + 0.75), bottom=_y(A4[1] - 2.2), wspace=0.3, hspace=0.55)
        handles: dict[str, Line2D] = {}
        for position, ind in enumerate(ids):
            ax = fig.add_subplot(grid[position // PANELS[0], position % PANELS[0]])
            _panel(ax, ind, items, lang, inputs, handles)
        fig.legend(list(handles.values()), list(handles), loc="lower left", ncol=2, fontsize=7, frameon=False,
                   bbox_to_anchor=(_x(MARGIN), _y(A4[1] - 0.55)), bbox_transform=fig.transFigure)
    return draw


def _panel(ax, ind: str, items, lang: str, inputs: Inputs, handles: dict) -> None:
    meta = inputs.indicators.loc[ind]
    first, last = math.inf, -math.inf
    for k, item in enumerate(items):
        result = item.result
        (line,) = ax.plot(result.index, result[ind], linewidth=1.3, **scenario_style(k))
        handles.setdefault(f"{k + 1}. {_clip(item.title(lang), 60)}", line)
        first, last = min(first, result.index[0]), max(last, result.index[-1])
    obs = inputs.history[inputs.history["indicator"] == ind]
    if len(obs):
        (dots,) = ax.plot(obs["year"], obs["value"], **HISTORY_STYLE)
        handles.setdefault(t("fig_history", lang), dots)
        first = min(first, obs["year"].min())
    for target in inputs.targets[inputs.targets["model_indicator"] == ind].itertuples(index=False):
        style = target_style(target.plan, inputs.targets)
        (mark,) = ax.plot([target.year], [target.value], linestyle="none", markeredgecolor="white", zorder=4, **style)
        ax.annotate(target_text(target.op, target.value, lang), (target.year, target.value), textcoords="offset points",
                    xytext=(-4, 6), ha="right", fontsize=6, color=style["color"])
        handles.setdefault(t("fig_target", lang, plan=t(f"plan_{target.plan}", lang)), mark)
    ax.set_title(_clip(meta[f"label_{lang}"], 55), fontsize=8)
    ax.set_ylabel(unit(meta["unit"], lang), fontsize=6.5)
    ax.tick_params(labelsize=6.5)
    if math.isfinite(first):
        ax.set_xlim(YEAR_TICK * math.floor(first / YEAR_TICK) - 0.5, last + 0.5)
    ax.xaxis.set_major_locator(MultipleLocator(YEAR_TICK))
    ax.margins(y=0.15)
    ax.grid(alpha=0.3)
