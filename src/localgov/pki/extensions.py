"""The permit-kinds certificate extension: which kinds of permit a certificate may sign.

Its value is the DER encoding of ``SEQUENCE OF UTF8String`` (the kind names, such as
``building_permit``). It is non-critical, so PDF validators that do not know it still accept the
certificate; localgov's own verifiers enforce it.
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptography import x509

from localgov.pki.errors import PkiError
from localgov.pki.oids import PERMIT_KINDS_EXTENSION

__all__ = [
    "decode_permit_kinds",
    "encode_permit_kinds",
    "permit_kinds_extension",
    "permit_kinds_of",
]

_SEQUENCE, _UTF8STRING = 0x30, 0x0C


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes((length,))
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes((tag,)) + _der_length(len(value)) + value


def encode_permit_kinds(kinds: Iterable[str]) -> bytes:
    """DER ``SEQUENCE OF UTF8String`` of ``kinds`` (sorted, without repeats)."""
    names = sorted(set(kinds))
    if not names or any(not name or name != name.strip() for name in names):
        raise PkiError(f"permit kinds must be non-empty names without blanks, not {names!r}")
    return _tlv(_SEQUENCE, b"".join(_tlv(_UTF8STRING, name.encode()) for name in names))


def _read_tlv(data: bytes, offset: int) -> tuple[int, bytes, int]:
    if offset + 2 > len(data):
        raise PkiError("permit kinds extension is truncated")
    tag, first = data[offset], data[offset + 1]
    offset += 2
    if first & 0x80:
        size = first & 0x7F
        if size == 0 or size > 3 or offset + size > len(data):
            raise PkiError("permit kinds extension has a bad length")
        length = int.from_bytes(data[offset : offset + size], "big")
        offset += size
    else:
        length = first
    end = offset + length
    if end > len(data):
        raise PkiError("permit kinds extension is truncated")
    return tag, data[offset:end], end


def decode_permit_kinds(der: bytes) -> frozenset[str]:
    """The kind names in a DER ``SEQUENCE OF UTF8String``."""
    tag, body, end = _read_tlv(der, 0)
    if tag != _SEQUENCE or end != len(der):
        raise PkiError("permit kinds extension is not a single SEQUENCE")
    kinds: set[str] = set()
    offset = 0
    while offset < len(body):
        tag, value, offset = _read_tlv(body, offset)
        if tag != _UTF8STRING:
            raise PkiError("permit kinds extension holds something other than UTF8String")
        try:
            kinds.add(value.decode("utf-8"))
        except UnicodeDecodeError:
            raise PkiError("permit kinds extension holds invalid UTF-8") from None
    return frozenset(kinds)


def permit_kinds_extension(kinds: Iterable[str]) -> x509.UnrecognizedExtension:
    return x509.UnrecognizedExtension(PERMIT_KINDS_EXTENSION, encode_permit_kinds(kinds))


def permit_kinds_of(certificate: x509.Certificate) -> frozenset[str]:
    """The permit kinds ``certificate`` may sign (empty if it carries no such extension)."""
    try:
        extension = certificate.extensions.get_extension_for_oid(PERMIT_KINDS_EXTENSION)
    except x509.ExtensionNotFound:
        return frozenset()
    value = extension.value
    if not isinstance(value, x509.UnrecognizedExtension):
        raise PkiError("permit kinds extension could not be read")
    return decode_permit_kinds(value.value)
