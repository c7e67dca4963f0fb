"""Shared by the tests: the e-finance provider against its simulator, and the harness the contract suite drives."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from localgov_efinance import EFinanceProvider, EFinanceSimulator

from localgov.payments import CreatedPayment
from localgov.testing.payments import DeliveredNotification

BILLER = "BILLER-C-ZTN-001"
SECRET = "6b1f0e8a-2c47-4f7e-a1d3-98c5e2b4f0aa"


class EFinanceHarness:
    def __init__(self, simulator: EFinanceSimulator) -> None:
        self.simulator = simulator
        self.provider: EFinanceProvider = simulator.provider()

    @property
    def secrets(self) -> Sequence[str]:
        return [SECRET]

    def pay(self, created: CreatedPayment) -> DeliveredNotification:
        sent = self.simulator.pay(created.provider_ref, notify=False)
        return DeliveredNotification(sent.body, sent.headers)

    def expire(self, created: CreatedPayment) -> None:
        self.simulator.expire(created.provider_ref)

    def alter_amount(self, notification: DeliveredNotification, amount: Decimal) -> DeliveredNotification:
        message = json.loads(notification.body)
        message["amount"] = message["paidAmount"] = str(amount)
        return DeliveredNotification(json.dumps(message).encode(), notification.headers)
