from __future__ import annotations

import hashlib
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from hypothesis import given
from hypothesis import strategies as st

from localgov.pki import (
    EKU_PERMIT_SIGNING,
    PERMIT_KINDS_EXTENSION,
    PkiError,
    create_root,
    issue_governorate_ca,
    issue_unit_signer,
    kid_of,
    load_certificate,
    load_private_key,
    permit_kinds_of,
    save_private_key,
    unit_code_of,
    verify_chain,
)
from localgov.pki.extensions import decode_permit_kinds, encode_permit_kinds
from localgov.testing.pki import TEST_PASSPHRASE, build_test_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return build_test_pki(tmp_path_factory.mktemp("pki"), kinds=["building_permit", "shop_licence"])


def test_signer_profile(pki) -> None:  # type: ignore[no-untyped-def]
    certificate = pki.signer.certificate
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    assert EKU_PERMIT_SIGNING in certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    kinds = certificate.extensions.get_extension_for_oid(PERMIT_KINDS_EXTENSION)
    assert not kinds.critical  # PDF validators that do not know it must still accept the certificate
    assert permit_kinds_of(certificate) == {"building_permit", "shop_licence"}
    assert unit_code_of(certificate) == "C-ZTN"
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False


def test_kid_is_first_8_bytes_of_sha256_of_der(pki) -> None:  # type: ignore[no-untyped-def]
    der = pki.signer.certificate.public_bytes(serialization.Encoding.DER)
    assert kid_of(pki.signer.certificate) == hashlib.sha256(der).digest()[:8] == pki.signer.kid


def test_chain_verifies_and_rejects(pki) -> None:  # type: ignore[no-untyped-def]
    chain = verify_chain(pki.signer.certificate, [pki.governorate_ca.certificate], pki.root.certificate)
    assert chain == list(pki.chain)
    with pytest.raises(PkiError, match="leads to the root"):
        verify_chain(pki.signer.certificate, [], pki.root.certificate)
    other_root = create_root("Another root")
    with pytest.raises(PkiError):
        verify_chain(pki.signer.certificate, [pki.governorate_ca.certificate], other_root.certificate)
    with pytest.raises(PkiError, match="not valid"):
        verify_chain(
            pki.signer.certificate,
            [pki.governorate_ca.certificate],
            pki.root.certificate,
            at=datetime.now(UTC) + timedelta(days=5000),
        )


def test_an_end_entity_cannot_issue(pki) -> None:  # type: ignore[no-untyped-def]
    fake_ca = issue_unit_signer(pki.signer, "X", ["building_permit"], validity=timedelta(days=30))  # signed by a non-CA
    with pytest.raises(PkiError, match="may not issue"):
        verify_chain(
            fake_ca.certificate,
            [pki.signer.certificate, pki.governorate_ca.certificate],
            pki.root.certificate,
        )


def test_validity_cannot_outlast_the_issuer() -> None:
    root = create_root(validity=timedelta(days=10))
    with pytest.raises(PkiError, match="after the issuing"):
        issue_governorate_ca(root, "GZ")


def test_keys_are_written_encrypted_with_mode_0600(pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key_file = pki.path("signer.key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in key_file.read_bytes()
    loaded = load_private_key(key_file, TEST_PASSPHRASE)
    assert loaded.private_numbers() == pki.signer.private_key.private_numbers()
    plain = tmp_path / "plain.key"
    plain.write_text("old content")
    plain.chmod(0o644)
    save_private_key(plain, pki.signer.private_key, None)
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600
    assert load_certificate(pki.path("signer.pem")) == pki.signer.certificate


def test_key_errors_never_show_key_material(pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key_file = pki.path("signer.key")
    content = key_file.read_text()
    for passphrase, reason in ((b"wrong", "wrong passphrase"), (None, "passphrase is needed")):
        with pytest.raises(PkiError, match=reason) as raised:
            load_private_key(key_file, passphrase)
        assert content[40:80] not in str(raised.value)
    with pytest.raises(PkiError, match="cannot read"):
        load_private_key(tmp_path / "missing.key", None)
    assert "private_key" not in repr(pki.signer) and "EllipticCurvePrivateKey" not in repr(pki.signer)


@given(st.lists(st.text(min_size=1, max_size=30).filter(lambda s: s == s.strip()), min_size=1, max_size=8))
def test_permit_kinds_extension_round_trip(kinds: list[str]) -> None:
    assert decode_permit_kinds(encode_permit_kinds(kinds)) == set(kinds)


@given(st.binary(max_size=60))
def test_permit_kinds_decoder_refuses_garbage_with_pki_error(data: bytes) -> None:
    try:
        decode_permit_kinds(data)
    except PkiError:
        pass


def test_testing_fixture_is_importable() -> None:
    from localgov.testing.pki import localgov_pki

    assert callable(localgov_pki)
