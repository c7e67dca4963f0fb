"""The localgov payment provider contract, run against e-finance's provisional format and simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from efinance_harness import BILLER, SECRET, EFinanceHarness
from localgov_efinance import EFinanceSimulator

from localgov.testing.payments import PaymentProviderContract


class TestEFinanceContract(PaymentProviderContract):
    @pytest.fixture
    def payment_harness(self) -> Iterator[EFinanceHarness]:
        with EFinanceSimulator(BILLER, SECRET) as simulator:
            yield EFinanceHarness(simulator)
