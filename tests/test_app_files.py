"""Files and links in the app (issues 9 and 10): what comes in from outside is bounded and
escaped, never shown as a traceback or a server path; an uploaded scenario becomes the
selected one and a comparison option; both CSVs are rounded and labelled."""
from __future__ import annotations

import re

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from model.paths import PROJECT_DIR  # noqa: E402
from webapp import page, runs, state, text, uploads  # noqa: E402
from app_helpers import plain, start  # noqa: E402


# Issue 10, item 8: a backtick closed the code span and the browser fetched an outside image.
INJECTION = "a` ![x](http://HOST/t.png) `b [click me](http://HOST/)"


def rendered_markdown_links(markdown: str) -> list[str]:
    """Links or images that Markdown would render from ``markdown`` (unescaped brackets)."""
    return re.findall(r"(?<!\\)!?(?<!\\)\[[^\]]*(?<!\\)\]\((?<!\\)[^)]*\)", markdown)


def test_link_values_are_escaped_and_capped():
    at = start(lang="en", investment_rate=INJECTION, coal_share_target="9" * 100_000)
    assert len(at.warning) == 2
    for warning in at.warning:
        assert rendered_markdown_links(warning.value) == [], warning.value
        assert "`" not in warning.value.replace("\\`", "")  # no code span can open or close
        assert len(warning.value) < 600  # a 100k-digit value is cut, not echoed
    assert "HOST" in at.warning[0].value  # shown as text, escaped
    assert "allowed range [0.2, 0.4]" in plain(at.warning[0].value)


def test_escape_leaves_no_markdown():
    assert rendered_markdown_links(text.shown(INJECTION, 200)) == []
    assert text.shown("x" * 1000).endswith(text.ELLIPSIS) and len(text.shown("x" * 1000)) == text.ECHO_LIMIT
    assert text.shown("a\nb\rc") == "a b c"


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key=page.UPLOAD_KEY).set_value((name, content, "application/x-yaml")).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


HOSTILE = {
    "deep nesting": b"levers: " + b"[" * 400 + b"]" * 400 + b"\n",
    "huge integer": b"name: x\ntitle: {zh: a, en: b}\ndescription: d\nlevers:\n  investment rate: 1" + b"0" * 400 + b"\n",
    "long extends": b"name: x\ntitle: {zh: a, en: b}\ndescription: d\nextends: " + b"a" * 300 + b"\n",
    "binary": bytes(range(256)) * 10,
    "alias bomb": b"name: x\ntitle: {zh: a, en: b}\ndescription: d\nx0: &a0 [lol, lol, lol, lol, lol]\n"
                  + b"".join(f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 5)}]\n".encode() for i in range(1, 6))
                  + b"levers: *a5\n",
    "markdown name": b"levers:\n  investment rate: 9\n",
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_upload_shows_a_bounded_message(case):
    at = start(lang="en")
    before = dict(at.query_params)
    name = "![x](http://HOST/t.png)`.yaml" if case == "markdown name" else f"{case}.yaml"
    upload(at, name, HOSTILE[case])
    assert len(at.error) == 1, case
    message = at.error[0].value
    assert "Traceback" not in message and "/tmp" not in message and "plansim-upload" not in message
    assert str(PROJECT_DIR) not in message
    assert len(message) < 12_000 and rendered_markdown_links(message) == []
    assert dict(at.query_params) == before  # the settings are kept


def test_loader_crash_never_reaches_the_page(monkeypatch):
    """Whatever the loader raises (here a RecursionError), the page shows a short message."""
    at = start(lang="en")

    def boom(content):
        raise RecursionError("maximum recursion depth exceeded in /srv/secret/path.py")

    monkeypatch.setattr(runs, "read_uploaded_scenario", boom)
    upload(at, "x.yaml", b"levers: {}\n")
    assert len(at.error) == 1 and "/srv" not in at.error[0].value and "Recursion" not in at.error[0].value


def test_uploaded_scenario_is_selected_and_comparable():
    at = start(lang="en")
    content = ("name: mine\ntitle: {zh: 我的情景, en: My scenario}\ndescription: test\n"
               "levers:\n  investment rate: 0.4\n").encode()
    upload(at, "mine.yaml", content)
    option = uploads.PREFIX + "mine"
    scenario = at.selectbox(key=state.widget_key(state.SCENARIO_KEY, "en"))
    assert scenario.value == option and "My scenario (uploaded)" in scenario.options
    compare = at.selectbox(key=state.widget_key(state.COMPARE_KEY, "en"))
    assert option in compare.proto.options or "My scenario (uploaded)" in compare.options
    compare.set_value(option).run()
    assert not at.exception
    assert any("comparison “My scenario (uploaded)”" in plain(m.value) for m in at.markdown)
    # still there in the other language, by its Chinese title
    at.radio(key=state.LANG_KEY).set_value("zh").run()
    assert at.selectbox(key=state.widget_key(state.SCENARIO_KEY, "zh")).value == option
    assert "我的情景 (上传)" in at.selectbox(key=state.widget_key(state.COMPARE_KEY, "zh")).options
    # the link names a shipped scenario and the differing levers, so it restores the same run
    assert at.query_params[state.SCENARIO_KEY] == state.default_scenario(list(runs.catalog().scenarios))
    assert at.query_params["investment_rate"] == "0.4"


def test_switching_language_back_and_forth_keeps_the_choices():
    """Issue 9, 1-2: every choice shown in words is a widget of the page's language, so the
    browser never sends back an option text of the other language; choices survive switches."""
    at = start(lang="zh", scenario="plan", compare="low-carbon")
    for lang in ("en", "zh", "en", "zh", "en"):
        at.radio(key=state.LANG_KEY).set_value(lang).run()
        assert not at.exception
        worded = [w for kind in ("selectbox", "multiselect", "radio") for w in at.get(kind) if w.key != state.LANG_KEY]
        assert worded and all(w.key.endswith(f"__{lang}") for w in worded), [w.key for w in worded]
        assert at.selectbox(key=state.widget_key(state.SCENARIO_KEY, lang)).value == "plan"
        assert at.selectbox(key=state.widget_key(state.COMPARE_KEY, lang)).value == "low-carbon"
        titles = {sc.name: getattr(sc, f"title_{lang}") for sc in runs.catalog().scenarios.values()}
        assert at.selectbox(key=state.widget_key(state.SCENARIO_KEY, lang)).options == list(titles.values())
        assert at.query_params[state.LANG_KEY] == lang


def test_downloads_do_not_rerun_the_page():
    """Issue 9, 3: a click reran the page, which revokes and re-registers every deferred
    download, so a second click at once found no file (tests/test_app_browser.py downloads two)."""
    at = start(lang="zh")
    at.session_state[page.TAB_INDEX_KEY] = 1
    at.run()
    assert len(at.get("download_button")) == 3
    assert all(b.proto.ignore_rerun for b in at.get("download_button"))  # a click reruns nothing


def test_scorecard_export_columns():
    start(lang="en")
    cat = runs.catalog()
    card = runs.score(runs.as_items(cat.defaults))
    table = page.model.scorecard.export_table(pd.DataFrame(card).assign(scenario="current"), "zh",
                                              targets=cat.target_table, titles={"current": "当前设置"})
    assert {"label", "unit", "plan_label", "status_label", "scenario_title"} <= set(table.columns)
    assert not re.search(r"\d\.\d{9,}", table.to_csv(index=False))
