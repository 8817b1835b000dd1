"""Scenario files uploaded in the page: checked by the command line's loader, kept for the
session, selectable as the scenario and as the comparison.

Whatever the file holds, the user sees a bounded, escaped message that names the file as it was
uploaded and never a traceback or a server path (``runs.read_uploaded_scenario`` checks it in a
temporary folder under the name ``uploaded.yaml``).
"""
from __future__ import annotations

import logging

import streamlit as st

import model

from . import runs
from .i18n import t
from .text import problem_list, shown

UPLOAD_KEY, STATUS_KEY, SESSION_KEY = "upload", "upload_status", "uploaded_scenarios"
LIMIT_BYTES = 100 * 1024  # enforced here; Streamlit's own limit is whole megabytes
PREFIX = "upload:"  # option ids of uploaded scenarios (shipped names cannot contain ':')
_LOG = logging.getLogger(__name__)


def uploaded() -> dict[str, object]:
    """This session's uploaded scenarios by option id (``upload:<name>``), newest last."""
    return st.session_state.setdefault(SESSION_KEY, {})


def all_scenarios(cat: runs.Catalog) -> dict[str, object]:
    """The shipped scenarios by name, then this session's uploaded ones by option id."""
    return {**cat.scenarios, **uploaded()}


def display_title(sc, option: str, lang: str) -> str:
    """A scenario's title in ``lang``; an uploaded one is marked as such."""
    title = getattr(sc, f"title_{lang}", None) or sc.name
    return t("uploaded_title", lang, title=title) if option.startswith(PREFIX) else title


def scenario_levers(cat: runs.Catalog, option: str) -> dict[str, float]:
    """Every lever's value in a shipped or uploaded scenario."""
    found = uploaded().get(option)
    return cat.full_levers(found.levers) if found is not None else cat.scenario_levers(option)


def _problems(err: Exception, lang: str) -> list[str]:
    """An error's problems in ``lang`` when it can say them so, else its English lines."""
    messages = getattr(err, "messages", None)
    if callable(messages):
        try:
            return list(messages(lang))
        except Exception:  # noqa: BLE001 - the English text is still there
            pass
    return list(getattr(err, "problems", None) or str(err).splitlines() or [type(err).__name__])


def on_upload(lang: str) -> str | None:
    """Check the uploaded file; on success store it and return its option id, else set the
    error message (the previous settings stay) and return None."""
    file = st.session_state.get(UPLOAD_KEY)
    if file is None:
        return None
    name = shown(file.name)  # displayed only, never used as a path
    if file.size > LIMIT_BYTES:
        st.session_state[STATUS_KEY] = ("error", t(
            "upload_too_big", lang, file=name, size=file.size, limit=LIMIT_BYTES))
        return None
    try:
        scenario = runs.read_uploaded_scenario(file.getvalue()[:LIMIT_BYTES])
    except model.PlanSimError as err:
        st.session_state[STATUS_KEY] = ("error", t("upload_error", lang, file=name) + "\n\n"
                                        + problem_list(_problems(err, lang)))
        return None
    except Exception:  # noqa: BLE001 - whatever the file does, no traceback or path reaches the page
        _LOG.exception("uploaded scenario %r could not be read", file.name[:80])
        st.session_state[STATUS_KEY] = ("error", t("upload_failed", lang, file=name))
        return None
    option = PREFIX + scenario.name
    store = uploaded()
    store.pop(option, None)
    store[option] = scenario
    st.session_state[STATUS_KEY] = ("success", t("upload_ok", lang, title=shown(display_title(scenario, option, lang))))
    return option
