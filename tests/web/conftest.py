"""Browser tests: Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``)
driven headless by Playwright against a real ``gbkg serve`` on loopback.

One server and one browser for the session. Every request the pages make is logged
(``requests``); the last test asserts that none left 127.0.0.1. Screenshots of every
page at desktop and phone widths go to ``docs/screenshots/``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sparql_helpers import REPO, Server

CHROMIUM = os.environ.get("GBKG_CHROMIUM", "/usr/bin/chromium")
TOKEN = "web-test-token"
SCREENSHOTS = REPO / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}

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
        _post_test_data(served.url)
        yield served
    finally:
        served.stop()


def _post_test_data(url: str) -> None:
    """The two published meta-analyses of ``tests/data`` (test data, not curated claims:
    tests/data/README.md), so the evidence view has estimates, CIs and a null to draw."""
    for name in ("ng2018.json", "huang2016.json"):
        data = json.loads((REPO / "tests" / "data" / name).read_text(encoding="utf-8"))
        for claim in data["claims"]:
            response = httpx.post(
                url + "/claims", json=claim, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert response.status_code in (200, 201), response.text


@pytest.fixture(scope="session")
def requests_seen() -> list[str]:
    return []


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
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


def shoot(page: Any, name: str) -> None:
    """``docs/screenshots/{name}-desktop.png`` and ``-phone.png``: the whole page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{name}: the page is {width} px wide on a phone"


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check_page(page: Any, name: str) -> None:
    """Accessibility (0 serious or critical) and screenshots of the page as it is."""
    problems = serious_violations(page)
    shoot(page, name)
    assert problems == [], f"{name}: " + "\n".join(problems)
