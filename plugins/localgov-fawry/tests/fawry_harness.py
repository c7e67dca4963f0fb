"""Shared by the tests: the Fawry provider against its simulator, and the harness the contract suite drives."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from localgov_fawry import FawryProvider, FawrySimulator

from localgov.payments import CreatedPayment
from localgov.testing.payments import DeliveredNotification

# A merchant code with "+" and "=", as Fawry issues them.
MERCHANT = "1tSa6uxz2nRlhbmxHHde5A=="
SECURE_KEY = "d8e4a1c0-5b2f-4e3a-9c7d-2f1e0b9a8c76"


class FawryHarness:
    """What the contract suite needs: the provider, its secrets, and the simulator acting as the world."""

    def __init__(self, simulator: FawrySimulator) -> None:
        self.simulator = simulator
        self.provider: FawryProvider = simulator.provider()

    @property
    def secrets(self) -> Sequence[str]:
        return [SECURE_KEY]

    def pay(self, created: CreatedPayment) -> DeliveredNotification:
        sent = self.simulator.pay(created.provider_ref, notify=False)
        return DeliveredNotification(sent.body, sent.headers)

    def expire(self, created: CreatedPayment) -> None:
        self.simulator.expire(created.provider_ref)

    def alter_amount(self, notification: DeliveredNotification, amount: Decimal) -> DeliveredNotification:
        message = json.loads(notification.body)
        message["paymentAmount"] = message["orderAmount"] = float(amount)
        return DeliveredNotification(json.dumps(message).encode(), notification.headers)
