"""The ``egypt_post`` payment provider: a fee paid in cash at a post-office counter.

The citizen (or the clerk who took the request at the post office) gets a payment code; the
counter clerk types it into the counter system, collects the fee and hands over the counter's
receipt; the counter system sends a signed confirmation (:mod:`localgov_egypt_post.confirmation`),
which :func:`localgov.payments.handle_notification` credits like any provider's notification. The
day's counter transactions also arrive as a signed batch file, reconciled against the ledger
(:mod:`localgov_egypt_post.reconciliation`): a confirmation that never arrived is credited there.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from localgov.i18n import LocalizedText
from localgov.payments import (
    CURRENCY,
    CreatedPayment,
    InvalidNotificationSignature,
    MalformedNotification,
    Notification,
    PaymentMethod,
    PaymentNotAllowed,
    PaymentOrder,
    PaymentState,
    PaymentStatus,
    Refund,
    Secret,
    format_amount,
    parse_amount,
    parse_json,
)
from localgov_egypt_post import confirmation
from localgov_egypt_post.counter import CounterStatus, CounterSystem, Payable, new_payment_code, valid_payment_code

__all__ = ["CODE", "EgyptPostProvider"]

CODE = "egypt_post"

_STATUSES = {
    CounterStatus.OPEN: PaymentStatus.PENDING,
    CounterStatus.PAID: PaymentStatus.PAID,
    CounterStatus.EXPIRED: PaymentStatus.EXPIRED,
    CounterStatus.CANCELLED: PaymentStatus.CANCELLED,
    CounterStatus.PARTIALLY_REFUNDED: PaymentStatus.PARTIALLY_REFUNDED,
    CounterStatus.REFUNDED: PaymentStatus.REFUNDED,
}


class EgyptPostProvider:
    """Fees collected at Egypt Post counters (البريد المصري).

    :param counter: the counter system (a deployment's integration, or the simulator).
    :param key: the key shared with the counter system; it verifies confirmations and batches.
    """

    code = CODE
    name = LocalizedText("الدفع بمكتب البريد", "Payment at a post-office counter")
    methods = frozenset({PaymentMethod.OUTLET})

    def __init__(self, counter: CounterSystem, key: Secret) -> None:
        self._counter = counter
        self._key = key

    def __repr__(self) -> str:
        return f"EgyptPostProvider(counter={type(self._counter).__name__})"

    @property
    def counter(self) -> CounterSystem:
        """The counter system it calls (with ``counter = "simulator"``, the simulator to collect at)."""
        return self._counter

    @property
    def key(self) -> Secret:
        """The shared key, for verifying the daily batch (:func:`localgov_egypt_post.parse_batch`)."""
        return self._key

    def create_payment(self, order: PaymentOrder) -> CreatedPayment:
        if order.method is not PaymentMethod.OUTLET:
            raise PaymentNotAllowed(f"{CODE} takes cash at the counter only, not {order.method.value}")
        if order.currency != CURRENCY:
            raise PaymentNotAllowed(f"{CODE} collects {CURRENCY} only, not {order.currency!r}")
        code = new_payment_code()
        payable = Payable(
            code,
            order.merchant_ref,
            order.request_id,
            order.amount,
            order.currency,
            order.customer.name,
            order.expires_at,
        )
        self._counter.register(payable)
        return CreatedPayment(
            provider=CODE,
            merchant_ref=order.merchant_ref,
            provider_ref=code,
            method=PaymentMethod.OUTLET,
            amount=order.amount,
            currency=order.currency,
            reference_number=code,
            expires_at=order.expires_at,
        )

    def query_status(self, merchant_ref: str) -> PaymentState:
        found = self._counter.lookup(merchant_ref)
        payable = found.payable
        return PaymentState(
            provider=CODE,
            merchant_ref=payable.merchant_ref,
            provider_ref=payable.payment_code,
            status=_STATUSES[found.status],
            amount=payable.amount,
            currency=payable.currency,
            paid_amount=payable.amount if found.paid_at is not None else None,
            paid_at=found.paid_at,
            refunded_amount=found.refunded,
        )

    def refund(self, provider_ref: str, amount: Decimal, reason: str | None = None) -> Refund:
        receipt = self._counter.refund(provider_ref, amount, reason)
        return Refund(CODE, provider_ref, amount, reason, receipt)

    def cancel(self, provider_ref: str) -> None:
        self._counter.cancel(provider_ref)

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """A counter confirmation, verified (whole body, HMAC-SHA256) before a byte of it is believed."""
        if not confirmation.verify(body, headers, self._key):
            raise InvalidNotificationSignature(f"{CODE}: the confirmation's signature does not verify")
        message = parse_json(body, f"{CODE} confirmation")
        if not isinstance(message, dict):
            raise MalformedNotification(f"{CODE} confirmation: expected a JSON object")
        fields = {name: _text(message, name) for name in confirmation.FIELDS if name != "amount"}
        if not valid_payment_code(fields["payment_code"]):
            raise MalformedNotification(f"{CODE} confirmation: payment_code {fields['payment_code']!r} is not one")
        if fields["status"] != CounterStatus.PAID.value:
            raise MalformedNotification(f"{CODE} confirmation: status must be PAID, got {fields['status']!r}")
        amount = parse_amount(message.get("amount"), "amount")
        try:
            collected_at = datetime.datetime.fromisoformat(fields["collected_at"])
        except ValueError:
            raise MalformedNotification(f"{CODE} confirmation: collected_at is not an ISO 8601 moment") from None
        if collected_at.tzinfo is None:
            raise MalformedNotification(f"{CODE} confirmation: collected_at has no UTC offset")
        return Notification(
            provider=CODE,
            merchant_ref=fields["merchant_ref"],
            provider_ref=fields["payment_code"],
            status=PaymentStatus.PAID,
            amount=amount,
            paid_amount=amount,
            currency=fields["currency"],
            method="counter",
            # One receipt is one collection: a resent confirmation carries the same receipt.
            key=f"{fields['receipt']}:PAID:{format_amount(amount)}",
            digest=hashlib.sha256(body).hexdigest(),
            paid_at=collected_at,
            raw_status=fields["status"],
        )


def _text(message: dict[str, Any], name: str) -> str:
    value = message.get(name)
    if not isinstance(value, str) or not value.strip():
        raise MalformedNotification(f"{CODE} confirmation: {name} must be a non-empty string")
    return value
