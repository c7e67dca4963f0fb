"""What the API refuses, and how: each refusal an RFC 9457 problem document that names the field."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import httpx
import pytest

from localgov.requests import Engine
from tests.requests.support import (
    APPLICANT,
    ASSESSOR,
    BUILDING_FORM,
    CHECKER,
    CLERK,
    ELSEWHERE,
    ENGINEER,
    INSPECTOR,
    PDF,
    submit_building_permit,
)
from tests.web.api.support import KEYS, act, as_staff, open311_fields, pdf, submission_json


def problem(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    document = answer.json()
    assert document["status"] == status and document["type"].startswith("urn:localgov:problem:")
    assert "Traceback" not in answer.text
    return document  # type: ignore[no-any-return]


def named(document: dict[str, object]) -> set[str]:
    return {str(e["name"]) for e in document.get("errors", [])}  # type: ignore[attr-defined, index]


def front_desk(client: httpx.Client, **overrides: object) -> str:
    answer = client.post("/api/v1/requests", json=submission_json(**overrides), headers=as_staff(CLERK))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["tracking_number"])


def test_no_key_or_a_wrong_key_is_401_with_www_authenticate(client: httpx.Client) -> None:
    number = front_desk(client)
    for headers in ({}, {"Authorization": "Bearer not-a-key"}, {"X-API-Key": "nope"}, {"Authorization": "Basic eDp5"}):
        answer = client.get(f"/api/v1/requests/{number}", headers=headers)
        assert problem(answer, 401)["type"] == "urn:localgov:problem:unauthenticated"
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert client.get(f"/api/v1/requests/{number}", headers={"X-API-Key": KEYS[CHECKER.id]}).status_code == 200


def test_blind_review_hides_the_applicant_from_the_checker_not_from_the_clerk(client: httpx.Client) -> None:
    number = front_desk(client)
    seen_by_checker = client.get(f"/api/v1/requests/{number}", headers=as_staff(CHECKER)).json()
    assert seen_by_checker["applicant"] == {"national_id": "(hidden)", "name": "(hidden)", "mobile": "(hidden)"}
    history = client.get(f"/api/v1/requests/{number}/history", headers=as_staff(CHECKER)).text
    assert APPLICANT.national_id not in history and APPLICANT.name not in history
    seen_by_clerk = client.get(f"/api/v1/requests/{number}", headers=as_staff(CLERK)).json()
    assert seen_by_clerk["applicant"]["name"] == APPLICANT.name


def test_another_units_employee_is_told_no_such_request(client: httpx.Client) -> None:
    number = front_desk(client)
    answer = client.get(f"/api/v1/requests/{number}", headers=as_staff(ELSEWHERE))
    unknown = client.get("/api/v1/requests/CZTN-2609999-0", headers=as_staff(ELSEWHERE))
    assert problem(answer, 404) == problem(unknown, 404)


def test_separation_of_duties_is_403(client: httpx.Client, engine: Engine) -> None:
    number = submit_building_permit(engine).id
    for action, member in [
        ("accept_documents", CHECKER),
        ("complete_review", ENGINEER),
        ("record_inspection", INSPECTOR),
        ("assess_fees", ASSESSOR),
    ]:
        assert act(client, number, action, member).status_code == 200
    engine.record_payment(number, amount=engine.get(number).balance_due(), provider="cash", reference="R-1")
    # The engineer who reviewed also holds the approver role: they may not approve what they reviewed.
    assert "approve" not in {
        a["code"] for a in client.get(f"/api/v1/requests/{number}/actions", headers=as_staff(ENGINEER)).json()
    }
    refused = act(client, number, "approve", ENGINEER)
    assert problem(refused, 403)["type"] == "urn:localgov:problem:separation-of-duties"
    assert engine.get(number).state == "approval"


def test_a_wrong_access_code_is_the_same_404_as_an_unknown_number_then_429(serve_api: Callable[..., str]) -> None:
    with httpx.Client(base_url=serve_api(access_code_tries=3)) as client:
        number = front_desk(client)
        wrong = client.get(f"/api/v1/requests/{number}/status", headers={"X-Access-Code": "AAAAAAAAAA"})
        unknown = client.get("/api/v1/requests/CZTN-2609999-0/status", headers={"X-Access-Code": "AAAAAAAAAA"})
        malformed = client.get("/api/v1/requests/nothing/status", params={"access_code": "x"})
        assert problem(wrong, 404) == problem(unknown, 404) == problem(malformed, 404)
        open311 = client.get(f"/open311/v2/requests/{number}.json")  # no code at all: the 4th failure
        assert problem(open311, 429)["type"] == "urn:localgov:problem:too-many-tries"
        assert int(open311.headers["retry-after"]) > 0


def test_an_upload_of_a_wrong_type_or_too_large_is_refused_naming_it_and_nothing_is_stored(
    client: httpx.Client, engine: Engine
) -> None:
    number = front_desk(client)
    version = engine.get(number).version
    form = {"action": "accept_documents", "expected_version": str(version)}
    refusals = {
        "documents.site_validity_statement": [
            ("site_validity_statement", ("site.png", b"\x89PNG\r\n\x1a\n..", "image/png"))
        ],
        "documents.national_id_copy": [("national_id_copy", ("id.pdf", PDF + b"0" * (5 * 1048576), "application/pdf"))],
        "documents.ownership_proof": [("ownership_proof", ("deed.pdf", b"GIF89a not a pdf", "application/pdf"))],
        "documents.burial_permit": [("burial_permit", pdf("burial_permit"))],
    }
    for field, files in refusals.items():
        answer = client.post(f"/api/v1/requests/{number}/documents", data=form, files=files, headers=as_staff(CHECKER))
        assert named(problem(answer, 422)) == {field}
    after = engine.get(number)
    assert (after.version, after.documents) == (version, ())
    for _, (_, content, _) in [f for files in refusals.values() for f in files]:
        assert engine.store.get_document(hashlib.sha256(content).hexdigest()) is None


def test_an_upload_without_its_action_names_the_missing_fields(client: httpx.Client) -> None:
    number = front_desk(client)
    answer = client.post(
        f"/api/v1/requests/{number}/documents",
        files=[("ownership_proof", pdf("ownership_proof"))],
        headers=as_staff(CHECKER),
    )
    assert named(problem(answer, 400)) == {"action", "expected_version"}
    not_multipart = client.post(f"/api/v1/requests/{number}/documents", json={}, headers=as_staff(CHECKER))
    assert named(problem(not_multipart, 415)) == {"Content-Type"}


def test_a_retried_submission_returns_the_same_request_and_other_content_is_409(client: httpx.Client) -> None:
    key = {"Idempotency-Key": "desk-7-0001", **as_staff(CLERK)}
    first = client.post("/api/v1/requests", json=submission_json(), headers=key)
    again = client.post("/api/v1/requests", json=submission_json(), headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = client.post("/api/v1/requests", json=submission_json(form={**BUILDING_FORM, "floors": "2"}), headers=key)
    assert problem(other, 409)["type"] == "urn:localgov:problem:idempotency-key-reused"
    # The same key from the public (another caller) is another key: a new request.
    public = client.post("/open311/v2/requests.json", data=open311_fields(), headers={"Idempotency-Key": "desk-7-0001"})
    assert public.status_code == 201 and public.json()[0]["service_request_id"] != first.json()["tracking_number"]


def test_a_retried_action_acts_once(client: httpx.Client, engine: Engine) -> None:
    number = front_desk(client)
    version = engine.get(number).version
    order = {"action": "request_missing", "expected_version": version, "comment": "سند الملكية"}
    headers = {"Idempotency-Key": "chk-1", **as_staff(CHECKER)}
    first = client.post(f"/api/v1/requests/{number}/actions", json=order, headers=headers)
    again = client.post(f"/api/v1/requests/{number}/actions", json=order, headers=headers)
    assert first.status_code == again.status_code == 200
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert again.json()["request"]["version"] == first.json()["request"]["version"]
    assert [e.action for e in engine.history(number)] == ["submit", "request_missing"]
    # Without the key, the retry is refused as stale rather than taken twice.
    blind = client.post(f"/api/v1/requests/{number}/actions", json=order, headers=as_staff(CHECKER))
    assert problem(blind, 409)["type"] == "urn:localgov:problem:conflict"
    reused = client.post(f"/api/v1/requests/{number}/actions", json={**order, "comment": "x"}, headers=headers)
    assert problem(reused, 409)["type"] == "urn:localgov:problem:idempotency-key-reused"


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"attribute[floors]": "many"}, {"form.floors"}),
        ({"attribute[fl oors]": "5"}, {"attribute[fl oors]"}),
        ({"national_id": "123"}, {"applicant.national_id"}),
        ({"phone": "", "unit": ""}, {"phone", "unit"}),
        ({"nationalid": "x"}, {"nationalid"}),
        ({"service_code": "no_such_service"}, {"service_code"}),
    ],
)
def test_open311_problems_name_the_field(client: httpx.Client, fields: dict[str, str], names: set[str]) -> None:
    answer = client.post("/open311/v2/requests.json", data=open311_fields(**fields))
    assert answer.status_code in (400, 422)
    assert named(problem(answer, answer.status_code)) == names


def test_api_validation_errors_name_the_field(client: httpx.Client, engine: Engine) -> None:
    number = front_desk(client)
    answer = client.post(
        f"/api/v1/requests/{number}/actions", json={"action": "accept_documents"}, headers=as_staff(CHECKER)
    )
    assert "expected_version" in problem(answer, 400)["detail"]  # type: ignore[operator]
    bad_form = client.post("/api/v1/requests", json=submission_json(form={"floors": "x"}), headers=as_staff(CLERK))
    assert "form.floors" in named(problem(bad_form, 422))
    portal = client.post("/api/v1/requests", json=submission_json(channel="portal"), headers=as_staff(CLERK))
    assert named(problem(portal, 400)) == {"channel"}
