"""The verification page brought up to date by revocation deltas, kept on the phone for offline use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from localgov.pki import kid_of
from localgov.testing.web import serve
from localgov.tokens import cbor, revocation_hash
from tests.web.browser.conftest import verifier_app
from tests.web.browser.test_verify_page import open_page, upload
from tests.web.browser.world import World

REVOKED_LATER = "2025/000555"


def _publish_delta(world: World, folder: Path, *, under: Any = None) -> None:
    """Delta 7 -> 8 of the world's list: the permit REVOKED_LATER revoked too."""
    delta = world.revocations.delta(
        {kid_of(world.pki.signer.certificate): {revocation_hash("C-ZTN", REVOKED_LATER)}}, issued_at=world.now
    )
    folder.mkdir(exist_ok=True)
    pki = under or world.pki
    (folder / "0008.cose").write_bytes(delta.sign(pki.trust_list_signer, pki.root.certificate))


def test_a_delta_published_later_revokes_and_is_kept_for_offline_use(
    context: Any, world: World, tmp_path: Path
) -> None:
    folder = tmp_path / "deltas"
    folder.mkdir()
    later = world.token(permit_number=REVOKED_LATER)
    page = context.new_page()
    with serve(verifier_app(world, revocation_deltas=folder)) as url:
        open_page(page, url + "/verify")
        assert upload(page, later)["code"] == "valid"
        _publish_delta(world, folder)
        open_page(page, url + "/verify")
        assert "Revocation list no. 8" in page.inner_text("#lists-en")
        assert upload(page, later)["code"] == "revoked"
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    # The server is gone: the full list comes from the worker's cache, the delta from the page's store.
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-lists=ready]")
    assert "Revocation list no. 8" in page.inner_text("#lists-en")
    assert upload(page, later)["code"] == "revoked"
    assert upload(page, world.revoked)["code"] == "revoked"
    assert upload(page, world.valid)["code"] == "valid"


def test_a_delta_not_signed_under_the_root_stops_verification(context: Any, world: World, tmp_path: Path) -> None:
    folder = tmp_path / "deltas"
    _publish_delta(world, folder, under=world.foreign)
    page = context.new_page()
    with serve(verifier_app(world, revocation_deltas=folder)) as url:
        open_page(page, url + "/verify")
        assert page.get_attribute("body", "data-lists") == "unavailable"
        assert "not signed under the national root, or damaged" in page.inner_text("#lists-en")


def test_the_deltas_route_answers_a_cbor_array_or_a_problem(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "deltas"
    _publish_delta(world, folder)
    with serve(verifier_app(world, revocation_deltas=folder)) as url, httpx.Client(base_url=url) as client:
        page = client.get("/verify").text
        since_7, since_8, since_3 = (client.get(f"/verify/revocations/since/{n}") for n in (7, 8, 3))
    assert 'data-revocation-deltas="/verify/revocations/since/"' in page
    assert since_7.headers["content-type"] == "application/cbor"
    assert cbor.decode(since_7.content) == [(folder / "0008.cose").read_bytes()]
    assert cbor.decode(since_8.content) == []
    assert since_3.status_code == 404 and "take the full list" in since_3.json()["detail"]
    with serve(verifier_app(world)) as url, httpx.Client(base_url=url) as client:
        assert "data-revocation-deltas" not in client.get("/verify").text
        assert client.get("/verify/revocations/since/7").status_code == 404
