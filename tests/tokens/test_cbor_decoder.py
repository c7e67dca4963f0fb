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


# The compiled path (cbor2 with strict options) must never accept what the hand-written
# reference decoder refuses, nor return a different value: these compare the two directly.
from localgov.tokens.cbor import (
    _CBOR2_SEMANTIC_TAGS,
    _NOT_DECODED,
    _decode_by_hand,
    _decode_compiled,
    decode_and_read,
    is_plain,
)


def _compiled_agrees_with_reference(data: bytes, max_depth: int = 16) -> None:
    value = _decode_compiled(data, max_depth)
    if value is _NOT_DECODED or not is_plain(value):
        return
    # repr, not ==: NaN differs from itself, and repr also tells 1 from True and dict order.
    assert repr(_decode_by_hand(data, max_depth)) == repr(value)


mutations = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=3)


@given(cbor_values | st.floats(), mutations, st.binary(max_size=3), st.integers(0, 6))
def test_compiled_decoding_agrees_with_the_reference(
    value: object, changes: list[tuple[int, int]], tail: bytes, max_depth: int
) -> None:
    data = bytearray(cbor2.dumps(value))
    for position, byte in changes:
        data[position % len(data)] = byte
    for candidate in (bytes(data), bytes(data) + tail, bytes(data[: len(data) // 2])):
        _compiled_agrees_with_reference(candidate)
        _compiled_agrees_with_reference(candidate, max_depth)


@given(st.binary(max_size=60))
def test_compiled_decoding_agrees_on_random_bytes(data: bytes) -> None:
    _compiled_agrees_with_reference(data)


@pytest.mark.parametrize("max_depth", [0, 1, 2, 16])
@pytest.mark.parametrize("head", [b"\x81", b"\xa1\x00", b"\xd2"])
@pytest.mark.parametrize("leaf", [b"\x00", b"\x80", b"\xa0"])
def test_depth_limit_is_the_same_on_both_paths(max_depth: int, head: bytes, leaf: bytes) -> None:
    for levels in range(max_depth + 3):
        data = head * levels + leaf
        try:
            expected: object = repr(_decode_by_hand(data, max_depth))
        except CborError:
            expected = CborError
        try:
            actual: object = repr(decode(data, max_depth=max_depth))
        except CborError:
            actual = CborError
        assert actual == expected
        _compiled_agrees_with_reference(data, max_depth)


@pytest.mark.parametrize("tag", [*_CBOR2_SEMANTIC_TAGS, 18, 61, 24, 2**32])
def test_tags_are_returned_as_tagged_never_interpreted(tag: int) -> None:
    # cbor2 would turn these into dates, big integers, regular expressions, sets...
    for content in (0, "a", b"\x01\x02", [1, 2], {1: 2}):
        data = cbor2.dumps(cbor2.CBORTag(tag, content))
        assert decode(data) == Tagged(tag, content)


@pytest.mark.parametrize(
    ("data", "tag"),
    [
        ("c11b7fffffffffffffff", 1),  # epoch date far beyond datetime
        ("c5821b7fffffffffff000001", 5),  # bigfloat with a huge exponent
        ("d8236161", 35),  # regular expression
        ("d81d00", 29),  # shared reference to nothing
    ],
)
def test_hostile_tags_do_not_reach_cbor2s_interpreters(data: str, tag: int) -> None:
    value = decode(bytes.fromhex(data))
    assert isinstance(value, Tagged) and value.tag == tag


def test_self_described_undefined_is_refused() -> None:
    with pytest.raises(CborError, match="simple value 23"):
        decode(bytes.fromhex("d9d9f7f7"))


def test_decode_and_read_reports_malformed_cbor_before_the_readers_refusal() -> None:
    def read(value: object) -> object:
        if not isinstance(value, dict) or not all(type(v) is int for v in value.values()):
            raise LookupError("schema")
        return value

    assert decode_and_read(bytes.fromhex("a10102"), read) == {1: 2}
    # undefined (f7) reaches the reader from cbor2; the reference then names the real fault.
    with pytest.raises(CborError, match="simple value 23"):
        decode_and_read(bytes.fromhex("a101f7"), read)
    with pytest.raises(LookupError):
        decode_and_read(bytes.fromhex("a1016161"), read)
    with pytest.raises(CborError, match="trailing"):
        decode_and_read(bytes.fromhex("a1010200"), read)


# Data without a 0xff byte is decoded by cbor2.loads inside an indefinite-length array closed
# by 0xff (see _decode_compiled); data with one, from a stream. Both must keep every refusal.
@pytest.mark.parametrize(
    "data",
    [
        "0102",  # two items: trailing bytes
        "a1010241",  # a map, then a byte string's head without its byte
        "a10102a0",  # a map, then an empty map
        "9f01",  # an indefinite-length array: it would end at the closing break
        "bf0102",  # an indefinite-length map
        "5f4101",  # an indefinite-length byte string
        "7f6161",  # an indefinite-length text string
        "81",  # an array without its item
        "5b0000000100000000",  # a byte string of 4 GiB: refused, nothing allocated
        "7b0000000100000000",
        "9b0000000100000000",
        "bb0000000100000000",
        "",
    ],
)
def test_what_loads_inside_the_array_would_accept_is_still_refused(data: str) -> None:
    raw = bytes.fromhex(data)
    assert 0xFF not in raw
    assert _decode_compiled(raw, 16) is _NOT_DECODED
    with pytest.raises(CborError):
        decode(raw)


@pytest.mark.parametrize(
    ("data", "value"),
    [
        ("18ff", 255),  # the byte 0xff as an argument: decoded from a stream
        ("a1011a00ff0000", {1: 0xFF0000}),
        ("41ff", b"\xff"),
        ("9f01ff", CborError),  # indefinite length, closed by its own break
        ("18ff00", CborError),  # a trailing byte after an item holding 0xff
    ],
)
def test_data_holding_0xff_takes_the_stream(data: str, value: object) -> None:
    raw = bytes.fromhex(data)
    if value is CborError:
        assert _decode_compiled(raw, 16) is _NOT_DECODED
        with pytest.raises(CborError):
            decode(raw)
    else:
        assert _decode_compiled(raw, 16) == value
        assert decode(raw) == value


@given(cbor_values, st.binary(max_size=4), st.integers(0, 6))
def test_compiled_decoding_agrees_without_0xff(value: object, tail: bytes, max_depth: int) -> None:
    data = cbor2.dumps(value).replace(b"\xff", b"\xfe")
    tail = tail.replace(b"\xff", b"\xfe")
    for candidate in (data, data + tail, data[: len(data) // 2]):
        _compiled_agrees_with_reference(candidate)
        _compiled_agrees_with_reference(candidate, max_depth)


def _nesting(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_nesting, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_nesting, value), default=0)
    return 0


@given(cbor_values)
def test_the_array_path_accepts_what_the_reference_returns(value: object) -> None:
    # Not only safe but used: plain values without a 0xff byte decode on the compiled path
    # (short of the deepest level, which it leaves to the reference).
    data = encode(value)
    if 0xFF in data or _nesting(value) >= 15:
        return
    assert repr(_decode_compiled(data, 16)) == repr(_decode_by_hand(data, 16))
