"""Base45 (RFC 9285): bytes as text in the QR alphanumeric character set.

Two bytes become three characters, so a Base45 text is encoded by a QR symbol in alphanumeric
mode (5.5 bits a character) instead of byte mode (8 bits).

Decoding is on the verification hot path, so it avoids a Python loop per character group: the
characters are mapped to their values with one ``bytes.translate``, and because every group's value
``c0 + 45*c1 + 2025*c2`` is below 65536 (checked), the whole output is three big-integer
multiply-adds over the 16-bit digits of the groups, done in C.
"""

from __future__ import annotations

__all__ = ["ALPHABET", "Base45Error", "b45decode", "b45encode"]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

_INVALID = 0xFF
_VALUE_OF = bytes(
    ALPHABET.index(chr(byte)) if chr(byte) in ALPHABET else _INVALID for byte in range(256)
)


_BELOW_32 = bytes(range(32))
_MAYBE_OVER, _ALWAYS_OVER = 1, 2
_HIGH_FLAGS = bytes(
    0 if value < 32 else _MAYBE_OVER if value == 32 else _ALWAYS_OVER for value in range(256)
)


class Base45Error(ValueError):
    """The text is not valid Base45; the message says at which character group."""


def b45encode(data: bytes) -> str:
    """Encode ``data`` as Base45 text."""
    out: list[str] = []
    alphabet = ALPHABET
    for i in range(0, len(data) - 1, 2):
        value = data[i] * 256 + data[i + 1]
        value, c0 = divmod(value, 45)
        c2, c1 = divmod(value, 45)
        out.append(alphabet[c0] + alphabet[c1] + alphabet[c2])
    if len(data) % 2:
        c1, c0 = divmod(data[-1], 45)
        out.append(alphabet[c0] + alphabet[c1])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Decode Base45 ``text``; raise :class:`Base45Error` for anything RFC 9285 does not allow."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as error:
        raise Base45Error(f"non-ASCII character at position {error.start}") from None
    values = raw.translate(_VALUE_OF)
    if _INVALID in values:
        position = values.index(_INVALID)
        raise Base45Error(f"character {text[position]!r} at position {position} is not Base45")
    full_groups, rest = divmod(len(values), 3)
    if rest == 1:
        raise Base45Error(f"length {len(values)} leaves a dangling character")
    end = 3 * full_groups
    highs = values[2:end:3]
    if highs.translate(None, _BELOW_32):
        _check_groups(values[0:end:3], values[1:end:3], highs)
    # One buffer of 16-bit big-endian digits, reused for the three character positions: each
    # value goes in a digit's low byte, the high bytes stay zero.
    digits = bytearray(2 * full_groups)
    digits[1::2] = values[0:end:3]
    total = int.from_bytes(digits, "big")
    digits[1::2] = values[1:end:3]
    total += 45 * int.from_bytes(digits, "big")
    digits[1::2] = highs
    total += 2025 * int.from_bytes(digits, "big")
    out = total.to_bytes(2 * full_groups, "big")
    if rest == 2:
        value = values[-2] + 45 * values[-1]
        if value > 0xFF:
            raise Base45Error(f"final pair at position {len(values) - 2} encodes {value} > 255")
        out += bytes((value,))
    return out


def _check_groups(lows: bytes, mids: bytes, highs: bytes) -> None:
    # A group can exceed 0xFFFF only if its top character is 32 or more (2025 * 32 = 64800):
    # above 32 it always does, at exactly 32 it depends on the other two characters.
    flags = highs.translate(_HIGH_FLAGS)
    overflowing = [flags.find(_ALWAYS_OVER)] if _ALWAYS_OVER in flags else []
    group = flags.find(_MAYBE_OVER)
    while group >= 0:
        if lows[group] + 45 * mids[group] + 2025 * 32 > 0xFFFF:
            overflowing.append(group)
            break
        group = flags.find(_MAYBE_OVER, group + 1)
    if overflowing:
        raise Base45Error(f"group at position {3 * min(overflowing)} encodes a value above 65535")
