"""Provider notifications at /payments/notify/{provider}: handed to the payments package, bounded."""

from __future__ import annotations

import json

import httpx
from localgov_fawry import FawrySimulator

from localgov.payments import Outcome, PaymentLedger
from localgov.requests import Engine
from tests.web.api.support import act, as_staff
from tests.web.support import awaiting_payment


def test_a_forged_notification_is_403_and_recorded_and_the_genuine_one_credits(
    client: httpx.Client, engine: Engine, simulator: FawrySimulator
) -> None:
    request = awaiting_payment(engine)
    reference = client.post(
        f"/api/v1/requests/{request.id}/payments",
        json={"provider": "fawry"},
        headers={"X-Access-Code": request.access_code},
    ).json()["reference_number"]
    genuine = simulator.pay(reference, notify=False)
    forged = json.loads(genuine.body)
    forged["messageSignature"] = "0" * len(forged["messageSignature"])
    answer = client.post("/payments/notify/fawry", content=json.dumps(forged).encode(), headers=genuine.headers)
    assert answer.status_code == 403 and answer.json() == {"status": "refused", "outcome": Outcome.BAD_SIGNATURE}
    assert engine.get(request.id).state == "awaiting_payment"
    accepted = client.post("/payments/notify/fawry", content=genuine.body, headers=genuine.headers)
    assert accepted.status_code == 200 and accepted.json()["outcome"] == Outcome.CREDITED
    assert engine.get(request.id).state == "approval"
    outcomes = [n.outcome for n in PaymentLedger.for_engine(engine).notifications()]
    assert outcomes == [Outcome.BAD_SIGNATURE, Outcome.CREDITED]
    assert act(client, request.id, "approve", engine.staff["head1"]).status_code == 200


def test_an_unknown_provider_is_404_and_an_oversized_body_413_unread(client: httpx.Client, engine: Engine) -> None:
    assert client.post("/payments/notify/nobody", content=b"{}").status_code == 404
    huge = client.post("/payments/notify/fawry", content=b"{" + b" " * (70 * 1024) + b"}")
    assert huge.status_code == 413 and huge.headers["content-type"].startswith("application/problem+json")
    assert PaymentLedger.for_engine(engine).notifications() == []


def test_paying_needs_the_access_code_and_a_known_provider(client: httpx.Client, engine: Engine) -> None:
    request = awaiting_payment(engine)
    wrong = client.post(
        f"/api/v1/requests/{request.id}/payments", json={"provider": "fawry"}, headers={"X-Access-Code": "0"}
    )
    assert wrong.status_code == 404
    unknown = client.post(
        f"/api/v1/requests/{request.id}/payments",
        json={"provider": "cash"},
        headers={"X-Access-Code": request.access_code},
    )
    assert unknown.status_code == 400 and [e["name"] for e in unknown.json()["errors"]] == ["provider"]
    assert client.get(f"/api/v1/requests/{request.id}", headers=as_staff(engine.staff["fee1"])).json()["fees_total"]
