"""Paying for a request: creating orders from its invoice, refunds and cancellations, in one place.

:class:`Payments` ties a lifecycle engine, the providers and the ledger together; it is what an
application (or the demo) holds. Every operation is recorded in the ledger.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from localgov.clock import utcnow
from localgov.payments.errors import PaymentError, PaymentNotAllowed, UnknownPayment
from localgov.payments.ledger import OrderRecord, PaymentLedger, RefundRecord
from localgov.payments.model import (
    ChargeItem,
    CreatedPayment,
    Customer,
    PaymentMethod,
    PaymentOrder,
    PaymentStatus,
    Refund,
)
from localgov.payments.notifications import handle_notification
from localgov.payments.protocol import PaymentProvider
from localgov.requests.model import Request

__all__ = ["Payments", "order_for_request"]

DEFAULT_VALIDITY = datetime.timedelta(days=3)


def _items(request: Request, amount: Decimal) -> tuple[ChargeItem, ...]:
    """What is charged, one item per revenue item of the invoice (exemption lines net off)."""
    assert request.invoice is not None
    totals: dict[str, Decimal] = {}
    for line in request.invoice.lines:
        totals[line.revenue_item] = totals.get(line.revenue_item, Decimal("0.00")) + line.amount
    items = tuple(ChargeItem(code, code, total) for code, total in totals.items() if total > 0)
    if sum((i.amount for i in items), Decimal(0)) != amount:
        # Part of the invoice is paid already: the balance cannot be split by item honestly.
        return (ChargeItem("balance", f"balance of {request.id}", amount),)
    return items


def order_for_request(
    request: Request,
    merchant_ref: str,
    method: PaymentMethod,
    customer: Customer | None = None,
    *,
    expires_at: datetime.datetime | None = None,
    return_url: str | None = None,
    card_token: str | None = None,
    wallet_number: str | None = None,
) -> PaymentOrder:
    """The order that collects what ``request`` still owes, itemised by revenue item."""
    if request.closed:
        raise PaymentNotAllowed(f"{request.id} is closed ({request.state}): nothing can be paid on it")
    if request.invoice is None:
        raise PaymentNotAllowed(f"{request.id} has no invoice yet: its fees have not been assessed")
    due = request.balance_due()
    if due <= 0:
        raise PaymentNotAllowed(f"{request.id} owes nothing (paid {request.paid} of {request.invoice.total})")
    return PaymentOrder(
        merchant_ref=merchant_ref,
        request_id=request.id,
        amount=due,
        method=method,
        description=f"{request.service} {request.id}",
        items=_items(request, due),
        customer=customer or Customer(request.applicant.name, request.applicant.mobile),
        expires_at=expires_at,
        return_url=return_url,
        card_token=card_token,
        wallet_number=wallet_number,
    )


class Payments:
    """Payments for the requests of one engine.

    :param engine: the lifecycle engine (:class:`localgov.requests.engine.Engine`).
    :param providers: the providers by code, e.g. ``Localgov(...).payment_providers``, or an iterable.
    :param ledger: defaults to the ledger in the engine's database.
    """

    def __init__(
        self,
        engine: Any,
        providers: Mapping[str, PaymentProvider] | Iterable[PaymentProvider],
        *,
        ledger: PaymentLedger | None = None,
        clock: Callable[[], datetime.datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.providers: dict[str, PaymentProvider] = (
            dict(providers) if isinstance(providers, Mapping) else {p.code: p for p in providers}
        )
        self.ledger = ledger or PaymentLedger.for_engine(engine)
        # The engine's clock by default, so that payments are dated like everything else.
        self._clock = clock or getattr(engine, "now", None) or utcnow

    def provider(self, code: str) -> PaymentProvider:
        try:
            return self.providers[code]
        except KeyError:
            known = ", ".join(sorted(self.providers)) or "none registered"
            raise PaymentError(f"no payment provider {code!r} (providers: {known})") from None

    def start(
        self,
        request_id: str,
        provider: str,
        *,
        method: PaymentMethod = PaymentMethod.OUTLET,
        customer: Customer | None = None,
        valid_for: datetime.timedelta = DEFAULT_VALIDITY,
        return_url: str | None = None,
        card_token: str | None = None,
        wallet_number: str | None = None,
    ) -> CreatedPayment:
        """Create a payment for what ``request_id`` owes: a reference number to pay at an outlet, or a redirect.

        A pending payment of the same provider, method and amount is returned again rather than
        creating a second reference the citizen might also pay.
        """
        chosen = self.provider(provider)
        if method not in chosen.methods:
            raise PaymentNotAllowed(f"{provider} does not take {method.value} payments")
        request = self.engine.get(request_id)
        now = self._clock()
        earlier = self.ledger.orders_of(request.id)
        for earlier_order in earlier:
            if (
                earlier_order.provider == provider
                and earlier_order.method is method
                and earlier_order.status is PaymentStatus.PENDING
                and earlier_order.amount == request.balance_due()
                and (earlier_order.expires_at is None or earlier_order.expires_at > now)
            ):
                return _created(earlier_order)
        merchant_ref = f"{request.id}-{len(earlier) + 1:02d}"
        order = order_for_request(
            request,
            merchant_ref,
            method,
            customer,
            expires_at=now + valid_for,
            return_url=return_url,
            card_token=card_token,
            wallet_number=wallet_number,
        )
        created = chosen.create_payment(order)
        self.ledger.add_order(order, created, now)
        return created

    def handle_notification(self, provider: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        """:func:`localgov.payments.handle_notification` for the provider named ``provider``."""
        return handle_notification(
            self.engine, self.provider(provider), body, headers, ledger=self.ledger, clock=self._clock
        )

    def _order(self, merchant_ref: str) -> OrderRecord:
        order = self.ledger.order(merchant_ref)
        if order is None:
            raise UnknownPayment(f"no payment {merchant_ref!r} in the ledger")
        return order

    def refund(
        self, merchant_ref: str, amount: Decimal | None = None, *, reason: str | None = None, by: str = "system"
    ) -> Refund:
        """Give back ``amount`` (the whole remainder when ``None``) of a paid payment.

        Recorded in the ledger and, as an event, in the request's history (so the ledger's refunds
        are checked against a hash-chained fact, :func:`ledger_findings`). A refund does not reopen
        the request: that is a decision for the workflow, not the cashier.
        """
        order = self._order(merchant_ref)
        if not order.status.settled or order.status is PaymentStatus.REFUNDED:
            raise PaymentNotAllowed(
                f"payment {merchant_ref!r} is {order.status.value}: only a paid payment can be refunded"
            )
        remaining = order.amount - order.refunded
        amount = remaining if amount is None else amount
        if not isinstance(amount, Decimal) or not 0 < amount <= remaining:
            raise PaymentNotAllowed(
                f"a refund on {merchant_ref!r} must be above 0 and at most the {remaining} not yet refunded"
            )
        refund = self.provider(order.provider).refund(order.provider_ref, amount, reason)
        refunded = order.refunded + amount
        status = PaymentStatus.REFUNDED if refunded == order.amount else PaymentStatus.PARTIALLY_REFUNDED
        at = self._clock()
        self.ledger.add_refund(
            RefundRecord(merchant_ref, order.provider, amount, by, at, reason, refund.refund_ref),
            refunded,
            status,
        )
        self.engine.record_refund(
            order.request_id,
            amount=amount,
            provider=order.provider,
            reference=order.provider_ref,
            refund_reference=refund.refund_ref
            or f"{merchant_ref}/{len(self.ledger.refunds(merchant_ref=merchant_ref))}",
            by=by,
            reason=reason,
            at=at,
        )
        return refund

    def cancel(self, merchant_ref: str) -> None:
        """Cancel an unpaid payment so its reference can no longer be paid."""
        order = self._order(merchant_ref)
        if order.status is not PaymentStatus.PENDING:
            raise PaymentNotAllowed(
                f"payment {merchant_ref!r} is {order.status.value}: only a pending one can be cancelled"
            )
        self.provider(order.provider).cancel(order.provider_ref)
        self.ledger.update_order(merchant_ref, self._clock(), status=PaymentStatus.CANCELLED)

    def reconcile(self) -> Any:
        """Run the reconciliation sweep (:func:`localgov.payments.reconcile`)."""
        from localgov.payments.reconciliation import reconcile

        return reconcile(self.engine, self.providers, ledger=self.ledger, clock=self._clock)

    def daily_report(self, day: datetime.date) -> Any:
        """The day's report (:func:`localgov.payments.daily_report`)."""
        from localgov.payments.reconciliation import daily_report

        return daily_report(self.ledger, day)


def _created(order: OrderRecord) -> CreatedPayment:
    return CreatedPayment(
        provider=order.provider,
        merchant_ref=order.merchant_ref,
        provider_ref=order.provider_ref,
        method=order.method,
        amount=order.amount,
        currency=order.currency,
        status=order.status,
        reference_number=order.reference_number,
        redirect_url=order.redirect_url,
        expires_at=order.expires_at,
    )
