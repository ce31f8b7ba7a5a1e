"""Fixtures of the browser tests: Debian's chromium driven by Playwright, and the app served by uvicorn
on a free loopback port in a thread.

Chromium is the system package (`make system` installs it), found at /usr/bin/chromium or
$PEACEWATCH_CHROMIUM. Without it the tests skip, except under CI=true, where they fail loudly.
Screenshots are kept in tests/serve/browser/artifacts/ (gitignored), one PNG per page visited.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
AXE = HERE / "axe.min.js"
CHROMIUM = os.environ.get("PEACEWATCH_CHROMIUM", "/usr/bin/chromium")


def _chromium() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if Path(CHROMIUM).is_file() else None)
    if path:
        return path
    message = f"no chromium at {CHROMIUM}: run `make system` (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless chromium for the session. Playwright's sync API runs an asyncio loop of its own in
    this thread; it is closed and unset at teardown so that later tests (which may use asyncio) start
    from a clean thread."""
    path = _chromium()
    from playwright.sync_api import sync_playwright

    manager = sync_playwright()
    pw = manager.start()
    browser = pw.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
    try:
        yield browser
    finally:
        browser.close()
        manager.__exit__(None, None, None)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            loop = None
        if loop is not None and not loop.is_running() and not loop.is_closed():
            loop.close()
        asyncio.set_event_loop(None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app served by uvicorn on 127.0.0.1 in a daemon thread; ``url`` is its root."""

    def __init__(self, app):
        import uvicorn

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, name="dashboard-test-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="session")
def live_dashboard(afghan_store) -> Iterator[LiveServer]:
    """The dashboard over the reduced ACLED Afghanistan export, derived figures only."""
    from peacewatch.serve import ServeConfig
    from peacewatch.serve.app import create_app

    with LiveServer(create_app(ServeConfig(store=afghan_store.path))) as server:
        yield server


@pytest.fixture(scope="session")
def live_server():
    """``live_server(app)``: a context manager serving ``app`` on a free loopback port."""
    return LiveServer


@pytest.fixture
def page_of(chromium_browser, axe_source):
    """``page_of(name)``: a fresh page that records console errors, failed requests and dialogs (an
    alert() from injected script), and saves a screenshot as artifacts/<name>-N-LABEL.png at each
    ``shot(LABEL)``. axe-core is loaded as an init script (the DevTools protocol's, which the page's
    CSP does not govern: the server's policy rightly refuses any inline script)."""
    pages = []

    def make(name: str):
        context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(script=axe_source)
        page = context.new_page()
        page.console_errors = []
        page.dialogs = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.on("requestfailed", lambda r: page.console_errors.append(f"failed {r.url}"))
        page.on("response", lambda r: r.status == 404 and page.console_errors.append(f"404 {r.url}"))

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        ARTIFACTS.mkdir(exist_ok=True)
        count = iter(range(1, 100))
        page.shot = lambda label: page.screenshot(
            path=str(ARTIFACTS / f"{name}-{next(count)}-{label}.png"), full_page=True
        )
        pages.append(context)
        return page

    yield make
    for context in pages:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core 4.14.1 (tests/serve/browser/axe.min.js, from npm; MPL-2.0, LICENSE-axe-core beside it)."""
    return AXE.read_text(encoding="utf-8")
