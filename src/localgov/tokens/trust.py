"""The trust list: which document-signing certificates a verifier accepts, signed and versioned.

A ministry downloads the trust list once and verifies offline from then on. The file is a
COSE_Sign1 (see :mod:`localgov.tokens.signed_file`) whose payload map is::

    1 "localgov-trust-list"      2 sequence (grows with every edition)
    3 issued at (NumericDate)     4 next update (NumericDate, optional)
    5 [ {1 certificate DER, 2 retired at (NumericDate, optional)}, ... ]

Everything else a verifier needs (key id, unit code, allowed kinds, validity) is read from the
certificates themselves, so the list cannot contradict them. A *retired* certificate stays on
the list so the permits it signed keep verifying; tokens it signs after its retirement do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.pki import Credential, kid_of, permit_kinds_of, unit_code_of, verify_chain
from localgov.pki.errors import PkiError
from localgov.tokens import cbor, cose
from localgov.tokens.signed_file import FILE_TYPE, SignedFileError, open_signed_file, sign_file

__all__ = ["TRUST_LIST_TYPE", "TrustList", "TrustedSigner"]

TRUST_LIST_TYPE = "localgov-trust-list"
_SEQUENCE, _ISSUED_AT, _NEXT_UPDATE, _ENTRIES = 2, 3, 4, 5
_CERTIFICATE, _RETIRED_AT = 1, 2
_MAX_NUMBER = 253402300800  # NumericDates up to 9999-12-31, what datetime holds
# The curves a document signer may use, each with the one algorithm its tokens may name.
_ALG_OF_CURVE = {"secp256r1": cose.ALG_ES256, "secp384r1": cose.ALG_ES384}


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(microsecond=0)


def _utc_or_now(value: datetime | None) -> datetime:
    return _utc(value) or datetime.now(UTC).replace(microsecond=0)


@attrs.frozen
class TrustedSigner:
    """One certificate on the trust list, with what was read from it once, at load time."""

    certificate: x509.Certificate = attrs.field(repr=False)
    retired_at: datetime | None = None
    kid: bytes = attrs.field(init=False)
    #: The one COSE algorithm this signer's tokens may name: ES256 for P-256, ES384 for P-384.
    alg: int = attrs.field(init=False)
    unit_code: str | None = attrs.field(init=False)
    kinds: frozenset[str] = attrs.field(init=False)
    # Read once: every verification compares the issue time with the validity, and parsing a
    # public key costs as much as a quarter of a signature check.
    not_before: datetime = attrs.field(init=False, repr=False, eq=False)
    not_after: datetime = attrs.field(init=False, repr=False, eq=False)
    public_key: ec.EllipticCurvePublicKey = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        key = self.certificate.public_key()
        alg = None
        if isinstance(key, ec.EllipticCurvePublicKey):
            alg = _ALG_OF_CURVE.get(key.curve.name)
        if alg is None:
            raise PkiError(f"{self.subject}: document-signing keys must be ECDSA P-256 or P-384")
        object.__setattr__(self, "kid", kid_of(self.certificate))
        object.__setattr__(self, "alg", alg)
        object.__setattr__(self, "unit_code", unit_code_of(self.certificate))
        object.__setattr__(self, "kinds", permit_kinds_of(self.certificate))
        object.__setattr__(self, "not_before", self.certificate.not_valid_before_utc)
        object.__setattr__(self, "not_after", self.certificate.not_valid_after_utc)
        object.__setattr__(self, "public_key", key)

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()


@attrs.frozen
class TrustList:
    """A verified (or about-to-be-signed) trust list, indexed by key id."""

    sequence: int
    issued_at: datetime = attrs.field(converter=_utc_or_now)
    signers: tuple[TrustedSigner, ...]
    next_update: datetime | None = attrs.field(default=None, converter=_utc)
    _by_kid: Mapping[bytes, tuple[TrustedSigner, ...]] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        index: dict[bytes, tuple[TrustedSigner, ...]] = {}
        for signer in self.signers:
            # Truncated key ids can collide: keep every certificate that shares one.
            index[signer.kid] = (*index.get(signer.kid, ()), signer)
        object.__setattr__(self, "_by_kid", index)

    def candidates(self, kid: bytes) -> tuple[TrustedSigner, ...]:
        """Every listed certificate with key id ``kid`` (usually one; none if unknown)."""
        return self._by_kid.get(kid, ())

    @classmethod
    def build(
        cls,
        certificates: Iterable[x509.Certificate],
        *,
        sequence: int,
        retired: Mapping[bytes, datetime] | None = None,
        issued_at: datetime | None = None,
        next_update: datetime | None = None,
        root: x509.Certificate | None = None,
        intermediates: Sequence[x509.Certificate] = (),
    ) -> TrustList:
        """A trust list of ``certificates``; ``retired`` maps key ids to retirement times.

        With ``root``, every certificate must chain to it through ``intermediates`` (checked at
        the certificate's own start of validity, so an expired signer can stay listed).
        """
        retired = dict(retired or {})
        signers = []
        for certificate in certificates:
            if root is not None:
                verify_chain(certificate, intermediates, root, at=certificate.not_valid_before_utc)
            kid = kid_of(certificate)
            signers.append(TrustedSigner(certificate, _utc(retired.pop(kid, None))))
        if retired:
            raise PkiError(f"retired key ids {[k.hex() for k in retired]} are not in the list")
        if sequence < 0:
            raise PkiError(f"sequence must be >= 0, not {sequence}")
        return cls(sequence, issued_at or datetime.now(UTC), tuple(signers), next_update)

    def to_payload(self) -> dict[int, object]:
        entries: list[dict[int, object]] = []
        for signer in self.signers:
            entry: dict[int, object] = {_CERTIFICATE: signer.certificate.public_bytes(serialization.Encoding.DER)}
            if signer.retired_at is not None:
                entry[_RETIRED_AT] = int(signer.retired_at.timestamp())
            entries.append(entry)
        payload: dict[int, object] = {
            FILE_TYPE: TRUST_LIST_TYPE,
            _SEQUENCE: self.sequence,
            _ISSUED_AT: int(self.issued_at.timestamp()),
            _ENTRIES: entries,
        }
        if self.next_update is not None:
            payload[_NEXT_UPDATE] = int(self.next_update.timestamp())
        return payload

    def to_unsigned(self) -> bytes:
        """The payload alone (a draft for ``localgov trust sign``)."""
        return cbor.encode(self.to_payload())

    def sign(self, signer: Credential, root: x509.Certificate) -> bytes:
        """The signed trust-list file."""
        return sign_file(self.to_payload(), signer, root)

    @classmethod
    def from_unsigned(cls, data: bytes) -> TrustList:
        try:
            payload = cbor.decode(data)
        except cbor.CborError as error:
            raise SignedFileError(f"trust list draft: {error}") from None
        if not isinstance(payload, dict) or payload.get(FILE_TYPE) != TRUST_LIST_TYPE:
            raise SignedFileError("the file is not a trust list draft")
        return cls._from_payload(payload)

    @classmethod
    def load(cls, data: bytes, root: x509.Certificate, *, at: datetime | None = None) -> TrustList:
        """Verify a signed trust-list file against the national ``root`` and read it."""
        return cls._from_payload(open_signed_file(data, root, TRUST_LIST_TYPE, at=at))

    @classmethod
    def _from_payload(cls, payload: Mapping[int | str | bytes, cbor.CborValue]) -> TrustList:
        def number(key: int, name: str, *, optional: bool = False) -> int | None:
            value = payload.get(key)
            if value is None and optional:
                return None
            if type(value) is not int or not 0 <= value < _MAX_NUMBER:
                raise SignedFileError(f"trust list: {name} ({key}) must be an integer >= 0")
            return value

        entries = payload.get(_ENTRIES)
        if not isinstance(entries, list):
            raise SignedFileError("trust list: entries (5) must be an array")
        signers = []
        for position, entry in enumerate(entries):
            der = entry.get(_CERTIFICATE) if isinstance(entry, dict) else None
            retired = entry.get(_RETIRED_AT) if isinstance(entry, dict) else None
            if not isinstance(der, bytes) or (
                retired is not None and (type(retired) is not int or not 0 <= retired < _MAX_NUMBER)
            ):
                raise SignedFileError(f"trust list: entry {position} is malformed")
            try:
                certificate = x509.load_der_x509_certificate(der)
                signers.append(TrustedSigner(certificate, _from_numeric(retired)))
            except (ValueError, PkiError) as error:
                raise SignedFileError(f"trust list: entry {position}: {error}") from None
        sequence = number(_SEQUENCE, "sequence")
        issued = number(_ISSUED_AT, "issued at")
        assert sequence is not None and issued is not None
        return cls(
            sequence,
            datetime.fromtimestamp(issued, UTC),
            tuple(signers),
            _from_numeric(number(_NEXT_UPDATE, "next update", optional=True)),
        )


def _from_numeric(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)
