"""The engine under test, on SQLite (a file) and on PostgreSQL: every engine test runs on both."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from localgov.requests import Engine
from tests.requests.support import open_engine


@pytest.fixture
def make_engine(store_url: str) -> Iterator[Callable[..., Engine]]:
    """Open engines over the test's database (several may share it, as several workers would)."""
    opened: list[Engine] = []

    def make(**options: Any) -> Engine:
        engine = open_engine(options.pop("url", store_url), **options)
        opened.append(engine)
        return engine

    yield make
    for engine in opened:
        engine.store.close()  # type: ignore[attr-defined]


@pytest.fixture
def engine(make_engine: Callable[..., Engine]) -> Engine:
    return make_engine()
