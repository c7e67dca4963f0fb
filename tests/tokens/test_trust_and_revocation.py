from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.pki import Credential, create_root, issue_trust_list_signer
from localgov.testing.pki import TestPki
from localgov.tokens import RevocationList, RevocationUpdate, SignedFileError, TrustList, cose
from localgov.tokens.revocation import HASH_LENGTH
from localgov.tokens.signed_file import sign_file


def test_trust_list_round_trip(pki: TestPki) -> None:
    other = pki.issue_signer("C-MAADI", ["shop_licence"])
    retired = datetime(2026, 1, 1, tzinfo=UTC)
    draft = TrustList.build(
        [pki.signer.certificate, other.certificate],
        sequence=7,
        retired={other.kid: retired},
        next_update=datetime.now(UTC) + timedelta(days=7),
        root=pki.root.certificate,
        intermediates=[pki.governorate_ca.certificate],
    )
    for signer in (pki.trust_list_signer, pki.root):
        loaded = TrustList.load(draft.sign(signer, pki.root.certificate), pki.root.certificate)
        assert loaded == draft
        assert loaded.candidates(other.kid)[0].kinds == {"shop_licence"}
        assert loaded.candidates(other.kid)[0].retired_at == retired
    assert TrustList.from_unsigned(draft.to_unsigned()) == draft


def test_trust_list_signed_by_a_stranger_is_refused(pki: TestPki) -> None:
    stranger_root = create_root("Stranger")
    stranger = issue_trust_list_signer(stranger_root)
    draft = TrustList.build([pki.signer.certificate], sequence=1)
    with pytest.raises(SignedFileError, match="not issued by the root"):
        TrustList.load(draft.sign(stranger, stranger_root.certificate), pki.root.certificate)
    with pytest.raises(SignedFileError, match="kid does not match|signature"):
        TrustList.load(draft.sign(stranger_root, stranger_root.certificate), pki.root.certificate)


def test_p384_roots_and_trust_list_signers_sign_es384_files(pki: TestPki, signer_p384: Credential) -> None:
    root = create_root("P-384 root", key=ec.generate_private_key(ec.SECP384R1()))
    list_signer = issue_trust_list_signer(root, key=ec.generate_private_key(ec.SECP384R1()))
    draft = TrustList.build([pki.signer.certificate, signer_p384.certificate], sequence=2)
    for signer in (root, list_signer):
        signed = draft.sign(signer, root.certificate)
        assert cose.parse_sign1(signed).protected[cose.HEADER_ALG] == cose.ALG_ES384
        loaded = TrustList.load(signed, root.certificate)
        assert loaded == draft
        assert {s.alg for s in loaded.signers} == {cose.ALG_ES256, cose.ALG_ES384}
    update = RevocationUpdate(1, {signer_p384.kid: [_hash(7)]})
    loaded_update = RevocationUpdate.load(update.sign(list_signer, root.certificate), root.certificate)
    assert loaded_update == update
    # A P-256 trust-list signer under the P-384 root still signs ES256.
    p256_signer = issue_trust_list_signer(root)
    signed = draft.sign(p256_signer, root.certificate)
    assert cose.parse_sign1(signed).protected[cose.HEADER_ALG] == cose.ALG_ES256
    assert TrustList.load(signed, root.certificate) == draft


def test_unit_signer_cannot_sign_trust_lists(pki: TestPki) -> None:
    draft = TrustList.build([pki.signer.certificate], sequence=1)
    with pytest.raises(SignedFileError, match="not issued by the root|trust-list signing"):
        draft.sign(pki.signer, pki.root.certificate)


def test_tampered_trust_list_is_refused(pki: TestPki) -> None:
    signed = bytearray(pki.signed_trust_list())
    signed[-70] ^= 1
    with pytest.raises(SignedFileError):
        TrustList.load(bytes(signed), pki.root.certificate)
    with pytest.raises(SignedFileError):
        TrustList.load(b"not cbor", pki.root.certificate)


def test_revocation_list_cannot_pass_as_trust_list(pki: TestPki) -> None:
    signed = RevocationUpdate(1, {}).sign(pki.trust_list_signer, pki.root.certificate)
    with pytest.raises(SignedFileError, match="not a localgov-trust-list"):
        TrustList.load(signed, pki.root.certificate)


def test_trust_list_with_expired_signer_is_refused(pki: TestPki) -> None:
    signed = pki.signed_trust_list()
    with pytest.raises(SignedFileError, match="not valid"):
        TrustList.load(signed, pki.root.certificate, at=datetime.now(UTC) + timedelta(days=3000))


def _hash(n: int) -> bytes:
    return n.to_bytes(HASH_LENGTH, "big")


def test_base_and_deltas(pki: TestPki) -> None:
    kid_a, kid_b = b"A" * 8, b"B" * 8
    base = RevocationUpdate(3, {kid_a: [_hash(1), _hash(2)]})
    delta = RevocationUpdate(4, {kid_b: [_hash(3)]}, {kid_a: [_hash(1)]}, base=3)
    root = pki.root.certificate
    files = [u.sign(pki.trust_list_signer, root) for u in (base, delta)]
    loaded = [RevocationUpdate.load(f, root) for f in files]
    assert loaded == [base, delta]
    state = RevocationList.from_updates(loaded)
    assert state.sequence == 4
    assert not state.is_revoked(kid_a, _hash(1))
    assert state.is_revoked(kid_a, _hash(2)) and state.is_revoked(kid_b, _hash(3))
    assert not state.is_revoked(kid_b, _hash(2))
    with pytest.raises(SignedFileError, match="does not apply"):
        state.apply(delta)
    compacted = state.full_update()
    assert RevocationList.from_updates([compacted]) == state


def test_revocation_list_is_compact(pki: TestPki) -> None:
    update = RevocationUpdate(1, {b"K" * 8: [_hash(n) for n in range(1000)]})
    signed = update.sign(pki.trust_list_signer, pki.root.certificate)
    assert len(signed) < 1000 * HASH_LENGTH + 1200  # the certificate in x5chain is most of the rest


def test_revocation_update_rules() -> None:
    with pytest.raises(ValueError):
        RevocationUpdate(1, {}, {b"K": [_hash(1)]})
    with pytest.raises(ValueError):
        RevocationUpdate(1, {}, base=1)
    with pytest.raises(ValueError):
        RevocationUpdate(1, {b"K": [b"short"]})


def test_malformed_revocation_payload(pki: TestPki) -> None:
    payload = {1: "localgov-revocation-list", 2: 1, 4: 0, 5: {b"K": b"x" * 15}}
    signed = sign_file(payload, pki.trust_list_signer, pki.root.certificate)
    with pytest.raises(SignedFileError, match="16-byte"):
        RevocationUpdate.load(signed, pki.root.certificate)
