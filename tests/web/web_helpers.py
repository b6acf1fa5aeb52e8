"""What the browser tests share (a module of its own: ``conftest`` is not importable
by name when several test folders are collected together)."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
from sparql_helpers import REPO

CHROMIUM = os.environ.get("GBKG_CHROMIUM", "/usr/bin/chromium")
TOKEN = "web-test-token"
SCREENSHOTS = REPO / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def post_test_data(url: str) -> None:
    """The two published meta-analyses of ``tests/data`` (test data, not curated claims:
    tests/data/README.md), so the evidence view has estimates, CIs and a null to draw."""
    for name in ("ng2018.json", "huang2016.json"):
        data = json.loads((REPO / "tests" / "data" / name).read_text(encoding="utf-8"))
        for claim in data["claims"]:
            response = httpx.post(
                url + "/claims", json=claim, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert response.status_code in (200, 201), response.text


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
