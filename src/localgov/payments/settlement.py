"""Deciding what a provider's word about a payment means for a request.

The same rules serve notifications and the reconciliation sweep: a payment is credited only when
its order is known, its currency and amount are the ones ordered, and it covers what the request
still owes; everything else leaves the request untouched, with the reason recorded.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import attrs

from localgov.payments.ledger import Outcome, PaymentLedger
from localgov.payments.model import PaymentStatus
from localgov.payments.money import CURRENCY
from localgov.requests.errors import Conflict, UnknownRequest

__all__ = ["Settlement", "Verdict", "settle"]

log = logging.getLogger("localgov.payments")


@attrs.frozen
class Settlement:
    """What the provider says happened to one order (from a notification or a status query)."""

    provider: str
    merchant_ref: str
    provider_ref: str
    status: PaymentStatus
    amount: Any  # Decimal: what was ordered
    paid_amount: Any  # Decimal: what the citizen paid
    currency: str


@attrs.frozen
class Verdict:
    outcome: str
    detail: str
    request_id: str | None = None


def settle(engine: Any, ledger: PaymentLedger, news: Settlement, at: datetime.datetime) -> Verdict:
    """Apply ``news`` to the ledger and, if it is a payment that covers the request, to the request."""
    order = ledger.order(news.merchant_ref)
    if order is None or order.provider != news.provider:
        return Verdict(Outcome.UNKNOWN_ORDER, f"no {news.provider} order {news.merchant_ref!r} in the ledger")
    if news.provider_ref and order.provider_ref and news.provider_ref != order.provider_ref:
        return Verdict(
            Outcome.UNKNOWN_ORDER, f"order {order.merchant_ref!r} has another provider reference", order.request_id
        )
    if news.status is not PaymentStatus.PAID:
        if news.status is not order.status:
            ledger.update_order(order.merchant_ref, at, status=news.status)
        return Verdict(Outcome.STATUS, f"order {order.merchant_ref!r} is now {news.status.value}", order.request_id)
    if news.currency != order.currency or news.currency != CURRENCY:
        return Verdict(
            Outcome.CURRENCY_MISMATCH, f"paid in {news.currency[:8]!r}, ordered in {order.currency}", order.request_id
        )
    if news.amount != order.amount or news.paid_amount < order.amount:
        return Verdict(
            Outcome.AMOUNT_MISMATCH,
            f"order {order.merchant_ref!r} was for {order.amount}; the provider reports {news.amount} ordered, {news.paid_amount} paid",
            order.request_id,
        )
    # The money has moved, whatever happens to the request: the order is paid.
    if order.status is not PaymentStatus.PAID and not order.status.settled:
        ledger.update_order(order.merchant_ref, at, status=PaymentStatus.PAID)
    try:
        request = engine.get(order.request_id)
    except UnknownRequest:
        return Verdict(Outcome.UNKNOWN_REQUEST, f"request {order.request_id!r} does not exist", order.request_id)
    if any(p.provider == news.provider and p.reference == order.provider_ref for p in request.payments):
        return Verdict(Outcome.DUPLICATE, f"already credited to {request.id}", request.id)
    if request.closed:
        return Verdict(
            Outcome.CLOSED_REQUEST, f"request {request.id} is closed ({request.state}): refund due", request.id
        )
    due = request.balance_due()
    if due <= 0:
        return Verdict(Outcome.NOTHING_DUE, f"request {request.id} owes nothing: refund due", request.id)
    if order.amount < due:
        return Verdict(
            Outcome.AMOUNT_MISMATCH, f"{order.amount} paid does not cover the {due} due on {request.id}", request.id
        )
    try:
        engine.record_payment(
            request.id, amount=order.amount, provider=news.provider, reference=order.provider_ref, at=at
        )
    except Conflict:
        return Verdict(Outcome.RETRY, f"{request.id} changed at the same moment", request.id)
    ledger.update_order(order.merchant_ref, at, credited=True)
    log.info("payment %s credited to %s (%s %s)", order.merchant_ref, request.id, order.amount, order.currency)
    return Verdict(Outcome.CREDITED, f"{order.amount} {order.currency} credited to {request.id}", request.id)
