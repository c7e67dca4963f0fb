"""A real uvicorn server over an engine on SQLite or PostgreSQL, with Fawry's simulator as the provider."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from localgov_fawry import FawrySimulator

from localgov import Localgov
from localgov.requests import Engine
from localgov.testing.web import serve
from localgov.web import WebSettings, create_app
from tests.requests.support import open_engine
from tests.web.api.support import DIGESTS, MERCHANT, SECURE_KEY


@pytest.fixture
def simulator() -> Iterator[FawrySimulator]:
    with FawrySimulator(MERCHANT, SECURE_KEY) as running:
        yield running


@pytest.fixture
def localgov_app(simulator: FawrySimulator) -> Localgov:
    """Cairo with Fawry, configured to talk to this test's simulator (its merchant references start afresh
    with each database, so each test has its own Fawry)."""
    settings = {"merchant_code": MERCHANT, "secure_key": SECURE_KEY, "base_url": simulator.base_url}
    return Localgov(plugins=["cairo", "fawry"], settings={"fawry": settings})


@pytest.fixture
def engine(store_url: str, localgov_app: Localgov) -> Iterator[Engine]:
    engine = open_engine(store_url, app=localgov_app)
    yield engine
    engine.store.close()  # type: ignore[attr-defined]


@pytest.fixture
def serve_api(engine: Engine, localgov_app: Localgov, simulator: FawrySimulator) -> Iterator[Callable[..., Any]]:
    """Start the service over the test's engine (settings overridable); Fawry notifies it."""
    started: list[Any] = []

    def start(**settings: Any) -> str:
        app = create_app(localgov_app, engine, WebSettings(api_keys=DIGESTS, **settings))
        server = serve(app)
        base_url = server.__enter__()
        started.append(server)
        simulator.notification_url = f"{base_url}/payments/notify/fawry"
        return base_url

    yield start
    for server in started:
        server.__exit__(None, None, None)


@pytest.fixture
def client(serve_api: Callable[..., str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=serve_api(access_code_tries=4), timeout=30) as client:
        yield client
