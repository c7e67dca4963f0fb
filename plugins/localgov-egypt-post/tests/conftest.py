"""Fixtures for the Egypt Post plugin's tests (this folder is not a package: import ``post_harness``)."""

from __future__ import annotations

import pytest
from localgov_egypt_post import CounterSimulator, EgyptPostProvider
from post_harness import KEY


@pytest.fixture
def counter() -> CounterSimulator:
    return CounterSimulator(KEY)


@pytest.fixture
def provider(counter: CounterSimulator) -> EgyptPostProvider:
    return counter.provider()
