"""The tablet offline: the bundle it trusts, validation exactly as the server's, the outbox, the receipt."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from localgov_mobile import (
    BundleError,
    EnrolmentError,
    OutboxError,
    Photo,
    Tablet,
    WireError,
    build_bundle,
    open_bundle,
    read_receipt,
)
from mobile_harness import (
    APPLICANT,
    MOBILE_CLERK,
    NOW,
    RENEWAL_FORM,
    SERVICE_POINT,
    World,
    cairo,
    certify,
    pki,
    renewal_photos,
)

from localgov.pki import generate_signing_key, issue_unit_signer
from localgov.requests import InvalidDocument, InvalidForm
from localgov.requests.model import Applicant
from localgov.tokens import cbor


def take(tablet: Tablet, form: dict[str, object] = RENEWAL_FORM, photos: list[Photo] | None = None, **changes: object):  # type: ignore[no-untyped-def]
    arguments: dict[str, object] = {
        "applicant": APPLICANT,
        "form": form,
        "clerk": MOBILE_CLERK.id,
        "service_point": SERVICE_POINT,
        "photos": renewal_photos() if photos is None else photos,
        **changes,
    }
    return tablet.take(str(arguments.pop("service", "shop_licence_renewal")), **arguments)  # type: ignore[arg-type]


def test_the_bundle_carries_the_servers_own_definitions(sqlite_world: World) -> None:
    bundle = open_bundle(sqlite_world.server.signed_bundle("zeitoun"), pki().root.certificate, at=NOW)
    catalogue = cairo().catalogue
    assert bundle.services == ("advertisement_licence_renewal", "occupancy_licence_renewal", "shop_licence_renewal")
    for code in bundle.services:
        assert bundle.catalogue.services[code] == catalogue.services[code]
        for rule in catalogue.services[code].fees:
            assert bundle.catalogue.fee_rules[rule.rule] == catalogue.fee_rules[rule.rule]
    assert bundle.service_points == ("zeitoun_mobile",)
    assert bundle.calendar.holidays == sqlite_world.engine.calendar.holidays
    assert bundle.calendar.is_working_day(datetime.date(2026, 12, 7))
    # Asked again with the catalogue unchanged: the same edition.
    assert sqlite_world.server.bundle("zeitoun").sequence == bundle.sequence == 1


def test_a_bundle_not_signed_by_the_unit_is_refused(sqlite_world: World, tmp_path: Path) -> None:
    keys = pki()
    signed = sqlite_world.server.signed_bundle("zeitoun")
    tampered = bytearray(signed)
    tampered[-80] ^= 0x01
    with pytest.raises(BundleError, match="signature does not verify|not a COSE_Sign1|payload"):
        open_bundle(bytes(tampered), keys.root.certificate, at=NOW)
    other = issue_unit_signer(keys.ca, "C-MTR", ["shop_licence"], now=NOW - datetime.timedelta(days=1))
    foreign = attrs.evolve(sqlite_world.server.bundle("zeitoun"), unit="matareya", issuer="C-MTR").sign(
        other, [keys.ca.certificate]
    )
    tablet = Tablet.enrol(tmp_path / "tablet", root=keys.root.certificate, certify=certify(), clock=sqlite_world.clock)
    with pytest.raises(BundleError, match="is for unit C-MTR, this tablet is C-ZTN's"):
        tablet.install_bundle(foreign)
    with pytest.raises(BundleError, match="cannot be signed by unit 'C-MTR'"):
        sqlite_world.server.bundle("zeitoun").sign(other, [keys.ca.certificate])
    with pytest.raises(BundleError, match="does not chain to the root"):
        from localgov.pki import create_root

        open_bundle(signed, create_root("Another root").certificate, at=NOW)
    with pytest.raises(OutboxError, match="holds no bundle"):
        take(tablet)


def test_an_older_bundle_is_refused_and_an_expired_one_takes_nothing(sqlite_world: World, tmp_path: Path) -> None:
    keys = pki()
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    newer = attrs.evolve(sqlite_world.server.bundle("zeitoun"), sequence=5).sign(keys.signer, [keys.ca.certificate])
    tablet.install_bundle(newer)
    with pytest.raises(BundleError, match="bundle 1 is older than bundle 5"):
        tablet.install_bundle(sqlite_world.server.signed_bundle("zeitoun"))
    sqlite_world.clock.at = NOW + datetime.timedelta(days=8)
    with pytest.raises(OutboxError, match="expired"):
        take(tablet)
    assert tablet.outbox() == []


def test_the_tablet_refuses_what_the_server_would_with_the_same_words(sqlite_world: World, tmp_path: Path) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    bad_form = {**RENEWAL_FORM, "activity": "bakery", "licence_number": "", "colour": "blue"}
    with pytest.raises(InvalidForm) as offline:
        take(tablet, form=bad_form)
    with pytest.raises(InvalidForm) as online:
        sqlite_world.engine.submit(
            "shop_licence_renewal",
            unit="zeitoun",
            applicant=APPLICANT,
            form=bad_form,
            channel="mobile_unit",
            actor=MOBILE_CLERK,
            service_point=SERVICE_POINT,
            documents=[p.upload() for p in renewal_photos()],
        )
    assert offline.value.problems == online.value.problems
    assert set(offline.value.problems) == {"activity", "licence_number", "colour"}
    with pytest.raises(InvalidForm, match="applicant.national_id"):
        take(tablet, applicant=Applicant("29913011234567", "محمد أحمد", "01012345678"))
    with pytest.raises(InvalidDocument, match="not a pdf file"):
        take(tablet, photos=[Photo("previous_licence", "pdf", b"\xff\xd8\xff a jpeg")])
    with pytest.raises(OutboxError, match="does not take building_permit"):
        take(tablet, service="building_permit")
    with pytest.raises(OutboxError, match="is not one of zeitoun's mobile units"):
        take(tablet, service_point="zeitoun_tc")
    assert tablet.outbox() == []  # nothing refused was queued


def test_the_outbox_is_durable_and_sequenced(sqlite_world: World, tmp_path: Path) -> None:
    root = pki().root.certificate
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    receipts = [take(tablet) for _ in range(3)]
    assert [r.sequence for r in receipts] == [1, 2, 3]
    tablet.close()
    # What is on disk after the tablet stops: three signed submissions, each with a distinct key.
    with sqlite3.connect(tmp_path / "tablet" / "outbox.sqlite3") as db:
        rows = db.execute("SELECT sequence, idempotency_key, status FROM outbox ORDER BY sequence").fetchall()
    assert [(r[0], r[2]) for r in rows] == [(1, "pending"), (2, "pending"), (3, "pending")]
    assert len({r[1] for r in rows}) == 3
    reopened = Tablet.open(tmp_path / "tablet", root=root, clock=sqlite_world.clock)
    assert [e.sequence for e in reopened.outbox()] == [1, 2, 3]
    photo = renewal_photos()[0]
    kept = reopened.photo(photo.sha256)
    assert kept is not None and kept.content == photo.content  # content-addressed
    assert take(reopened).sequence == 4


def test_enrolment_keeps_the_key_on_the_tablet(tmp_path: Path) -> None:
    root = pki().root.certificate
    with pytest.raises(EnrolmentError, match="certifies another key"):
        Tablet.enrol(tmp_path / "a", root=root, certify=lambda _key: certify()(generate_signing_key().public_key()))
    tablet = Tablet.enrol(tmp_path / "b", root=root, certify=certify(device_id="ZTN-TAB-07"))
    assert (tablet.device_id, tablet.issuer) == ("ZTN-TAB-07", "C-ZTN")
    assert (tmp_path / "b" / "device.key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(EnrolmentError, match="already enrolled"):
        Tablet.enrol(tmp_path / "b", root=root, certify=certify())


def test_the_provisional_receipt_is_signed_by_the_device(sqlite_world: World, tmp_path: Path) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    receipt = take(tablet)
    claims = read_receipt(receipt.qr_text, tablet.certificate)
    assert claims[2] == "ZTN-TAB-01" and claims[3] == 1 and claims[5] == "shop_licence_renewal"
    assert any("ZTN-TAB-01-000001" in line for line in receipt.lines())
    other = sqlite_world.tablet(tmp_path / "other", device_id="ZTN-TAB-02")
    with pytest.raises(WireError):
        read_receipt(receipt.qr_text, other.certificate)
    with pytest.raises(WireError):
        read_receipt(receipt.qr_text[:-3] + "AAA", tablet.certificate)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_the_bundle_reader_refuses_garbage_with_its_own_error(data: bytes) -> None:
    with pytest.raises(BundleError):
        open_bundle(data, pki().root.certificate, at=NOW)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.dictionaries(
        st.integers(0, 14),
        st.one_of(
            st.integers(-5, 10**10),
            st.text(max_size=10),
            st.binary(max_size=8),
            st.lists(st.integers(0, 9), max_size=3),
        ),
        max_size=12,
    )
)
def test_the_bundle_payload_reader_names_the_key_at_fault(payload: dict[int, object]) -> None:
    from localgov_mobile.bundle import read_bundle_payload

    payload[1] = "localgov-mobile-bundle"
    with pytest.raises(WireError, match="localgov-mobile-bundle"):
        read_bundle_payload(cbor.encode(payload))


def test_a_sync_carries_at_most_its_byte_budget(sqlite_world: World, tmp_path: Path) -> None:
    from localgov_mobile import LocalTransport
    from localgov_mobile.tablet import MAX_SYNC_BYTES

    tablet = sqlite_world.tablet(tmp_path / "tablet")
    big = [Photo("previous_licence", "pdf", PDF_HEAD + bytes(300_000)), renewal_photos()[1]]
    for _ in range(4):
        take(tablet, photos=big)
    envelope = len(tablet.waiting()[0][1])
    request = tablet.sync_request(max_bytes=2 * envelope + 10)
    assert [e for e in request.envelopes] == [e for _, e in tablet.waiting()[:2]]
    assert len(tablet.sync_request(max_bytes=10).envelopes) == 1  # always at least one
    report = tablet.sync(LocalTransport(sqlite_world.server), max_bytes=2 * envelope + 10)
    assert len(report.outcomes) == 2 and report.waiting == 2
    # The food shop's three documents, each within its own limit, more than a sync carries together.
    sizes = {"previous_licence": 9, "national_id_copy": 4, "health_certificate": 4}
    heavy = [Photo(t, "pdf", PDF_HEAD + bytes(mb * 1024 * 1024 - 64)) for t, mb in sizes.items()]
    with pytest.raises(OutboxError, match="more than one sync carries"):
        take(tablet, form={**RENEWAL_FORM, "activity": "food"}, photos=heavy)
    assert sum(len(p.content) for p in heavy) > MAX_SYNC_BYTES - 64 * 1024


PDF_HEAD = b"%PDF-1.4\n"


def test_each_download_is_issued_afresh_with_the_same_edition(sqlite_world: World, tmp_path: Path) -> None:
    tablet = sqlite_world.tablet(tmp_path / "tablet")
    first = tablet.bundle
    sqlite_world.clock.at = NOW + datetime.timedelta(days=8)  # the first download has expired
    with pytest.raises(OutboxError, match="expired"):
        take(tablet)
    again = tablet.install_bundle(sqlite_world.server.signed_bundle("zeitoun"))
    assert again.sequence == first.sequence and again.digest == first.digest
    assert again.valid_until == NOW + datetime.timedelta(days=15)
    assert take(tablet).sequence == 1


def test_a_tablet_whose_bundle_no_longer_verifies_still_opens_and_syncs(sqlite_world: World, tmp_path: Path) -> None:
    from localgov_mobile import LocalTransport

    tablet = sqlite_world.tablet(tmp_path / "tablet")
    take(tablet)
    tablet.close()
    from localgov.pki import create_root

    # Opened against another root, the stored bundle does not verify: no bundle, the outbox intact.
    stranger = Tablet.open(tmp_path / "tablet", root=create_root("Other").certificate, clock=sqlite_world.clock)
    with pytest.raises(OutboxError, match="holds no bundle"):
        take(stranger)
    assert len(stranger.waiting()) == 1
    stranger.close()
    reopened = Tablet.open(tmp_path / "tablet", root=pki().root.certificate, clock=sqlite_world.clock)
    assert [o.outcome for o in reopened.sync(LocalTransport(sqlite_world.server)).outcomes] == ["accepted"]


def test_a_bundle_holds_what_the_unit_s_governorate_offers() -> None:
    """A Qalyubia village's tablet would get none of Cairo's own services (the renewals the
    mobile channel takes are Cairo's): building it is refused rather than handing out services
    the server would refuse for that unit."""
    from localgov.app import Localgov

    app = Localgov(plugins=["cairo", "qalyubia", "mobile"])
    engine = app.engine("sqlite://")
    assert "shop_licence_renewal" in build_bundle(engine, "zeitoun", sequence=1).catalogue.services
    with pytest.raises(BundleError, match="takes no service"):
        build_bundle(engine, "kafr_el_gazzar", governorate="KB", sequence=1)
