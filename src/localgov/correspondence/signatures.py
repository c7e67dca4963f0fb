"""CMS detached signatures (RFC 5652) over a letter's canonical form, by the sending unit's certificate.

The signature is the one any CMS tool checks (``openssl cms -verify -binary -inform DER
-content letter.json``): SignedData without the content, SHA-256, the signer's certificate and
the chain above it embedded, a signing-time attribute. The certificate is the unit's
document-signing certificate from :mod:`localgov.pki`, the one that signs its permits.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7

from localgov.correspondence.errors import InvalidLetterSignature
from localgov.pki import Credential, PkiError, unit_code_of, verify_chain

__all__ = ["sign_detached", "verify_detached"]


def sign_detached(content: bytes, credential: Credential, chain: Sequence[x509.Certificate] = ()) -> bytes:
    """A detached CMS SignedData (DER) over ``content`` by ``credential``, with ``chain`` embedded."""
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(credential.certificate, credential.private_key, hashes.SHA256())
    )
    for certificate in chain:
        builder = builder.add_certificate(certificate)
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.NoCapabilities, pkcs7.PKCS7Options.Binary]
    return builder.sign(serialization.Encoding.DER, options)


def _attribute(signer: cms.SignerInfo, name: str) -> object:
    for attribute in signer["signed_attrs"]:
        if attribute["type"].native == name:
            return attribute["values"][0].native
    raise InvalidLetterSignature(f"the signature has no {name} attribute")


def verify_detached(
    content: bytes,
    signature: bytes,
    *,
    unit_code: str | None = None,
    root: x509.Certificate | None = None,
    at: datetime.datetime | None = None,
) -> x509.Certificate:
    """Check a detached CMS signature over ``content``; return the signer's certificate.

    With ``unit_code``, the certificate must be that unit's (its subject OU); with ``root``, it
    must chain to it through the certificates embedded, valid at ``at``. Raises
    :class:`InvalidLetterSignature` naming what fails.
    """
    try:
        certificate, embedded = _check_signed_data(content, signature)
        if unit_code is not None and unit_code_of(certificate) != unit_code:
            raise InvalidLetterSignature(
                f"signed by the certificate of {unit_code_of(certificate)!r}, not of the sending unit {unit_code!r}"
            )
        if root is not None:
            verify_chain(certificate, [c for c in embedded if c != certificate and c != root], root, at=at)
    except InvalidLetterSignature:
        raise
    except PkiError as error:
        raise InvalidLetterSignature(f"the signer's certificate does not chain to the root: {error}") from None
    except Exception as error:  # noqa: BLE001 - untrusted input, see below
        # The signature is untrusted input, read by asn1crypto and cryptography, both of which parse
        # lazily: a damaged signature or certificate fails at whichever field is first asked for,
        # with whichever of their exceptions (ValueError, InvalidVersion, DuplicateExtension,
        # UnsupportedAlgorithm...). Each means the same: this is not a valid signature.
        raise InvalidLetterSignature(f"not a readable CMS signature ({type(error).__name__})") from None
    return certificate


def _check_signed_data(content: bytes, signature: bytes) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The signer's certificate and all embedded ones, once the signature over ``content`` verifies."""
    info = cms.ContentInfo.load(signature)
    if info["content_type"].native != "signed_data":
        raise InvalidLetterSignature("not a CMS SignedData")
    signed = info["content"]
    signers = list(signed["signer_infos"])
    if len(signers) != 1:
        raise InvalidLetterSignature(f"expected one signer, found {len(signers)}")
    signer = signers[0]
    embedded = [c.chosen for c in signed["certificates"] if c.name == "certificate"]
    sid = signer["sid"].chosen
    if not isinstance(sid, cms.IssuerAndSerialNumber):
        raise InvalidLetterSignature("the signer is not named by issuer and serial number")
    match = next(
        (c for c in embedded if c.issuer == sid["issuer"] and c.serial_number == sid["serial_number"].native),
        None,
    )
    if match is None:
        raise InvalidLetterSignature("the signer's certificate is not in the signature")
    certificate = x509.load_der_x509_certificate(match.dump())
    if signer["digest_algorithm"]["algorithm"].native != "sha256":
        raise InvalidLetterSignature("the signature's digest is not SHA-256")
    if _attribute(signer, "content_type") != "data":
        raise InvalidLetterSignature("the signature does not cover plain data")
    if _attribute(signer, "message_digest") != hashlib.sha256(content).digest():
        raise InvalidLetterSignature("the letter does not match what was signed (its digest differs)")
    # The signature covers the DER of the signed attributes as a SET (RFC 5652, 5.4), not as
    # the [0] IMPLICIT field they are carried in.
    attributes = b"\x31" + signer["signed_attrs"].dump()[1:]
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise InvalidLetterSignature("the signer's key is not an EC key")
    try:
        public_key.verify(signer["signature"].native, attributes, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise InvalidLetterSignature("the signature does not verify under the signer's certificate") from None
    return certificate, [x509.load_der_x509_certificate(c.dump()) for c in embedded]
