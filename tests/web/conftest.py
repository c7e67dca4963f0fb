"""What the web tests share: Debian's Chromium, driven by Playwright, one browser for the session.

Chromium is Debian's (/usr/bin/chromium): Playwright's own downloads need the internet. When it is
missing, scripts/ensure-chromium is run once (it installs the package as root); the tests skip,
saying why, only when that cannot install it.

One browser per test module, not per session: Playwright's sync API keeps an event loop running in
the main thread while it is open, and other tests (pyHanko's signing, for one) start their own
with asyncio.run, which refuses to run inside another.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ENSURE = Path(__file__).parents[2] / "scripts" / "ensure-chromium"


@pytest.fixture(scope="session")
def chromium() -> str:
    if not CHROMIUM.exists():
        result = subprocess.run([sys.executable, str(ENSURE)], capture_output=True, text=True, check=False)
        if not CHROMIUM.exists():
            pytest.skip(f"{CHROMIUM} is absent and could not be installed: {result.stderr.strip()}")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()
