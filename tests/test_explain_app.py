"""The Why? panel (issue 14): under a chart, the toggle opens the loop shares, the periods table,
the dominant loop on the diagram and the causes tree, in Chinese and English; in Chinese no
Latin word from the model's texts (the checker of tests/test_app_i18n.py)."""
from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from app_helpers import start  # noqa: E402
from test_app_i18n import untranslated, walk  # noqa: E402

from webapp.i18n import t  # noqa: E402


def test_the_why_panel_renders_in_both_languages():
    at = start(lang="zh")
    key = next(w.key for w in at.toggle if (w.key or "").startswith("why_"))
    before = walk(at, "zh")  # the rest of the page is test_app_i18n.py's: only what the panel adds counts
    at.toggle(key=key).set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.toggle(key=key).label == t("why_button", "zh")
    tree = [e.value for e in at.text]
    assert tree and "\n  - " in tree[0]  # the causes, indented under the indicator's variable
    assert any(t("explain_years", "zh") in [str(c) for c in frame.value.columns] for frame in at.dataframe) \
        or any(e.value == t("explain_no_loops", "zh") for e in at.info)
    assert at.get("graphviz_chart") or at.info  # the dominant loop on the diagram
    bad = {where: items - before.get(where, set()) for where, items in walk(at, "zh").items()}
    bad = {where: items for where, items in bad.items() if items}
    # and the panel's tree (st.text), which walk leaves out
    bad.update({"text": {str(untranslated(e.value))} for e in at.text if untranslated(e.value)})
    assert not bad, bad

    at.radio(key="lang").set_value("en").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.toggle(key=key).label == t("why_button", "en")
    if at.toggle(key=key).value:
        english = [e.value for e in at.text]
        assert english and english != tree
