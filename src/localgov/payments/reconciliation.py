"""Reconciliation: re-asking providers about pending payments, and the daily report.

The sweep (:func:`reconcile`) asks each provider where every unsettled order stands: a payment
whose notification never arrived is credited now (by the same rules as a notification), an expired
or cancelled one is reported, and so is anything that cannot be credited (an amount that is not the
one ordered, a request that is closed or unknown). It also flags requests paid more than their
invoice. :func:`daily_report` totals a day by provider and by revenue item and lists the day's
anomalies (duplicates, forged or malformed messages, mismatches...).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from localgov.clock import EGYPT, utcnow
from localgov.payments.errors import PaymentError
from localgov.payments.ledger import Outcome, PaymentLedger
from localgov.payments.model import PaymentStatus
from localgov.payments.protocol import PaymentProvider
from localgov.payments.settlement import Settlement, settle
from localgov.requests.errors import UnknownRequest

__all__ = [
    "DailyReport",
    "Finding",
    "ProviderTotals",
    "ReconciliationReport",
    "RevenueItemTotal",
    "daily_report",
    "reconcile",
]


@attrs.frozen
class Finding:
    """Something a person must look at (or that the sweep fixed and reports)."""

    kind: str  # an Outcome, or "expired", "cancelled", "failed", "missed_notification", "overpaid", "provider_error"
    provider: str
    merchant_ref: str | None
    request_id: str | None
    detail: str
    amount: Decimal | None = None


@attrs.frozen
class ReconciliationReport:
    checked: int
    credited: tuple[str, ...]  # merchant refs credited by this sweep
    findings: tuple[Finding, ...]

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]


_STATUS_FINDINGS = {
    PaymentStatus.EXPIRED: "expired",
    PaymentStatus.CANCELLED: "cancelled",
    PaymentStatus.FAILED: "failed",
}


def reconcile(
    engine: Any,
    providers: Mapping[str, PaymentProvider] | Iterable[PaymentProvider],
    *,
    ledger: PaymentLedger | None = None,
    clock: Callable[[], datetime.datetime] | None = None,
) -> ReconciliationReport:
    """Re-query every pending (or paid but not credited) order; credit, update and report."""
    by_code = dict(providers) if isinstance(providers, Mapping) else {p.code: p for p in providers}
    ledger = ledger or PaymentLedger.for_engine(engine)
    now = (clock or getattr(engine, "now", None) or utcnow)()
    findings: list[Finding] = []
    credited: list[str] = []
    unsettled = [
        o
        for o in ledger.orders(statuses=[PaymentStatus.PENDING, PaymentStatus.PAID])
        if o.status is PaymentStatus.PENDING or o.credited_at is None
    ]
    for order in unsettled:
        provider = by_code.get(order.provider)
        if provider is None:
            findings.append(
                Finding(
                    "provider_error", order.provider, order.merchant_ref, order.request_id, "provider not configured"
                )
            )
            continue
        try:
            state = provider.query_status(order.merchant_ref)
        except PaymentError as error:
            findings.append(Finding("provider_error", order.provider, order.merchant_ref, order.request_id, str(error)))
            continue
        news = Settlement(
            provider.code,
            order.merchant_ref,
            state.provider_ref,
            state.status,
            state.amount,
            state.paid_amount if state.paid_amount is not None else state.amount,
            state.currency,
        )
        verdict = settle(engine, ledger, news, now)
        if verdict.outcome == Outcome.CREDITED:
            credited.append(order.merchant_ref)
            findings.append(
                Finding(
                    "missed_notification",
                    order.provider,
                    order.merchant_ref,
                    order.request_id,
                    f"paid but never notified; {verdict.detail}",
                    order.amount,
                )
            )
        elif verdict.outcome == Outcome.STATUS:
            kind = _STATUS_FINDINGS.get(state.status)
            if kind is not None:
                findings.append(
                    Finding(
                        kind,
                        order.provider,
                        order.merchant_ref,
                        order.request_id,
                        f"payment {order.merchant_ref} {kind}: the request still owes {order.amount}",
                        order.amount,
                    )
                )
        elif verdict.outcome != Outcome.DUPLICATE:
            findings.append(
                Finding(
                    verdict.outcome, order.provider, order.merchant_ref, order.request_id, verdict.detail, order.amount
                )
            )
    findings += _overpaid(engine, ledger)
    return ReconciliationReport(len(unsettled), tuple(credited), tuple(findings))


def _overpaid(engine: Any, ledger: PaymentLedger) -> list[Finding]:
    """Requests whose credited payments exceed their invoice (reassessed after paying, or paid twice)."""
    found = []
    requests = {o.request_id: o for o in ledger.orders(statuses=[PaymentStatus.PAID]) if o.credited_at is not None}
    for request_id, order in requests.items():
        try:
            request = engine.get(request_id)
        except UnknownRequest:
            continue
        if request.invoice is not None and request.paid > request.invoice.total:
            found.append(
                Finding(
                    "overpaid",
                    order.provider,
                    order.merchant_ref,
                    request_id,
                    f"{request_id} paid {request.paid} on an invoice of {request.invoice.total}",
                    request.paid - request.invoice.total,
                )
            )
    return found


# ------------------------------------------------------------------ daily report


@attrs.frozen
class ProviderTotals:
    provider: str
    payments: int
    collected: Decimal
    refunds: int
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.collected - self.refunded


@attrs.frozen
class RevenueItemTotal:
    revenue_item: str
    provider: str
    collected: Decimal


@attrs.frozen
class DailyReport:
    """One day (Cairo time) of payments: totals by provider and by revenue item, and anomalies."""

    day: datetime.date
    providers: tuple[ProviderTotals, ...]
    revenue_items: tuple[RevenueItemTotal, ...]
    expired: tuple[str, ...]
    anomalies: tuple[Finding, ...]

    @property
    def collected(self) -> Decimal:
        return sum((p.collected for p in self.providers), Decimal("0.00"))

    def to_data(self) -> dict[str, Any]:
        """JSON-ready (amounts as decimal strings)."""
        return {
            "day": self.day.isoformat(),
            "collected": str(self.collected),
            "providers": [
                {
                    "provider": p.provider,
                    "payments": p.payments,
                    "collected": str(p.collected),
                    "refunds": p.refunds,
                    "refunded": str(p.refunded),
                    "net": str(p.net),
                }
                for p in self.providers
            ],
            "revenue_items": [
                {"revenue_item": i.revenue_item, "provider": i.provider, "collected": str(i.collected)}
                for i in self.revenue_items
            ],
            "expired": list(self.expired),
            "anomalies": [
                {
                    "kind": a.kind,
                    "provider": a.provider,
                    "merchant_ref": a.merchant_ref,
                    "request_id": a.request_id,
                    "detail": a.detail,
                    "amount": None if a.amount is None else str(a.amount),
                }
                for a in self.anomalies
            ],
        }


def daily_report(ledger: PaymentLedger, day: datetime.date, *, timezone: datetime.tzinfo = EGYPT) -> DailyReport:
    """Totals of ``day``: payments credited, refunds made, expired orders and anomalous messages."""
    start = datetime.datetime.combine(day, datetime.time(), timezone)
    end = start + datetime.timedelta(days=1)

    def within(moment: datetime.datetime | None) -> bool:
        return moment is not None and start <= moment < end

    orders = ledger.orders()
    credited = [o for o in orders if within(o.credited_at)]
    refunds = ledger.refunds(since=start, until=end)
    providers = sorted({o.provider for o in credited} | {r.provider for r in refunds})
    totals = tuple(
        ProviderTotals(
            provider=code,
            payments=sum(1 for o in credited if o.provider == code),
            collected=sum((o.amount for o in credited if o.provider == code), Decimal("0.00")),
            refunds=sum(1 for r in refunds if r.provider == code),
            refunded=sum((r.amount for r in refunds if r.provider == code), Decimal("0.00")),
        )
        for code in providers
    )
    items: dict[tuple[str, str], Decimal] = {}
    for order in credited:
        for item in order.items:
            key = (item.code, order.provider)
            items[key] = items.get(key, Decimal("0.00")) + item.amount * item.quantity
    expired = tuple(o.merchant_ref for o in orders if o.status is PaymentStatus.EXPIRED and within(o.updated_at))
    anomalies = tuple(
        Finding(n.outcome, n.provider, n.merchant_ref, n.request_id, n.detail, n.amount)
        for n in ledger.notifications(since=start, until=end)
        if n.outcome in Outcome.ANOMALIES
    )
    return DailyReport(
        day,
        totals,
        tuple(RevenueItemTotal(code, provider, total) for (code, provider), total in sorted(items.items())),
        expired,
        anomalies,
    )
