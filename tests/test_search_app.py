"""The app's "find levers that meet these targets" action (issue 14): the proposal is listed
lever by lever, in the page's language, before Apply moves any slider."""
from __future__ import annotations

import pytest

from app_helpers import start
from webapp import levers as lever_widgets
from webapp import runs, state
from webapp.i18n import t
from webapp.search_panel import PROPOSAL_KEY


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_search_proposes_changes_before_applying_them(lang):
    at = start(lang=lang)
    cat = runs.catalog()
    before = {row["id"]: at.slider(key=state.lever_key(row["id"])).value for row in cat.levers}
    at.button(key="search_run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    proposal = at.session_state[PROPOSAL_KEY]
    assert proposal and "error" not in proposal and proposal["changes"]
    table = next(d.value for d in at.dataframe if list(d.value.columns)[:1] == [t("search_lever", lang)])
    rows = {row["name"]: row for row in cat.levers}
    assert list(table.iloc[:, 0]) == [rows[name][f"label_{lang}"] for name in proposal["changes"]]
    assert list(table.columns) == [t(k, lang) for k in ("search_lever", "search_current", "search_proposed")]
    # shown, not applied: every slider as it was
    assert {row["id"]: at.slider(key=state.lever_key(row["id"])).value for row in cat.levers} == before

    at.button(key="search_apply").click().run()
    assert not at.exception, [e.message for e in at.exception]
    for name in proposal["changes"]:
        row = rows[name]
        shown, _, _ = lever_widgets.widgets_of(row, proposal["levers"][name])
        assert at.slider(key=state.lever_key(row["id"])).value == pytest.approx(shown)
    assert any(at.slider(key=state.lever_key(rows[n]["id"])).value != before[rows[n]["id"]] for n in proposal["changes"])
    assert any(t("search_applied", lang) in s.value for s in at.success)
    assert not at.session_state[PROPOSAL_KEY]  # applied once
