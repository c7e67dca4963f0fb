"""Acceptance: a Cairo building permit paid through the Fawry simulator, end to end over HTTP."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from localgov_fawry import FawrySimulator, notification_signature
from localgov_fawry.demo import pay_with_fawry

from localgov.payments import (
    Outcome,
    PaymentLedger,
    PaymentNotAllowed,
    Payments,
    PaymentStatus,
    Secret,
    daily_report,
    dump_json,
    format_amount,
)
from localgov.payments.audit import ledger_findings
from localgov.requests import Engine, InvalidPayment
from localgov.requests.model import Request

from ..requests.support import CAIRO, CLERK
from .conftest import SECURE_KEY


def outcomes(ledger: PaymentLedger) -> list[str]:
    return [n.outcome for n in ledger.notifications()]


def test_a_paid_reference_moves_the_request_on(
    engine: Engine,
    awaiting_payment: Callable[[], Request],
    payments: Payments,
    simulator: FawrySimulator,
    ledger: PaymentLedger,
) -> None:
    request = awaiting_payment()
    created = payments.start(request.id, "fawry")
    assert created.reference_number and created.amount == request.balance_due()
    delivered = simulator.pay(created.reference_number)
    assert delivered.response_status == 200
    after = engine.get(request.id)
    assert after.state == "approval" and after.balance_due() == 0
    assert [(p.provider, p.reference, p.amount) for p in after.payments] == [
        ("fawry", created.provider_ref, created.amount)
    ]
    confirm = engine.history(request.id)[-1]
    assert (confirm.action, confirm.actor) == ("confirm_payment", "system")
    order = ledger.order(created.merchant_ref)
    assert order is not None and order.status is PaymentStatus.PAID and order.credited_at is not None
    assert outcomes(ledger) == [Outcome.CREDITED]


def test_a_duplicate_notification_credits_nothing_more(
    engine: Engine,
    awaiting_payment: Callable[[], Request],
    payments: Payments,
    simulator: FawrySimulator,
    ledger: PaymentLedger,
) -> None:
    request = awaiting_payment()
    created = payments.start(request.id, "fawry")
    simulator.pay(created.provider_ref)
    paid = engine.get(request.id)
    again = simulator.resend(created.provider_ref)
    assert again.response_status == 200 and json.loads(again.response_body or b"{}")["outcome"] == Outcome.DUPLICATE
    after = engine.get(request.id)
    assert after.version == paid.version and after.payments == paid.payments
    assert outcomes(ledger) == [Outcome.CREDITED, Outcome.DUPLICATE]


def test_a_tampered_signature_is_refused_and_changes_nothing(
    engine: Engine,
    awaiting_payment: Callable[[], Request],
    payments: Payments,
    simulator: FawrySimulator,
    ledger: PaymentLedger,
) -> None:
    request = awaiting_payment()
    created = payments.start(request.id, "fawry")
    genuine = simulator.pay(created.provider_ref, notify=False)
    message = json.loads(genuine.body)
    message["messageSignature"] = message["messageSignature"][:-1] + (
        "0" if message["messageSignature"][-1] != "0" else "1"
    )
    status, body = payments.handle_notification("fawry", json.dumps(message).encode(), genuine.headers)
    assert status == 403 and json.loads(body)["status"] == "refused"
    after = engine.get(request.id)
    assert (after.state, after.payments, after.version) == ("awaiting_payment", (), request.version)
    assert outcomes(ledger) == [Outcome.BAD_SIGNATURE]
    assert SECURE_KEY not in ledger.notifications()[0].detail
    # The genuine message, arriving afterwards, is still credited: a forgery does not block it.
    assert payments.handle_notification("fawry", genuine.body, genuine.headers)[0] == 200
    assert engine.get(request.id).state == "approval"


def signed_notification(
    created_ref: str, merchant_ref: str, paid: Decimal, ordered: Decimal, status: str = "PAID"
) -> bytes:
    """A notification signed with the merchant's key, as Fawry would sign whatever it reports."""
    message = {
        "fawryRefNumber": created_ref,
        "merchantRefNumber": merchant_ref,
        "paymentAmount": paid,
        "orderAmount": ordered,
        "orderStatus": status,
        "paymentMethod": "PAYATFAWRY",
        "paymentRefrenceNumber": "7000099",
    }
    message["messageSignature"] = notification_signature(
        created_ref,
        merchant_ref,
        format_amount(paid),
        format_amount(ordered),
        status,
        "PAYATFAWRY",
        "7000099",
        Secret(SECURE_KEY),
    )
    return dump_json(message)


