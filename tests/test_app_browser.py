"""The app in a real browser: the system's Chromium (no browser download) driven by Playwright.

Starts ``streamlit run app.py`` on a free local port, loads the page, moves a lever with the
keyboard, waits for the scorecard to change and saves a screenshot under the test's temporary
folder. CI installs Chromium with ``apt-get install -y chromium``.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from model.paths import PROJECT_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT = 180  # seconds for the server to answer (it loads the model on the first page)
LEVER, TILE = "lever_energy_saving_effort", "tile_12th_energy_intensity"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install -y chromium)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """A Streamlit server of app.py on a free port; yields its URL."""
    port = free_port()
    log = open(os.devnull, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start on port {port} (exit code {proc.poll()})")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_moving_a_slider_updates_the_scorecard_in_the_browser(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.goto(f"{server}/?lang=en", timeout=START_TIMEOUT * 1000)
            tile = page.locator(f".st-key-{TILE}")
            tile.wait_for(timeout=START_TIMEOUT * 1000)
            page.wait_for_function("s => document.querySelector(s)?.innerText.includes('%')"
                                   " || document.querySelector(s)?.innerText.length > 10", arg=f".st-key-{TILE}")
            before = tile.inner_text()
            assert "Target" in before
            page.screenshot(path=str(tmp_path / "before.png"), full_page=True)

            thumb = page.locator(f".st-key-{LEVER} input[type='range']")
            thumb.focus()
            thumb.press("End")  # the lever to its maximum
            page.wait_for_function(
                "([s, old]) => document.querySelector(s) && document.querySelector(s).innerText !== old",
                arg=[f".st-key-{TILE}", before], timeout=60_000,
            )
            after = tile.inner_text()
            assert after != before
            page.wait_for_url(re.compile(r"energy_saving_effort=0\.06"))  # the shareable link follows
            page.screenshot(path=str(tmp_path / "after.png"), full_page=True)
            assert (tmp_path / "after.png").stat().st_size > 10_000
        finally:
            browser.close()
