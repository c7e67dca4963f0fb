from __future__ import annotations

import math

import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localgov.tokens.cbor import CborError, Tagged, decode, encode

cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64 - 1)
    | st.binary(max_size=40)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.integers(-100, 100) | st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=25,
)


@given(cbor_values)
def test_decodes_what_cbor2_encodes(value: object) -> None:
    assert decode(encode(value)) == value
    assert decode(cbor2.dumps(value)) == value


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("00", 0),
        ("17", 23),
        ("1818", 24),
        ("1b000000e8d4a51000", 1000000000000),
        ("3903e7", -1000),
        ("3bffffffffffffffff", -(2**64)),
        ("4401020304", b"\x01\x02\x03\x04"),
        ("62c3bc", "\u00fc"),
        ("f4", False),
        ("f5", True),
        ("f6", None),
        ("f93c00", 1.0),
        ("fa47c35000", 100000.0),
        ("fb3ff199999999999a", 1.1),
        ("a201020304", {1: 2, 3: 4}),
        ("d2820102", Tagged(18, [1, 2])),
    ],
)
def test_rfc_8949_appendix_a_examples(data: str, expected: object) -> None:
    assert decode(bytes.fromhex(data)) == expected


def test_nan_decodes() -> None:
    value = decode(bytes.fromhex("f97e00"))
    assert isinstance(value, float) and math.isnan(value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("a1010102", "1 trailing bytes at offset 3"),
        ("824100", "end of data at offset 3"),
        ("a2010102", "map of 2 pairs at offset 0 runs past the end"),
        ("a201010102", "duplicate map key 1"),
        ("a2616101616102", "duplicate map key 'a'"),
        ("5f41ff", "indefinite"),
        ("9f01ff", "indefinite"),
        ("1c", "reserved"),
        ("f7", "simple value 23"),
        ("f0", "simple value 16"),
        ("f820", "simple value"),
        ("0001", "trailing"),
        ("5bffffffffffffffff", "runs past the end"),
        ("9bffffffffffffffff", "runs past the end"),
        ("bbffffffffffffffff", "runs past the end"),
        ("62c328", "UTF-8"),
        ("a1800000", "not an integer or string"),
        ("a1f500", "not an integer or string"),
        ("19ff", "truncated argument"),
        ("fa0000", "truncated float"),
        ("", "end of data"),
    ],
)
def test_refusals(data: str, reason: str) -> None:
    with pytest.raises(CborError, match=reason):
        decode(bytes.fromhex(data))


def test_nesting_is_bounded() -> None:
    deep = b"\x81" * 17 + b"\x00"
    with pytest.raises(CborError, match="nesting deeper than 16"):
        decode(deep)
    assert decode(b"\x81" * 16 + b"\x00", max_depth=16) is not None
    with pytest.raises(CborError, match="nesting"):
        decode(b"\x81" * 100_000 + b"\x00")
    with pytest.raises(CborError, match="nesting"):
        decode(b"\xd2" * 100_000 + b"\x00")


@given(st.binary(max_size=300))
def test_random_bytes_decode_or_raise_cbor_error(data: bytes) -> None:
    try:
        decode(data)
    except CborError:
        pass
