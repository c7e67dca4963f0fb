"""The localgov payment provider contract, run against the Fawry provider and its simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fawry_harness import MERCHANT, SECURE_KEY, FawryHarness
from localgov_fawry import FawrySimulator

from localgov.testing.payments import PaymentProviderContract


class TestFawryContract(PaymentProviderContract):
    @pytest.fixture
    def payment_harness(self) -> Iterator[FawryHarness]:
        with FawrySimulator(MERCHANT, SECURE_KEY) as simulator:
            yield FawryHarness(simulator)
