"""Blind back office: who sees the applicant; the citizen's own view with the access code."""

from __future__ import annotations

import pytest

from localgov.requests import Engine
from localgov.requests.errors import UnknownRequest
from localgov.requests.model import SYSTEM, Citizen
from tests.requests.support import (
    ALL_BUILDING_DOCUMENTS,
    APPLICANT,
    APPLICANT_ID,
    APPROVER,
    ASSESSOR,
    BUILDING_FORM,
    CHECKER,
    CLERK,
    ENGINEER,
    INSPECTOR,
    member,
    pdfs,
    submit_building_permit,
)

OWNER_ID = "27501010100017"


@pytest.mark.parametrize("actor", [CHECKER, ENGINEER, APPROVER], ids=lambda a: a.id)
def test_the_back_office_does_not_see_who_asked(engine: Engine, actor: object) -> None:
    request = submit_building_permit(
        engine, form=dict(BUILDING_FORM, applicant_capacity="agent", owner_national_id=OWNER_ID)
    )
    seen = engine.view(request, actor)  # type: ignore[arg-type]
    assert APPLICANT_ID not in repr(seen) and APPLICANT.name not in repr(seen) and "+2010" not in repr(seen)
    assert "owner_national_id" not in seen.form  # personal data in the form is hidden too
    assert seen.form["parcel_reference"] == request.form["parcel_reference"]  # the case itself is visible
    assert (seen.id, seen.state, seen.documents) == (request.id, request.state, request.documents)


@pytest.mark.parametrize(
    "actor",
    [CLERK, member("mob1", "mobile_clerk"), Citizen(APPLICANT_ID), SYSTEM],
    ids=["front desk", "mobile clerk", "the applicant", "system"],
)
def test_who_sees_the_applicant(engine: Engine, actor: object) -> None:
    request = submit_building_permit(engine)
    assert engine.view(request, actor) == request  # type: ignore[arg-type]


def test_another_citizen_does_not_see_the_applicant(engine: Engine) -> None:
    request = submit_building_permit(engine)
    assert engine.view(request, Citizen("29001010112345")).applicant.national_id == "(hidden)"


def test_status_with_the_access_code(engine: Engine) -> None:
    request = submit_building_permit(engine)
    status = engine.status(request.id, request.access_code)
    assert status.tracking_number == request.id and status.state.ar == "مراجعة المستندات"
    assert status.service.en == "Building permit"
    assert status.expected_date == request.due_date
    assert APPLICANT_ID not in repr(status) and APPLICANT.name not in repr(status)


@pytest.mark.parametrize("code", ["", "wrong", "x" * 10, "٠" * 40], ids=["empty", "short", "same length", "long"])
def test_status_refuses_a_wrong_access_code(engine: Engine, code: str) -> None:
    request = submit_building_permit(engine)
    with pytest.raises(UnknownRequest):
        engine.status(request.id, code)
    with pytest.raises(UnknownRequest):
        engine.status(request.id, request.access_code[:-1] + ("2" if request.access_code[-1] != "2" else "3"))
    other = submit_building_permit(engine)
    with pytest.raises(UnknownRequest):
        engine.status(request.id, other.access_code)  # another request's code


def test_access_codes_differ_and_may_be_typed_loosely(engine: Engine) -> None:
    requests = [submit_building_permit(engine) for _ in range(5)]
    assert len({r.access_code for r in requests}) == 5 and all(len(r.access_code) >= 10 for r in requests)
    code = requests[0].access_code
    typed = "-".join([code[:5].lower(), code[5:]])
    assert engine.status(requests[0].id, typed).tracking_number == requests[0].id


def test_status_names_the_department_holding_it_and_what_is_owed(engine: Engine) -> None:
    request = submit_building_permit(engine, documents=[d for d in ALL_BUILDING_DOCUMENTS if d != "ownership_proof"])
    status = engine.status(request.id, request.access_code)
    assert (status.state_code, status.department.en if status.department else None) == (
        "document_check",
        "Engineering department",
    )
    assert status.fees_due is None and status.issued_number is None
    assert CHECKER.id not in repr(status)  # the department, never the employee

    request = engine.act(request.id, "request_missing", CHECKER, comment="سند الملكية غير مرفق")
    status = engine.status(request.id, request.access_code)
    assert status.department is None and status.missing == "سند الملكية غير مرفق"  # with the applicant

    request = engine.act(request.id, "resubmit", CLERK, documents=pdfs("ownership_proof"))
    for action, actor in [
        ("accept_documents", CHECKER),
        ("complete_review", ENGINEER),
        ("record_inspection", INSPECTOR),
        ("assess_fees", ASSESSOR),
    ]:
        request = engine.act(request.id, action, actor)
    status = engine.status(request.id, request.access_code)
    assert request.invoice is not None and status.fees_due == request.invoice.total > 0
    assert status.state_code == "awaiting_payment" and status.department is None

    engine.record_payment(request.id, amount=request.invoice.total, provider="cash", reference="R-1")
    status = engine.status(request.id, request.access_code)
    assert status.fees_due is None and status.department is not None
