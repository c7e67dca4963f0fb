"""Every refusal of the engine is its own exception, and a refused action writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from localgov.catalogue import UnknownEntry
from localgov.errors import LocalgovError
from localgov.organisation import StaffMember
from localgov.requests import DocumentUpload, Engine
from localgov.requests.errors import (
    ActionNotAllowed,
    CommentRequired,
    Conflict,
    GuardFailed,
    IdempotencyKeyReused,
    InvalidDocument,
    InvalidForm,
    InvalidSubmission,
    NotAssigned,
    RoleNotAllowed,
    SeparationOfDuties,
    UnknownRequest,
)
from localgov.requests.model import Applicant, Citizen, Request
from tests.requests.support import (
    APPLICANT,
    APPLICANT_ID,
    APPROVER,
    ASSESSOR,
    BUILDING_FORM,
    CHECKER,
    CHECKER2,
    CLERK,
    ELSEWHERE,
    ENGINEER,
    INSPECTOR,
    ISSUER,
    JPEG,
    PDF,
    STAFF,
    member,
    pdfs,
    submit_building_permit,
)


def unchanged(engine: Engine, before: Request) -> None:
    """A refused action leaves the request and its history as they were."""
    after = engine.get(before.id)
    assert after == before
    assert len(engine.history(before.id)) == before.event_count


def assignee(request: Request, default: StaffMember) -> StaffMember:
    """Whoever the case is assigned to, if they hold the same role as ``default``."""
    chosen = next((m for m in STAFF if m.id == request.assigned_to), default)
    return chosen if chosen.roles & default.roles else default


def to_state(engine: Engine, state: str, receiver=CLERK) -> Request:  # type: ignore[no-untyped-def]
    """A building permit received by ``receiver``, driven to ``state`` by the usual staff."""
    request = submit_building_permit(engine, actor=receiver)
    steps = [
        ("technical_review", "accept_documents", CHECKER),
        ("field_inspection", "complete_review", ENGINEER),
        ("fee_assessment", "record_inspection", INSPECTOR),
        ("awaiting_payment", "assess_fees", ASSESSOR),
    ]
    for target, action, actor in steps:
        if request.state == state:
            return request
        request = engine.act(request.id, action, assignee(request, actor))
        assert request.state == target
    if request.state == state:
        return request
    request = engine.record_payment(request.id, amount=request.balance_due(), provider="fawry", reference="P")
    if request.state == state:
        return request
    request = engine.act(request.id, "approve", assignee(request, APPROVER))
    assert request.state == state == "issuing"
    return request


# ---------------------------------------------------------------------------------------- intake


def test_unknown_service(engine: Engine) -> None:
    with pytest.raises(UnknownEntry, match="no_such_service"):
        engine.submit(
            "no_such_service",
            unit="zeitoun",
            channel="front_desk",
            service_point="zeitoun_tc",
            actor=CLERK,
            applicant=APPLICANT,
            form={},
        )
    assert engine.summaries() == []


def test_invalid_form_names_every_bad_field(engine: Engine) -> None:
    form = dict(BUILDING_FORM, floors="0", building_use="castle", estimated_cost="12.345", colour="blue")
    del form["parcel_reference"]
    with pytest.raises(InvalidForm) as refused:
        submit_building_permit(engine, form=form)
    assert set(refused.value.problems) == {
        "floors",
        "building_use",
        "estimated_cost",
        "colour",
        "parcel_reference",
    }
    for name in refused.value.problems:
        assert name in str(refused.value)
    assert engine.summaries() == []


def test_invalid_applicant(engine: Engine) -> None:
    bad = Applicant(national_id=APPLICANT_ID[:3] + "13" + APPLICANT_ID[5:], name=" ", mobile="0101234")  # month 13
    with pytest.raises(InvalidForm) as refused:
        submit_building_permit(engine, applicant=bad)
    assert set(refused.value.problems) == {
        "applicant.national_id",
        "applicant.name",
        "applicant.mobile",
    }


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (DocumentUpload("death_certificate", PDF, "pdf"), "does not ask for this document"),
        (DocumentUpload("engineering_drawings", JPEG, "jpeg"), "not accepted"),
        (
            DocumentUpload("national_id_copy", PDF + b"\0" * (5 * 1024 * 1024), "pdf"),
            "over the 5 MB limit",
        ),
        (DocumentUpload("national_id_copy", PDF, "png"), "not a png file"),
        (DocumentUpload("national_id_copy", JPEG, "pdf"), "not a pdf file"),
    ],
    ids=["wrong type", "wrong media", "too big", "png that is a pdf", "pdf that is a jpeg"],
)
def test_invalid_document(engine: Engine, upload: DocumentUpload, reason: str) -> None:
    with pytest.raises(InvalidDocument, match=reason):
        submit_building_permit(engine, uploads=[*pdfs("ownership_proof"), upload])
    assert engine.summaries() == []


def test_invalid_document_with_a_resubmission(engine: Engine) -> None:
    request = engine.act(submit_building_permit(engine).id, "request_missing", CHECKER, comment="missing")
    with pytest.raises(InvalidDocument):
        engine.act(
            request.id,
            "resubmit",
            CLERK,
            documents=[DocumentUpload("ownership_proof", JPEG, "pdf")],
        )
    unchanged(engine, request)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit": "atlantis"}, "is not known"),
        ({"channel": "mobile_unit", "service_point": None}, "cannot be requested through channel"),
        ({"service_point": None}, "needs the service point"),
        ({"service_point": "west_cairo_tc"}, "is not a service point of 'zeitoun'"),
    ],
)
def test_invalid_submission(engine: Engine, changes: dict, message: str) -> None:
    with pytest.raises(InvalidSubmission, match=message):
        submit_building_permit(engine, **changes)


def test_who_may_submit(engine: Engine) -> None:
    with pytest.raises(RoleNotAllowed, match="works at"):
        submit_building_permit(engine, actor=member("c9", "front_desk_clerk", unit="heliopolis"))
    with pytest.raises(RoleNotAllowed):
        submit_building_permit(engine, actor=CHECKER)  # not a clerk
    with pytest.raises(RoleNotAllowed, match="own requests"):
        submit_building_permit(engine, channel="portal", service_point=None, actor=Citizen(ELSEWHERE_ID))
    with pytest.raises(SeparationOfDuties, match="their own request"):
        submit_building_permit(engine, actor=member("c8", "front_desk_clerk", national_id=APPLICANT_ID))
    citizen = submit_building_permit(engine, channel="portal", service_point=None, actor=Citizen(APPLICANT_ID))
    assert citizen.channel == "portal"


ELSEWHERE_ID = "29001010112345"


# ---------------------------------------------------------------------------------------- acting


def test_action_not_allowed_in_this_state(engine: Engine) -> None:
    request = submit_building_permit(engine)
    with pytest.raises(ActionNotAllowed, match="not allowed in state 'document_check'"):
        engine.act(request.id, "resubmit", CLERK)
    with pytest.raises(ActionNotAllowed, match="no action 'fly'"):
        engine.act(request.id, "fly", CHECKER)
    unchanged(engine, request)


def test_an_action_from_the_wrong_state_is_refused_as_such(engine: Engine) -> None:
    request = submit_building_permit(engine)
    with pytest.raises(ActionNotAllowed):
        engine.act(request.id, "issue", ISSUER)


def test_role_not_allowed(engine: Engine) -> None:
    request = submit_building_permit(engine)
    with pytest.raises(RoleNotAllowed, match="is for document_checker"):
        engine.act(request.id, "accept_documents", INSPECTOR)
    with pytest.raises(RoleNotAllowed, match="does not hold role"):
        engine.act(request.id, "accept_documents", CHECKER, role="approver")
    with pytest.raises(RoleNotAllowed, match="only the applicant"):
        engine.act(request.id, "withdraw", Citizen(ELSEWHERE_ID))
    unchanged(engine, request)


def test_wrong_unit(engine: Engine) -> None:
    request = submit_building_permit(engine)
    with pytest.raises(RoleNotAllowed, match="works at 'heliopolis'"):
        engine.act(request.id, "accept_documents", ELSEWHERE)
    unchanged(engine, request)


RECEIVER = member("multi1", "front_desk_clerk", "document_checker", "approver", "issuer")


@pytest.mark.parametrize(
    ("state", "action"),
    [("document_check", "accept_documents"), ("approval", "approve"), ("issuing", "issue")],
)
def test_the_receiver_cannot_review_approve_or_issue(engine: Engine, state: str, action: str) -> None:
    request = to_state(engine, state, receiver=RECEIVER)
    with pytest.raises(SeparationOfDuties, match="performed 'intake'"):
        engine.act(request.id, action, RECEIVER)
    unchanged(engine, request)
    assert action not in {a.code for a in engine.allowed_actions(request, RECEIVER)}


def test_the_reviewer_cannot_approve(engine: Engine) -> None:
    request = to_state(engine, "approval")
    assert "approver" in ENGINEER.roles
    with pytest.raises(SeparationOfDuties, match="performed 'review'"):
        engine.act(request.id, "approve", ENGINEER)
    unchanged(engine, request)
    assert engine.act(request.id, "approve", APPROVER).state == "issuing"


def test_an_employee_cannot_act_on_their_own_request(engine: Engine) -> None:
    request = submit_building_permit(engine)
    own = member("doc9", "document_checker", national_id=APPLICANT_ID)
    with pytest.raises(SeparationOfDuties, match="is the applicant"):
        engine.act(request.id, "accept_documents", own)
    unchanged(engine, request)


def test_not_assigned(engine: Engine) -> None:
    request = submit_building_permit(engine)
    other = CHECKER2 if request.assigned_to == CHECKER.id else CHECKER
    with pytest.raises(NotAssigned, match="assigned to another employee"):
        engine.act(request.id, "accept_documents", other)
    unchanged(engine, request)


def test_assignment_is_load_balanced(engine: Engine) -> None:
    first, second = (
        submit_building_permit(engine),
        submit_building_permit(engine, actor=member("clerk3", "front_desk_clerk")),
    )
    assert {first.assigned_to, second.assigned_to} == {CHECKER.id, CHECKER2.id}


@pytest.mark.parametrize("comment", [None, "", "   \n"])
def test_comment_required(engine: Engine, comment: str | None) -> None:
    request = submit_building_permit(engine)
    with pytest.raises(CommentRequired):
        engine.act(request.id, "request_missing", CHECKER, comment=comment)
    unchanged(engine, request)
    request = to_state(engine, "approval")
    with pytest.raises(CommentRequired):
        engine.act(request.id, "reject", APPROVER, comment=comment)
    unchanged(engine, request)


def test_the_approver_may_reject_at_an_early_step(engine: Engine) -> None:
    request = submit_building_permit(engine)
    rejected = engine.act(request.id, "reject", APPROVER, comment="الموقع خارج الحيز العمراني")
    assert rejected.state == "rejected" and rejected.reason == "الموقع خارج الحيز العمراني"


def test_guard_documents_missing(engine: Engine) -> None:
    request = submit_building_permit(engine, documents=["national_id_copy", "ownership_proof"])
    with pytest.raises(
        GuardFailed,
        match="site_validity_statement.*engineering_drawings.*supervising_engineer_undertaking",
    ):
        engine.act(request.id, "accept_documents", CHECKER)
    unchanged(engine, request)


def test_guard_documents_missing_when_the_form_asks_for_them(engine: Engine) -> None:
    request = submit_building_permit(engine, form=dict(BUILDING_FORM, applicant_capacity="agent"))
    with pytest.raises(GuardFailed, match="power_of_attorney"):
        engine.act(request.id, "accept_documents", CHECKER)


def test_guard_fees_unpaid(engine: Engine) -> None:
    request = to_state(engine, "awaiting_payment")
    with pytest.raises(GuardFailed, match="fees not fully paid"):
        engine.act(request.id, "confirm_payment", ASSESSOR)
    unchanged(engine, request)
    paid = engine.record_payment(
        request.id, amount=request.balance_due() - Decimal("0.01"), provider="cash", reference="1"
    )
    with pytest.raises(GuardFailed, match="0.01 outstanding"):
        engine.act(paid.id, "confirm_payment", ASSESSOR)


def test_conflict_on_a_stale_version(engine: Engine) -> None:
    request = submit_building_permit(engine)
    seen = request.version
    engine.act(request.id, "request_missing", CHECKER, comment="missing", expected_version=seen)
    current = engine.get(request.id)
    with pytest.raises(Conflict, match="reload"):
        engine.act(request.id, "resubmit", CLERK, expected_version=seen)
    unchanged(engine, current)
    assert engine.act(request.id, "resubmit", CLERK, expected_version=current.version).version == current.version + 1


def test_a_retried_submission_returns_the_same_request(engine: Engine) -> None:
    first = submit_building_permit(engine, idempotency_key="tablet-7/000042")
    again = submit_building_permit(engine, idempotency_key="tablet-7/000042")
    assert again == first
    assert [s.id for s in engine.summaries()] == [first.id]
    other = submit_building_permit(engine, idempotency_key="tablet-7/000043")
    assert other.id != first.id


def test_an_idempotency_key_reused_for_other_content(engine: Engine) -> None:
    first = submit_building_permit(engine, idempotency_key="k-1")
    with pytest.raises(IdempotencyKeyReused, match="k-1"):
        submit_building_permit(engine, idempotency_key="k-1", form=dict(BUILDING_FORM, floors="6"))
    assert [s.id for s in engine.summaries()] == [first.id]


@pytest.mark.parametrize(
    "call",
    [
        lambda e, n: e.get(n),
        lambda e, n: e.act(n, "accept_documents", CHECKER),
        lambda e, n: e.history(n),
        lambda e, n: e.verify_history(n),
        lambda e, n: e.record_payment(n, amount=Decimal(1), provider="fawry", reference="x"),
        lambda e, n: e.status(n, "anything"),
    ],
    ids=["get", "act", "history", "verify_history", "record_payment", "status"],
)
def test_unknown_request(engine: Engine, call: Callable[[Engine, str], object]) -> None:
    known = submit_building_permit(engine)
    with pytest.raises(UnknownRequest, match="CZTN-2600099"):
        call(engine, known.id.replace("00001", "00099"))


def test_every_refusal_is_a_localgov_error() -> None:
    for error in (
        ActionNotAllowed,
        CommentRequired,
        Conflict,
        GuardFailed,
        IdempotencyKeyReused,
        InvalidDocument,
        InvalidForm,
        InvalidSubmission,
        NotAssigned,
        RoleNotAllowed,
        SeparationOfDuties,
        UnknownRequest,
    ):
        assert issubclass(error, LocalgovError)
