"""The contract every payment provider plugin implements.

A provider is registered through the ``register_payment_providers`` hook. localgov calls it to
create a payment for an order, ask where a payment stands, refund or cancel, and to verify and
parse a message the provider sends back. It never decides what a payment means for a request:
:func:`localgov.payments.handle_notification` and the reconciliation sweep do, the same way for
every provider. The contract suite in :mod:`localgov.testing.payments` checks an implementation.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol, runtime_checkable

from localgov.i18n import LocalizedText
from localgov.payments.model import (
    CreatedPayment,
    Notification,
    PaymentMethod,
    PaymentOrder,
    PaymentState,
    Refund,
)

__all__ = ["PaymentProvider"]


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment provider (Fawry, e-finance...).

    ``code`` names it in the ledger and in engine payments (``"fawry"``); ``methods`` says what the
    citizen can pay with. Every method raises only :class:`~localgov.payments.PaymentError`
    subclasses: :class:`~localgov.payments.ProviderError` when the provider refuses,
    :class:`~localgov.payments.ProviderUnavailable` when it cannot be reached,
    :class:`~localgov.payments.UnknownPayment` when it does not know the payment. Secrets stay
    inside the provider: never in its ``repr``, its log lines or its errors.
    """

    code: str
    name: LocalizedText
    methods: frozenset[PaymentMethod]

    def create_payment(self, order: PaymentOrder) -> CreatedPayment:
        """Ask the provider to collect ``order``; return the reference number or redirect URL."""
        ...

    def query_status(self, merchant_ref: str) -> PaymentState:
        """Where the payment ``merchant_ref`` stands now, at the provider."""
        ...

    def refund(self, provider_ref: str, amount: Decimal, reason: str | None = None) -> Refund:
        """Give back ``amount`` (all or part) of a paid payment."""
        ...

    def cancel(self, provider_ref: str) -> None:
        """Cancel a payment that has not been paid, so its reference can no longer be paid."""
        ...

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Verify a message the provider sent (in constant time) and parse it.

        :raises InvalidNotificationSignature: the signature does not verify.
        :raises MalformedNotification: the body is not a notification of this provider.
        """
        ...