def test_an_amount_that_is_not_the_ordered_one_never_marks_the_request_paid(
    engine: Engine, awaiting_payment: Callable[[], Request], payments: Payments, ledger: PaymentLedger
) -> None:
    request = awaiting_payment()
    created = payments.start(request.id, "fawry")
    for paid, ordered in ((created.amount - 1, created.amount - 1), (Decimal("1.00"), created.amount)):
        status, body = payments.handle_notification(
            "fawry", signed_notification(created.provider_ref, created.merchant_ref, paid, ordered), {}
        )
        assert status == 200 and json.loads(body)["outcome"] == Outcome.AMOUNT_MISMATCH
    after = engine.get(request.id)
    assert (after.state, after.payments) == ("awaiting_payment", ())


def test_a_payment_for_an_unknown_order_or_a_closed_request_is_recorded_not_credited(
    engine: Engine,
    awaiting_payment: Callable[[], Request],
    payments: Payments,
    simulator: FawrySimulator,
    ledger: PaymentLedger,
) -> None:
    status, body = payments.handle_notification(
        "fawry", signed_notification("900999999", "NOT-OURS-01", Decimal("10.00"), Decimal("10.00")), {}
    )
    assert status == 200 and json.loads(body)["outcome"] == Outcome.UNKNOWN_ORDER
    request = awaiting_payment()
    created = payments.start(request.id, "fawry")
    withdrawn = engine.act(request.id, "withdraw", CLERK)
    assert withdrawn.closed
    simulator.pay(created.provider_ref)
    after = engine.get(request.id)
    assert (after.state, after.payments) == ("withdrawn", ())
    assert outcomes(ledger) == [Outcome.UNKNOWN_ORDER, Outcome.CLOSED_REQUEST]
    # The sweep keeps reporting the money to give back.
    findings = payments.reconcile().of_kind(Outcome.CLOSED_REQUEST)
    assert [f.merchant_ref for f in findings] == [created.merchant_ref]


def test_a_partial_refund_is_recorded(
    engine: Engine,
    awaiting_payment: Callable[[], Request],
    payments: Payments,
    simulator: FawrySimulator,
    ledger: PaymentLedger,
) -> None:
    request = awaiting_payment()
    created = payments.start(request.id, "fawry")
    simulator.pay(created.provider_ref)
    refund = payments.refund(created.merchant_ref, Decimal("100.00"), reason="overcharged", by="fee1")
    assert refund.amount == Decimal("100.00")
    order = ledger.order(created.merchant_ref)
    assert order is not None and (order.status, order.refunded) == (PaymentStatus.PARTIALLY_REFUNDED, Decimal("100.00"))
    assert [(r.amount, r.reason, r.requested_by) for r in ledger.refunds(merchant_ref=created.merchant_ref)] == [
        (Decimal("100.00"), "overcharged", "fee1")
    ]
    assert simulator.order(created.provider_ref).refunded == Decimal("100.00")
    with pytest.raises(PaymentNotAllowed):
        payments.refund(created.merchant_ref, created.amount)  # more than remains
    payments.refund(created.merchant_ref)  # the rest
    assert ledger.order(created.merchant_ref).status is PaymentStatus.REFUNDED  # type: ignore[union-attr]
    assert simulator.order(created.provider_ref).status == "REFUNDED"
    # Each refund is a fact of the request's history too, and the ledger agrees with it.
    refunds = [e for e in engine.history(request.id) if e.action == "refund"]
    assert [(e.actor, e.data["changes"]["refund"]["amount"]) for e in refunds] == [
        ("fee1", "100.00"),
        ("system", str(created.amount - Decimal("100.00"))),
    ]
    assert engine.get(request.id).refunded == created.amount
    assert engine.get(request.id).state == refunds[0].to_state  # a refund moves no state
    assert ledger_findings(ledger, engine.store, ["fawry"]) == {}
    assert engine.verify_history(request.id) == []


