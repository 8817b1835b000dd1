"""Text from outside (the link, an uploaded file's name and messages) made safe to show.

Streamlit renders st.error/st.warning/st.success text as Markdown: a backtick, bracket or
exclamation mark in a link's value could otherwise close a code span and add an image that the
browser fetches or a link that looks like ours. ``shown`` cuts the text to a bound and escapes
every character Markdown (and Streamlit's ``:colour[...]``/``:emoji:``/``$math$`` extensions)
gives a meaning to, so the text reads exactly as it was given.
"""
from __future__ import annotations

import re

ECHO_LIMIT = 80          # characters of a link value or file name shown back to the user
MESSAGE_LIMIT = 400      # characters of one problem line of an uploaded file
MESSAGE_LINES = 20       # problem lines shown for one uploaded file
ELLIPSIS = "…"
# ASCII punctuation (CommonMark lets any of it be backslash-escaped) and the line breaks.
_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def shorten(text: object, limit: int = ECHO_LIMIT) -> str:
    """``text`` as one line of at most ``limit`` characters (cut with an ellipsis)."""
    line = _CONTROL.sub(" ", str(text)[: limit * 4])
    return line if len(line) <= limit else line[: limit - 1] + ELLIPSIS


def escape(text: object) -> str:
    """``text`` with every Markdown-significant character backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", str(text))


def shown(text: object, limit: int = ECHO_LIMIT) -> str:
    """Outside text for a Markdown message: one line, at most ``limit`` characters, escaped."""
    return escape(shorten(text, limit))


def problem_list(lines: list[str]) -> str:
    """A Markdown bullet list of at most ``MESSAGE_LINES`` escaped, shortened problem lines."""
    items = [f"- {shown(line.strip(), MESSAGE_LIMIT)}" for line in lines[:MESSAGE_LINES]]
    if len(lines) > MESSAGE_LINES:
        items.append(f"- {ELLIPSIS} (+{len(lines) - MESSAGE_LINES})")
    return "\n".join(items)
