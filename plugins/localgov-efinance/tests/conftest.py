"""Fixtures for the e-finance plugin's tests.

This folder is not a package (so each plugin's tests run alone or with the whole tree): test modules
import the shared harness as ``efinance_harness``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from efinance_harness import BILLER, SECRET
from localgov_efinance import EFinanceSimulator


@pytest.fixture
def simulator() -> Iterator[EFinanceSimulator]:
    with EFinanceSimulator(BILLER, SECRET) as running:
        yield running
