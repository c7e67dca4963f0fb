"""localgov.tokens.cose against an independent implementation (pycose), both directions.

pycose 1.1.0's ``CoseMessage.decode`` expects cbor2 to return a tagged array as a ``list``;
cbor2 6 returns the contents of a tag immutable (a ``tuple``), so the call fails with "Bytes
cannot be decoded as COSE message" (pycose issue #141). Where pycose reads a message, these
tests therefore take the array out of its tag with cbor2 and hand it to
``Sign1Message.from_cose_obj``: pycose still parses the headers, builds the Sig_structure and
checks the signature itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from hypothesis import given
from hypothesis import strategies as st
from pycose.algorithms import EdDSA, Es256, Es384, Ps256
from pycose.headers import KID, Algorithm
from pycose.keys import CoseKey
from pycose.messages import Sign1Message

from localgov.pki import Credential, load_certificate
from localgov.testing.pki import TestPki
from localgov.tokens import BadSignature, MalformedCbor, PermitClaims, cose, issue
from localgov.tokens.token import decode_text

KEYS: dict[str, Callable[[], cose.PrivateKey]] = {
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ES384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
    "PS256": lambda: rsa.generate_private_key(65537, 2048),
}
PYCOSE_ALGORITHMS: dict[str, Any] = {"ES256": Es256, "ES384": Es384, "EdDSA": EdDSA, "PS256": Ps256}
VECTORS = Path(__file__).resolve().parents[1] / "vectors"


@pytest.fixture(scope="module", params=sorted(KEYS))
def key_pair(request: pytest.FixtureRequest) -> tuple[str, cose.PrivateKey]:
    return request.param, KEYS[request.param]()


def _pycose_private(private: cose.PrivateKey) -> CoseKey:
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return CoseKey.from_pem_private_key(pem.decode())


def _pycose_public(public: object) -> CoseKey:
    pem = public.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return CoseKey.from_pem_public_key(pem.decode())


def _pycose_signed(alg: str, private: cose.PrivateKey, payload: bytes, *, kid_protected: bool) -> Sign1Message:
    algorithm = PYCOSE_ALGORITHMS[alg]
    if kid_protected:
        message = Sign1Message(phdr={Algorithm: algorithm, KID: b"k-1"}, payload=payload)
    else:
        message = Sign1Message(phdr={Algorithm: algorithm}, uhdr={KID: b"k-1"}, payload=payload)
    message.key = _pycose_private(private)
    return message


def _pycose_read(data: bytes) -> Sign1Message:
    # See the module docstring: pycose's own decode() fails on cbor2 6's tuples.
    item = cbor2.loads(data)
    if isinstance(item, cbor2.CBORTag):
        assert item.tag == 18
        item = item.value
    protected, unprotected, payload, signature = item
    message = Sign1Message.from_cose_obj(
        [protected, dict(unprotected), payload, signature], allow_unknown_attributes=True
    )
    assert isinstance(message, Sign1Message)
    return message


@pytest.mark.parametrize("form", ["tag 18", "tag 61 around tag 18", "untagged"])
@pytest.mark.parametrize("kid_protected", [True, False], ids=["kid protected", "kid unprotected"])
def test_we_verify_what_pycose_signs(key_pair: tuple[str, cose.PrivateKey], form: str, kid_protected: bool) -> None:
    alg, private = key_pair
    signed = _pycose_signed(alg, private, b"payload from pycose", kid_protected=kid_protected)
    if form == "untagged":
        message = signed.encode(tag=False)
        assert message[0] == 0x84
    else:
        message = signed.encode(tag=True)
        assert message[0] == 0xD2
        if form == "tag 61 around tag 18":
            message = cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(message)))
            assert message[:3] == b"\xd8\x3d\xd2"
    assert cose.verify(message, private.public_key()) == b"payload from pycose"
    parsed = cose.parse_sign1(message)
    assert parsed.kid == b"k-1"
    assert (cose.HEADER_KID in parsed.protected) is kid_protected


def test_a_pycose_message_signed_by_another_key_is_refused(
    key_pair: tuple[str, cose.PrivateKey],
) -> None:
    alg, private = key_pair
    message = _pycose_signed(alg, private, b"x", kid_protected=True).encode()
    other = KEYS[alg]()
    with pytest.raises(BadSignature):
        cose.verify(message, other.public_key())


def test_pycose_verifies_what_we_sign(key_pair: tuple[str, cose.PrivateKey]) -> None:
    _, private = key_pair
    for tagged in (True, False):
        message = _pycose_read(cose.sign(b"payload from localgov", private, kid=b"k-1", tagged=tagged))
        message.key = _pycose_public(private.public_key())
        assert message.verify_signature()
        assert message.payload == b"payload from localgov"
        assert message.phdr[KID] == b"k-1"


def test_pycose_verifies_a_localgov_token(token: str, pki: TestPki) -> None:
    message = _pycose_read(decode_text(token))
    message.key = _pycose_public(pki.signer.certificate.public_key())
    assert message.verify_signature()
    assert message.phdr[Algorithm] is Es256
    assert message.phdr[KID] == pki.signer.kid
    # Its payload is a plain CWT claims map: iss, iat, exp as RFC 8392 numbers them.
    claims = cbor2.loads(message.payload)
    assert claims[1] == "C-ZTN" and claims[6] < claims[4]


def test_pycose_verifies_an_es384_localgov_token(claims: PermitClaims, signer_p384: Credential) -> None:
    message = _pycose_read(decode_text(issue(claims, signer_p384)))
    message.key = _pycose_public(signer_p384.certificate.public_key())
    assert message.verify_signature()
    assert message.phdr[Algorithm] is Es384
    assert message.phdr[KID] == signer_p384.kid
    assert cbor2.loads(message.payload)[1] == "C-ZTN"


@pytest.mark.parametrize(
    ("vector", "verifies"),
    [("valid-es384", True), ("bad-signature-es384-flipped-bit", False)],
)
def test_pycose_agrees_with_the_published_es384_vectors(vector: str, verifies: bool) -> None:
    # The published bytes, not ones made in this run: another implementation reads the same.
    data = json.loads((VECTORS / "vectors" / f"{vector}.json").read_text(encoding="utf-8"))
    message = _pycose_read(bytes.fromhex(data["cose_hex"]))
    certificate = load_certificate(VECTORS / "keys" / "signer-c-ztn-p384.pem")
    message.key = _pycose_public(certificate.public_key())
    assert message.phdr[Algorithm] is Es384
    assert message.verify_signature() is verifies


def test_pycose_refuses_a_token_with_one_bit_changed(token: str, pki: TestPki) -> None:
    data = bytearray(decode_text(token))
    data[40] ^= 0x01  # inside the payload
    message = _pycose_read(bytes(data))
    message.key = _pycose_public(pki.signer.certificate.public_key())
    assert not message.verify_signature()


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


@pytest.mark.parametrize(
    ("alg", "curve", "reason"),
    [
        (cose.ALG_ES256, ec.SECP384R1(), "ES256 needs a P-256 key"),
        (cose.ALG_ES384, ec.SECP256R1(), "ES384 needs a P-384 key"),
        (cose.ALG_ES384, ec.SECP521R1(), "ES384 needs a P-384 key"),
    ],
)
def test_each_ecdsa_algorithm_takes_its_own_curve(alg: int, curve: ec.EllipticCurve, reason: str) -> None:
    # A signature made with the message's own hash and key, so only the pairing refuses it.
    private = ec.generate_private_key(curve)
    protected = cbor2.dumps({1: alg})
    to_sign = cose.signed_bytes(protected, b"x")
    hash_algorithm = hashes.SHA256() if alg == cose.ALG_ES256 else hashes.SHA384()
    r, s = decode_dss_signature(private.sign(to_sign, ec.ECDSA(hash_algorithm)))
    size = (curve.key_size + 7) // 8
    message = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, b"x", r.to_bytes(size, "big") + s.to_bytes(size, "big")]))
    with pytest.raises(BadSignature, match=reason):
        cose.verify(message, private.public_key())


def test_es384_signatures_of_another_length_are_refused() -> None:
    private = ec.generate_private_key(ec.SECP384R1())
    item = cbor2.loads(cose.sign(b"x", private)).value
    for signature in (item[3][:64], item[3] + b"\x00"):
        message = cbor2.dumps(cbor2.CBORTag(18, [item[0], item[1], item[2], signature]))
        with pytest.raises(BadSignature, match="expected 96"):
            cose.verify(message, private.public_key())


def test_signing_refuses_other_ecdsa_curves() -> None:
    with pytest.raises(ValueError, match="P-256 .* or P-384"):
        cose.sign(b"x", ec.generate_private_key(ec.SECP521R1()))


def _message(protected: dict[int, object], unprotected: dict[int, object], tag: int | None = 18) -> bytes:
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
        (_message({1: -36}, {}), BadSignature, "not supported"),  # ES512
        (_message({1: -35}, {}), BadSignature, "P-384"),
        (_message({1: -7, 4: b"k"}, {1: -7, 4: b"k"}), MalformedCbor, r"\[.1.\] are both"),
        (_message({1: -7}, {}), BadSignature, "does not match"),
        (_message({1: -8}, {}), BadSignature, "Ed25519"),
    ],
)
def test_refusals(message: bytes, error: type[Exception], reason: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(error, match=reason):
        cose.verify(message, key)


def test_a_kid_in_both_headers_reads_as_the_protected_one(token: str, pki: TestPki) -> None:
    # RFC 9052 §3: the protected value counts; the unprotected copy changes nothing.
    item = cbor2.loads(decode_text(token))
    protected, _, payload, signature = item.value
    forged = cbor2.dumps(cbor2.CBORTag(18, [protected, {4: b"\x00" * 8}, payload, signature]))
    parsed = cose.parse_sign1(forged)
    assert parsed.kid == parsed.protected_kid == pki.signer.kid
    assert parsed.unprotected == {4: b"\x00" * 8}
    assert cose.verify(forged, pki.signer.certificate) == payload


def test_pycose_with_a_kid_in_both_headers_reads_as_the_protected_one(
    key_pair: tuple[str, cose.PrivateKey],
) -> None:
    alg, private = key_pair
    message = Sign1Message(
        phdr={Algorithm: PYCOSE_ALGORITHMS[alg], KID: b"protected"},
        uhdr={KID: b"unprotected"},
        payload=b"both",
    )
    message.key = _pycose_private(private)
    parsed = cose.parse_sign1(message.encode())
    assert parsed.kid == parsed.protected_kid == b"protected"
    assert cose.verify(message.encode(), private.public_key()) == b"both"


def test_an_unprotected_only_kid_is_a_kid_but_not_a_protected_one() -> None:
    message = _message({1: -7}, {4: b"k-1"})
    parsed = cose.parse_sign1(message)
    assert parsed.kid == b"k-1"
    assert parsed.protected_kid is None


# r || s with the byte patterns the DER conversion treats apart: leading zero bytes (dropped),
# a set high bit (a zero byte in front), zero itself (one zero byte).
_INTEGER_HALVES = st.binary(min_size=32, max_size=32) | st.sampled_from(
    [bytes(32), b"\x00" * 31 + b"\x01", b"\x00\x80" + bytes(30), b"\x80" + bytes(31), b"\xff" * 32]
)


@given(_INTEGER_HALVES, _INTEGER_HALVES)
def test_der_signature_is_what_cryptography_encodes(r: bytes, s: bytes) -> None:
    expected = encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
    assert cose._der_signature(r + s) == expected


_P384_HALVES = st.binary(min_size=48, max_size=48) | st.sampled_from(
    [bytes(48), b"\x00" * 47 + b"\x01", b"\x00\x80" + bytes(46), b"\x80" + bytes(47), b"\xff" * 48]
)


@given(_P384_HALVES, _P384_HALVES)
def test_es384_der_conversion_is_what_cryptography_encodes(r: bytes, s: bytes) -> None:
    # verify_es384 builds the DER ECDSA-Sig-Value with the general helpers; at 48-byte halves
    # the SEQUENCE reaches 102 bytes, still the short length form.
    expected = encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
    assert cose._der_sequence(cose._der_integer(r), cose._der_integer(s)) == expected


@pytest.mark.parametrize("length", [0, 1, 23, 24, 25, 200, 255, 256, 257, 300, 70000])
def test_the_usual_shape_reads_as_the_general_parser_does(pki: TestPki, length: int) -> None:
    payload = (bytes(range(256)) * 300)[:length]
    message = cose.sign(payload, pki.signer.private_key, kid=pki.signer.kid)
    parts = cose.parse_common_es256(message)
    if length >= 0x10000:  # a four-byte length: only the general parser reads it
        assert parts is None
        return
    parsed = cose.parse_sign1(message)
    assert parts == (
        parsed.kid,
        parsed.alg,
        cose.signed_bytes(parsed.protected_bytes, payload),
        parsed.signature,
        payload,
    )


def test_other_shapes_are_left_to_the_general_parser(pki: TestPki) -> None:
    key = pki.signer.private_key
    usual = cose.sign(b"12345", key, kid=pki.signer.kid)
    assert cose.parse_common_es256(usual) is not None
    item = cbor2.loads(usual).value
    others = [
        cose.sign(b"12345", key, kid=pki.signer.kid, tagged=False),  # untagged
        cose.sign(b"12345", key),  # no kid
        cose.sign(b"12345", key, kid=b"short"),  # a kid of another length
        usual.replace(b"\x4512345", b"\x58\x0512345"),  # a longer length than needed
        cbor2.dumps(cbor2.CBORTag(18, [item[0], {5: b"iv"}, item[2], item[3]])),
        cbor2.dumps(cbor2.CBORTag(18, [item[0], {}, item[2], item[3] + b"\x00"])),
        usual + b"\x00",  # trailing byte
        usual[:-1],  # truncated
    ]
    for message in others:
        assert cose.parse_common_es256(message) is None
