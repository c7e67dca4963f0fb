"""For ``make demo``: pay a request's assessed fees with a Pay-at-Fawry reference through the simulator.

>>> with FawrySimulator("DEMO+MERCHANT=", "demo-secure-key") as fawry:
...     reference = pay_with_fawry(engine, request, fawry)
...     engine.get(request.id).state        # moved on: the notification confirmed the payment

The simulator's notifications reach localgov over real HTTP: a loopback server runs the WSGI
notification endpoint (:mod:`localgov.payments.web`) for the time of the payment.
"""

from __future__ import annotations

from typing import Any

from localgov.payments import CreatedPayment, PaymentLedger, PaymentMethod, Payments
from localgov.payments.web import notification_app, serve_notifications
from localgov_fawry.simulator import FawrySimulator

__all__ = ["pay_with_fawry", "start_fawry_payment"]


def start_fawry_payment(
    engine: Any, request: Any, simulator: FawrySimulator, *, ledger: PaymentLedger | None = None
) -> CreatedPayment:
    """Create the Pay-at-Fawry reference for what ``request`` owes (nothing paid yet)."""
    payments = Payments(engine, [simulator.provider()], ledger=ledger)
    request_id = request if isinstance(request, str) else request.id
    return payments.start(request_id, "fawry", method=PaymentMethod.OUTLET)


def pay_with_fawry(engine: Any, request: Any, simulator: FawrySimulator, *, ledger: PaymentLedger | None = None) -> str:
    """Create a Pay-at-Fawry reference for ``request``'s balance, pay it at a simulated outlet, and let
    the V2 notification move the request on. Returns the reference number the citizen paid.

    :param request: a :class:`~localgov.requests.model.Request` or its tracking number, in the state
        awaiting payment.
    """
    provider = simulator.provider()
    ledger = ledger or PaymentLedger.for_engine(engine)
    created = start_fawry_payment(engine, request, simulator, ledger=ledger)
    assert created.reference_number is not None
    previous = simulator.notification_url
    with serve_notifications(notification_app(engine, {"fawry": provider}, ledger=ledger)) as base_url:
        simulator.notification_url = f"{base_url}/payments/notify/fawry"
        try:
            delivered = simulator.pay(created.reference_number)
        finally:
            simulator.notification_url = previous
    if delivered.response_status != 200:
        raise RuntimeError(f"the notification was not accepted: HTTP {delivered.response_status}")
    return created.reference_number
