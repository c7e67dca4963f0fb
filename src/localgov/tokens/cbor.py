"""A strict, bounded CBOR (RFC 8949) decoder for untrusted bytes, and the encoder tokens use.

General-purpose decoders are the wrong tool for bytes read off a stranger's QR code: they
interpret dozens of semantic tags (regular expressions, MIME messages, dates), silently merge
duplicate map keys (a known type-confusion attack on COSE headers), and leave size and nesting
limits to their defaults. This decoder accepts only what a COSE_Sign1 and a CWT need:

* integers, byte strings, text strings (valid UTF-8), arrays, maps, tags (returned as
  :class:`Tagged`, for the caller to accept or refuse), ``false``, ``true``, ``null`` and floats;
* definite lengths only, and never more items than there are bytes left (so a declared length
  cannot make it allocate);
* map keys that are integers, text or byte strings, each at most once;
* at most ``max_depth`` nested containers, and no trailing bytes.

Anything else raises :class:`CborError` (a ``ValueError``) naming the offset. Encoding uses
``cbor2`` in canonical mode (RFC 8949 §4.2.1 core deterministic encoding).
"""

from __future__ import annotations

import struct
from typing import TypeAlias

import attrs
import cbor2

__all__ = ["CborError", "CborValue", "Tagged", "decode", "encode", "encode_tagged"]

CborValue: TypeAlias = (
    "int | bytes | str | list[CborValue] | dict[int | str | bytes, CborValue] | bool | None"
    " | float | Tagged"
)

DEFAULT_MAX_DEPTH = 16


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
                if key.__class__ not in _KEY_TYPES:
                    raise CborError(f"map key at offset {key_offset} is not an integer or string")
                if key in result:
                    raise CborError(f"duplicate map key {key!r} at offset {key_offset}")
                result[key] = item(depth)  # type: ignore[index]
            return result
        return Tagged(argument, item(depth))  # major 6

    def _float(self, argument: int, start: int) -> float:
        if argument not in _FLOATS:
            raise CborError(
                f"simple value with additional information {argument} at offset {start}"
            )
        size, unpack = _FLOATS[argument]
        offset = start + 1
        if offset + size > self.length:
            raise CborError(f"truncated float at offset {start}")
        self.offset = offset + size
        return float(unpack(self.data, offset)[0])


_KEY_TYPES = frozenset((int, str, bytes))
