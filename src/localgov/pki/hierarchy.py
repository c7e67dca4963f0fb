"""The certificate hierarchy: national root CA -> governorate CA -> unit document signer.

The same governorate CA certifies a unit's field devices (the mobile district's tablets,
:func:`issue_device_certificate`): the device's own key, the unit in the subject's
organizationalUnitName, the device id in its serialNumber, and the "localgov device signing"
extended key usage, so a device certificate can never pass for a document signer.

One document-signing certificate per local unit signs both the permit's QR token and its PDF,
so it is an ordinary X.509 certificate: keyUsage digitalSignature and nonRepudiation (what PDF
validators expect of a signer), extended key usage "localgov permit signing", the unit's code in
the subject's organizationalUnitName, and the permit kinds it may sign in the permit-kinds
extension (:mod:`localgov.pki.extensions`).

The key id a token names its signer by is the first 8 bytes of the SHA-256 of the certificate's
DER encoding (as the EU Digital COVID Certificate does): the verifier needs no other index.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import attrs
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from localgov.pki.errors import PkiError
from localgov.pki.extensions import permit_kinds_extension
from localgov.pki.keys import generate_signing_key
from localgov.pki.oids import EKU_DEVICE_SIGNING, EKU_PERMIT_SIGNING, EKU_TRUST_LIST_SIGNING

__all__ = [
    "KID_LENGTH",
    "Credential",
    "create_root",
    "device_id_of",
    "issue_device_certificate",
    "issue_governorate_ca",
    "issue_trust_list_signer",
    "issue_unit_signer",
    "kid_of",
    "unit_code_of",
    "verify_chain",
]

KID_LENGTH = 8
# id-kp-documentSigning (RFC 9336).
EKU_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

ROOT_VALIDITY = timedelta(days=20 * 365)
GOVERNORATE_CA_VALIDITY = timedelta(days=10 * 365)
SIGNER_VALIDITY = timedelta(days=2 * 365)
# A tablet is carried around and lost: its certificate is short-lived, renewed at each enrolment.
DEVICE_VALIDITY = timedelta(days=365)
# What a device id may be: it is printed on the device's receipts and stored in sync records.
_DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@attrs.frozen
class Credential:
    """A certificate and its private key. The key is left out of ``repr`` so it never reaches a log."""

    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey = attrs.field(repr=False)

    @property
    def kid(self) -> bytes:
        return kid_of(self.certificate)


def kid_of(certificate: x509.Certificate) -> bytes:
    """First 8 bytes of SHA-256 over the certificate's DER encoding."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest()[:KID_LENGTH]


def unit_code_of(certificate: x509.Certificate) -> str | None:
    """The unit code a document-signing certificate was issued to (subject OU), if any."""
    values = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    value = values[0].value if values else None
    return value if isinstance(value, str) else None


def device_id_of(certificate: x509.Certificate) -> str | None:
    """The device id of a device certificate (subject serialNumber), if it is one."""
    values = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    value = values[0].value if values else None
    return value if isinstance(value, str) else None


def _name(common_name: str, organisation: str | None = None, unit: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "EG")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(microsecond=0)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    not_before: datetime,
    validity: timedelta,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + validity)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _signer_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _issued_by(builder: x509.CertificateBuilder, issuer: Credential) -> x509.CertificateBuilder:
    return builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
        critical=False,
    )


def _check_issuer_validity(issuer: Credential, not_before: datetime, validity: timedelta) -> None:
    if not_before + validity > issuer.certificate.not_valid_after_utc:
        raise PkiError(
            f"requested validity ends {(not_before + validity).date()}, after the issuing "
            f"certificate's ({issuer.certificate.not_valid_after_utc.date()})"
        )


