"""The post office's daily batch reconciled against the payments ledger.

Each entry of the batch is matched with the ledger: a fee (``PAY``) with the order of the same
merchant reference and payment code, a refund (``REFUND``) with the ledger's refund of the same
receipt number. What cannot be matched is a finding, of four kinds:

- ``unknown_in_ledger``: the counter collected or paid back money the ledger knows nothing of;
- ``amount_differs``: the entry's amount is not the order's (or the refund's);
- ``missing_in_batch``: the ledger credited a counter payment, or recorded a counter refund, on
  the batch's business day that the batch does not list;
- an outcome of :func:`localgov.payments.settlement.settle` (``closed_request``, ``nothing_due``…)
  for a batch payment whose confirmation never arrived and which could not be credited.

A batch payment whose order is still pending (the counter's confirmation was lost) is credited
here, by the same rules as a confirmation: the batch is signed by the counter system, so it is
as much its word as the confirmation would have been.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from localgov.clock import EGYPT, utcnow
from localgov.payments import Outcome, PaymentLedger, PaymentStatus, Secret
from localgov.payments.settlement import Settlement, settle
from localgov_egypt_post.batch import Batch, BatchEntry, parse_batch
from localgov_egypt_post.provider import CODE

__all__ = ["BatchFinding", "BatchReconciliation", "reconcile_batch", "reconcile_batch_file"]

KINDS = ("unknown_in_ledger", "amount_differs", "missing_in_batch")


@attrs.frozen
class BatchFinding:
    kind: str
    merchant_ref: str | None
    receipt: str | None
    detail: str
    batch_amount: Decimal | None = None
    ledger_amount: Decimal | None = None
    line: int | None = None  # the batch line, for an entry of the batch


@attrs.frozen
class BatchReconciliation:
    day: datetime.date
    matched: tuple[str, ...]  # receipts of the batch that agree with the ledger
    credited: tuple[str, ...]  # merchant refs credited from the batch (their confirmation never came)
    findings: tuple[BatchFinding, ...]

    @property
    def clean(self) -> bool:
        return not self.findings

    def of_kind(self, kind: str) -> list[BatchFinding]:
        return [f for f in self.findings if f.kind == kind]


def reconcile_batch(
    engine: Any,
    batch: Batch,
    *,
    ledger: PaymentLedger | None = None,
    clock: Callable[[], datetime.datetime] | None = None,
) -> BatchReconciliation:
    """Match ``batch`` (already parsed and verified) with the ledger; credit what only the batch reports."""
    ledger = ledger or PaymentLedger.for_engine(engine)
    now = (clock or getattr(engine, "now", None) or utcnow)()
    orders = {o.merchant_ref: o for o in ledger.orders(provider=CODE)}
    start = datetime.datetime.combine(batch.day, datetime.time(), EGYPT)
    refunds = [r for r in ledger.refunds(since=start, until=start + datetime.timedelta(days=1)) if r.provider == CODE]
    all_refunds = {r.refund_ref: r for r in ledger.refunds() if r.provider == CODE and r.refund_ref}
    matched: list[str] = []
    credited: list[str] = []
    findings: list[BatchFinding] = []

    def finding(kind: str, entry: BatchEntry, detail: str, ledger_amount: Decimal | None = None) -> None:
        findings.append(
            BatchFinding(kind, entry.merchant_ref, entry.receipt, detail, entry.amount, ledger_amount, entry.line)
        )

    for entry in batch.entries:
        order = orders.get(entry.merchant_ref)
        if order is None or order.provider_ref != entry.payment_code:
            what = "no order" if order is None else f"order {order.merchant_ref} has another payment code"
            finding(
                "unknown_in_ledger", entry, f"receipt {entry.receipt}: {what} for payment code {entry.payment_code}"
            )
            continue
        if entry.kind == "REFUND":
            refund = all_refunds.get(entry.receipt)
            if refund is None or refund.merchant_ref != entry.merchant_ref:
                finding("unknown_in_ledger", entry, f"refund receipt {entry.receipt} is not in the ledger")
            elif refund.amount != entry.amount:
                finding(
                    "amount_differs",
                    entry,
                    f"refund {entry.receipt}: the ledger gave back {refund.amount}",
                    refund.amount,
                )
            else:
                matched.append(entry.receipt)
            continue
        if entry.amount != order.amount:
            finding("amount_differs", entry, f"order {order.merchant_ref} is for {order.amount}", order.amount)
            continue
        matched.append(entry.receipt)
        if order.credited_at is None:
            news = Settlement(
                CODE,
                order.merchant_ref,
                entry.payment_code,
                PaymentStatus.PAID,
                entry.amount,
                entry.amount,
                entry.currency,
            )
            verdict = settle(engine, ledger, news, now)
            if verdict.outcome == Outcome.CREDITED:
                credited.append(order.merchant_ref)
            elif verdict.outcome != Outcome.DUPLICATE:
                finding(verdict.outcome, entry, verdict.detail, order.amount)

    listed = {e.merchant_ref for e in batch.entries if e.kind == "PAY"}
    for order in orders.values():
        credited_at = order.credited_at
        if (
            credited_at is not None
            and order.merchant_ref not in credited
            and credited_at.astimezone(EGYPT).date() == batch.day
            and order.merchant_ref not in listed
        ):
            findings.append(
                BatchFinding(
                    "missing_in_batch",
                    order.merchant_ref,
                    None,
                    f"{order.merchant_ref} was credited on {batch.day} but the batch does not list it",
                    None,
                    order.amount,
                )
            )
    receipts = {e.receipt for e in batch.entries if e.kind == "REFUND"}
    for refund in refunds:
        if refund.refund_ref not in receipts:
            findings.append(
                BatchFinding(
                    "missing_in_batch",
                    refund.merchant_ref,
                    refund.refund_ref,
                    f"refund {refund.refund_ref} of {refund.merchant_ref} is in the ledger but not in the batch",
                    None,
                    refund.amount,
                )
            )
    return BatchReconciliation(batch.day, tuple(matched), tuple(credited), tuple(findings))


def reconcile_batch_file(
    engine: Any,
    path: str | Path,
    key: Secret,
    *,
    ledger: PaymentLedger | None = None,
    clock: Callable[[], datetime.datetime] | None = None,
) -> BatchReconciliation:
    """Read, verify and reconcile the batch file at ``path`` (errors name the file, line and field)."""
    file = Path(path)
    batch = parse_batch(file.read_bytes(), key, file=str(file))
    return reconcile_batch(engine, batch, ledger=ledger, clock=clock)
