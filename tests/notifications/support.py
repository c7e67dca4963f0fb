"""Walking a building permit through every step the applicant hears about."""

from __future__ import annotations

from decimal import Decimal

from localgov.requests import Engine
from localgov.requests.model import Request
from localgov.storage import SqlOutbox
from tests.requests.support import (
    APPROVER,
    ASSESSOR,
    CHECKER,
    ENGINEER,
    INSPECTOR,
    ISSUER,
    cairo_time,
    submit_building_permit,
)


def outbox_of(engine: Engine) -> SqlOutbox:
    return SqlOutbox(engine.store.engine)  # type: ignore[attr-defined]


def issued_permit(engine: Engine) -> Request:
    """A building permit from submission to issue, on working days of December 2026."""
    request = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    for action, who, day in (
        ("accept_documents", CHECKER, 6),
        ("complete_review", ENGINEER, 7),
        ("record_inspection", INSPECTOR, 8),
        ("assess_fees", ASSESSOR, 9),
    ):
        request = engine.act(request.id, action, who, at=cairo_time(2026, 12, day))
    request = engine.record_payment(
        request.id, amount=request.balance_due(), provider="fawry", reference="F-1", at=cairo_time(2026, 12, 10)
    )
    assert request.balance_due() == Decimal(0)
    request = engine.act(request.id, "approve", APPROVER, at=cairo_time(2026, 12, 13))
    return engine.act(request.id, "issue", ISSUER, at=cairo_time(2026, 12, 14))
