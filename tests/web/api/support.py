"""What the API tests share: the staff's API keys, a served app, and small request helpers."""

from __future__ import annotations

from typing import Any

import httpx

from localgov.organisation import StaffMember
from localgov.web import api_key_digest
from tests.requests.support import APPLICANT, BUILDING_FORM, PDF, STAFF

#: Each test employee's API key (the settings keep only the digests).
KEYS = {member.id: f"key-of-{member.id}-0123456789" for member in STAFF}
DIGESTS = {api_key_digest(key): staff_id for staff_id, key in KEYS.items()}

MERCHANT = "WEB+API+MERCHANT="
SECURE_KEY = "9a1c2e3f-web-api-secure-key"


def as_staff(member: StaffMember) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[member.id]}"}


def open311_fields(**overrides: str) -> dict[str, str]:
    """A building permit as an Open311 client posts it: attribute[...] keys and the applicant."""
    fields = {f"attribute[{name}]": value for name, value in BUILDING_FORM.items()}
    fields.update(
        service_code="building_permit",
        national_id=APPLICANT.national_id,
        name=APPLICANT.name,
        phone=APPLICANT.mobile,
        unit="zeitoun",
    )
    fields.update(overrides)
    return fields


def submission_json(**overrides: Any) -> dict[str, Any]:
    """A building permit as a front-desk system posts it to /api/v1/requests."""
    body: dict[str, Any] = {
        "service": "building_permit",
        "unit": "zeitoun",
        "applicant": {"national_id": APPLICANT.national_id, "name": APPLICANT.name, "mobile": APPLICANT.mobile},
        "form": dict(BUILDING_FORM),
    }
    body.update(overrides)
    return body


def pdf(kind: str) -> tuple[str, bytes, str]:
    return (f"{kind}.pdf", PDF + kind.encode(), "application/pdf")


def act(client: httpx.Client, number: str, action: str, member: StaffMember, **extra: Any) -> httpx.Response:
    """POST an action at the version the employee reads first, as a back-office screen would."""
    version = client.get(f"/api/v1/requests/{number}", headers=as_staff(member)).json()["version"]
    return client.post(
        f"/api/v1/requests/{number}/actions",
        json={"action": action, "expected_version": version, **extra},
        headers=as_staff(member),
    )
