"""A Zeitoun building permit end to end over HTTP: submitted on Open311, sent back, completed by upload,
decided by five employees, paid through Fawry's simulator, followed by the citizen throughout."""

from __future__ import annotations

from typing import Any

import httpx
from localgov_fawry import FawrySimulator

from localgov.requests import Engine
from localgov.tokens.receipt import parse_receipt_link
from tests.requests.support import (
    ALL_BUILDING_DOCUMENTS,
    APPLICANT,
    APPROVER,
    ASSESSOR,
    CHECKER,
    CLERK,
    ENGINEER,
    INSPECTOR,
    ISSUER,
)
from tests.web.api.support import act, as_staff, open311_fields, pdf, submission_json


def status_of(client: httpx.Client, number: str, code: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/requests/{number}/status", headers={"X-Access-Code": code})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_building_permit_from_open311_to_issue(
    client: httpx.Client, engine: Engine, simulator: FawrySimulator
) -> None:
    created = client.post("/open311/v2/requests.json", data=open311_fields())
    assert created.status_code == 201, created.text
    [receipt] = created.json()
    number, code = receipt["service_request_id"], receipt["access_code"]
    assert parse_receipt_link(receipt["receipt_url"]) == (number, code)
    stored = engine.get(number)
    assert (stored.channel, stored.form["floors"], stored.applicant.national_id) == (
        "portal",
        "5",
        APPLICANT.national_id,
    )

    status = status_of(client, number, code)
    assert status["step"] == "document_check" and status["department"]["en"] == "Engineering department"
    assert APPLICANT.name not in str(status) and CHECKER.id not in str(status)

    sent_back = act(client, number, "request_missing", CHECKER, comment="المستندات غير مرفقة")
    assert sent_back.status_code == 200, sent_back.text
    status = status_of(client, number, code)
    assert status["missing"] == "المستندات غير مرفقة" and status["department"] is None
    assert status["holder"]["en"] == "Waiting on the applicant"

    # The applicant brings the documents to the front desk; the clerk uploads them with the resubmission.
    version = engine.get(number).version
    uploaded = client.post(
        f"/api/v1/requests/{number}/documents",
        data={"action": "resubmit", "expected_version": str(version)},
        files=[(kind, pdf(kind)) for kind in ALL_BUILDING_DOCUMENTS],
        headers=as_staff(CLERK),
    )
    assert uploaded.status_code == 200, uploaded.text
    assert sorted(d["type"] for d in uploaded.json()["request"]["documents"]) == sorted(ALL_BUILDING_DOCUMENTS)
    assert engine.get(number).state == "document_check"

    for action, member in [
        ("accept_documents", CHECKER),
        ("complete_review", ENGINEER),
        ("record_inspection", INSPECTOR),
        ("assess_fees", ASSESSOR),
    ]:
        answer = act(client, number, action, member)
        assert answer.status_code == 200, f"{action}: {answer.text}"

    status = status_of(client, number, code)
    due = engine.get(number).balance_due()
    assert status["step"] == "awaiting_payment" and status["fees_due"] == str(due) and status["payments"] == []

    paying = client.post(
        f"/api/v1/requests/{number}/payments", json={"provider": "fawry"}, params={"access_code": code}
    )
    assert paying.status_code == 201, paying.text
    reference = paying.json()["reference_number"]
    assert paying.json()["amount"] == str(due) and reference in paying.json()["how"]["ar"]
    status = status_of(client, number, code)
    assert [p["reference_number"] for p in status["payments"]] == [reference]

    delivered = simulator.pay(reference)  # Fawry's signed V2 notification, POSTed to /payments/notify/fawry
    assert delivered.response_status == 200
    assert engine.get(number).state == "approval"

    assert act(client, number, "approve", APPROVER).status_code == 200
    issued = act(client, number, "issue", ISSUER)
    assert issued.status_code == 200, issued.text

    status = status_of(client, number, code)
    assert status["closed"] is True and status["issued_number"] == engine.get(number).issued.number  # type: ignore[union-attr]
    followed = client.get(f"/open311/v2/requests/{number}.json", params={"access_code": code})
    assert followed.status_code == 200
    assert followed.json()[0]["status"] == "closed" and followed.json()[0]["service_code"] == "building_permit"
    history = client.get(f"/api/v1/requests/{number}/history", headers=as_staff(APPROVER)).json()
    assert [e["action"] for e in history] == [
        "submit",
        "request_missing",
        "resubmit",
        "accept_documents",
        "complete_review",
        "record_inspection",
        "assess_fees",
        "payment",
        "confirm_payment",
        "approve",
        "issue",
    ]
    assert engine.verify_history(number) == []


def test_a_front_desk_submission_then_the_actions_each_employee_is_offered(
    client: httpx.Client, engine: Engine
) -> None:
    created = client.post("/api/v1/requests", json=submission_json(), headers=as_staff(CLERK))
    assert created.status_code == 201, created.text
    number = created.json()["tracking_number"]
    stored = engine.get(number)
    assert (stored.channel, stored.service_point, stored.duties["intake"]) == ("front_desk", "zeitoun_tc", (CLERK.id,))
    offered = client.get(f"/api/v1/requests/{number}/actions", headers=as_staff(CHECKER)).json()
    assert {a["code"] for a in offered} == {"accept_documents", "request_missing"}
    assert client.get(f"/api/v1/requests/{number}/actions", headers=as_staff(ASSESSOR)).json() == []


def test_open311_lists_only_for_staff_of_the_unit_and_speaks_xml(client: httpx.Client) -> None:
    created = client.post("/open311/v2/requests.xml", data=open311_fields())
    assert created.status_code == 201 and created.headers["content-type"].startswith("application/xml")
    assert "<service_request_id>" in created.text and "<access_code>" in created.text
    listed = client.get("/open311/v2/requests.json", headers=as_staff(CHECKER))
    assert listed.status_code == 200 and len(listed.json()) == 1
    assert (
        listed.json()[0]["status"] == "open"
        and listed.json()[0]["address"] == open311_fields()["attribute[site_address]"]
    )
    assert client.get("/open311/v2/requests.json").status_code == 401  # a citizen never lists
    services = client.get("/open311/v2/services.xml")
    assert services.status_code == 200 and "<service_code>building_permit</service_code>" in services.text
