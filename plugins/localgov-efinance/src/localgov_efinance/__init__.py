"""e-finance (إي فاينانس) for localgov: the government e-payment and collection system.

The government entity issues a bill reference; the citizen pays it through e-finance's channels
(Meeza cards, government POS terminals, post offices); a payment notification comes back.
e-finance publishes no open API: the wire format is isolated in
:class:`~localgov_efinance.wire.WireFormat`, with a provisional implementation and a simulator
(:class:`EFinanceSimulator`) until the entity receives e-finance's integration specification.
"""

from __future__ import annotations

from collections.abc import Callable

from localgov.payments import PaymentProvider
from localgov.plugins.hookspecs import hookimpl
from localgov_efinance.provider import EFinanceProvider, EFinanceSettings
from localgov_efinance.simulator import (
    EFinanceSimulator,
    SimulatedBill,
    SimulatedNotification,
    SimulatorError,
)
from localgov_efinance.wire import CHANNELS, HttpCall, ProvisionalWireFormat, WireFormat

__all__ = [
    "CHANNELS",
    "EFinanceProvider",
    "EFinanceSettings",
    "EFinanceSimulator",
    "HttpCall",
    "ProvisionalWireFormat",
    "SimulatedBill",
    "SimulatedNotification",
    "SimulatorError",
    "WireFormat",
    "register_payment_providers",
]


@hookimpl
def register_payment_providers(register: Callable[[PaymentProvider], None]) -> None:
    register(EFinanceProvider())
