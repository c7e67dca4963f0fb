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
from localgov.plugins import PluginHost
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
def register_payment_providers(register: Callable[[PaymentProvider], None], app: PluginHost) -> None:
    # Settings given to the application win; without them the provider reads the environment
    # on first use, so the plugin registers before it is configured.
    given = app.settings_for("efinance")
    register(EFinanceProvider(EFinanceSettings.from_settings(given) if given else None))
