"""Fixtures for the Fawry plugin's tests.

This folder is not a package (so each plugin's tests run alone or with the whole tree): test modules
import the shared harness as ``fawry_harness``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fawry_harness import MERCHANT, SECURE_KEY
from localgov_fawry import FawryProvider, FawrySimulator


@pytest.fixture
def simulator() -> Iterator[FawrySimulator]:
    with FawrySimulator(MERCHANT, SECURE_KEY) as running:
        yield running


@pytest.fixture
def provider(simulator: FawrySimulator) -> FawryProvider:
    return simulator.provider()
