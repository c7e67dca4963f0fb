"""Fixtures of the verification page's browser tests: Chromium, the world of permits, a live server.

Chromium itself and the browser come from tests/web/conftest.py, shared with the status page's tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localgov import Localgov
from localgov.testing.web import serve
from localgov.web import WebSettings, create_app
from tests.web.browser.world import World, build_world

PHONE = {"width": 390, "height": 844}
IMAGES = Path(__file__).parents[3] / "docs" / "images"


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("verifier"))


def verifier_app(world: World, permit_log: Any = None, **changes: Any) -> Any:
    """The web service with the verification page's three files configured (``changes`` override),
    serving ``permit_log`` under /log/ when one is given."""
    settings: dict[str, Any] = {
        "trust_list": world.trust_list_path,
        "revocations": world.revocations_path,
        "root_certificate": world.root_path,
        "permit_log": permit_log is not None,
        **changes,
    }
    localgov_app = Localgov(plugins=[])
    engine = localgov_app.engine("sqlite://", staff=[])
    return create_app(localgov_app, engine, WebSettings(**settings), permit_log=permit_log)


@pytest.fixture(scope="session")
def base_url(world: World) -> Iterator[str]:
    with serve(verifier_app(world)) as url:
        yield url


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where a test saves its screenshots: docs/images with LOCALGOV_UPDATE_SCREENSHOTS=1, else a temporary folder."""
    if os.environ.get("LOCALGOV_UPDATE_SCREENSHOTS") == "1":
        IMAGES.mkdir(parents=True, exist_ok=True)
        return IMAGES
    return tmp_path


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    # A context per test: its own service worker, caches and pinned root, as a fresh phone has.
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="ar-EG", timezone_id="Africa/Cairo")
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Any:
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.problems = problems
    return page
