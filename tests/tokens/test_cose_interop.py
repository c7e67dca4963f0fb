"""localgov.tokens.cose against an independent implementation (python-cwt), both directions."""

from __future__ import annotations

from collections.abc import Callable

import cbor2
import cwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cwt import COSE, COSEKey

from localgov.testing.pki import TestPki
from localgov.tokens import BadSignature, MalformedCbor, cose
from localgov.tokens.token import decode_text

KEYS: dict[str, Callable[[], cose.PrivateKey]] = {
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
    "PS256": lambda: rsa.generate_private_key(65537, 2048),
}


@pytest.fixture(scope="module", params=sorted(KEYS))
def key_pair(request: pytest.FixtureRequest) -> tuple[str, cose.PrivateKey]:
    return request.param, KEYS[request.param]()


def _cwt_keys(alg: str, private: cose.PrivateKey) -> tuple[COSEKey, COSEKey]:
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return COSEKey.from_pem(pem, alg=alg, kid="k-1"), COSEKey.from_pem(public, alg=alg, kid="k-1")


def test_we_verify_what_python_cwt_signs(key_pair: tuple[str, cose.PrivateKey]) -> None:
    alg, private = key_pair
    signing_key, _ = _cwt_keys(alg, private)
    # python-cwt puts the kid in the unprotected header.
    message = COSE.new(alg_auto_inclusion=True, kid_auto_inclusion=True).encode_and_sign(
        b"payload from python-cwt", signing_key
    )
    assert cose.verify(message, private.public_key()) == b"payload from python-cwt"
    assert cose.parse_sign1(message).kid == b"k-1"


def test_python_cwt_verifies_what_we_sign(key_pair: tuple[str, cose.PrivateKey]) -> None:
    alg, private = key_pair
    _, verifying_key = _cwt_keys(alg, private)
    message = cose.sign(b"payload from localgov", private, kid=b"k-1")
    assert COSE.new().decode(message, verifying_key) == b"payload from localgov"


def test_python_cwt_verifies_a_localgov_token(token: str, pki: TestPki, claims: object) -> None:
    message = decode_text(token)
    verifying_key = COSEKey.from_pem(
        pki.signer.certificate.public_bytes(serialization.Encoding.PEM),
        alg="ES256",
        kid=pki.signer.kid,
    )
    payload = COSE.new().decode(message, verifying_key)
    decoded = cbor2.loads(payload)
    assert decoded[1] == "C-ZTN"
    # And its CWT layer reads the standard claims (iss, iat, exp) of the same bytes.
    claims_read = cwt.decode(message, verifying_key, no_verify=False)
    assert claims_read[1] == "C-ZTN" and claims_read[6] < claims_read[4]


def test_python_cwt_token_wrapped_in_tag_61_verifies(key_pair: tuple[str, cose.PrivateKey]) -> None:
    alg, private = key_pair
    signing_key, _ = _cwt_keys(alg, private)
    message = cwt.encode({1: "issuer", 7: b"id"}, signing_key, tagged=True)
    assert cbor2.loads(message).tag == 61
    assert cbor2.loads(cose.verify(message, private.public_key()))[1] == "issuer"


def test_untagged_and_certificate_keys(pki: TestPki) -> None:
    message = cose.sign(b"x", pki.signer.private_key, tagged=False)
    assert message[0] == 0x84
    assert cose.verify(message, pki.signer.certificate) == b"x"


def test_ed448_is_accepted() -> None:
    private = ed448.Ed448PrivateKey.generate()
    assert cose.verify(cose.sign(b"x", private), private.public_key()) == b"x"


def test_wrong_key_is_a_bad_signature(key_pair: tuple[str, cose.PrivateKey]) -> None:
    _, private = key_pair
    message = cose.sign(b"x", private)
    with pytest.raises(BadSignature):
        cose.verify(message, ec.generate_private_key(ec.SECP256R1()).public_key())


def _message(
    protected: dict[int, object], unprotected: dict[int, object], tag: int | None = 18
) -> bytes:
    body = [cbor2.dumps(protected), unprotected, b"payload", b"\x00" * 64]
    return cbor2.dumps(cbor2.CBORTag(tag, body) if tag is not None else body)


@pytest.mark.parametrize(
    ("message", "error", "reason"),
    [
        (_message({1: -7}, {1: -7}), MalformedCbor, "both protected"),
        (_message({1: -7, 2: [99]}, {}), MalformedCbor, "critical"),
        (_message({1: -7}, {}, tag=17), MalformedCbor, "not COSE_Sign1"),
        (cbor2.dumps(cbor2.CBORTag(61, [b"", {}, b"", b""])), MalformedCbor, "must wrap"),
        (cbor2.dumps([b"", {}, None, b""]), MalformedCbor, "detached"),
        (cbor2.dumps([b"", {}, b""]), MalformedCbor, "4 items"),
        (cbor2.dumps([b"\xa1\x01", {}, b"", b""]), MalformedCbor, "protected header"),
        (_message({1: -35}, {}), BadSignature, "not supported"),
        (_message({1: -7}, {}), BadSignature, "does not match"),
        (_message({1: -8}, {}), BadSignature, "Ed25519"),
    ],
)
def test_refusals(message: bytes, error: type[Exception], reason: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(error, match=reason):
        cose.verify(message, key)


def test_a_label_in_both_headers_is_refused_on_a_real_token(token: str) -> None:
    # A valid token with a misleading unprotected kid is refused (labels may not repeat).
    item = cbor2.loads(decode_text(token))
    protected, _, payload, signature = item.value
    forged = cbor2.dumps(cbor2.CBORTag(18, [protected, {4: b"\x00" * 8}, payload, signature]))
    with pytest.raises(MalformedCbor):
        cose.parse_sign1(forged)
