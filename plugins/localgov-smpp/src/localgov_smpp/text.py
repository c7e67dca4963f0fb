"""Message text on the air: GSM 7-bit or UCS-2, split into concatenated parts with a UDH.

A text every character of which is in the GSM 03.38 default alphabet (with its extension table)
goes as data_coding 0, one septet per octet as SMSCs take it over SMPP: 160 septets in one part,
153 per part once a 6-octet UDH is needed. Anything else (Arabic) goes as UCS-2, data_coding 8:
70 characters in one part, 67 per part. A part never ends in the middle of an escape sequence or
a surrogate pair. The UDH is IEI 0x00 (8-bit reference): ``05 00 03 <ref> <total> <seq>``.
"""

from __future__ import annotations

import hashlib

import attrs

__all__ = [
    "GSM_7BIT",
    "UCS2",
    "EncodedPart",
    "TextError",
    "decode_text",
    "encode_parts",
    "reference_for",
    "split_udh",
]

GSM_7BIT = 0x00
UCS2 = 0x08
ESCAPE = 0x1B

_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
assert len(_BASIC) == 128
_EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
_TO_SEPTET = {char: code for code, char in enumerate(_BASIC) if char != "\x1b"}
_FROM_SEPTET = dict(enumerate(_BASIC))
_FROM_EXTENSION = {code: char for char, code in _EXTENSION.items()}

_LIMITS = {GSM_7BIT: (160, 153), UCS2: (140, 134)}  # octets: alone, beside a UDH
_EXTENSION_CHARS = frozenset(_EXTENSION)
_GSM_CHARS = frozenset(_TO_SEPTET) | _EXTENSION_CHARS
# Text to septets in one str.translate (then Latin-1 octets): the common case, without escapes.
_TO_SEPTETS = {ord(char): chr(code) for char, code in _TO_SEPTET.items()}
# ASCII text, the commonest, in bytes.translate calls (a table lookup per octet, in C): the
# octets of the basic alphabet to delete when checking, and each one's septet.
_ASCII_BASIC = bytes(ord(char) for char in _TO_SEPTET if char.isascii())
_ASCII_SEPTETS = bytes(_TO_SEPTET.get(chr(octet), 0) for octet in range(256))


class TextError(ValueError):
    """Octets that are not a text in the coding they claim."""


@attrs.frozen
class EncodedPart:
    data_coding: int
    short_message: bytes  # the UDH, if any, then the text
    has_udh: bool


def reference_for(message_id: str) -> int:
    """The concatenation reference of a message: the same at every attempt to send it."""
    return hashlib.sha256(message_id.encode("utf-8")).digest()[0]


def _gsm_units(text: str) -> list[bytes] | None:
    """The text as GSM septets, one unit per character (two octets for an escaped one)."""
    units = []
    for char in text:
        code = _TO_SEPTET.get(char)
        if code is not None:
            units.append(bytes((code,)))
        elif char in _EXTENSION:
            units.append(bytes((ESCAPE, _EXTENSION[char])))
        else:
            return None
    return units


def _ucs2_units(text: str) -> list[bytes]:
    return [char.encode("utf-16-be") for char in text]  # a character beyond the BMP is a pair: 4 octets


def _pack(units: list[bytes], limit: int) -> list[bytes]:
    parts, current = [], b""
    for unit in units:
        if len(current) + len(unit) > limit:
            parts.append(current)
            current = b""
        current += unit
    return [*parts, current]


def _fixed_width(text: str) -> tuple[int, bytes, int] | None:
    """``(data_coding, octets, octets per character)`` when every character has the same width
    (GSM without escapes, or UCS-2 within the BMP): the text can then be cut anywhere evenly."""
    if text.isascii():
        octets = text.encode("ascii")
        if not octets.translate(None, _ASCII_BASIC):  # nothing left: all in the basic alphabet
            return GSM_7BIT, octets.translate(_ASCII_SEPTETS), 1
    if _GSM_CHARS.issuperset(text):
        if not _EXTENSION_CHARS.isdisjoint(text):
            return None
        return GSM_7BIT, text.translate(_TO_SEPTETS).encode("latin-1"), 1
    if text and max(text) > "\uffff":  # a character outside the BMP takes two UTF-16 units
        return None
    return UCS2, text.encode("utf-16-be"), 2


def encode_parts(text: str, reference: int | str) -> list[EncodedPart]:
    """The parts ``text`` goes in: one without a UDH if it fits, else each with its UDH.

    ``reference`` is the concatenation reference, or the message id to draw it from
    (:func:`reference_for`), which is then hashed only if the text needs more than one part."""
    fixed = _fixed_width(text)
    if fixed is not None:
        coding, octets, width = fixed
        alone, beside_udh = _LIMITS[coding]
        if len(octets) <= alone:
            return [EncodedPart(coding, octets, False)]
        step = beside_udh // width * width
        return _with_udh(coding, [octets[at : at + step] for at in range(0, len(octets), step)], reference, text)
    gsm = _gsm_units(text)
    coding, units = (GSM_7BIT, gsm) if gsm is not None else (UCS2, _ucs2_units(text))
    alone, beside_udh = _LIMITS[coding]
    if sum(len(u) for u in units) <= alone:
        return [EncodedPart(coding, b"".join(units), False)]
    return _with_udh(coding, _pack(units, beside_udh), reference, text)


def _with_udh(coding: int, chunks: list[bytes], reference: int | str, text: str) -> list[EncodedPart]:
    if len(chunks) > 255:
        raise TextError(f"a text of {len(text)} characters needs more than 255 parts")
    if isinstance(reference, str):
        reference = reference_for(reference)
    return [
        EncodedPart(coding, bytes((5, 0, 3, reference & 0xFF, len(chunks), index)) + chunk, True)
        for index, chunk in enumerate(chunks, start=1)
    ]


def split_udh(short_message: bytes, has_udh: bool) -> tuple[tuple[int, int, int] | None, bytes]:
    """``((reference, total, sequence) or None, the text's octets)`` of a received part."""
    if not has_udh:
        return None, short_message
    if not short_message or short_message[0] + 1 > len(short_message):
        raise TextError("the UDH is longer than the message")
    header, rest = short_message[1 : short_message[0] + 1], short_message[short_message[0] + 1 :]
    at = 0
    while at + 2 <= len(header):
        iei, length = header[at], header[at + 1]
        value = header[at + 2 : at + 2 + length]
        if iei == 0x00 and length == 3 and len(value) == 3:
            return (value[0], value[1], value[2]), rest
        if iei == 0x08 and length == 4 and len(value) == 4:  # 16-bit reference
            return (value[0] << 8 | value[1], value[2], value[3]), rest
        at += 2 + length
    return None, rest


def decode_text(data: bytes, data_coding: int) -> str:
    """The text of a part's octets (after its UDH)."""
    if data_coding == UCS2:
        if len(data) % 2:
            raise TextError("UCS-2 text has an odd number of octets")
        return data.decode("utf-16-be", "replace")
    if data_coding in (GSM_7BIT, 0x01):
        chars, escaped = [], False
        for octet in data:
            if octet > 0x7F:
                raise TextError(f"0x{octet:02x} is not a GSM septet")
            if escaped:
                chars.append(_FROM_EXTENSION.get(octet, " "))
                escaped = False
            elif octet == ESCAPE:
                escaped = True
            else:
                chars.append(_FROM_SEPTET[octet])
        return "".join(chars)
    if data_coding == 0x03:  # Latin-1
        return data.decode("latin-1")
    raise TextError(f"data_coding 0x{data_coding:02x} is not supported")
