"""Browser tests: Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``)
driven headless by Playwright against a real ``gbkg serve`` on loopback.

One server for the session, one browser for the browser tests. Every request the
pages make is logged (``requests_seen``); the last test asserts that none left
127.0.0.1. Screenshots of every page at desktop and phone widths go to
``docs/screenshots/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sparql_helpers import Server
from web_helpers import CHROMIUM, DESKTOP, TOKEN, post_test_data

pytestmark = pytest.mark.server


def _missing() -> str | None:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        return f"no Chromium at {CHROMIUM}: apt-get install chromium chromium-driver (.ci/run does)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("web")
    served = Server(
        root / "store",
        root / "server.log",
        GBKG_LOAD_CURATED="true",
        GBKG_CURATOR_TOKENS=f"webtester:{TOKEN}",
    )
    try:
        served.wait_ready(timeout=90)
        post_test_data(served.url)
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="session")
def requests_seen() -> list[str]:
    return []


# Module scope: Playwright's sync API runs an event loop in this thread while it is up,
# and tests elsewhere call asyncio.run(); it stops when the browser tests are done.
@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def context(browser: Any, server: Server, requests_seen: list[str]) -> Iterator[Any]:
    ctx = browser.new_context(base_url=server.url, viewport=DESKTOP)
    ctx.on("request", lambda request: requests_seen.append(request.url))
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    page = context.new_page()
    try:
        yield page
    finally:
        page.close()
