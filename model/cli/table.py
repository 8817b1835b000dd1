"""Plain-text tables for a terminal: columns aligned by display width (a Chinese character
takes two columns, ``unicodedata.east_asian_width``), fitted to a width by shortening one
text column (with an ellipsis) instead of letting lines wrap."""
from __future__ import annotations

import unicodedata
from typing import Sequence

WIDTH = 100  # columns of a terminal the tables fit by default
GAP = "  "
MIN_SHRUNK = 10  # a shortened column keeps at least this many display columns


def display_width(text: str) -> int:
    """Terminal columns of ``text``: 2 for wide and full-width characters, 0 for combining marks."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shorten(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` display columns, ending in '…' when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = display_width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * (width - display_width(text))
    return space + text if right else text + space


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[bool] | None = None,
           width: int | None = WIDTH, shrink: int | Sequence[int] | None = None) -> str:
    """The table as text. ``right[k]``: right-align column k (numbers). With ``width``, column
    ``shrink`` (default: the widest) is shortened so that every line fits; ``width=None``: as wide
    as it takes (``--wide``). ``shrink`` may list several columns, shortened in that order."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    right = list(right) if right is not None else [False] * len(headers)
    widths = [max(display_width(r[k]) for r in cells) for k in range(len(headers))]
    total = sum(widths) + len(GAP) * (len(widths) - 1)
    order = [shrink] if isinstance(shrink, int) else list(shrink) if shrink is not None else \
        sorted(range(len(widths)), key=widths.__getitem__, reverse=True)
    for k in order:  # shorten these columns, in turn, until the lines fit
        if width is None or total <= width:
            break
        new = max(MIN_SHRUNK, display_width(cells[0][k]), widths[k] - (total - width))  # headers stay whole
        total -= widths[k] - new
        widths[k] = new
        cells = [[shorten(c, widths[k]) if j == k else c for j, c in enumerate(r)] for r in cells]
    lines = [GAP.join(_pad(c, widths[j], right[j]) for j, c in enumerate(r)).rstrip() for r in cells]
    lines.insert(1, GAP.join("-" * w for w in widths))
    return "\n".join(lines)
