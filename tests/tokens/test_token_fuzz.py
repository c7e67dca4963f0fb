"""Hostile input: whatever arrives, verify() raises one documented TokenError or verifies."""

from __future__ import annotations

import zlib
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.testing.pki import TestPki
from localgov.tokens import (
    TOKEN_ERRORS,
    BadSignature,
    MalformedCbor,
    TokenError,
    TrustList,
    cbor,
    cose,
    verify,
)
from localgov.tokens.base45 import ALPHABET, b45encode
from localgov.tokens.cwt import claims_to_map
from localgov.tokens.token import decode_text, encode_text

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _refused(text: str, trust: TrustList) -> TokenError:
    with pytest.raises(TokenError) as raised:
        verify(text, trust)
    assert type(raised.value) in TOKEN_ERRORS
    return raised.value


@FUZZ
@given(st.text(max_size=500))
def test_any_text(trust: TrustList, text: str) -> None:
    _refused(text, trust)


@FUZZ
@given(st.text(alphabet=ALPHABET, max_size=600))
def test_any_base45_after_the_prefix(trust: TrustList, body: str) -> None:
    _refused("LG1:" + body, trust)


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_after_the_prefix(trust: TrustList, data: bytes) -> None:
    _refused(encode_text(data, compress=False), trust)
    _refused(encode_text(data, compress=True), trust)


def test_every_truncation_is_refused(token: str, trust: TrustList) -> None:
    for end in range(len(token)):
        _refused(token[:end], trust)


def test_every_single_bit_flip_of_the_message_is_refused(token: str, trust: TrustList) -> None:
    message = decode_text(token)
    reasons = set()
    for bit in range(len(message) * 8):
        flipped = bytearray(message)
        flipped[bit // 8] ^= 1 << (bit % 8)
        reasons.add(type(_refused(encode_text(bytes(flipped), compress=False), trust)))
    # Flips in the signed parts fail the signature; flips in the framing fail parsing.
    assert BadSignature in reasons and MalformedCbor in reasons


@FUZZ
@given(st.data())
def test_character_substitutions_are_refused(token: str, trust: TrustList, data: st.DataObject) -> None:
    position = data.draw(st.integers(4, len(token) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != token[position]))
    _refused(token[:position] + replacement + token[position + 1 :], trust)


cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**64), 2**64 - 1) | st.binary(max_size=20) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.integers(-70000, 10) | st.text(max_size=3), children, max_size=5)
    ),
    max_leaves=20,
)


@FUZZ
@given(cbor_values)
def test_signed_payloads_of_wrong_shape_are_malformed(pki: TestPki, trust: TrustList, value: object) -> None:
    message = cose.sign(cbor.encode(value), pki.signer.private_key, kid=pki.signer.kid)
    error = _refused(encode_text(message), trust)
    assert isinstance(error, MalformedCbor)


@FUZZ
@given(st.sampled_from([1, 4, 5, 6, -65537]), cbor_values)
def test_wrong_types_in_claims(pki: TestPki, trust: TrustList, claims: object, key: int, value: object) -> None:
    claims_map = claims_to_map(claims)  # type: ignore[arg-type]
    claims_map[key] = value
    message = cose.sign(cbor.encode(claims_map), pki.signer.private_key, kid=pki.signer.kid)
    try:
        verify(encode_text(message), trust)
    except TokenError as error:
        assert type(error) in TOKEN_ERRORS


def _signed_raw_payload(payload: bytes, pki: TestPki) -> str:
    return encode_text(cose.sign(payload, pki.signer.private_key, kid=pki.signer.kid), compress=True)


def test_duplicate_keys_in_the_payload(pki: TestPki, trust: TrustList) -> None:
    # {1: "C-ZTN", 1: "C-MAADI"}: a decoder that keeps the last would read another issuer.
    payload = b"\xa2\x01\x65C-ZTN\x01\x67C-MAADI"
    assert isinstance(_refused(_signed_raw_payload(payload, pki), trust), MalformedCbor)


def test_duplicate_keys_in_the_protected_header(token: str, pki: TestPki, trust: TrustList) -> None:
    message = cose.parse_sign1(decode_text(token))
    protected = b"\xa3\x01\x26\x04\x48" + pki.signer.kid + b"\x01\x27"
    forged = cbor.encode_tagged(18, [protected, {}, message.payload, message.signature])
    assert isinstance(_refused(encode_text(forged), trust), MalformedCbor)


def test_deeply_nested_and_oversized_payloads(pki: TestPki, trust: TrustList) -> None:
    deep = b"\x81" * 5000 + b"\x00"
    assert isinstance(_refused(_signed_raw_payload(deep, pki), trust), MalformedCbor)
    oversized = cbor.encode({1: "x" * 7000})
    _refused(_signed_raw_payload(oversized, pki), trust)
    huge_length = b"\xa1\x01\x7b\x00\x00\x00\x00\xff\xff\xff\xff"
    assert isinstance(_refused(_signed_raw_payload(huge_length, pki), trust), MalformedCbor)


def test_zlib_bomb_is_bounded(trust: TrustList) -> None:
    bomb = zlib.compress(b"\x00" * 50_000_000, 9)
    assert len(bomb) < 60_000
    text = "LG1:" + b45encode(bomb[:2800])
    _refused(text, trust)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda m: m.update({7: cbor2.undefined}), "simple value 23"),
        (lambda m: m.update({7: [1, {2: cbor2.CBORSimpleValue(16)}]}), "simple value 16"),
        (lambda m: m.update({True: m.pop(1)}), "not an integer or string"),
        (lambda m: m[-65537].update({True: m[-65537].pop(1)}), "not an integer or string"),
        (lambda m: m[-65537].update({3: cbor2.undefined}), "simple value 23"),
        (lambda m: m[-65537][6].update({1: cbor2.CBORSimpleValue(0)}), "simple value 0"),
    ],
)
def test_values_only_cbor2_returns_are_refused_as_malformed(
    pki: TestPki, trust: TrustList, claims: object, change: Any, reason: str
) -> None:
    # cbor2 decodes these to undefined, simple values or boolean keys (True == 1 in Python);
    # the claims reader must refuse them exactly as the reference decoder does.
    claims_map = claims_to_map(claims)  # type: ignore[arg-type]
    change(claims_map)
    error = _refused(_signed_raw_payload(cbor2.dumps(claims_map), pki), trust)
    assert isinstance(error, MalformedCbor) and reason in str(error)
