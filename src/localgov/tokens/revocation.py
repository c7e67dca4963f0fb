"""Revocation lists: signed, compact, updated by deltas.

A revoked permit is named by the first 16 bytes of the SHA-256 of ``issuer NUL permit_number``
(:func:`localgov.tokens.claims.revocation_hash`), so the list reveals no personal data, and the
hashes are grouped by the key id of the certificate that signed the permit. Each group is one
byte string of sorted 16-byte hashes: 16 bytes a permit, no per-item CBOR overhead.

A signed update (see :mod:`localgov.tokens.signed_file`) has the payload map::

    1 "localgov-revocation-list"   2 sequence         3 base sequence (deltas only)
    4 issued at (NumericDate)      5 {kid: revoked hashes}   6 {kid: reinstated hashes}

A *full* update (no key 3) is the whole list at its sequence; a *delta* with base ``n`` turns
list ``n`` into list ``sequence``. A verifier keeps the last full list and applies deltas in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import attrs
from cryptography import x509

from localgov.pki import Credential
from localgov.tokens.signed_file import FILE_TYPE, SignedFileError, open_signed_file, sign_file

__all__ = ["REVOCATION_LIST_TYPE", "RevocationList", "RevocationUpdate"]

REVOCATION_LIST_TYPE = "localgov-revocation-list"
HASH_LENGTH = 16
_SEQUENCE, _BASE, _ISSUED_AT, _REVOKED, _REINSTATED = 2, 3, 4, 5, 6

Hashes = Mapping[bytes, frozenset[bytes]]


def _frozen_hashes(value: Mapping[bytes, Iterable[bytes]]) -> dict[bytes, frozenset[bytes]]:
    result = {}
    for kid, hashes in value.items():
        frozen = frozenset(hashes)
        if any(len(h) != HASH_LENGTH for h in frozen):
            raise ValueError(f"revocation hashes must be {HASH_LENGTH} bytes (kid {kid.hex()})")
        if frozen:
            result[bytes(kid)] = frozen
    return result


def _utc_second(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


@attrs.frozen
class RevocationUpdate:
    """One signed revocation file: a full list (``base is None``) or a delta from ``base``."""

    sequence: int
    revoked: Hashes = attrs.field(converter=_frozen_hashes)
    reinstated: Hashes = attrs.field(factory=dict, converter=_frozen_hashes)
    base: int | None = None
    issued_at: datetime = attrs.field(factory=lambda: datetime.now(UTC), converter=_utc_second)

    def __attrs_post_init__(self) -> None:
        if self.base is None and self.reinstated:
            raise ValueError("a full revocation list cannot reinstate anything")
        if self.base is not None and self.base >= self.sequence:
            raise ValueError(f"delta base {self.base} must precede its sequence {self.sequence}")

    def to_payload(self) -> dict[int, object]:
        payload: dict[int, object] = {
            FILE_TYPE: REVOCATION_LIST_TYPE,
            _SEQUENCE: self.sequence,
            _ISSUED_AT: int(self.issued_at.timestamp()),
            _REVOKED: {kid: b"".join(sorted(h)) for kid, h in self.revoked.items()},
        }
        if self.base is not None:
            payload[_BASE] = self.base
            payload[_REINSTATED] = {kid: b"".join(sorted(h)) for kid, h in self.reinstated.items()}
        return payload

    def sign(self, signer: Credential, root: x509.Certificate) -> bytes:
        return sign_file(self.to_payload(), signer, root)

    @classmethod
    def load(cls, data: bytes, root: x509.Certificate, *, at: datetime | None = None) -> RevocationUpdate:
        """Verify a signed revocation file against ``root`` and read it."""
        payload = open_signed_file(data, root, REVOCATION_LIST_TYPE, at=at)
        sequence, base, issued = payload.get(_SEQUENCE), payload.get(_BASE), payload.get(_ISSUED_AT)
        for name, value in (("sequence", sequence), ("issued at", issued), ("base", base)):
            if not (value is None and name == "base") and (type(value) is not int or not 0 <= value < 253402300800):
                raise SignedFileError(f"revocation list: {name} must be an integer >= 0")
        assert isinstance(sequence, int) and isinstance(issued, int)
        try:
            return cls(
                sequence,
                _read_groups(payload.get(_REVOKED, {})),
                _read_groups(payload.get(_REINSTATED, {})),
                base if isinstance(base, int) else None,
                datetime.fromtimestamp(issued, UTC),
            )
        except ValueError as error:
            raise SignedFileError(f"revocation list: {error}") from None


def _read_groups(groups: object) -> dict[bytes, frozenset[bytes]]:
    if not isinstance(groups, dict):
        raise SignedFileError("revocation list: hash groups must be a map")
    result = {}
    for kid, packed in groups.items():
        if not isinstance(kid, bytes) or not isinstance(packed, bytes) or len(packed) % HASH_LENGTH:
            raise SignedFileError("revocation list: a group is not kid -> packed 16-byte hashes")
        result[kid] = frozenset(packed[i : i + HASH_LENGTH] for i in range(0, len(packed), HASH_LENGTH))
    return result


@attrs.frozen
class RevocationList:
    """The revocations in force at ``sequence``, for look-up during verification."""

    sequence: int = 0
    revoked: Hashes = attrs.field(factory=dict, converter=_frozen_hashes)

    def is_revoked(self, kid: bytes, permit_hash: bytes) -> bool:
        group = self.revoked.get(kid)
        return group is not None and permit_hash in group

    def apply(self, update: RevocationUpdate) -> RevocationList:
        """The list after ``update``: a full list replaces, a delta must start where this ends."""
        if update.base is None:
            if update.sequence < self.sequence:
                raise SignedFileError(f"full revocation list {update.sequence} is older than {self.sequence}")
            return RevocationList(update.sequence, update.revoked)
        if update.base != self.sequence:
            raise SignedFileError(
                f"revocation delta {update.base}->{update.sequence} does not apply to list {self.sequence}"
            )
        merged = {kid: set(hashes) for kid, hashes in self.revoked.items()}
        for kid, hashes in update.revoked.items():
            merged.setdefault(kid, set()).update(hashes)
        for kid, hashes in update.reinstated.items():
            merged.get(kid, set()).difference_update(hashes)
        return RevocationList(update.sequence, merged)

    @classmethod
    def from_updates(cls, updates: Iterable[RevocationUpdate]) -> RevocationList:
        result = cls()
        for update in updates:
            result = result.apply(update)
        return result

    def full_update(self, issued_at: datetime | None = None) -> RevocationUpdate:
        """This list as a full update (to publish a compacted base)."""
        return RevocationUpdate(self.sequence, self.revoked, issued_at=issued_at or datetime.now(UTC))

    def delta(
        self,
        revoke: Mapping[bytes, Iterable[bytes]],
        reinstate: Mapping[bytes, Iterable[bytes]] | None = None,
        issued_at: datetime | None = None,
    ) -> RevocationUpdate:
        """The delta from this list to the next sequence number."""
        return RevocationUpdate(
            self.sequence + 1,
            revoke,
            reinstate or {},
            base=self.sequence,
            issued_at=issued_at or datetime.now(UTC),
        )
