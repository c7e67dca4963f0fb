"""FawryPay (فوري) for localgov.

Registers :class:`FawryProvider` (code ``"fawry"``) through ``register_payment_providers``. Its
settings come from the environment on first use (``LOCALGOV_FAWRY_MERCHANT_CODE``,
``LOCALGOV_FAWRY_SECURE_KEY``, ``LOCALGOV_FAWRY_ENVIRONMENT`` = ``staging`` | ``production``,
``LOCALGOV_FAWRY_BASE_URL`` to override the host), or build one yourself with
:class:`FawrySettings`. :class:`FawrySimulator` is FawryPay on loopback, for tests and demos.
"""

from __future__ import annotations

from collections.abc import Callable

from localgov.payments import PaymentProvider
from localgov.plugins import PluginHost
from localgov.plugins.hookspecs import hookimpl
from localgov.requests import Engine, Request
from localgov_fawry.provider import FawryProvider
from localgov_fawry.settings import ENVIRONMENTS, FawrySettings
from localgov_fawry.signatures import (
    cancel_signature,
    charge_signature,
    notification_signature,
    refund_signature,
    status_signature,
)
from localgov_fawry.simulator import (
    FawrySimulator,
    SimulatedNotification,
    SimulatedOrder,
    SimulatorError,
)
from localgov_fawry.wire import parse_v2_notification

__all__ = [
    "ENVIRONMENTS",
    "FawryProvider",
    "FawrySettings",
    "FawrySimulator",
    "SimulatedNotification",
    "SimulatedOrder",
    "SimulatorError",
    "cancel_signature",
    "charge_signature",
    "notification_signature",
    "parse_v2_notification",
    "refund_signature",
    "register_payment_providers",
    "status_signature",
]


@hookimpl
def register_payment_providers(register: Callable[[PaymentProvider], None], app: PluginHost) -> None:
    # Settings given to the application win; without them the provider reads the environment
    # on first use, so the plugin registers before it is configured.
    given = app.settings_for("fawry")
    register(FawryProvider(FawrySettings.from_settings(given) if given else None))


@hookimpl
def demo_payment(engine: Engine, request: Request) -> str | None:
    """Pay with a Pay-at-Fawry reference at a simulated outlet; the V2 notification moves it on."""
    from localgov_fawry.demo import pay_with_fawry

    # The simulated Fawry shares the scenario's clock, as the real one shares the wall clock.
    with FawrySimulator("DEMO+MERCHANT=", "demo-secure-key", clock=engine.now) as fawry:
        return pay_with_fawry(engine, request, fawry)
