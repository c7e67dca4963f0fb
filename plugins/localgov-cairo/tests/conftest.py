"""Fixtures for the Cairo plugin's tests: the plugin loaded the way an application loads it."""

from __future__ import annotations

import pytest

from localgov.app import Localgov
from localgov.catalogue import Catalogue
from localgov.organisation import Governorate


@pytest.fixture(scope="session")
def cairo_app() -> Localgov:
    return Localgov(plugins=["cairo"])


@pytest.fixture(scope="session")
def catalogue(cairo_app: Localgov) -> Catalogue:
    return cairo_app.catalogue


@pytest.fixture(scope="session")
def core_catalogue() -> Catalogue:
    """localgov's own entries, to tell what the plugin adds."""
    return Localgov(plugins=[]).catalogue


@pytest.fixture(scope="session")
def cairo(cairo_app: Localgov) -> Governorate:
    return cairo_app.organisation["C"]
