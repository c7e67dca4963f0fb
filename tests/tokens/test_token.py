"""Issuing and verifying permit tokens: one test per reason in the error taxonomy, and rotation."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from localgov.pki import Credential, PkiError, issue_unit_signer
from localgov.testing.pki import TestPki, build_test_pki
from localgov.tokens import (
    BadSignature,
    Expired,
    IssueError,
    MalformedCbor,
    MalformedEncoding,
    NotALocalgovToken,
    NotYetValid,
    PermitClaims,
    RevocationList,
    Revoked,
    SignerNotAllowed,
    TokenError,
    TrustList,
    UnknownSigner,
    UnsupportedVersion,
    cbor,
    cose,
    issue,
    verify,
)
from localgov.tokens.base45 import b45decode, b45encode
from localgov.tokens.cwt import claims_to_map
from localgov.tokens.qr import qr_version
from localgov.tokens.token import MAX_INFLATED_BYTES, VerifiedPermit, decode_text, encode_text


def sign_map(claims_map: object, signer: Credential, *, compress: bool = False) -> str:
    """A token over any claims map, signed by ``signer`` (for schema tests)."""
    message = cose.sign(cbor.encode(claims_map), signer.private_key, kid=signer.kid)
    return encode_text(message, compress=compress)


def test_round_trip(token: str, claims: PermitClaims, trust: TrustList, pki: TestPki) -> None:
    verified = verify(token, trust)
    assert verified.claims == claims
    assert verified.kid == pki.signer.kid
    assert verified.signer.unit_code == "C-ZTN"


def test_reference_permit_fits_version_14_at_level_q(token: str) -> None:
    assert token.startswith("LG1:")
    assert qr_version(token, error="q") <= 14


@pytest.mark.parametrize("compress", [True, False])
def test_compressed_and_plain_tokens_verify(
    compress: bool, claims: PermitClaims, pki: TestPki, trust: TrustList
) -> None:
    text = issue(claims, pki.signer, compress=compress)
    assert (b45decode(text[4:])[:1] == b"\x78") is compress
    assert verify(text, trust).claims == claims


def test_whitespace_around_a_scanned_token_is_ignored(token: str, trust: TrustList) -> None:
    assert verify(f"  {token}\n", trust)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("HC1:NCFOXN%TS3DH", NotALocalgovToken),
        ("", NotALocalgovToken),
        ("LGX:ABC", NotALocalgovToken),
        ("LG:ABC", NotALocalgovToken),
        ("LG2:ABC", UnsupportedVersion),
        ("LG10:ABC", UnsupportedVersion),
        ("LG01:ABC", UnsupportedVersion),  # not the usual prefix, though the same number
        ("LG1:abc", MalformedEncoding),
        ("LG1:A", MalformedEncoding),
        ("LG1:GGW", MalformedEncoding),
        ("LG1:" + "0" * 5000, MalformedEncoding),
        ("LG1:" + b45encode(b"\x78\x9c\x00"), MalformedEncoding),
        ("LG1:" + b45encode(zlib.compress(b"\x00" * (MAX_INFLATED_BYTES + 1))), MalformedEncoding),
        ("LG1:" + b45encode(zlib.compress(b"\xa0") + b"extra"), MalformedEncoding),
        ("LG1:" + b45encode(zlib.compress(b"\xa0")[:-3]), MalformedEncoding),
        ("LG1:", MalformedCbor),
        ("LG1:" + b45encode(b"\xa0"), MalformedCbor),
        ("LG1:" + b45encode(zlib.compress(b"\x81" * 1000)), MalformedCbor),
    ],
)
def test_encoding_errors(text: str, error: type[TokenError], trust: TrustList) -> None:
    with pytest.raises(error) as raised:
        verify(text, trust)
    assert type(raised.value) is error


def test_not_a_string_is_not_a_token(trust: TrustList) -> None:
    with pytest.raises(NotALocalgovToken):
        verify(b"LG1:", trust)  # type: ignore[arg-type]


def test_unknown_signer(claims: PermitClaims, pki: TestPki, trust: TrustList) -> None:
    stranger = pki.issue_signer()
    with pytest.raises(UnknownSigner, match=stranger.kid.hex()):
        verify(issue(claims, stranger), trust)


def test_missing_kid_is_malformed(claims: PermitClaims, pki: TestPki, trust: TrustList) -> None:
    message = cose.sign(cbor.encode(claims_to_map(claims)), pki.signer.private_key)
    with pytest.raises(MalformedCbor, match="key id"):
        verify(encode_text(message), trust)


def test_same_kid_different_key_is_a_bad_signature(claims: PermitClaims, pki: TestPki, trust: TrustList) -> None:
    impostor = pki.issue_signer()
    message = cose.sign(cbor.encode(claims_to_map(claims)), impostor.private_key, kid=pki.signer.kid)
    with pytest.raises(BadSignature):
        verify(encode_text(message), trust)


def test_changed_claim_is_a_bad_signature(token: str, trust: TrustList) -> None:
    message = cbor.decode(decode_text(token))
    assert isinstance(message, cbor.Tagged) and isinstance(message.value, list)
    protected, unprotected, payload, signature = message.value
    assert isinstance(payload, bytes)
    forged_payload = payload.replace(b"\x05", b"\x09", 1)  # floors 5 -> 9 (first 0x05 byte)
    forged = cbor.encode_tagged(18, [protected, unprotected, forged_payload, signature])
    with pytest.raises(BadSignature):
        verify(encode_text(forged), trust)


def test_other_algorithm_is_a_bad_signature(token: str, pki: TestPki, trust: TrustList) -> None:
    message = cose.parse_sign1(decode_text(token))
    protected = cbor.encode({1: -8, 4: pki.signer.kid})
    forged = cbor.encode_tagged(18, [protected, {}, message.payload, message.signature])
    with pytest.raises(BadSignature, match="ES256"):
        verify(encode_text(forged), trust)


def test_kind_not_allowed(claims: PermitClaims, pki: TestPki) -> None:
    shop_only = pki.issue_signer(kinds=["shop_licence"])
    with pytest.raises(IssueError, match="building_permit"):
        issue(claims, shop_only)
    text = sign_map(claims_to_map(claims), shop_only)
    with pytest.raises(SignerNotAllowed, match="kind"):
        verify(text, pki.trust_list(shop_only))


def test_unit_may_not_sign_for_another_unit(claims: PermitClaims, pki: TestPki, trust: TrustList) -> None:
    other = attrs.evolve(claims, issuer="C-MAADI")
    with pytest.raises(IssueError, match="unit"):
        issue(other, pki.signer)
    with pytest.raises(SignerNotAllowed, match="unit"):
        verify(sign_map(claims_to_map(other), pki.signer), trust)


def test_issue_time_outside_certificate_validity(claims: PermitClaims, pki: TestPki, trust: TrustList) -> None:
    early = attrs.evolve(claims, issued_at=pki.signer.certificate.not_valid_before_utc - timedelta(days=1))
    with pytest.raises(IssueError, match="validity"):
        issue(early, pki.signer)
    with pytest.raises(SignerNotAllowed, match="validity"):
        verify(sign_map(claims_to_map(early), pki.signer), trust)


def test_not_yet_valid_and_expired(claims: PermitClaims, token: str, trust: TrustList, pki: TestPki) -> None:
    assert claims.expires_at is not None
    with pytest.raises(Expired):
        verify(token, trust, at=claims.expires_at)
    assert verify(token, trust, at=claims.expires_at - timedelta(seconds=1))
    with pytest.raises(NotYetValid):
        verify(token, trust, at=claims.issued_at - timedelta(hours=1))
    later = attrs.evolve(claims, valid_from=claims.issued_at + timedelta(days=10))
    with pytest.raises(NotYetValid):
        verify(issue(later, pki.signer), trust, at=claims.issued_at + timedelta(days=9))
    assert verify(issue(later, pki.signer), trust, at=claims.issued_at + timedelta(days=10))


def test_revoked(claims: PermitClaims, token: str, trust: TrustList, pki: TestPki) -> None:
    revocations = RevocationList().apply(RevocationList().delta({pki.signer.kid: [claims.revocation_hash]}))
    with pytest.raises(Revoked, match="2025/001234"):
        verify(token, trust, revocations)
    elsewhere = RevocationList().apply(RevocationList().delta({b"\x00" * 8: [claims.revocation_hash]}))
    assert verify(token, trust, elsewhere)


def test_rotation_keeps_old_tokens_valid(claims: PermitClaims, tmp_path: Path, now: datetime) -> None:
    pki = build_test_pki(tmp_path, now=now - timedelta(days=500))
    old = pki.issue_signer(now=now - timedelta(days=400), validity=timedelta(days=365))
    new = pki.issue_signer()
    old_claims = attrs.evolve(claims, issued_at=now - timedelta(days=300), expires_at=now + timedelta(days=700))
    old_token = issue(old_claims, old)
    retired_at = now - timedelta(days=100)
    trust = pki.trust_list(old, new, retired={old.kid: retired_at})
    # Signed while the old certificate was valid and before retirement: still verifies today,
    # although the certificate itself has expired.
    assert old.certificate.not_valid_after_utc < now
    assert verify(old_token, trust).signer.kid == old.kid
    assert verify(issue(claims, new), trust).signer.kid == new.kid
    # A token the retired certificate signed after its retirement is refused.
    late = attrs.evolve(old_claims, issued_at=retired_at + timedelta(days=1))
    with pytest.raises(SignerNotAllowed, match="retired"):
        verify(sign_map(claims_to_map(late), old), trust)
    # Taken off the trust list, its tokens no longer verify.
    with pytest.raises(UnknownSigner):
        verify(old_token, pki.trust_list(new))


def test_colliding_kids_try_every_certificate(claims: PermitClaims, pki: TestPki) -> None:
    other = pki.issue_signer()
    trust = pki.trust_list(other, pki.signer)
    # Force a collision: index the real signer under the other's kid as well.
    colliding = TrustList(trust.sequence, trust.issued_at, (*trust.signers,))
    object.__setattr__(colliding, "_by_kid", {other.kid: trust.signers})
    message = cose.sign(cbor.encode(claims_to_map(claims)), pki.signer.private_key, kid=other.kid)
    assert verify(encode_text(message), colliding).signer.kid == pki.signer.kid


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda m: m.pop(-65537), "permit"),
        (lambda m: m.pop(6), "iat"),
        (lambda m: m.update({6: "yesterday"}), "NumericDate"),
        (lambda m: m.update({4: 2**70}), "NumericDate"),
        (lambda m: m.update({4: m[6]}), "not after"),
        (lambda m: m[-65537].update({9: 1}), "unknown keys"),
        (lambda m: m[-65537].update({2: 99}), "not registered"),
        (lambda m: m[-65537].update({3: 5}), "holder name"),
        (lambda m: m[-65537].update({3: ""}), "empty"),
        (lambda m: m[-65537].update({3: "x" * 201}), "longer"),
        (lambda m: m[-65537].update({3: b"\xff"}), "ISO 8859-6"),
        (lambda m: m[-65537].update({6: []}), "figures"),
        (lambda m: m[-65537].update({6: {99: 1}}), "figure code 99"),
        (lambda m: m[-65537].update({6: {1: "five"}}), "floors"),
        (lambda m: m[-65537].update({6: {1: -1}}), "floors"),
        (lambda m: m[-65537].update({6: {"floors": 5}}), "code"),
        (lambda m: m[-65537].update({6: {b"x": 5}}), "neither"),
        (lambda m: m[-65537].update({6: {1.5: 5}}), "not an integer or string"),
    ],
)
def test_claims_schema_violations_are_malformed(
    mutate: object, reason: str, claims: PermitClaims, pki: TestPki, trust: TrustList
) -> None:
    claims_map = claims_to_map(claims)
    mutate(claims_map)  # type: ignore[operator]
    with pytest.raises(MalformedCbor, match=reason):
        verify(sign_map(claims_map, pki.signer), trust)


def test_payload_not_cbor_is_malformed(pki: TestPki, trust: TrustList) -> None:
    message = cose.sign(b"\xa1\x01", pki.signer.private_key, kid=pki.signer.kid)
    with pytest.raises(MalformedCbor, match="claims"):
        verify(encode_text(message), trust)


def test_unknown_standard_claims_are_ignored(claims: PermitClaims, pki: TestPki, trust: TrustList) -> None:
    claims_map = claims_to_map(claims)
    claims_map[7] = b"cwt-id"
    assert verify(sign_map(claims_map, pki.signer), trust).claims == claims


def test_custom_kind_and_figures(pki: TestPki, trust: TrustList, now: datetime) -> None:
    custom = PermitClaims(
        issuer="C-ZTN",
        permit_number="77",
        kind="shop_licence",
        holder_name="Zeinab Ali",
        issued_at=now - timedelta(hours=1),
        figures={"activity": "بقالة", "shop_area_m2": "12.25", "chairs": 4, "notes": "ok"},
    )
    verified = verify(issue(custom, pki.signer), trust).claims
    assert verified == custom
    assert verified.expires_at is None
    assert verified.figures_map["shop_area_m2"] == custom.figures_map["shop_area_m2"]


def test_verification_time_defaults_to_now(token: str, trust: TrustList) -> None:
    before = datetime.now(UTC)
    assert verify(token, trust).verified_at >= before


@pytest.mark.parametrize("length", [0, 1, 23, 24, 25, 200, 255, 256, 257, 300])
def test_sig_structure_cut_from_the_message_is_the_rfc_9052_one(pki: TestPki, length: int) -> None:
    payload = (bytes(range(256)) * 2)[:length]
    message = cose.sign(payload, pki.signer.private_key, kid=pki.signer.kid)
    parsed = cose.parse_sign1(message)
    assert parsed.to_be_signed() == cose.signed_bytes(parsed.protected_bytes, payload)
    assert cose.verify(message, pki.signer.certificate) == payload


def test_a_payload_length_in_a_longer_header_than_needed_still_verifies(pki: TestPki) -> None:
    # 0x58 0x05: a five-byte payload with a one-byte length it does not need. The signature
    # covers the Sig_structure in its shortest form whatever form the message uses.
    message = cose.sign(b"12345", pki.signer.private_key, kid=pki.signer.kid)
    longer = message.replace(b"\x4512345", b"\x58\x0512345")
    assert longer != message
    parsed = cose.parse_sign1(longer)
    assert parsed.to_be_signed() == cose.signed_bytes(parsed.protected_bytes, b"12345")
    assert cose.verify(longer, pki.signer.certificate) == b"12345"


def test_the_verdict_equals_one_built_by_its_constructor(
    token: str, claims: PermitClaims, trust: TrustList, pki: TestPki, now: datetime
) -> None:
    signer = trust.candidates(pki.signer.kid)[0]
    assert verify(token, trust, at=now) == VerifiedPermit(claims, pki.signer.kid, signer, now)


# --- ES384 -----------------------------------------------------------------------------------


def test_a_p384_signer_issues_es384_tokens_that_verify(
    claims: PermitClaims, pki: TestPki, signer_p384: Credential, trust_both: TrustList
) -> None:
    text = issue(claims, signer_p384)
    message = cose.parse_sign1(decode_text(text))
    assert message.protected == {cose.HEADER_ALG: cose.ALG_ES384, cose.HEADER_KID: signer_p384.kid}
    assert len(message.signature) == 96
    verified = verify(text, trust_both)
    assert verified.claims == claims
    assert verified.signer.kid == signer_p384.kid
    assert verified.signer.alg == cose.ALG_ES384
    # The P-256 signer's tokens verify against the same list, as before.
    assert verify(issue(claims, pki.signer), trust_both).signer.alg == cose.ALG_ES256


def test_an_es384_token_with_a_changed_bit_is_a_bad_signature(
    claims: PermitClaims, signer_p384: Credential, trust_both: TrustList
) -> None:
    data = bytearray(decode_text(issue(claims, signer_p384)))
    data[40] ^= 0x01  # inside the payload
    with pytest.raises(BadSignature, match="does not match"):
        verify(encode_text(bytes(data)), trust_both)


def _signed_with(
    payload: bytes,
    key: ec.EllipticCurvePrivateKey,
    protected: dict[int, object],
    unprotected: dict[int, object],
    hash_algorithm: hashes.HashAlgorithm | None = None,
) -> bytes:
    # A COSE_Sign1 with exactly these headers; with hash_algorithm, signed over that hash
    # whatever the headers' alg says.
    protected_bytes = cbor.encode(protected)
    to_sign = cose.signed_bytes(protected_bytes, payload)
    if hash_algorithm is None:
        signature = cose.sign_raw(to_sign, key)
    else:
        size = (key.curve.key_size + 7) // 8
        r, s = decode_dss_signature(key.sign(to_sign, ec.ECDSA(hash_algorithm)))
        signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return cbor.encode_tagged(18, [protected_bytes, unprotected, payload, signature])


@pytest.mark.parametrize(
    ("which", "alg", "hash_algorithm", "reason"),
    [
        ("p384", cose.ALG_ES256, hashes.SHA256(), "ES384"),  # a P-384 key named as ES256
        ("p256", cose.ALG_ES384, hashes.SHA384(), "ES256"),  # a P-256 key named as ES384
    ],
)
def test_an_algorithm_that_does_not_fit_the_certificates_key_is_refused(
    which: str,
    alg: int,
    hash_algorithm: hashes.HashAlgorithm,
    reason: str,
    claims: PermitClaims,
    pki: TestPki,
    signer_p384: Credential,
    trust_both: TrustList,
) -> None:
    signer = signer_p384 if which == "p384" else pki.signer
    payload = cbor.encode(claims_to_map(claims))
    message = _signed_with(payload, signer.private_key, {1: alg, 4: signer.kid}, {}, hash_algorithm)
    # The signature is genuine for that key and hash: only the algorithm rule refuses it.
    parsed = cose.parse_sign1(message)
    half = len(parsed.signature) // 2
    r, s = parsed.signature[:half], parsed.signature[half:]
    der = encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
    signer.private_key.public_key().verify(der, parsed.to_be_signed(), ec.ECDSA(hash_algorithm))
    with pytest.raises(BadSignature, match=reason):
        verify(encode_text(message), trust_both)


def test_a_trust_list_refuses_a_curve_other_than_p256_and_p384(pki: TestPki) -> None:
    p521 = issue_unit_signer(
        pki.governorate_ca,
        "C-ZTN",
        ["building_permit"],
        key=ec.generate_private_key(ec.SECP521R1()),
        now=pki.governorate_ca.certificate.not_valid_before_utc,
    )
    with pytest.raises(PkiError, match="P-256 or P-384"):
        TrustList.build([p521.certificate], sequence=1)


# --- the key id: protected only (docs/token-format.md §2.1) ---------------------------------


def test_a_kid_in_both_headers_the_protected_one_counts(claims: PermitClaims, pki: TestPki) -> None:
    other = pki.issue_signer("C-MAADI", ["shop_licence"])
    trust = pki.trust_list(pki.signer, other)
    payload = cbor.encode(claims_to_map(claims))
    message = _signed_with(payload, pki.signer.private_key, {1: -7, 4: pki.signer.kid}, {4: other.kid})
    verified = verify(encode_text(message), trust)
    assert verified.kid == pki.signer.kid
    assert verified.signer.unit_code == "C-ZTN"


def test_an_unprotected_kid_naming_the_real_signer_does_not_override_the_protected_one(
    claims: PermitClaims, pki: TestPki, trust: TrustList
) -> None:
    # Signed by the trusted key, but under the protected kid of a certificate not on the list:
    # had the unprotected kid counted, this would verify.
    stranger = pki.issue_signer()
    payload = cbor.encode(claims_to_map(claims))
    message = _signed_with(payload, pki.signer.private_key, {1: -7, 4: stranger.kid}, {4: pki.signer.kid})
    with pytest.raises(UnknownSigner, match=stranger.kid.hex()):
        verify(encode_text(message), trust)


def test_a_kid_only_in_the_unprotected_header_is_refused(claims: PermitClaims, pki: TestPki, trust: TrustList) -> None:
    payload = cbor.encode(claims_to_map(claims))
    message = _signed_with(payload, pki.signer.private_key, {1: -7}, {4: pki.signer.kid})
    # The signature is good (the general COSE verifier, told the key, accepts the message)...
    assert cose.verify(message, pki.signer.certificate) == payload
    # ...but a permit must name its certificate where the signature covers it.
    with pytest.raises(MalformedCbor, match="protected header"):
        verify(encode_text(message), trust)


def test_a_signature_cannot_be_moved_to_another_certificate_of_the_same_key(claims: PermitClaims, pki: TestPki) -> None:
    # One key certified twice for the unit: first for shop licences only, then (renewed with
    # the same key) for every kind. A building permit signed under the first certificate must
    # stay the first certificate's, which may not sign it, however its headers are edited.
    key = ec.generate_private_key(ec.SECP256R1())
    start = pki.governorate_ca.certificate.not_valid_before_utc
    ca = pki.governorate_ca
    shops = issue_unit_signer(ca, "C-ZTN", ["shop_licence"], key=key, now=start)
    renewed = issue_unit_signer(ca, "C-ZTN", ["building_permit"], key=key, now=start)
    trust = pki.trust_list(shops, renewed)
    payload = cbor.encode(claims_to_map(claims))
    signed = _signed_with(payload, key, {1: -7, 4: shops.kid}, {})
    with pytest.raises(SignerNotAllowed, match="kind"):
        verify(encode_text(signed), trust)
    protected, _, _, signature = cbor.decode(signed).value  # type: ignore[union-attr]
    relabelled = {
        # the protected kid changed: the signature covers it
        BadSignature: cbor.encode_tagged(18, [cbor.encode({1: -7, 4: renewed.kid}), {}, payload, signature]),
        # the renewed certificate's kid added unprotected: the protected one counts
        SignerNotAllowed: cbor.encode_tagged(18, [protected, {4: renewed.kid}, payload, signature]),
    }
    for error, message in relabelled.items():
        with pytest.raises(error):
            verify(encode_text(message), trust)
    # Signed with no kid at all, then given the renewed one unprotected: refused outright.
    bare = _signed_with(payload, key, {1: -7}, {})
    _, _, _, bare_signature = cbor.decode(bare).value  # type: ignore[union-attr]
    moved = cbor.encode_tagged(18, [cbor.encode({1: -7}), {4: renewed.kid}, payload, bare_signature])
    with pytest.raises(MalformedCbor, match="protected header"):
        verify(encode_text(moved), trust)
    # Signed under the renewed certificate, the same permit verifies.
    assert verify(encode_text(_signed_with(payload, key, {1: -7, 4: renewed.kid}, {})), trust)
