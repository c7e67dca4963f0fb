"""The status page in a real Chromium at phone width: right to left, shaped, nothing off the screen.

``LOCALGOV_UPDATE_SCREENSHOTS=1`` also writes the screenshots to docs/images/ (how those were made).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from localgov_fawry import FawrySimulator
from localgov_fawry.demo import start_fawry_payment

from localgov.requests import Engine
from localgov.testing.web import serve
from tests.requests.support import open_engine
from tests.web.support import app_over, awaiting_payment, waiting_on_applicant

PHONE = {"width": 360, "height": 780}
IMAGES = Path(__file__).parents[2] / "docs" / "images"


@pytest.fixture
def engine() -> Engine:
    return open_engine("sqlite://")


def _layout(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            // The Arabic title's own text, not its block (which is as wide as the page).
            const range = document.createRange();
            range.selectNodeContents(document.querySelector("h1").firstChild);
            const h1 = range.getBoundingClientRect();
            return {
                direction: getComputedStyle(document.documentElement).direction,
                overflow: document.scrollingElement.scrollWidth - window.innerWidth,
                h1Right: window.innerWidth - h1.right,
                h1Left: h1.left,
                fontLoaded: document.fonts.check('16px "IBM Plex Sans Arabic"', "رخصة"),
                fontFaces: [...document.fonts].filter(f => f.status === "loaded").length,
            };
        }"""
    )


@pytest.mark.parametrize("scenario", ["waiting-on-applicant", "fees-due"])
def test_the_status_page_at_phone_width(browser: Any, engine: Engine, scenario: str, tmp_path: Path) -> None:
    if scenario == "waiting-on-applicant":
        request = waiting_on_applicant(engine)
    else:
        request = awaiting_payment(engine)
        with FawrySimulator("DEMO+MERCHANT=", "demo-secure-key", clock=engine.now) as fawry:
            start_fawry_payment(engine, request, fawry)
    with serve(app_over(engine)) as url:
        page = browser.new_page(viewport=PHONE, device_scale_factor=2, locale="ar-EG")
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{url}/track/{request.id}?c={request.access_code}")
        page.evaluate("document.fonts.ready")
        layout = _layout(page)
        shot = tmp_path / f"status-page-{scenario}.png"
        page.screenshot(path=str(shot), full_page=True)
        page.close()
    assert layout["direction"] == "rtl"
    assert layout["overflow"] <= 0, "the page is wider than the phone"
    assert layout["h1Right"] < layout["h1Left"], "the title starts at the right, as Arabic does"
    assert layout["fontLoaded"] and layout["fontFaces"] >= 1, "the Arabic font came from /assets"
    assert errors == [], errors  # no CSP violation, no missing file
    assert shot.stat().st_size > 20_000
    if os.environ.get("LOCALGOV_UPDATE_SCREENSHOTS"):
        shutil.copy(shot, IMAGES / shot.name)


def test_the_refusal_at_phone_width(browser: Any, engine: Engine, tmp_path: Path) -> None:
    request = waiting_on_applicant(engine)
    with serve(app_over(engine)) as url:
        page = browser.new_page(viewport=PHONE, device_scale_factor=2, locale="ar-EG")
        page.goto(f"{url}/track/{request.id}?c=WRONG00000")
        alert = page.get_by_role("alert").inner_text()
        layout = _layout(page)
        page.fill("#c", request.access_code)  # the form, typed by hand, then sent without JavaScript
        page.click("button[type=submit]")
        shown = page.locator("h1").inner_text()
        page.close()
    assert "لم نجد طلبًا" in alert and layout["overflow"] <= 0
    assert "رخصة بناء" in shown
