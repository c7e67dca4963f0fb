"""A hand-made week of history, driven through the real engine, for the reports' figures.

Sunday 12 to Thursday 16 April 2026 at Zeitoun; Monday 13 is Sham El Nessim (a holiday), so the
week has four working days. Every figure the tests expect is worked out by hand in
``tests/reports/test_week.py``.

A  submitted Sun 12; documents accepted Tue 14, reviewed Tue 14, inspected Wed 15, fees assessed
   Wed 15, paid Thu 16 (in two parts, Wed 15 and Thu 16), approved and issued Thu 16.
B  submitted Sun 12; sent back to the applicant Sun 12 (a missing document); resubmitted Wed 15;
   documents accepted Thu 16; still in technical review.
C  submitted Tue 14; rejected at the document check Wed 15.
D  submitted Tue 14; withdrawn Thu 16.
   clerk1, also a document checker, tries to accept C's documents Tue 14 (refused: they received
   it), and E's on Sun 19, after the week.
E  submitted Wed 18 March, due Sun 12 April, still at the document check: overdue.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from localgov.payments.ledger_schema import migrate_payments, orders
from localgov.requests import Engine, SeparationOfDuties
from localgov.requests.model import Request
from tests.requests.support import (
    APPROVER,
    ASSESSOR,
    CHECKER,
    CLERK,
    INSPECTOR,
    ISSUER,
    cairo_time,
    member,
    pdfs,
    submit_building_permit,
)

ENGINEER = member("eng1", "engineer")
# One employee per role, so the blind load-balanced assignment has one choice and the figures
# can be worked out by hand.
WEEK_STAFF = (CLERK, CHECKER, ENGINEER, INSPECTOR, ASSESSOR, APPROVER, ISSUER)

#: The moment the reports are run: Thursday 16 April 2026, 20:00 in Cairo.
AS_OF = cairo_time(2026, 4, 16, 20)


def play_week(engine: Engine) -> dict[str, Request]:
    played: dict[str, Request] = {}
    e = submit_building_permit(engine, at=cairo_time(2026, 3, 18))
    played["E"] = e

    a = submit_building_permit(engine, at=cairo_time(2026, 4, 12, 9))
    b = submit_building_permit(engine, at=cairo_time(2026, 4, 12, 11))
    engine.act(b.id, "request_missing", CHECKER, comment="تعهد المهندس المشرف غير مرفق", at=cairo_time(2026, 4, 12, 12))
    c = submit_building_permit(engine, at=cairo_time(2026, 4, 14, 9))
    d = submit_building_permit(engine, at=cairo_time(2026, 4, 14, 10))
    engine.act(a.id, "accept_documents", CHECKER, at=cairo_time(2026, 4, 14, 11))
    _refused(engine, c.id, cairo_time(2026, 4, 14, 12))
    engine.act(a.id, "complete_review", ENGINEER, at=cairo_time(2026, 4, 14, 13))
    engine.act(c.id, "reject", APPROVER, comment="الأرض ليست ملك مقدم الطلب", at=cairo_time(2026, 4, 15, 9))
    engine.act(a.id, "record_inspection", INSPECTOR, at=cairo_time(2026, 4, 15, 10))
    a = engine.act(a.id, "assess_fees", ASSESSOR, at=cairo_time(2026, 4, 15, 11))
    engine.record_payment(
        a.id, amount=Decimal("100.00"), provider="fawry", reference="F-1", at=cairo_time(2026, 4, 15, 12)
    )
    engine.act(
        b.id, "resubmit", CLERK, documents=pdfs("supervising_engineer_undertaking"), at=cairo_time(2026, 4, 15, 13)
    )
    rest = a.balance_due() - Decimal("100.00")
    engine.record_payment(a.id, amount=rest, provider="efinance", reference="E-1", at=cairo_time(2026, 4, 16, 9))
    engine.act(b.id, "accept_documents", CHECKER, at=cairo_time(2026, 4, 16, 10))
    engine.act(a.id, "approve", APPROVER, at=cairo_time(2026, 4, 16, 11))
    played["A"] = engine.act(a.id, "issue", ISSUER, at=cairo_time(2026, 4, 16, 12))
    played["D"] = engine.act(d.id, "withdraw", CLERK, at=cairo_time(2026, 4, 16, 13))
    played["B"] = engine.get(b.id)
    played["C"] = engine.get(c.id)
    _refused(engine, e.id, cairo_time(2026, 4, 19, 9))
    return played


def _refused(engine: Engine, request_id: str, at: datetime.datetime) -> None:
    """The clerk who received a request tries to check its documents: refused, and kept as such."""
    both = member(CLERK.id, "front_desk_clerk", "document_checker")
    try:
        engine.act(request_id, "accept_documents", both, at=at)
    except SeparationOfDuties:
        return
    raise AssertionError("separation of duties let the receiving clerk check the documents")


def ledger_order(
    merchant_ref: str, request_id: str, provider: str, items: list[dict[str, Any]], at: datetime.datetime
) -> dict[str, Any]:
    stamp = at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    total = sum(Decimal(i["amount"]) * i["quantity"] for i in items)
    return {
        "merchant_ref": merchant_ref,
        "request_id": request_id,
        "provider": provider,
        "provider_ref": f"P-{merchant_ref}",
        "method": "card",
        "amount": str(total),
        "currency": "EGP",
        "status": "paid",
        "items": items,
        "created_at": stamp,
        "updated_at": stamp,
        "credited_at": stamp,
        "refunded": "0.00",
    }


def write_ledger(database: sa.Engine, rows: list[dict[str, Any]]) -> None:
    migrate_payments(database)
    with database.begin() as connection:
        connection.execute(orders.insert(), rows)
