"""Revocation lists: signed, compact, updated by deltas.

A revoked permit is named by the first 16 bytes of the SHA-256 of ``issuer NUL permit_number``
(:func:`localgov.tokens.claims.revocation_hash`), so the list reveals no personal data, and the
hashes are grouped by the key id of the certificate that signed the permit. Each group is one
byte string of sorted 16-byte hashes: 16 bytes a permit, no per-item CBOR overhead.

A signed update (see :mod:`localgov.tokens.signed_file`) has the payload map::

    1 "localgov-revocation-list"   2 sequence         3 base sequence (deltas only)
    4 issued at (NumericDate)      5 {kid: revoked hashes}   6 {kid: reinstated hashes}
    7 {device kid: revoked at (NumericDate)}                  8 [reinstated device kids] (deltas)

Keys 7 and 8 revoke whole *device* certificates (a mobile district's lost tablet), by the key id
of the certificate (:func:`localgov.pki.kid_of`) and the moment from which what it signs is
refused. They are written only when there are some, so a list that revokes no device is byte for
byte what it was before devices existed, and a verifier that knows only permits (the browser
verifier) reads keys 2 to 6 and passes over the others.

A *full* update (no key 3) is the whole list at its sequence; a *delta* with base ``n`` turns
list ``n`` into list ``sequence``. A verifier keeps the last full list and applies deltas in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import attrs
from cryptography import x509

from localgov.pki import Credential
from localgov.tokens import cbor, cose
from localgov.tokens.errors import TokenError
from localgov.tokens.signed_file import FILE_TYPE, MAX_SIGNED_FILE, SignedFileError, open_signed_file, sign_file

__all__ = ["REVOCATION_LIST_TYPE", "RevocationList", "RevocationUpdate", "delta_steps"]

REVOCATION_LIST_TYPE = "localgov-revocation-list"
HASH_LENGTH = 16
_SEQUENCE, _BASE, _ISSUED_AT, _REVOKED, _REINSTATED = 2, 3, 4, 5, 6
_DEVICES, _REINSTATED_DEVICES = 7, 8
_MAX_NUMERIC_DATE = 253402300800  # 9999-12-31, what datetime holds

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


def _frozen_kids(value: Iterable[bytes]) -> frozenset[bytes]:
    return frozenset(bytes(kid) for kid in value)


def _frozen_devices(value: Mapping[bytes, datetime]) -> dict[bytes, datetime]:
    result = {}
    for kid, revoked_at in value.items():
        if not isinstance(kid, bytes) or not kid:
            raise ValueError("a revoked device is named by its certificate's key id (bytes)")
        result[bytes(kid)] = _utc_second(revoked_at)
    return result


@attrs.frozen
class RevocationUpdate:
    """One signed revocation file: a full list (``base is None``) or a delta from ``base``."""

    sequence: int
    revoked: Hashes = attrs.field(converter=_frozen_hashes)
    reinstated: Hashes = attrs.field(factory=dict, converter=_frozen_hashes)
    base: int | None = None
    issued_at: datetime = attrs.field(factory=lambda: datetime.now(UTC), converter=_utc_second)
    #: Device certificates revoked, by key id, with the moment their signatures stop counting.
    devices: Mapping[bytes, datetime] = attrs.field(factory=dict, converter=_frozen_devices)
    reinstated_devices: frozenset[bytes] = attrs.field(default=frozenset(), converter=_frozen_kids)

    def __attrs_post_init__(self) -> None:
        if self.base is None and (self.reinstated or self.reinstated_devices):
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
        if self.devices:
            payload[_DEVICES] = {kid: int(at.timestamp()) for kid, at in sorted(self.devices.items())}
        if self.reinstated_devices:
            payload[_REINSTATED_DEVICES] = sorted(self.reinstated_devices)
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
                _read_devices(payload.get(_DEVICES, {})),
                _read_device_kids(payload.get(_REINSTATED_DEVICES, [])),
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


def _read_devices(devices: object) -> dict[bytes, datetime]:
    if not isinstance(devices, dict):
        raise SignedFileError("revocation list: revoked devices must be a map")
    result = {}
    for kid, at in devices.items():
        if not isinstance(kid, bytes) or not kid or type(at) is not int or not 0 <= at < _MAX_NUMERIC_DATE:
            raise SignedFileError("revocation list: a revoked device is not kid -> revoked at (NumericDate)")
        result[kid] = datetime.fromtimestamp(at, UTC)
    return result


def _read_device_kids(kids: object) -> frozenset[bytes]:
    if not isinstance(kids, list) or not all(isinstance(kid, bytes) and kid for kid in kids):
        raise SignedFileError("revocation list: reinstated devices must be a list of key ids")
    return frozenset(kids)


@attrs.frozen
class RevocationList:
    """The revocations in force at ``sequence``, for look-up during verification."""

    sequence: int = 0
    revoked: Hashes = attrs.field(factory=dict, converter=_frozen_hashes)
    devices: Mapping[bytes, datetime] = attrs.field(factory=dict, converter=_frozen_devices)

    def is_revoked(self, kid: bytes, permit_hash: bytes) -> bool:
        group = self.revoked.get(kid)
        return group is not None and permit_hash in group

    def device_revoked_at(self, kid: bytes) -> datetime | None:
        """When the device certificate with key id ``kid`` was revoked; ``None`` if it is not."""
        return self.devices.get(kid)

    def apply(self, update: RevocationUpdate) -> RevocationList:
        """The list after ``update``: a full list replaces, a delta must start where this ends."""
        if update.base is None:
            if update.sequence < self.sequence:
                raise SignedFileError(f"full revocation list {update.sequence} is older than {self.sequence}")
            return RevocationList(update.sequence, update.revoked, update.devices)
        if update.base != self.sequence:
            raise SignedFileError(
                f"revocation delta {update.base}->{update.sequence} does not apply to list {self.sequence}"
            )
        merged = {kid: set(hashes) for kid, hashes in self.revoked.items()}
        for kid, hashes in update.revoked.items():
            merged.setdefault(kid, set()).update(hashes)
        for kid, hashes in update.reinstated.items():
            merged.get(kid, set()).difference_update(hashes)
        # A device revoked again keeps the earlier moment: what it signed since stays refused.
        devices = {**update.devices, **self.devices}
        for kid in update.reinstated_devices:
            devices.pop(kid, None)
        return RevocationList(update.sequence, merged, devices)

    @classmethod
    def from_updates(cls, updates: Iterable[RevocationUpdate]) -> RevocationList:
        result = cls()
        for update in updates:
            result = result.apply(update)
        return result

    def full_update(self, issued_at: datetime | None = None) -> RevocationUpdate:
        """This list as a full update (to publish a compacted base)."""
        return RevocationUpdate(
            self.sequence, self.revoked, issued_at=issued_at or datetime.now(UTC), devices=self.devices
        )

    def delta(
        self,
        revoke: Mapping[bytes, Iterable[bytes]],
        reinstate: Mapping[bytes, Iterable[bytes]] | None = None,
        issued_at: datetime | None = None,
        *,
        revoke_devices: Mapping[bytes, datetime] | None = None,
        reinstate_devices: Iterable[bytes] = (),
    ) -> RevocationUpdate:
        """The delta from this list to the next sequence number (permits and whole devices)."""
        return RevocationUpdate(
            self.sequence + 1,
            revoke,
            reinstate or {},
            base=self.sequence,
            issued_at=issued_at or datetime.now(UTC),
            devices=revoke_devices or {},
            reinstated_devices=_frozen_kids(reinstate_devices),
        )


def delta_steps(data: bytes) -> tuple[int, int] | None:
    """``(base, sequence)`` of a signed revocation delta, read without verifying; None if it is not one."""
    if len(data) > MAX_SIGNED_FILE:
        return None
    try:
        payload = cbor.decode(cose.parse_sign1(data).payload)
    except (TokenError, cbor.CborError):
        return None
    if not isinstance(payload, dict) or payload.get(FILE_TYPE) != REVOCATION_LIST_TYPE:
        return None
    base, sequence = payload.get(_BASE), payload.get(_SEQUENCE)
    if type(base) is not int or type(sequence) is not int or not 0 <= base < sequence:
        return None
    return base, sequence
