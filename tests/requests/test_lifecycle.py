"""A building permit in Zeitoun from the front desk to issue, with a missing-document round trip.

Every date below is worked out by hand against the Egyptian calendar of 2026 (Friday-Saturday
weekend; Eid al-Fitr on 20-22 March, Sham El Nessim on Monday 13 April).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from localgov.requests import Engine
from localgov.requests.model import SYSTEM
from tests.requests.support import (
    APPROVER,
    ASSESSOR,
    CHECKER,
    CLERK,
    ENGINEER,
    INSPECTOR,
    ISSUER,
    cairo_time,
    open_engine,
    pdfs,
    submit_building_permit,
)

D = datetime.date


def test_building_permit_from_front_desk_to_issue(engine: Engine) -> None:
    # Wednesday 18 March 2026; the undertaking of the supervising engineer is not handed in.
    request = submit_building_permit(
        engine,
        documents=[
            "national_id_copy",
            "ownership_proof",
            "site_validity_statement",
            "engineering_drawings",
        ],
        at=cairo_time(2026, 3, 18),
    )
    assert re.fullmatch(r"CZTN-2600001-[0-9A-Z]", request.id)
    assert request.state == "document_check"
    assert request.assigned_to == CHECKER.id
    # 16 working days after Wed 18 March: Thu 19, (Eid 20-22), 23-26, 29 Mar-2 Apr, 5-9 Apr, Sun 12 Apr.
    assert request.due_date == D(2026, 4, 12)
    assert request.state_due_date == D(2026, 3, 19)

    # Thursday 19 March: the checker sends it back; the clock stops.
    request = engine.act(
        request.id,
        "request_missing",
        CHECKER,
        comment="تعهد المهندس المشرف غير مرفق",
        at=cairo_time(2026, 3, 19),
    )
    assert request.state == "awaiting_applicant"
    assert request.return_to == "document_check"
    assert request.missing == "تعهد المهندس المشرف غير مرفق"
    assert request.paused_since == D(2026, 3, 19)
    assert request.assigned_to is None
    assert engine.overdue(today=D(2026, 6, 1)) == []  # paused requests are never late

    # Monday 23 March: the applicant brings it. Fri, Sat and the Eid Sunday do not count, so the
    # clock stood still one working day (Monday) and the due date moves past Sham El Nessim.
    request = engine.act(
        request.id,
        "resubmit",
        CLERK,
        documents=pdfs("supervising_engineer_undertaking"),
        at=cairo_time(2026, 3, 23),
    )
    assert request.state == "document_check"  # back where it was sent from
    assert request.return_to is None and request.missing is None and request.paused_since is None
    assert request.due_date == D(2026, 4, 14)
    assert request.state_due_date == D(2026, 3, 24)
    assert {d.type for d in request.documents} >= {"supervising_engineer_undertaking"}

    request = engine.act(request.id, "accept_documents", CHECKER, at=cairo_time(2026, 3, 24))
    assert (request.state, request.assigned_to) == ("technical_review", ENGINEER.id)
    request = engine.act(request.id, "complete_review", ENGINEER, at=cairo_time(2026, 3, 25))
    assert (request.state, request.assigned_to) == ("field_inspection", INSPECTOR.id)
    request = engine.act(request.id, "record_inspection", INSPECTOR, at=cairo_time(2026, 3, 26, 9))
    assert (request.state, request.assigned_to) == ("fee_assessment", ASSESSOR.id)

    # Thursday 26 March: fees assessed; the clock stops while the payment is awaited.
    request = engine.act(request.id, "assess_fees", ASSESSOR, at=cairo_time(2026, 3, 26, 11))
    assert request.state == "awaiting_payment"
    assert request.invoice is not None and request.invoice.total > 0
    assert request.balance_due() == request.invoice.total
    assert request.paused_since == D(2026, 3, 26)

    # A partial payment records the payment and moves nothing.
    partial = engine.record_payment(
        request.id,
        amount=Decimal("1.00"),
        provider="fawry",
        reference="F-1",
        at=cairo_time(2026, 3, 28),
    )
    assert partial.state == "awaiting_payment"
    assert partial.balance_due() == request.invoice.total - 1

    # Sunday 29 March: the rest is paid; the system moves it on; one working day paused.
    request = engine.record_payment(
        request.id,
        amount=partial.balance_due(),
        provider="fawry",
        reference="F-2",
        at=cairo_time(2026, 3, 29),
    )
    assert request.state == "approval"
    assert request.balance_due() == 0
    assert request.due_date == D(2026, 4, 15)
    assert request.assigned_to == APPROVER.id
    # The same confirmation delivered twice changes nothing.
    again = engine.record_payment(request.id, amount=partial.balance_due(), provider="fawry", reference="F-2")
    assert again.version == request.version

    request = engine.act(request.id, "approve", APPROVER, at=cairo_time(2026, 3, 30))
    assert (request.state, request.assigned_to) == ("issuing", ISSUER.id)
    request = engine.act(request.id, "issue", ISSUER, at=cairo_time(2026, 3, 31))
    assert request.state == "issued" and request.closed and request.assigned_to is None
    assert request.issued is not None
    assert request.issued.number == "2026/ZTN/000001"
    assert request.issued.issued_on == D(2026, 3, 31)
    # Cairo publishes no validity period for building permits (a placeholder in its catalogue).
    assert request.issued.expires_on is None

    history = engine.history(request.id)
    assert [(e.seq, e.action, e.actor, e.role, e.from_state, e.to_state) for e in history] == [
        (1, "submit", CLERK.id, "front_desk_clerk", None, "document_check"),
        (
            2,
            "request_missing",
            CHECKER.id,
            "document_checker",
            "document_check",
            "awaiting_applicant",
        ),
        (3, "resubmit", CLERK.id, "front_desk_clerk", "awaiting_applicant", "document_check"),
        (
            4,
            "accept_documents",
            CHECKER.id,
            "document_checker",
            "document_check",
            "technical_review",
        ),
        (5, "complete_review", ENGINEER.id, "engineer", "technical_review", "field_inspection"),
        (
            6,
            "record_inspection",
            INSPECTOR.id,
            "field_inspector",
            "field_inspection",
            "fee_assessment",
        ),
        (7, "assess_fees", ASSESSOR.id, "fee_assessor", "fee_assessment", "awaiting_payment"),
        (8, "payment", SYSTEM.id, "system", "awaiting_payment", "awaiting_payment"),
        (9, "payment", SYSTEM.id, "system", "awaiting_payment", "awaiting_payment"),
        (10, "confirm_payment", SYSTEM.id, "system", "awaiting_payment", "approval"),
        (11, "approve", APPROVER.id, "approver", "approval", "issuing"),
        (12, "issue", ISSUER.id, "issuer", "issuing", "issued"),
    ]
    assert history[1].comment == "تعهد المهندس المشرف غير مرفق"
    assert history[-1].data["changes"]["issued"]["number"] == "2026/ZTN/000001"
    assert history[0].at == cairo_time(2026, 3, 18)
    assert engine.verify_history(request.id) == []
    assert engine.audit() == {}
    assert engine.get(request.id) == request


def test_documents_are_stored_by_content(engine: Engine) -> None:
    request = submit_building_permit(engine)
    stored = {d.type: d for d in request.documents}
    upload = pdfs("ownership_proof")[0]
    assert engine.store.get_document(stored["ownership_proof"].sha256) == upload.content


@pytest.mark.parametrize(
    ("path", "sender"),
    [
        ([], CHECKER),
        ([("accept_documents", CHECKER)], ENGINEER),
        ([("accept_documents", CHECKER), ("complete_review", ENGINEER)], INSPECTOR),
    ],
    ids=["document_check", "technical_review", "field_inspection"],
)
def test_a_send_back_returns_to_the_step_that_sent_it(engine: Engine, path: list, sender: object) -> None:
    request = submit_building_permit(engine)
    for action, actor in path:
        request = engine.act(request.id, action, actor)
    sent_from = request.state
    request = engine.act(request.id, "request_missing", sender, comment="بيان ناقص / a statement is missing")
    assert request.return_to == sent_from
    request = engine.act(request.id, "resubmit", CLERK)
    assert request.state == sent_from
    assert request.assigned_to == sender.id  # type: ignore[attr-defined]
    assert engine.verify_history(request.id) == []


def test_the_citizen_follows_the_request_with_the_access_code(engine: Engine) -> None:
    request = submit_building_permit(engine, at=cairo_time(2026, 3, 18))
    engine.act(
        request.id,
        "request_missing",
        CHECKER,
        comment="صورة البطاقة غير واضحة",
        at=cairo_time(2026, 3, 19),
    )
    status = engine.status(request.id, request.access_code)
    assert status.tracking_number == request.id
    assert status.state.en == "Awaiting the applicant"
    assert status.missing == "صورة البطاقة غير واضحة"
    assert status.expected_date == D(2026, 4, 12)
    assert [step.en for _, step in status.steps] == ["Document check", "Awaiting the applicant"]
    assert [day for day, _ in status.steps] == [D(2026, 3, 18), D(2026, 3, 19)]
    assert not status.closed


def test_building_permit_on_an_in_memory_database() -> None:
    """``sqlite://`` (one shared in-memory connection) takes the same path as a file."""
    engine = open_engine("sqlite://")
    try:
        test_building_permit_from_front_desk_to_issue(engine)
    finally:
        engine.store.close()  # type: ignore[attr-defined]
