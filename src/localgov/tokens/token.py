"""Permit tokens: issue one, and verify one offline against a trust list.

A token is the text ``LG1:`` + Base45( COSE_Sign1 ) or ``LG1:`` + Base45( zlib( COSE_Sign1 ) ),
the COSE_Sign1 (ES256 or ES384, key id in the protected header) carrying the CWT claims of
:mod:`localgov.tokens.cwt`. Every character is in the QR alphanumeric set. The byte-level
specification is ``docs/token-format.md``.

:func:`verify` is written for hostile input: the text length, the inflated size and the CBOR
nesting are bounded before any work proportional to them, and every failure is one of the
:mod:`localgov.tokens.errors` taxonomy.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import attrs

from localgov.errors import LocalgovError
from localgov.pki import Credential, kid_of, permit_kinds_of, unit_code_of
from localgov.tokens import cbor, cose
from localgov.tokens.base45 import Base45Error, b45decode, b45encode
from localgov.tokens.claims import PermitClaims, revocation_hash, slot_setters
from localgov.tokens.cwt import claims_from_map, claims_to_map
from localgov.tokens.errors import (
    BadSignature,
    Expired,
    MalformedCbor,
    MalformedEncoding,
    NotALocalgovToken,
    NotYetValid,
    Revoked,
    SignerNotAllowed,
    UnknownSigner,
    UnsupportedVersion,
)
from localgov.tokens.revocation import RevocationList
from localgov.tokens.trust import TrustedSigner, TrustList

__all__ = [
    "CLOCK_LEEWAY",
    "FORMAT_VERSION",
    "MAX_INFLATED_BYTES",
    "MAX_TOKEN_CHARS",
    "PREFIX",
    "IssueError",
    "VerifiedPermit",
    "decode_text",
    "encode_text",
    "issue",
    "read_claims",
    "verify",
]

FORMAT_VERSION = 1
PREFIX = f"LG{FORMAT_VERSION}:"
#: The most characters a QR code holds in alphanumeric mode (version 40, level L).
MAX_TOKEN_CHARS = 4296
#: A compressed token may not inflate beyond this (a real one is about 250 bytes).
MAX_INFLATED_BYTES = 8192
#: How far a token's start of validity may lie in the future (clocks of issuers drift).
CLOCK_LEEWAY = timedelta(minutes=5)
_MAX_VERSION_DIGITS = 3
_ZLIB_FIRST_BYTE = b"\x78"


class IssueError(LocalgovError):
    """The signer may not sign these claims (wrong unit, kind not allowed, outside validity)."""


@attrs.frozen
class VerifiedPermit:
    """A token that verified: its claims, the certificate that signed it, and when it was checked."""

    claims: PermitClaims
    kid: bytes
    signer: TrustedSigner
    verified_at: datetime

    @classmethod
    def _from_checked(
        cls, claims: PermitClaims, kid: bytes, signer: TrustedSigner, verified_at: datetime
    ) -> VerifiedPermit:
        # What the attrs __init__ does, through the slots' descriptors: it goes through
        # object.__setattr__ (the class is frozen), which costs twice as much, once per token.
        verified = object.__new__(cls)
        _set_claims(verified, claims)
        _set_kid(verified, kid)
        _set_signer(verified, signer)
        _set_verified_at(verified, verified_at)
        return verified


_SETTERS = slot_setters(VerifiedPermit)
_set_claims = _SETTERS["claims"]
_set_kid = _SETTERS["kid"]
_set_signer = _SETTERS["signer"]
_set_verified_at = _SETTERS["verified_at"]


def encode_text(message: bytes, *, compress: bool | None = None) -> str:
    """``LG1:`` + Base45 of ``message``, zlib-compressed if ``compress`` (``None``: if smaller)."""
    if compress is None or compress:
        packed = zlib.compress(message, 9)
        if compress or len(packed) < len(message):
            message = packed
    return PREFIX + b45encode(message)


def decode_text(text: object) -> bytes:
    """The COSE bytes inside a token text; raise the prefix, version or encoding error."""
    if not isinstance(text, str):
        raise NotALocalgovToken(f"expected text, found {type(text).__name__}")
    text = text.strip()
    # Every current token starts with exactly PREFIX, which the general checks would accept.
    start = len(PREFIX) if text.startswith(PREFIX) else _check_prefix(text)
    if len(text) > MAX_TOKEN_CHARS:
        raise MalformedEncoding(f"{len(text)} characters, more than a QR code holds")
    try:
        data = b45decode(text[start:])
    except Base45Error as error:
        raise MalformedEncoding(f"Base45: {error}") from None
    if data[:1] == _ZLIB_FIRST_BYTE:
        data = _inflate(data)
    return data


def _check_prefix(text: str) -> int:
    # Where the Base45 starts, after 'LG<version>:'; raise unless the version is this one.
    if not text.startswith("LG"):
        raise NotALocalgovToken(f"text starts with {text[:4]!r}, not 'LG<version>:'")
    colon = text.find(":", 2, 3 + _MAX_VERSION_DIGITS)
    version = text[2:colon]
    if colon < 0 or not version.isascii() or not version.isdigit():
        raise NotALocalgovToken(f"text starts with {text[:6]!r}, not 'LG<version>:'")
    if version != str(FORMAT_VERSION):
        raise UnsupportedVersion(f"format version {version}; this verifier reads {FORMAT_VERSION}")
    return colon + 1


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_INFLATED_BYTES)
    except zlib.error as error:
        raise MalformedEncoding(f"zlib: {error}") from None
    if inflater.unconsumed_tail:
        raise MalformedEncoding(f"inflates to more than {MAX_INFLATED_BYTES} bytes")
    if not inflater.eof:
        raise MalformedEncoding("zlib stream is truncated")
    if inflater.unused_data:
        raise MalformedEncoding(f"{len(inflater.unused_data)} bytes after the zlib stream")
    return out


def issue(claims: PermitClaims, signer: Credential, *, compress: bool | None = None) -> str:
    """Sign ``claims`` with a unit's document-signing credential and return the token text.

    Refuses (:class:`IssueError`) what a verifier would refuse: a kind the certificate may not
    sign, an issuer other than the certificate's unit, an issue time outside its validity.
    """
    certificate = signer.certificate
    kinds = permit_kinds_of(certificate)
    if claims.kind not in kinds:
        raise IssueError(f"certificate may sign {sorted(kinds)}, not kind {claims.kind!r}")
    unit = unit_code_of(certificate)
    if unit is not None and unit != claims.issuer:
        raise IssueError(f"certificate belongs to unit {unit!r}, not issuer {claims.issuer!r}")
    if not certificate.not_valid_before_utc <= claims.issued_at <= certificate.not_valid_after_utc:
        raise IssueError(f"issue time {claims.issued_at.isoformat()} is outside the certificate's validity")
    payload = cbor.encode(claims_to_map(claims))
    message = cose.sign(payload, signer.private_key, kid=kid_of(certificate))
    return encode_text(message, compress=compress)


def _parse_any(data: bytes) -> tuple[bytes, cbor.CborValue, bytes, bytes, bytes]:
    """``(kid, alg, Sig_structure, signature, payload)`` of any COSE_Sign1; raise MalformedCbor.

    The key id must be protected (a copy in the unprotected header is ignored): the signer then
    commits to the certificate it signs under. An unprotected key id would let anyone relabel a
    signature to another certificate of the same key, e.g. a unit's renewed one that may sign
    other kinds or is not retired (docs/token-format.md §2.1).
    """
    message = cose.parse_sign1(data)
    kid = message.protected_kid
    if kid is None:
        if message.kid is not None:
            raise MalformedCbor("the key id (header label 4) must be in the protected header")
        raise MalformedCbor("no key id (header label 4) in the protected header")
    return kid, message.alg, message.to_be_signed(), message.signature, message.payload


def _check_signature(
    alg: cbor.CborValue, signed: bytes, signature: bytes, candidates: tuple[TrustedSigner, ...]
) -> TrustedSigner:
    # Each certificate's key takes one algorithm (TrustedSigner.alg: ES256 for P-256, ES384
    # for P-384), so a token cannot have a key checked with a hash it was not made for.
    check = cose.verify_es256 if alg == cose.ALG_ES256 else cose.verify_es384
    failure: BadSignature | None = None
    for candidate in candidates:
        if candidate.alg != alg:
            continue
        try:
            check(signed, signature, candidate.public_key)
        except BadSignature as error:
            failure = error
            continue
        return candidate
    if failure is None:
        raise BadSignature(
            f"algorithm {alg!r}; the certificate with this key id signs with "
            f"{' or '.join(sorted({_ALG_NAMES[c.alg] for c in candidates}))}"
        )
    raise failure


_ALG_NAMES = {cose.ALG_ES256: "ES256 (-7)", cose.ALG_ES384: "ES384 (-35)"}


def verify(
    text: str,
    trust: TrustList,
    revocations: RevocationList | None = None,
    at: datetime | None = None,
) -> VerifiedPermit:
    """Verify a permit token; return its claims or raise one :class:`TokenError`.

    ``at`` is the moment to judge validity at (default: now). Checks run in the documented order:
    prefix, version, encoding, CBOR, signer, signature, kind, dates, revocation.
    """
    moment = at or datetime.now(UTC)
    data = decode_text(text)
    # Tokens localgov issues take the byte-exact path; any other shape is parsed in full.
    kid, alg, signed, signature, payload = cose.parse_common_es256(data) or _parse_any(data)
    candidates = trust.candidates(kid)
    if not candidates:
        raise UnknownSigner(f"key id {kid.hex()} is not on trust list {trust.sequence}")
    signer = _check_signature(alg, signed, signature, candidates)
    try:
        claims = cbor.decode_and_read(payload, claims_from_map)
    except cbor.CborError as error:
        raise MalformedCbor(f"claims: {error}") from None
    _check_signer_allowed(signer, claims)
    starts_at = claims.valid_from or claims.issued_at
    if moment + CLOCK_LEEWAY < starts_at:
        raise NotYetValid(f"valid from {starts_at.isoformat()}")
    if claims.expires_at is not None and moment >= claims.expires_at:
        raise Expired(f"expired at {claims.expires_at.isoformat()}")
    if revocations is not None and revocations.is_revoked(kid, revocation_hash(claims.issuer, claims.permit_number)):
        raise Revoked(f"permit {claims.permit_id} is on revocation list {revocations.sequence}")
    return VerifiedPermit._from_checked(claims, kid, signer, moment)


def read_claims(text: str) -> tuple[bytes, PermitClaims]:
    """The key id and claims of a token, *without verifying it*.

    For the issuer's own bookkeeping (the permit log records each token it signs), never for
    deciding whether to trust a token: that is :func:`verify`.
    """
    data = decode_text(text)
    kid, _alg, _signed, _signature, payload = cose.parse_common_es256(data) or _parse_any(data)
    try:
        return kid, cbor.decode_and_read(payload, claims_from_map)
    except cbor.CborError as error:
        raise MalformedCbor(f"claims: {error}") from None


def _check_signer_allowed(signer: TrustedSigner, claims: PermitClaims) -> None:
    if claims.kind not in signer.kinds:
        raise SignerNotAllowed(f"certificate {signer.kid.hex()} may not sign kind {claims.kind!r}")
    if signer.unit_code is not None and signer.unit_code != claims.issuer:
        raise SignerNotAllowed(f"certificate of unit {signer.unit_code!r} cannot sign for issuer {claims.issuer!r}")
    if not signer.not_before <= claims.issued_at <= signer.not_after:
        raise SignerNotAllowed(
            f"issued {claims.issued_at.isoformat()}, outside the certificate's validity "
            f"({signer.not_before.date()} to {signer.not_after.date()})"
        )
    if signer.retired_at is not None and claims.issued_at > signer.retired_at:
        raise SignerNotAllowed(
            f"issued {claims.issued_at.isoformat()}, after the certificate was retired "
            f"({signer.retired_at.isoformat()})"
        )