def test_a_refund_is_recorded_once_and_never_beyond_its_payment(
    engine: Engine, awaiting_payment: Callable[[], Request], payments: Payments, simulator: FawrySimulator
) -> None:
    request = awaiting_payment()
    created = payments.start(request.id, "fawry")
    simulator.pay(created.provider_ref)
    paid = engine.get(request.id).payments[0]
    once = {"provider": paid.provider, "reference": paid.reference, "refund_reference": "R-1"}
    first = engine.record_refund(request.id, amount="10.00", **once)
    assert engine.record_refund(request.id, amount="10.00", **once).version == first.version  # a retry
    with pytest.raises(InvalidPayment, match="more than its"):
        engine.record_refund(request.id, amount=paid.amount, provider=paid.provider, reference=paid.reference)
    with pytest.raises(InvalidPayment, match="no payment"):
        engine.record_refund(request.id, amount="1.00", provider=paid.provider, reference="F-NONE")
    assert [r.amount for r in engine.get(request.id).refunds] == [Decimal("10.00")]


def test_an_expired_payment_is_reported_by_reconciliation(
    engine: Engine,
    awaiting_payment: Callable[[], Request],
    payments: Payments,
    simulator: FawrySimulator,
    ledger: PaymentLedger,
) -> None:
    request = awaiting_payment()
    created = payments.start(request.id, "fawry")
    simulator.expire(created.provider_ref)
    report = payments.reconcile()
    expired = report.of_kind("expired")
    assert [(f.merchant_ref, f.request_id) for f in expired] == [(created.merchant_ref, request.id)]
    assert ledger.order(created.merchant_ref).status is PaymentStatus.EXPIRED  # type: ignore[union-attr]
    assert engine.get(request.id).state == "awaiting_payment"
    today = datetime.datetime.now(CAIRO).date()
    assert created.merchant_ref in daily_report(ledger, today).expired
    # A new reference replaces the expired one.
    assert payments.start(request.id, "fawry").merchant_ref != created.merchant_ref


def test_a_payment_whose_notification_was_lost_is_credited_by_the_sweep(
    engine: Engine, awaiting_payment: Callable[[], Request], payments: Payments, simulator: FawrySimulator
) -> None:
    request = awaiting_payment()
    created = payments.start(request.id, "fawry")
    simulator.pay(created.provider_ref, notify=False)
    report = payments.reconcile()
    assert report.credited == (created.merchant_ref,)
    assert engine.get(request.id).state == "approval"
    assert payments.reconcile().credited == ()  # nothing twice


def test_the_daily_report_totals_by_provider_and_revenue_item(
    engine: Engine,
    awaiting_payment: Callable[[], Request],
    payments: Payments,
    simulator: FawrySimulator,
    ledger: PaymentLedger,
) -> None:
    moment = datetime.datetime.now(datetime.UTC)
    clock_day = moment.astimezone(CAIRO).date()
    fixed = Payments(engine, payments.providers, ledger=ledger, clock=lambda: moment)
    request = awaiting_payment()
    created = fixed.start(request.id, "fawry")
    sent = simulator.pay(created.provider_ref, notify=False)
    fixed.handle_notification("fawry", sent.body, sent.headers)
    fixed.handle_notification("fawry", sent.body, sent.headers)  # a duplicate: an anomaly of the day
    report = fixed.daily_report(clock_day)
    assert [(p.provider, p.payments, p.collected) for p in report.providers] == [("fawry", 1, created.amount)]
    by_item = {i.revenue_item: i.collected for i in report.revenue_items}
    invoice_items: dict[str, Decimal] = {}
    for line in request.invoice.lines:  # type: ignore[union-attr]
        invoice_items[line.revenue_item] = invoice_items.get(line.revenue_item, Decimal(0)) + line.amount
    assert by_item == invoice_items
    assert [a.kind for a in report.anomalies] == [Outcome.DUPLICATE]
    assert report.to_data()["collected"] == str(created.amount)
    assert fixed.daily_report(clock_day + datetime.timedelta(days=1)).providers == ()


def test_starting_twice_reuses_the_pending_reference(
    awaiting_payment: Callable[[], Request], payments: Payments
) -> None:
    request = awaiting_payment()
    first = payments.start(request.id, "fawry")
    assert payments.start(request.id, "fawry") == first
    payments.cancel(first.merchant_ref)
    assert payments.start(request.id, "fawry").merchant_ref != first.merchant_ref


def test_the_demo_helper_pays_with_fawry(
    engine: Engine, awaiting_payment: Callable[[], Request], simulator: FawrySimulator
) -> None:
    request = awaiting_payment()
    reference = pay_with_fawry(engine, request, simulator)
    assert reference.isdigit()
    assert engine.get(request.id).state == "approval"
