"""``/api/v1/letters`` and ``/api/v1/books``: the correspondence over HTTP, behind staff API keys."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from localgov.correspondence import (
    Attachment,
    Classification,
    Party,
    canonical_letter,
    letter_content,
    verify_detached,
)
from localgov.organisation import StaffMember
from localgov.requests import Engine
from localgov.testing.pki import TestPki
from localgov.testing.web import serve
from localgov.web import WebSettings, api_key_digest, create_app
from tests.correspondence.support import MT_LICENSING, MT_REVENUE, PLANNER, WRITER, open_correspondence
from tests.requests.support import cairo, open_engine

STAFF = (WRITER, PLANNER, MT_LICENSING, MT_REVENUE)
KEYS = {member.id: f"letters-key-of-{member.id}-0123456789" for member in STAFF}


def as_(member: StaffMember) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[member.id]}"}


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = open_engine(store_url, staff=STAFF)
    yield engine
    engine.store.close()  # type: ignore[attr-defined]


@pytest.fixture
def client(engine: Engine, localgov_pki: TestPki) -> Iterator[httpx.Client]:
    letters = open_correspondence("", localgov_pki, engine=engine, audit_key=b"")
    settings = WebSettings(api_keys={api_key_digest(key): staff for staff, key in KEYS.items()})
    app = create_app(cairo(), engine, settings, correspondence=letters)
    with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


def test_send_read_acknowledge_forward_answer_and_the_books(client: httpx.Client, localgov_pki: TestPki) -> None:
    sent = client.post(
        "/api/v1/letters",
        json={
            "to": {"unit": "matareya", "department": "planning"},
            "subject": "طلب رأي فني",
            "body": "نرجو إفادتنا",
            "reply_within_days": 5,
            "attachments": [{"name": "sketch.pdf", "media_type": "application/pdf", "content": "JVBERi0xLjQ="}],
        },
        headers=as_(WRITER),
    )
    assert sent.status_code == 201, sent.text
    letter = sent.json()
    number = letter["number"]
    assert number.startswith("C-ZTN/") and letter["incoming_number"].startswith("C-MTR/")
    assert letter["attachments"][0]["size"] == 8
    shown = client.get(f"/api/v1/letters/{number}", headers=as_(PLANNER)).json()
    assert [e["action"] for e in shown["history"]] == ["send"]

    secret = client.post(
        "/api/v1/letters",
        json={"to": {"unit": "matareya", "department": "planning"}, "subject": "سري", "body": "نص", "classification": "confidential"},
        headers=as_(WRITER),
    ).json()["number"]  # fmt: skip
    inbox = client.get("/api/v1/letters", headers=as_(PLANNER)).json()
    assert [item["number"] for item in inbox] == [secret, number]
    assert [item["number"] for item in client.get("/api/v1/letters", headers=as_(MT_REVENUE)).json()] == [number]
    hidden = client.get(f"/api/v1/letters/{secret}", headers=as_(MT_REVENUE))
    assert hidden.status_code == 404 and hidden.headers["content-type"].startswith("application/problem+json")
    assert hidden.json()["type"] == "urn:localgov:problem:unknown-letter"

    acknowledged = client.post("/api/v1/letters/acknowledgements", json={"letter": number}, headers=as_(PLANNER))
    assert (acknowledged.status_code, acknowledged.json()["status"]) == (200, "acknowledged")
    refused = client.post("/api/v1/letters/acknowledgements", json={"letter": number}, headers=as_(WRITER))
    assert (refused.status_code, refused.json()["type"]) == (403, "urn:localgov:problem:letter-not-allowed")
    forwarded = client.post(
        "/api/v1/letters/forwards", json={"letter": number, "department": "licensing"}, headers=as_(PLANNER)
    )
    assert forwarded.json()["departments"] == ["planning", "licensing"]
    answer = client.post(
        "/api/v1/letters/replies", json={"letter": number, "body": "لا مانع"}, headers=as_(MT_LICENSING)
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["in_reply_to"] == number
    assert client.get(f"/api/v1/letters/{number}", headers=as_(WRITER)).json()["status"] == "answered"

    book = client.get("/api/v1/books/zeitoun/out/" + number.split("/")[1], headers=as_(WRITER))
    assert [(line["letter"], line["subject"]) for line in book.json()] == [(number, "طلب رأي فني"), (secret, None)]
    pdf = client.get("/api/v1/books/zeitoun/out/" + number.split("/")[1] + "/pdf", headers=as_(WRITER))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    other_unit = client.get("/api/v1/books/zeitoun/out/2026", headers=as_(PLANNER))
    assert other_unit.status_code == 403

    # The signature travels with the letter and verifies over the letter's canonical form.
    signature = base64.b64decode(shown["signature"])
    verify_detached(canonical_letter(_content(shown)), signature, unit_code="C-ZTN", root=localgov_pki.root.certificate)


def _content(shown: dict[str, Any]) -> dict[str, Any]:
    """The canonical content of a letter as the API shows it."""
    return letter_content(
        letter_id=shown["number"],
        sender=Party(**shown["sender"]),
        author=shown["author"],
        recipient=Party(**shown["recipient"]),
        subject=shown["subject"],
        body=shown["body"],
        classification=Classification(shown["classification"]),
        sent_at=datetime.datetime.fromisoformat(shown["sent_at"]),
        attachments=tuple(Attachment(**a) for a in shown["attachments"]),
        reply_by=datetime.date.fromisoformat(shown["reply_by"]) if shown["reply_by"] else None,
        request_id=shown["request"],
        in_reply_to=shown["in_reply_to"],
    )


def test_refusals_are_problems(client: httpx.Client) -> None:
    unknown_unit = client.post(
        "/api/v1/letters", json={"to": {"unit": "atlantis"}, "subject": "س", "body": "ن"}, headers=as_(WRITER)
    )
    assert (unknown_unit.status_code, unknown_unit.json()["type"]) == (422, "urn:localgov:problem:invalid-letter")
    garbled = client.post(
        "/api/v1/letters",
        json={"to": {"unit": "matareya"}, "subject": "س", "body": "ن", "attachments": [{"name": "a", "media_type": "x", "content": "@@"}]},
        headers=as_(WRITER),
    )  # fmt: skip
    assert garbled.status_code == 400 and garbled.json()["errors"][0]["name"] == "attachments[0].content"
    assert client.get("/api/v1/letters").status_code == 401
    assert client.get("/api/v1/letters/C-ZTN/2026/OUT/999999", headers=as_(WRITER)).status_code == 404


def test_served_from_the_environment_with_the_units_signers(
    tmp_path: Path, localgov_pki: TestPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litestar.testing import TestClient

    from localgov.pki import save_certificate, save_private_key
    from localgov.web.serving import app_from_environment

    signer = tmp_path / "zeitoun-signer"
    signer.mkdir()
    save_certificate(signer / "certificate.pem", localgov_pki.signer.certificate)
    save_private_key(signer / "private-key.pem", localgov_pki.signer.private_key, b"secret")
    staff = tmp_path / "staff.toml"
    staff.write_text(
        '[staff.zt-eng1]\nname = "سامي"\nunit = "zeitoun"\nroles = ["engineer"]\ndepartment = "engineering"\n', "utf-8"
    )
    settings = tmp_path / "web.toml"
    settings.write_text(f'[api_keys]\n"{api_key_digest(KEYS[WRITER.id])}" = "zt-eng1"\n', "utf-8")
    for name, value in {
        "LOCALGOV_DATABASE": f"sqlite:///{tmp_path / 'lg.db'}",
        "LOCALGOV_PLUGINS": "cairo",
        "LOCALGOV_STAFF": str(staff),
        "LOCALGOV_WEB_SETTINGS": str(settings),
        "LOCALGOV_LETTER_SIGNERS": str(signer),
        "LOCALGOV_KEY_PASSPHRASE": "secret",
    }.items():
        monkeypatch.setenv(name, value)
    body = {"to": {"unit": "matareya", "department": "planning"}, "subject": "طلب", "body": "نص"}
    with TestClient(app_from_environment()) as client:
        sent = client.post("/api/v1/letters", json=body, headers=as_(WRITER))
    assert sent.status_code == 201, sent.text
    assert sent.json()["number"].startswith("C-ZTN/")


def test_a_retried_post_with_its_idempotency_key_sends_one_letter(client: httpx.Client) -> None:
    body = {"to": {"unit": "matareya", "department": "planning"}, "subject": "طلب", "body": "نص"}
    headers = {**as_(WRITER), "Idempotency-Key": "send-0001"}
    first = client.post("/api/v1/letters", json=body, headers=headers)
    again = client.post("/api/v1/letters", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["number"] == first.json()["number"]
    other = client.post("/api/v1/letters", json={**body, "subject": "آخر"}, headers=headers)
    assert (other.status_code, other.json()["type"]) == (409, "urn:localgov:problem:idempotency-key-reused")
    assert len(client.get("/api/v1/letters", params={"box": "sent"}, headers=as_(WRITER)).json()) == 1
