"""The mobile-district flow end to end, on SQLite and PostgreSQL, through the HTTP route.

A tablet of Zeitoun district is enrolled (the unit certifies its key), downloads the signed
bundle from ``GET /mobile/bundle/zeitoun``, takes a shop-licence renewal at the applicant's shop
offline and hands over the provisional receipt; back in coverage it syncs over
``POST /mobile/sync``; the request is in the engine on the mobile channel, taken by the clerk at
the mobile unit, its documents stored, and the back office takes it on as any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from localgov_mobile import Tablet, read_receipt
from localgov_mobile.web import mobile_part
from mobile_harness import (
    CHECKER,
    MOBILE_CLERK,
    SERVICE_POINT,
    World,
    certify,
    pki,
    renewal_photos,
    take_renewals,
)

from localgov.web import create_app, standard_parts


class ClientTransport:
    """The tablet's HTTP exchange, through Litestar's test client instead of a socket."""

    def __init__(self, client: TestClient) -> None:  # type: ignore[type-arg]
        self.client = client

    def exchange(self, body: bytes) -> bytes:
        response = self.client.post("/mobile/sync", content=body, headers={"Content-Type": "application/cbor"})
        if response.status_code != 200:
            raise ConnectionError(f"{response.status_code}: {response.text}")
        return response.content


@pytest.fixture
def client(any_world: World) -> Iterator[TestClient]:  # type: ignore[type-arg]
    from mobile_harness import cairo

    app = create_app(cairo(), any_world.engine, parts=[*standard_parts(), mobile_part(any_world.server)])
    with TestClient(app) as test_client:
        yield test_client


def test_a_renewal_taken_offline_in_zeitoun_and_synced(any_world: World, client: TestClient, tmp_path: Path) -> None:  # type: ignore[type-arg]
    root = pki().root.certificate
    tablet = Tablet.enrol(tmp_path / "tablet", root=root, certify=certify(), clock=any_world.clock)
    downloaded = client.get("/mobile/bundle/zeitoun")
    assert downloaded.status_code == 200 and downloaded.headers["content-type"] == "application/cose"
    bundle = tablet.install_bundle(downloaded.content)
    assert "shop_licence_renewal" in bundle.services and "building_permit" not in bundle.services

    # Offline: the tablet is closed and opened again between the visit and the sync.
    (receipt,) = take_renewals(tablet)
    tablet.close()
    assert read_receipt(receipt.qr_text, tablet.certificate)[4] == receipt.number == "ZTN-TAB-01-000001"
    tablet = Tablet.open(tmp_path / "tablet", root=root, clock=any_world.clock)
    assert [entry.status for entry in tablet.outbox()] == ["pending"]

    report = tablet.sync(ClientTransport(client))
    (outcome,) = report.outcomes
    assert outcome.outcome == "accepted" and report.waiting == 0 and report.bundle_is_current
    request = any_world.engine.get(outcome.request_id or "")
    assert (request.channel, request.service_point, request.unit) == ("mobile_unit", SERVICE_POINT, "zeitoun")
    assert request.duties["intake"] == (MOBILE_CLERK.id,)
    assert [d.type for d in request.documents] == ["previous_licence", "national_id_copy"]
    assert any_world.engine.store.get_document(request.documents[0].sha256) == renewal_photos()[0].content
    assert tablet.outbox()[0].request_id == request.id
    # The back office works on it as on any request: the document checker accepts the documents.
    actions = [a.code for a in any_world.engine.allowed_actions(request, CHECKER)]
    assert actions, "the document checker has something to do"
    # Synced again: nothing left to send, nothing received twice.
    assert tablet.sync(ClientTransport(client)).outcomes == ()
    assert len(any_world.engine.summaries()) == 1


def test_a_malformed_sync_request_is_answered_400(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.post("/mobile/sync", content=b"\xa1\x01\x02", headers={"Content-Type": "application/cbor"})
    assert response.status_code == 400 and "not a localgov-mobile-sync" in response.text


def test_the_bundle_of_a_unit_without_a_signer_is_not_found(client: TestClient) -> None:  # type: ignore[type-arg]
    assert client.get("/mobile/bundle/matareya").status_code == 404


def test_the_http_transport_over_a_real_socket(sqlite_world: World, tmp_path: Path) -> None:
    from localgov_mobile import HttpTransport, SyncError
    from mobile_harness import cairo

    from localgov.testing.web import free_port, serve

    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take_renewals(tablet)
    with pytest.raises(SyncError, match="did not complete"):  # nobody listening: nothing changes
        tablet.sync(HttpTransport(f"http://127.0.0.1:{free_port()}", timeout=5))
    assert len(tablet.waiting()) == 1
    app = create_app(cairo(), sqlite_world.engine, parts=[*standard_parts(), mobile_part(sqlite_world.server)])
    with serve(app) as base:
        with pytest.raises(SyncError, match="answered 400"):
            HttpTransport(base).exchange(b"not cbor")
        report = tablet.sync(HttpTransport(base))
    assert [o.outcome for o in report.outcomes] == ["accepted"] and report.waiting == 0
