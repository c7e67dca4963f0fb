"""Enrolment against one-time codes (``POST /mobile/enrol``): once, for one device, before expiry."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from localgov_mobile import EnrolmentError, Tablet, WireError
from localgov_mobile.enrolment import Enroller
from mobile_harness import World, pki

from localgov.pki import device_id_of, generate_signing_key, unit_code_of
from localgov.tokens import cbor


def enrol_body(code: str, device_id: str, key: object | None = None) -> bytes:
    public = (key or generate_signing_key()).public_key()  # type: ignore[attr-defined]
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return cbor.encode({1: "localgov-mobile-enrol", 2: code, 3: device_id, 4: spki})


def test_a_code_enrols_one_device_once(any_world: World, tmp_path: Path) -> None:
    enroller = Enroller(any_world.server.database, pki().ca, clock=any_world.clock)
    code = enroller.offer("C-ZTN", "ZTN-TAB-05")
    assert len(code) == 11 and code[5] == "-"
    with pytest.raises(EnrolmentError, match="is for device ZTN-TAB-05, not ZTN-TAB-06"):
        enroller.handle(enrol_body(code, "ZTN-TAB-06"))
    answer = cbor.decode(enroller.handle(enrol_body(code.lower(), "ZTN-TAB-05")))  # as typed on a tablet
    assert isinstance(answer, dict) and answer[1] == "localgov-mobile-enrolled"
    from cryptography import x509

    device = x509.load_der_x509_certificate(answer[2][0])
    assert (device_id_of(device), unit_code_of(device)) == ("ZTN-TAB-05", "C-ZTN")
    with pytest.raises(EnrolmentError, match="already used"):
        enroller.handle(enrol_body(code, "ZTN-TAB-05"))
    with pytest.raises(EnrolmentError, match="unknown enrolment code"):
        enroller.handle(enrol_body("AAAAA-AAAAA", "ZTN-TAB-05"))
    # A Python tablet enrols through the same enroller (its certify callable).
    second = enroller.offer("C-ZTN", "ZTN-TAB-07")
    tablet = Tablet.enrol(
        tmp_path / "tablet",
        root=pki().root.certificate,
        certify=lambda key: enroller.certify(second, "ZTN-TAB-07", key),
    )
    assert tablet.device_id == "ZTN-TAB-07"


def test_an_expired_code_and_a_malformed_request_are_refused(sqlite_world: World) -> None:
    enroller = Enroller(sqlite_world.server.database, pki().ca, clock=sqlite_world.clock)
    code = enroller.offer("C-ZTN", "ZTN-TAB-05", valid_for=datetime.timedelta(hours=1))
    sqlite_world.clock.at += datetime.timedelta(hours=2)
    with pytest.raises(EnrolmentError, match="expired"):
        enroller.handle(enrol_body(code, "ZTN-TAB-05"))
    with pytest.raises(WireError, match="localgov-mobile-enrol"):
        enroller.handle(cbor.encode({1: "localgov-mobile-enrol", 2: code}))
    with pytest.raises(EnrolmentError, match="SubjectPublicKeyInfo"):
        enroller.handle(cbor.encode({1: "localgov-mobile-enrol", 2: code, 3: "ZTN-TAB-05", 4: b"not a key"}))
