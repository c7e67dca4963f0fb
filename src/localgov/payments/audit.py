"""The payment ledger checked against the requests' histories.

A payment is a fact of a request's history: the engine records it as a hash-chained event (who
paid, through which provider, with which reference, how much). The ledger's orders are the
provider's side of the same money, so each must agree with the history: an order credited
without a payment event, a payment event through a ledgered provider without its credited order,
or the two disagreeing on the amount, is a finding. Someone who edits an order's amount, deletes
an order, or adds one, shows here; someone who edits the event is caught by the chain.

A refund is a fact of the history too (an event saying which payment, how much): the ledger's
refund rows must add up to what each order says was refunded, and that to what the history
says, so a refund row added, removed or edited, with or without the order's total, shows here.

The ledger's notification log is the evidence of what each provider sent (kept for disputes,
each message's SHA-256 with it); what a notification did is the order's status and the request's
payment event, both checked here or by the chain, so the log itself is not a fact of any history.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from localgov.payments.ledger import OrderRecord, PaymentLedger
from localgov.requests.ports import Store

__all__ = ["ledger_findings"]


_Paid = dict[tuple[str, str], tuple[str, Decimal | None]]
_Refunded = dict[tuple[str, str], Decimal]


def _money_events(store: Store) -> tuple[_Paid, _Refunded]:
    """What the histories say: each payment's (request id, amount), and each payment's refunds in all.

    Both by (provider, the payment's reference), from every history's payment and refund events.
    """
    paid: _Paid = {}
    refunded: _Refunded = {}
    for row, events in store.histories():
        for event in events:
            changes = event.data.get("changes")
            if not isinstance(changes, Mapping):
                continue
            payment, refund = changes.get("payment"), changes.get("refund")
            if isinstance(payment, Mapping):
                paid[(str(payment.get("provider")), str(payment.get("reference")))] = (row.id, _amount(payment))
            if isinstance(refund, Mapping):
                key = (str(refund.get("provider")), str(refund.get("reference")))
                refunded[key] = refunded.get(key, Decimal(0)) + (_amount(refund) or Decimal(0))
    return paid, refunded


def _amount(payment: Mapping[str, Any]) -> Decimal | None:
    try:
        return Decimal(str(payment.get("amount")))
    except InvalidOperation:
        return None


def ledger_findings(ledger: PaymentLedger, store: Store, providers: Collection[str]) -> dict[str, list[str]]:
    """Findings of the ledger against the histories, by request id; empty when they agree.

    ``providers`` are those that pay through the ledger (the registered payment providers): a
    payment through one of them must have its credited order. A payment at the counter has none.
    """
    findings: dict[str, list[str]] = {}
    paid, refunded_in_history = _money_events(store)
    orders = ledger.orders()
    ledgered = set(providers) | {order.provider for order in orders}
    credited: dict[tuple[str, str], OrderRecord] = {}
    for order in orders:
        if order.credited_at is None:
            continue
        key = (order.provider, order.provider_ref)
        credited[key] = order
        event = paid.get(key)
        if event is None:
            findings.setdefault(order.request_id, []).append(
                f"payment order {order.merchant_ref} ({order.provider} {order.provider_ref}) is credited, "
                "but no payment event in the history records it (added or edited in the ledger)"
            )
        elif event[0] != order.request_id or event[1] != order.amount:
            findings.setdefault(order.request_id, []).append(
                f"payment order {order.merchant_ref}: the ledger says {order.amount} for {order.request_id}, the "
                f"history says {event[1]} for {event[0]} (edited)"
            )
    refunded: dict[str, Decimal] = {}
    for refund in ledger.refunds():
        refunded[refund.merchant_ref] = refunded.get(refund.merchant_ref, Decimal(0)) + refund.amount
    for order in orders:
        total = refunded.pop(order.merchant_ref, Decimal(0))
        if total != order.refunded:
            findings.setdefault(order.request_id, []).append(
                f"payment order {order.merchant_ref}: its refunds add up to {total}, the order says {order.refunded} "
                "refunded (a refund row added, removed or edited)"
            )
        in_history = refunded_in_history.pop((order.provider, order.provider_ref), Decimal(0))
        if in_history != order.refunded:
            findings.setdefault(order.request_id, []).append(
                f"payment order {order.merchant_ref}: the ledger says {order.refunded} refunded, the history says "
                f"{in_history} (a refund added, removed or edited in the ledger)"
            )
    for merchant_ref, total in sorted(refunded.items()):
        findings.setdefault(merchant_ref, []).append(
            f"refunds of {total} for payment order {merchant_ref}, which the ledger does not hold"
        )
    for (provider, reference), given in sorted(refunded_in_history.items()):
        if provider in ledgered:
            request_id = paid.get((provider, reference), (reference, None))[0]
            findings.setdefault(request_id, []).append(
                f"the history records refunds of {given} on {provider} {reference}, which no order in the ledger "
                "holds (deleted or edited in the ledger)"
            )
    for (provider, reference), (request_id, amount) in sorted(paid.items()):
        if provider in ledgered and (provider, reference) not in credited:
            findings.setdefault(request_id, []).append(
                f"the history records a payment of {amount} through {provider} ({reference}) that no credited "
                "order in the ledger matches (deleted or edited in the ledger)"
            )
    return findings
