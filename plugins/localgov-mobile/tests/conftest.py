"""Fixtures for the mobile plugin's tests (this folder is not a package: import ``mobile_harness``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mobile_harness import World, world


@pytest.fixture
def sqlite_world(tmp_path) -> Iterator[World]:  # type: ignore[no-untyped-def]
    made = world(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    yield made
    made.engine.store.close()  # type: ignore[attr-defined]


@pytest.fixture
def any_world(localgov_database_url: str) -> Iterator[World]:
    made = world(localgov_database_url)
    yield made
    made.engine.store.close()  # type: ignore[attr-defined]
