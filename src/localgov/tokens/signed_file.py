"""Signed files (trust lists, revocation lists): a COSE_Sign1 signed under the national root.

The signer is the root itself or a trust-list-signing certificate issued directly by it, carried
in the protected header as ``x5chain`` (label 33, RFC 9360), so a verifier needs only the root
certificate, obtained once out of band. The payload is a CBOR map whose key 1 names the file type,
so one kind of signed file can never be passed off as another.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from localgov.errors import LocalgovError
from localgov.pki import EKU_TRUST_LIST_SIGNING, Credential, kid_of
from localgov.tokens import cbor, cose
from localgov.tokens.errors import TokenError

__all__ = ["SignedFileError", "open_signed_file", "sign_file"]

HEADER_X5CHAIN = 33
FILE_TYPE = 1
MAX_SIGNED_FILE = 16 * 1024 * 1024


class SignedFileError(LocalgovError):
    """A trust list or revocation list is unreadable, not signed under the root, or stale."""


def sign_file(payload: dict[int, object], signer: Credential, root: x509.Certificate) -> bytes:
    """COSE_Sign1 over ``payload``, by the root or a trust-list signer under it."""
    # The algorithm follows the key (ES256 for P-256, ES384 for P-384), as cose.sign signs.
    chain: dict[int, object] = {}
    if signer.certificate != root:
        _check_signer(signer.certificate, root, None)
        chain[HEADER_X5CHAIN] = signer.certificate.public_bytes(serialization.Encoding.DER)
    return cose.sign(cbor.encode(payload), signer.private_key, kid=signer.kid, protected=chain)


def _check_signer(certificate: x509.Certificate, root: x509.Certificate, at: datetime | None) -> None:
    name = certificate.subject.rfc4514_string()
    try:
        certificate.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        raise SignedFileError(f"signer {name} is not issued by the root") from None
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or EKU_TRUST_LIST_SIGNING not in usage:
        raise SignedFileError(f"signer {name} is not a trust-list signing certificate")
    if at is not None and not (certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc):
        raise SignedFileError(f"signer {name} is not valid at {at.isoformat()}")


def open_signed_file(
    data: bytes, root: x509.Certificate, file_type: str, *, at: datetime | None = None
) -> dict[int | str | bytes, cbor.CborValue]:
    """Verify a signed file against ``root`` and return its payload map."""
    if len(data) > MAX_SIGNED_FILE:
        raise SignedFileError(f"{file_type}: file of {len(data)} bytes is too large")
    moment = at or datetime.now(UTC)
    try:
        message = cose.parse_sign1(data)
        x5chain = message.protected.get(HEADER_X5CHAIN)
        if x5chain is None:
            signer = root
        elif isinstance(x5chain, bytes):
            try:
                signer = x509.load_der_x509_certificate(x5chain)
            except ValueError:
                raise SignedFileError(f"{file_type}: x5chain is not a certificate") from None
            _check_signer(signer, root, moment)
        else:
            raise SignedFileError(f"{file_type}: x5chain must be one DER certificate")
        if message.kid is not None and message.kid != kid_of(signer):
            raise SignedFileError(f"{file_type}: kid does not match the signing certificate")
        public_key = signer.public_key()
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            raise SignedFileError(f"{file_type}: signer key is not ECDSA")
        cose.verify_signature(message, public_key)
        payload = cbor.decode(message.payload)
    except TokenError as error:
        raise SignedFileError(f"{file_type}: {error}") from None
    except cbor.CborError as error:
        raise SignedFileError(f"{file_type}: payload: {error}") from None
    if not isinstance(payload, dict) or payload.get(FILE_TYPE) != file_type:
        raise SignedFileError(f"the file is not a {file_type}")
    return payload
