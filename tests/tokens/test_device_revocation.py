"""Device certificates and their revocation through the signed revocation list (issue #12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from localgov.pki import (
    EKU_DEVICE_SIGNING,
    EKU_PERMIT_SIGNING,
    PkiError,
    device_id_of,
    generate_signing_key,
    issue_device_certificate,
    kid_of,
    unit_code_of,
    verify_chain,
)
from localgov.testing.pki import TestPki
from localgov.tokens import RevocationList, RevocationUpdate, SignedFileError, cbor, cose
from localgov.tokens.revocation import HASH_LENGTH

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_a_device_certificate_names_its_device_and_unit_and_only_signs_as_a_device(pki: TestPki) -> None:
    key = generate_signing_key()
    certificate = issue_device_certificate(pki.governorate_ca, "C-ZTN", "ZTN-TAB-01", key.public_key())
    assert (device_id_of(certificate), unit_code_of(certificate)) == ("ZTN-TAB-01", "C-ZTN")
    usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert EKU_DEVICE_SIGNING in usage and EKU_PERMIT_SIGNING not in usage
    assert not certificate.extensions.get_extension_for_class(x509.KeyUsage).value.content_commitment
    assert verify_chain(certificate, [pki.governorate_ca.certificate], pki.root.certificate)[-1] == pki.root.certificate
    assert device_id_of(pki.signer.certificate) is None  # a document signer is no device


@pytest.mark.parametrize("device_id", ["", "has space", "x" * 65, "ü-tablet"])
def test_a_device_id_must_be_plain(pki: TestPki, device_id: str) -> None:
    with pytest.raises(PkiError, match="device id"):
        issue_device_certificate(pki.governorate_ca, "C-ZTN", device_id, generate_signing_key().public_key())


def test_a_device_key_must_be_p256(pki: TestPki) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    with pytest.raises(PkiError, match="P-256"):
        issue_device_certificate(
            pki.governorate_ca, "C-ZTN", "T1", ec.generate_private_key(ec.SECP384R1()).public_key()
        )


def test_revoked_devices_travel_in_the_signed_list_and_deltas(pki: TestPki) -> None:
    lost, found = b"\x01" * 8, b"\x02" * 8
    permit_hash = bytes(HASH_LENGTH)
    base = RevocationUpdate(1, {pki.signer.kid: [permit_hash]}, issued_at=T0, devices={lost: T0})
    signed = base.sign(pki.trust_list_signer, pki.root.certificate)
    loaded = RevocationUpdate.load(signed, pki.root.certificate)
    assert loaded == base
    current = RevocationList.from_updates([loaded])
    assert current.device_revoked_at(lost) == T0 and current.device_revoked_at(found) is None
    assert current.is_revoked(pki.signer.kid, permit_hash)  # permits unchanged beside devices
    later = T0 + timedelta(hours=3)
    delta = current.delta({}, issued_at=later, revoke_devices={found: later, lost: later}, reinstate_devices=[])
    delta_read = RevocationUpdate.load(delta.sign(pki.trust_list_signer, pki.root.certificate), pki.root.certificate)
    after = current.apply(delta_read)
    assert after.device_revoked_at(found) == later
    assert after.device_revoked_at(lost) == T0  # revoked again: the first moment stands
    reinstated = after.apply(after.delta({}, issued_at=later, reinstate_devices=[found]))
    assert reinstated.device_revoked_at(found) is None
    assert RevocationList.from_updates([reinstated.full_update(issued_at=later)]).devices == reinstated.devices


def test_a_list_without_devices_is_byte_for_byte_what_it_was(pki: TestPki) -> None:
    update = RevocationUpdate(3, {pki.signer.kid: [bytes(HASH_LENGTH)]}, issued_at=T0)
    assert set(update.to_payload()) == {1, 2, 4, 5}
    assert set(RevocationList(3).delta({}, issued_at=T0).to_payload()) == {1, 2, 3, 4, 5, 6}


@pytest.mark.parametrize(
    "devices",
    [[1, 2], {b"": 5}, {b"\x01" * 8: -1}, {b"\x01" * 8: "today"}, {"kid": 5}, {b"\x01" * 8: 253402300800}],
)
def test_a_malformed_device_group_is_refused(pki: TestPki, devices: object) -> None:
    payload = RevocationUpdate(1, {}, issued_at=T0).to_payload()
    payload[7] = devices
    signed = cose.sign(cbor.encode(payload), pki.root.private_key, kid=kid_of(pki.root.certificate))
    with pytest.raises(SignedFileError, match="revocation list: revoked devices|a revoked device"):
        RevocationUpdate.load(signed, pki.root.certificate)


def test_a_full_list_cannot_reinstate_a_device() -> None:
    with pytest.raises(ValueError, match="cannot reinstate"):
        RevocationUpdate(1, {}, reinstated_devices=[b"\x01" * 8])
