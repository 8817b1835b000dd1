"""What the app's AppTest suites share: starting the page from a link, and reading Markdown as
a reader sees it."""
from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from model.paths import PROJECT_DIR

APP = str(PROJECT_DIR / "app.py")
TIMEOUT = 300  # seconds; the first run of the process loads the model (a loaded machine is slow)


def start(**query) -> AppTest:
    """The page opened with ``query`` as its link parameters; no exception allowed."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def plain(markdown: str) -> str:
    """Markdown text as the reader sees it (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)
