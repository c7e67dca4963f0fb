"""A strict, bounded CBOR (RFC 8949) decoder for untrusted bytes, and the encoder tokens use.

General-purpose decoders are the wrong tool for bytes read off a stranger's QR code: they
interpret dozens of semantic tags (regular expressions, MIME messages, dates), silently merge
duplicate map keys (a known type-confusion attack on COSE headers), and leave size and nesting
limits to their defaults. :func:`decode` accepts only what a COSE_Sign1 and a CWT need:

* integers, byte strings, text strings (valid UTF-8), arrays, maps, tags (returned as
  :class:`Tagged`, for the caller to accept or refuse), ``false``, ``true``, ``null`` and floats;
* definite lengths only, and never more items than there are bytes left (so a declared length
  cannot make it allocate);
* map keys that are integers, text or byte strings, each at most once;
* at most ``max_depth`` nested containers, and no trailing bytes.

Anything else raises :class:`CborError` (a ``ValueError``) naming the offset.

Two decoders stand behind :func:`decode`. The reference is the hand-written one at the end of
this module: it defines what is accepted and words every refusal, but costs about 10 µs for a
token's claims. So ``cbor2``'s compiled decoder goes first, with duplicate keys and indefinite
lengths refused, the nesting limit one level lower (it does not count empty containers), every
tag refused by a hook before ``cbor2`` interprets it (dates, bignums, regular expressions,
shared references: all of them, so its interpreters never see hostile bytes), and trailing
bytes detected (how is explained in ``_decode_compiled``). Its result can still hold what the
reference refuses (``undefined``, other simple values, boolean or array map keys), so
:func:`is_plain` walks it. Whatever that path does not accept, including every tag, is decoded
again by the reference, which returns or raises on its own terms: :func:`decode` returns and
raises exactly what the reference does (the tests compare the two on random and mutated
input). :func:`decode_and_read` leaves the walk to a schema check that looks at every value
anyway. Both decoders are bounded by the input: ``cbor2`` neither pre-allocates for a declared
length nor reads past the data.

Encoding uses ``cbor2`` in canonical mode (RFC 8949 §4.2.1 core deterministic encoding).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Iterable
from typing import NoReturn, TypeAlias, TypeVar, cast

import attrs
import cbor2

__all__ = [
    "KEY_TYPES",
    "CborError",
    "CborValue",
    "Tagged",
    "decode",
    "decode_and_read",
    "encode",
    "encode_tagged",
    "is_plain",
]

CborValue: TypeAlias = (
    "int | bytes | str | list[CborValue] | dict[int | str | bytes, CborValue] | bool | None | float | Tagged"
)

DEFAULT_MAX_DEPTH = 16
T = TypeVar("T")


class CborError(ValueError):
    """The bytes are not CBOR this decoder accepts; the message gives the offset and reason."""


@attrs.frozen
class Tagged:
    """A tagged data item (RFC 8949 §3.4); tokens only ever accept tags 18 and 61."""

    tag: int
    value: CborValue


def encode(value: object) -> bytes:
    """Deterministic CBOR encoding of ``value`` (ints, bytes, str, lists, dicts, bool, None)."""
    return cbor2.dumps(value, canonical=True)


def encode_tagged(tag: int, value: object) -> bytes:
    """Deterministic CBOR encoding of ``value`` under ``tag``."""
    return cbor2.dumps(cbor2.CBORTag(tag, value), canonical=True)


def decode(data: bytes, *, max_depth: int = DEFAULT_MAX_DEPTH) -> CborValue:
    """Decode exactly one data item filling all of ``data``; raise :class:`CborError` otherwise."""
    value = _decode_compiled(data, max_depth)
    if value is _NOT_DECODED or not is_plain(value):
        return _decode_by_hand(data, max_depth)
    return value  # type: ignore[return-value]


def decode_and_read(data: bytes, read: Callable[[CborValue], T], *, max_depth: int = DEFAULT_MAX_DEPTH) -> T:
    """``read(decode(data))``, but with ``read`` doing the last check instead of a second pass.

    ``read`` is a schema check that looks at every key and value of the maps it reads. It may
    be handed values :func:`decode` never returns (``cbor2``'s ``undefined`` and simple values,
    tuples or booleans as map keys) and must raise for them: it checks the type of every value
    and of every map key it uses, and hands whatever it does not read to :func:`is_plain`. When
    it raises, the bytes are decoded again by the reference decoder, so malformed CBOR is
    reported as a :class:`CborError`, as it is when decoding comes first.
    """
    value = _decode_compiled(data, max_depth)
    if value is _NOT_DECODED:
        return read(_decode_by_hand(data, max_depth))
    try:
        return read(value)  # type: ignore[arg-type]
    except Exception:
        _decode_by_hand(data, max_depth)
        raise


def is_plain(value: object) -> bool:
    """True if ``value`` holds only types :func:`decode` returns (untagged, keys of key types)."""
    # Containers of leaves (most maps in a token) are checked with one C-level pass each.
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        children: Iterable[object]
        if kind is dict:
            mapping = cast("dict[object, object]", item)
            if not KEY_TYPES.issuperset(map(type, mapping)):
                return False
            children = mapping.values()
        elif kind is list:
            children = cast("list[object]", item)
        elif kind in _LEAF_TYPES:
            continue
        else:
            return False
        if not _LEAF_TYPES.issuperset(map(type, children)):
            pending.extend(children)
    return True


#: The types of map keys :func:`decode` accepts (``bool`` is not one: ``True == 1`` in Python).
KEY_TYPES = frozenset((int, str, bytes))
_LEAF_TYPES = frozenset((int, bytes, str, bool, type(None), float))


class _NotDecoded:
    """The compiled decoder gave up; the reference decoder decides."""


_NOT_DECODED = _NotDecoded()
# Every tag cbor2 6.3 interprets itself (found by trying all tags below 100,000 and the large
# registered ones). Each is refused before its content is interpreted; tags it does not know go
# to the tag hook, refused too. A tag cbor2 learns later would produce a type is_plain refuses.
_CBOR2_SEMANTIC_TAGS = (
    0, 1, 2, 3, 4, 5, 25, 28, 29, 30, 35, 36, 37, 52, 54, 100, 256, 258, 260, 261, 1004, 43000,
    55799,
)  # fmt: skip


class _TagSeen(Exception):
    """A tag reached the compiled decoder; the reference decoder returns it as :class:`Tagged`."""


def _refuse_tag(*_: object) -> NoReturn:
    raise _TagSeen


_REFUSE_SEMANTICS = dict.fromkeys(_CBOR2_SEMANTIC_TAGS, _refuse_tag)


def _decode_compiled(data: bytes, max_depth: int) -> object:
    # cbor2 with every option that makes it strict: what it returns is what the reference
    # decoder returns for the same bytes, if it holds only plain types (is_plain).
    # cbor2 counts a container towards the depth only if it has items, so an empty one can sit
    # one level below its limit: ask for one level less and leave the deepest case to the
    # reference.
    if max_depth < 1:
        return _NOT_DECODED
    if _BREAK in data:
        return _decode_streamed(data, max_depth)
    # Trailing bytes: cbor2.loads reads one item and ignores what follows, and decoding from a
    # stream, whose final position would show them, costs a third more. So data goes inside an
    # indefinite-length array closed by a break byte (0xff), and loads must return exactly one
    # item. That closing byte is the only 0xff in the buffer: if anything in data takes it (a
    # truncated string as content, an indefinite-length item of data as its own end), the array
    # is left open and loads fails; otherwise it closes the array right after data's last
    # top-level item. So indefinite lengths in data are still refused, though loads allows them.
    try:
        items = cbor2.loads(
            b"".join((_INDEFINITE_ARRAY, data, _BREAK_BYTE)),
            semantic_decoders=_REFUSE_SEMANTICS,
            tag_hook=_refuse_tag,
            max_depth=max_depth,  # max_depth - 1, plus the level of the array
            allow_duplicate_keys=False,
        )
    except Exception:  # noqa: BLE001
        # Whatever made cbor2 stop (malformed input, a tag, an error it has not documented),
        # the reference decoder reads the same bytes and gives the one documented answer.
        return _NOT_DECODED
    if len(items) != 1:  # trailing items, or none at all
        return _NOT_DECODED
    return items[0]


_BREAK = 0xFF  # the "break" stop code that ends an indefinite-length item
_BREAK_BYTE = bytes((_BREAK,))
_INDEFINITE_ARRAY = b"\x9f"  # major type 4, additional information 31


def _decode_streamed(data: bytes, max_depth: int) -> object:
    # For data that holds a 0xff byte (a few tokens in a hundred, in a date or a figure): decoded
    # from a stream, whose final position shows trailing bytes.
    stream = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(
            stream,
            semantic_decoders=_REFUSE_SEMANTICS,
            tag_hook=_refuse_tag,
            max_depth=max_depth - 1,
            allow_indefinite=False,
            allow_duplicate_keys=False,
        ).decode()
    except Exception:  # noqa: BLE001
        return _NOT_DECODED  # as in _decode_compiled
    if stream.tell() != len(data):  # cbor2 leaves trailing bytes unread
        return _NOT_DECODED
    return value


def _decode_by_hand(data: bytes, max_depth: int) -> CborValue:
    decoder = _Decoder(data, max_depth)
    value = decoder.item(0)
    if decoder.offset != len(data):
        raise CborError(f"{len(data) - decoder.offset} trailing bytes at offset {decoder.offset}")
    return value


_FLOATS = {
    25: (2, struct.Struct(">e").unpack_from),
    26: (4, struct.Struct(">f").unpack_from),
    27: (8, struct.Struct(">d").unpack_from),
}
_ARGUMENT_SIZES = {24: 1, 25: 2, 26: 4, 27: 8}
_SIMPLE_VALUES: dict[int, CborValue] = {20: False, 21: True, 22: None}


class _Decoder:
    # One recursive method with locals instead of helpers: this runs for every QR code scanned,
    # and a call per data item was most of the cost.
    __slots__ = ("data", "length", "max_depth", "offset")

    def __init__(self, data: bytes, max_depth: int) -> None:
        self.data = data
        self.offset = 0
        self.max_depth = max_depth
        self.length = len(data)

    def item(self, depth: int) -> CborValue:
        data = self.data
        start = offset = self.offset
        if start >= self.length:
            raise CborError(f"unexpected end of data at offset {start}")
        initial = data[start]
        offset += 1
        if initial < 0x18:  # the most common item in a token: a small map key
            self.offset = offset
            return initial
        major = initial >> 5
        argument = initial & 0x1F
        if argument >= 24:
            if major == 7:
                return self._float(argument, start)
            size = _ARGUMENT_SIZES.get(argument)
            if size is None:
                if argument == 31:
                    raise CborError(f"indefinite length at offset {start} is not accepted")
                raise CborError(f"reserved additional information {argument} at offset {start}")
            if offset + size > self.length:
                raise CborError(f"truncated argument at offset {start}")
            argument = int.from_bytes(data[offset : offset + size], "big")
            offset += size
        self.offset = offset
        if major == 0:
            return argument
        if major == 1:
            return -1 - argument
        if major == 2 or major == 3:
            end = offset + argument
            if end > self.length:
                raise CborError(f"string of {argument} bytes at offset {start} runs past the end")
            self.offset = end
            if major == 2:
                return data[offset:end]
            try:
                return data[offset:end].decode("utf-8")
            except UnicodeDecodeError:
                raise CborError(f"text string at offset {start} is not valid UTF-8") from None
        if major == 7:
            if argument in _SIMPLE_VALUES:
                return _SIMPLE_VALUES[argument]
            raise CborError(f"simple value {argument} at offset {start} is not accepted")
        if depth >= self.max_depth:
            raise CborError(f"nesting deeper than {self.max_depth} at offset {start}")
        depth += 1
        item = self.item
        if major == 4:
            if argument > self.length - offset:
                raise CborError(f"array of {argument} items at offset {start} runs past the end")
            return [item(depth) for _ in range(argument)]
        if major == 5:
            if 2 * argument > self.length - offset:
                raise CborError(f"map of {argument} pairs at offset {start} runs past the end")
            result: dict[int | str | bytes, CborValue] = {}
            for _ in range(argument):
                key_offset = self.offset
                key = item(depth)
                if key.__class__ not in KEY_TYPES:
                    raise CborError(f"map key at offset {key_offset} is not an integer or string")
                if key in result:
                    raise CborError(f"duplicate map key {key!r} at offset {key_offset}")
                result[key] = item(depth)  # type: ignore[index]
            return result
        return Tagged(argument, item(depth))  # major 6

    def _float(self, argument: int, start: int) -> float:
        if argument not in _FLOATS:
            raise CborError(f"simple value with additional information {argument} at offset {start}")
        size, unpack = _FLOATS[argument]
        offset = start + 1
        if offset + size > self.length:
            raise CborError(f"truncated float at offset {start}")
        self.offset = offset + size
        return float(unpack(self.data, offset)[0])
