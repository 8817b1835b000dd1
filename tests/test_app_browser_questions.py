"""The issue-14 panels in a real browser (the system's Chromium through Playwright, started as in
tests/test_app_browser.py): compare three scenarios in Chinese and read the scorecard matrix as
the page draws it. One test per panel, each on its own page, so panels can be added here."""
from __future__ import annotations

import pytest

from model.metadata import plan_targets
from model.report import STATUS_MARKS
from model.scenarios import load_scenario
from model.paths import SCENARIO_DIR
from test_app_browser import CHROMIUM, STEP_TIMEOUT, TILE, browser, no_exception, server, settle

__all__ = ["browser", "server"]  # fixtures shared with test_app_browser.py
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install -y chromium)")
COMPARE_TAB = {"zh": "多情景对比", "en": "Compare scenarios"}
LOAD_TIMEOUT = 600_000  # ms for the first page (it loads the model) and the tab's first runs, on a busy machine


def open_page(browser, server: str, query: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    page.goto(f"{server}/?{query}", timeout=LOAD_TIMEOUT)
    page.locator(f".st-key-{TILE}").wait_for(timeout=LOAD_TIMEOUT)
    settle(page)
    return page


def test_compare_three_scenarios_in_chinese(server, browser, tmp_path):
    page = open_page(browser, server, "lang=zh")
    page.locator("[data-testid=stTab]").filter(has_text=COMPARE_TAB["zh"]).click()
    matrix = page.locator(".st-key-compare_matrix table")
    matrix.wait_for(timeout=LOAD_TIMEOUT)
    settle(page)
    no_exception(page)
    names = [p.stem for p in sorted(SCENARIO_DIR.glob("*.yaml"))][:3]  # the tab's first choice (file order)
    titles = [load_scenario(SCENARIO_DIR / f"{n}.yaml").title_zh for n in names]
    heads = [h.strip() for h in matrix.locator("thead th").all_inner_texts() if h.strip()]
    assert heads[-3:] == titles  # one column per scenario, by its Chinese title
    rows = matrix.locator("tbody tr")
    assert rows.count() == len(plan_targets())  # one row per plan target
    text = matrix.inner_text()
    assert "十二五" in text and any(f"{mark} " in text for mark in STATUS_MARKS.values())
    assert any(word in text for word in ("达成", "接近", "未达成"))  # statuses in Chinese words
    charts = page.locator("[data-testid=stVegaLiteChart]")
    charts.first.wait_for(timeout=STEP_TIMEOUT)
    assert charts.count() >= 1
    page.screenshot(path=str(tmp_path / "compare-zh.png"), full_page=True)
    page.close()
