"""Fixtures for the Qalyubia plugin's tests: the plugin loaded the way an application loads it."""

from __future__ import annotations

import pytest

from localgov.app import Localgov
from localgov.catalogue import Catalogue
from localgov.organisation import Governorate


@pytest.fixture(scope="session")
def qalyubia_app() -> Localgov:
    return Localgov(plugins=["qalyubia"])


@pytest.fixture(scope="session")
def catalogue(qalyubia_app: Localgov) -> Catalogue:
    return qalyubia_app.catalogue


@pytest.fixture(scope="session")
def core_catalogue() -> Catalogue:
    """localgov's own entries (the national services), to tell what the plugin changes."""
    return Localgov(plugins=[]).catalogue


@pytest.fixture(scope="session")
def qalyubia(qalyubia_app: Localgov) -> Governorate:
    return qalyubia_app.organisation["KB"]
