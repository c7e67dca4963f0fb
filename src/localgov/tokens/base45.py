"""Base45 (RFC 9285): bytes as text in the QR alphanumeric character set.

Two bytes become three characters, so a Base45 text is encoded by a QR symbol in alphanumeric
mode (5.5 bits a character) instead of byte mode (8 bits).

Decoding is on the verification hot path, so it avoids a Python loop per character group: the
characters are mapped to their values with one ``bytes.translate``, the values are read as one big
integer with a 24-bit lane per group, every group's value ``c0 + 45*c1 + 2025*c2`` is computed in
its lane by a few shifts, masks and multiply-adds done in C, and the lanes' top bytes, zero when
no group exceeds 65535 (checked), are dropped with one slice deletion.
"""

from __future__ import annotations

from typing import NoReturn

__all__ = ["ALPHABET", "Base45Error", "b45decode", "b45encode"]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

_INVALID = 0xFF
_VALUE_OF = bytes(ALPHABET.index(chr(byte)) if chr(byte) in ALPHABET else _INVALID for byte in range(256))


def _lane_masks(groups: int) -> tuple[int, int]:
    # Each three-character group is one 24-bit lane of the character values read as a big
    # integer, first character in the lane's top byte. The first mask keeps every lane's
    # bottom byte, so shifts and masks give one character of every group at once; the second
    # keeps every lane's top byte.
    low_bytes = int.from_bytes(b"\x00\x00\xff" * groups, "big")
    return low_bytes, low_bytes << 16


# Built once, for more groups than a token can have (a QR code holds 4296 characters); a mask
# longer than the input costs nothing extra, as the AND of two positive integers is as long as
# the shorter. Longer inputs build their own.
_MAX_GROUPS = 2048
_LANE_MASKS = _lane_masks(_MAX_GROUPS)


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
    low_bytes, top_bytes = _LANE_MASKS if full_groups <= _MAX_GROUPS else _lane_masks(full_groups)
    # Every group's value c0 + 45*c1 + 2025*c2, computed in its 24-bit lane for all groups
    # with a few big-integer operations in C. A value is at most 44 + 45*44 + 2025*44 < 2**17,
    # so no lane carries into the next one, and a valid group's value fits the lane's low
    # 16 bits: the lane's top byte is zero unless the group encodes more than 65535.
    lanes = int.from_bytes(values[:end] if rest else values, "big")
    total = (lanes >> 16 & low_bytes) + 45 * (lanes >> 8 & low_bytes) + 2025 * (lanes & low_bytes)
    if total & top_bytes:
        _refuse_overflow(total.to_bytes(end, "big"))
    out = bytearray(total.to_bytes(end, "big"))
    del out[0::3]  # the lanes' top bytes, all zero: two bytes a group are left
    if rest == 2:
        value = values[-2] + 45 * values[-1]
        if value > 0xFF:
            raise Base45Error(f"final pair at position {len(values) - 2} encodes {value} > 255")
        out.append(value)
    return bytes(out)


def _refuse_overflow(lanes: bytes) -> NoReturn:
    # Name the first group whose lane has a nonzero top byte.
    group = len(lanes) // 3 - len(lanes[0::3].lstrip(b"\x00"))
    raise Base45Error(f"group at position {3 * group} encodes a value above 65535")