def create_root(
    name: str = "Egypt Local Government Root CA",
    *,
    validity: timedelta = ROOT_VALIDITY,
    key: ec.EllipticCurvePrivateKey | None = None,
    now: datetime | None = None,
) -> Credential:
    """A self-signed national root CA."""
    key = key or generate_signing_key()
    subject = _name(name, "Arab Republic of Egypt")
    start = _now(now)
    certificate = (
        _builder(subject, subject, key.public_key(), start, validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Credential(certificate, key)


def issue_governorate_ca(
    root: Credential,
    governorate_code: str,
    name: str | None = None,
    *,
    validity: timedelta = GOVERNORATE_CA_VALIDITY,
    key: ec.EllipticCurvePrivateKey | None = None,
    now: datetime | None = None,
) -> Credential:
    """A governorate CA under ``root``; it may issue end-entity certificates only."""
    key = key or generate_signing_key()
    start = _now(now)
    _check_issuer_validity(root, start, validity)
    subject = _name(name or f"Governorate {governorate_code} CA", "Arab Republic of Egypt", governorate_code)
    certificate = (
        _issued_by(_builder(subject, root.certificate.subject, key.public_key(), start, validity), root)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .sign(root.private_key, hashes.SHA256())
    )
    return Credential(certificate, key)


def issue_unit_signer(
    ca: Credential,
    unit_code: str,
    kinds: Iterable[str],
    name: str | None = None,
    *,
    validity: timedelta = SIGNER_VALIDITY,
    key: ec.EllipticCurvePrivateKey | None = None,
    now: datetime | None = None,
) -> Credential:
    """A local unit's document-signing certificate, allowed to sign the given permit ``kinds``."""
    if not unit_code.strip():
        raise PkiError("unit code must not be empty")
    key = key or generate_signing_key()
    start = _now(now)
    _check_issuer_validity(ca, start, validity)
    organisation = ca.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    subject = _name(name or f"Unit {unit_code} document signing", str(organisation), unit_code)
    certificate = (
        _issued_by(_builder(subject, ca.certificate.subject, key.public_key(), start, validity), ca)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signer_usage(), critical=True)
        .add_extension(
            # PDF validators (NSS behind poppler's pdfsig, Adobe) accept a signer whose key usage
            # includes e-mail protection or document signing; the localgov purpose comes first.
            x509.ExtendedKeyUsage([EKU_PERMIT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION, EKU_DOCUMENT_SIGNING]),
            critical=False,
        )
        .add_extension(permit_kinds_extension(kinds), critical=False)
        .sign(ca.private_key, hashes.SHA256())
    )
    return Credential(certificate, key)


def issue_device_certificate(
    ca: Credential,
    unit_code: str,
    device_id: str,
    public_key: ec.EllipticCurvePublicKey,
    *,
    validity: timedelta = DEVICE_VALIDITY,
    now: datetime | None = None,
) -> x509.Certificate:
    """Certify a field device's key for ``unit_code``: the tablet keeps its private key, the CA
    never sees it (the device sends its public key at enrolment).

    Key usage digitalSignature only (a device's signature is not a non-repudiable act of the unit:
    the request it carries is received and recorded by the server), extended key usage
    :data:`~localgov.pki.oids.EKU_DEVICE_SIGNING`.
    """
    if not unit_code.strip():
        raise PkiError("unit code must not be empty")
    if not _DEVICE_ID.fullmatch(device_id):
        raise PkiError(f"device id {device_id!r:.70}: use 1 to 64 letters, digits, '.', '_' or '-'")
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
        raise PkiError(f"device {device_id}: the device key must be ECDSA P-256")
    start = _now(now)
    _check_issuer_validity(ca, start, validity)
    organisation = ca.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    subject = x509.Name(
        [
            *_name(f"Device {device_id} of unit {unit_code}", str(organisation), unit_code),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, device_id),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        _issued_by(_builder(subject, ca.certificate.subject, public_key, start, validity), ca)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([EKU_DEVICE_SIGNING]), critical=False)
        .sign(ca.private_key, hashes.SHA256())
    )


def issue_trust_list_signer(
    root: Credential,
    name: str = "Egypt Local Government Trust List Signer",
    *,
    validity: timedelta = SIGNER_VALIDITY,
    key: ec.EllipticCurvePrivateKey | None = None,
    now: datetime | None = None,
) -> Credential:
    """A certificate, directly under the root, that signs trust lists and revocation lists."""
    key = key or generate_signing_key()
    start = _now(now)
    _check_issuer_validity(root, start, validity)
    subject = _name(name, "Arab Republic of Egypt")
    certificate = (
        _issued_by(_builder(subject, root.certificate.subject, key.public_key(), start, validity), root)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signer_usage(), critical=True)
        .add_extension(x509.ExtendedKeyUsage([EKU_TRUST_LIST_SIGNING]), critical=False)
        .sign(root.private_key, hashes.SHA256())
    )
    return Credential(certificate, key)


def verify_chain(
    certificate: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    root: x509.Certificate,
    *,
    at: datetime | None = None,
) -> list[x509.Certificate]:
    """Check that ``certificate`` chains to ``root`` through ``intermediates``; return the chain.

    Checks signatures, validity at ``at`` (default now), and that every issuer is a CA within its
    path length. Raises :class:`PkiError` naming the certificate that fails.
    """
    moment = at or datetime.now(UTC)
    by_subject = {c.subject: c for c in (*intermediates, root)}
    chain = [certificate]
    current = certificate
    while current != root:
        issuer = by_subject.get(current.issuer)
        if issuer is None or len(chain) > len(intermediates) + 1:
            raise PkiError(f"no issuer for {current.subject.rfc4514_string()} leads to the root")
        try:
            current.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm) as error:
            # UnsupportedAlgorithm: a damaged certificate whose key or signature algorithm no longer reads.
            raise PkiError(
                f"{current.subject.rfc4514_string()} is not signed by "
                f"{issuer.subject.rfc4514_string()} ({type(error).__name__})"
            ) from None
        try:
            constraints = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            raise PkiError(f"{issuer.subject.rfc4514_string()} is not a CA") from None
        below = len(chain) - 1  # CA certificates between issuer and the end entity
        if not constraints.ca or (constraints.path_length is not None and below > constraints.path_length):
            raise PkiError(f"{issuer.subject.rfc4514_string()} may not issue this certificate")
        chain.append(issuer)
        current = issuer
    for link in chain:
        if not link.not_valid_before_utc <= moment <= link.not_valid_after_utc:
            raise PkiError(f"{link.subject.rfc4514_string()} is not valid at {moment.isoformat()}")
    return chain
