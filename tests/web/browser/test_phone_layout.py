"""The page at phone width (390 × 844) in Arabic: right to left, shaped in its own font, nothing off screen.

``LOCALGOV_UPDATE_SCREENSHOTS=1`` also writes docs/images/verify-page-valid.png and
verify-page-refused.png (how those were made); otherwise the screenshots go to a temporary folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.browser.test_verify_page import open_page, upload
from tests.web.browser.world import World

_LAYOUT = """() => {
    const verdict = document.getElementById('verdict-ar');
    const range = document.createRange();
    range.selectNodeContents(verdict);
    const text = range.getBoundingClientRect();
    const box = verdict.getBoundingClientRect();
    return {
        direction: getComputedStyle(document.documentElement).direction,
        overflow: document.scrollingElement.scrollWidth - window.innerWidth,
        // Right to left: the Arabic verdict starts at its box's right edge.
        gapRight: box.right - text.right,
        fontLoaded: [...document.fonts].some(f => f.family.includes('IBM Plex Sans Arabic') && f.status === 'loaded'),
        verdictFont: getComputedStyle(verdict).fontFamily,
    };
}"""


@pytest.mark.parametrize(
    ("name", "file"), [("valid", "verify-page-valid.png"), ("tampered", "verify-page-refused.png")]
)
def test_the_verdict_at_phone_width(
    page: Any, base_url: str, world: World, screenshots: Path, name: str, file: str
) -> None:
    open_page(page, base_url + "/verify")
    shown = upload(page, getattr(world, name))
    assert shown["code"] == ("valid" if name == "valid" else "bad_signature")
    page.evaluate("() => document.fonts.ready")
    layout = page.evaluate(_LAYOUT)
    assert layout["direction"] == "rtl"
    assert layout["overflow"] <= 0, "the page scrolls sideways at phone width"
    assert abs(layout["gapRight"]) < 2, layout
    assert layout["fontLoaded"] and "IBM Plex Sans Arabic" in layout["verdictFont"]
    page.screenshot(path=str(screenshots / file), full_page=True)
    assert page.problems == []
