"""The published OpenAPI document: what it declares, and schemathesis holding the service to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from localgov.testing.web import serve
from localgov.web import WebSettings, create_app
from tests.requests.support import CHECKER, open_engine, submit_building_permit
from tests.web.api.support import DIGESTS, as_staff
from tests.web.support import with_payments


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The service over an in-memory database holding one request, so found and unknown numbers both occur."""
    engine = open_engine("sqlite://", app=with_payments())
    submit_building_permit(engine)
    with serve(create_app(with_payments(), engine, WebSettings(api_keys=DIGESTS, access_code_tries=10_000))) as url:
        yield url


@pytest.fixture(scope="module")
def document(base_url: str) -> dict[str, Any]:
    answer = httpx.get(f"{base_url}/openapi/openapi.json")
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def test_every_operation_is_published_with_its_problems(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for path in [
        "/open311/v2/services.json",
        "/open311/v2/services/{document}",
        "/open311/v2/requests.json",
        "/open311/v2/requests/{document}",
        "/api/v1/requests",
        "/api/v1/requests/{number}",
        "/api/v1/requests/{number}/status",
        "/api/v1/requests/{number}/actions",
        "/api/v1/requests/{number}/history",
        "/api/v1/requests/{number}/documents",
        "/api/v1/requests/{number}/payments",
        "/api/v1/reports/{name}",
        "/api/v1/letters",
        "/api/v1/letters/{number}",
        "/api/v1/letters/replies",
        "/api/v1/books/{unit}/{kind}/{year}/pdf",
        "/payments/notify/{provider}",
    ]:
        assert path in paths, path
    act = paths["/api/v1/requests/{number}/actions"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(act["responses"])
    assert "application/problem+json" in act["responses"]["403"]["content"]
    headers = {p["name"] for p in act["parameters"] if p["in"] == "header"}
    assert {"Idempotency-Key", "Authorization", "X-API-Key"} <= headers
    upload = paths["/api/v1/requests/{number}/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    submit = paths["/open311/v2/requests.json"]["post"]
    assert {"application/x-www-form-urlencoded", "application/json"} <= set(submit["requestBody"]["content"])
    status = paths["/api/v1/requests/{number}/status"]["get"]["responses"]["200"]["content"]["application/json"]
    assert status["schema"]["$ref"].endswith("/StatusOut")


def _operations() -> list[str]:
    """The operations' labels, read from the app's document without a server (for parametrize)."""
    from litestar.testing import TestClient

    engine = open_engine("sqlite://", app=with_payments())
    with TestClient(create_app(with_payments(), engine, WebSettings())) as client:
        paths = client.get("/openapi/openapi.json").json()["paths"]
    return [
        f"{method.upper()} {path}"
        for path, item in paths.items()
        for method in item
        if path.startswith(("/api", "/open311", "/payments"))
    ]


@pytest.mark.parametrize("label", _operations())
def test_the_service_keeps_to_its_document(base_url: str, label: str) -> None:
    """Each operation fuzzed by schemathesis: no 5xx, and every answer as its document says (schema, media type)."""
    operation = schemathesis.openapi.from_url(f"{base_url}/openapi/openapi.json").find_operation_by_label(label)
    assert operation is not None

    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def keeps_to_it(case: Any) -> None:
        # As an employee unless the case carries its own (mostly wrong) key.
        authenticated = not any(h in (case.headers or {}) for h in ("Authorization", "X-API-Key"))
        case.call_and_validate(
            headers=as_staff(CHECKER) if authenticated else None,
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    keeps_to_it()
