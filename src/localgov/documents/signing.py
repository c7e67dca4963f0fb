"""PAdES signatures with pyHanko: B-B by default, B-T with a timestamp authority, B-LT with
revocation data embedded as well.

The signing certificate is the issuing unit's document-signing certificate, the one that signs the
permit's QR token, so a verifier sees one signer behind the paper and the code. The signature is
visible: a box on the page (see :data:`localgov.documents.templates.SIGNATURE_BOX`) shows who
signed and when.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from typing import Literal

import attrs
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.utils import CryptographyDeprecationWarning

from localgov.documents.errors import SigningError
from localgov.pki import Credential

# pyhanko.sign.signers.pdf_cms imports cryptography's DSAPrivateKey at import time, and cryptography
# warns on any access to its deprecated DSA names: every `localgov verify` printed that warning.
# localgov never signs or issues with DSA, so only this warning, during this import, is dropped;
# a DSA signature met at validation time still warns.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"DSA is deprecated", category=CryptographyDeprecationWarning, module=r"pyhanko\."
    )
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as PyhankoSigningError
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko.stamp import TextStampStyle
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

__all__ = ["PadesLevel", "PdfSigner", "RevocationData", "to_asn1"]

PadesLevel = Literal["B-B", "B-T", "B-LT"]
SIGNATURE_FIELD = "LocalgovSignature"


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


@attrs.frozen
class RevocationData:
    """CRLs and OCSP responses (DER) to embed for B-LT, collected beforehand (no network)."""

    crls: tuple[bytes, ...] = ()
    ocsps: tuple[bytes, ...] = ()


class PdfSigner:
    """Signs PDFs with one credential; built once and reused for every document.

    ``chain`` lists the certificates above the signer (governorate CA, root) to embed, so a
    validator that trusts the root can build the path. ``timestamper`` (any pyHanko
    :class:`TimeStamper`, e.g. an ``HTTPTimeStamper`` for the TSA's URL) raises the level to
    B-T; with ``roots`` and ``revocation`` as well, validation data is embedded (B-LT).
    """

    def __init__(
        self,
        credential: Credential,
        chain: Sequence[x509.Certificate] = (),
        *,
        timestamper: TimeStamper | None = None,
        roots: Sequence[x509.Certificate] = (),
        revocation: RevocationData | None = None,
        location: str = "Egypt",
    ) -> None:
        self.credential = credential
        key = asn1_keys.PrivateKeyInfo.load(
            credential.private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        self._signer = signers.SimpleSigner(
            signing_cert=to_asn1(credential.certificate),
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs([to_asn1(c) for c in chain]),  # type: ignore[no-untyped-call]
        )
        self.timestamper = timestamper
        validation = None
        if timestamper is not None and revocation is not None:
            validation = ValidationContext(
                trust_roots=[to_asn1(r) for r in roots],
                other_certs=[to_asn1(c) for c in chain],
                crls=[asn1_crl.CertificateList.load(c) for c in revocation.crls],
                ocsps=[asn1_ocsp.OCSPResponse.load(o) for o in revocation.ocsps],
                allow_fetching=False,
                revocation_mode="hard-fail",
            )
        self.level: PadesLevel = "B-LT" if validation is not None else ("B-T" if timestamper is not None else "B-B")
        self._validation = validation
        self._location = location
        # Room for the CMS signature. pyHanko otherwise signs twice, once to measure; a P-256
        # signature with three certificates takes about 3 kB, a timestamp token up to 6 kB more.
        self._reserved = 8192 if timestamper is None else 24576

    @property
    def signer_name(self) -> str:
        names = self.credential.certificate.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.credential.certificate.subject.rfc4514_string()

    def sign(self, pdf: bytes, *, box: tuple[float, float, float, float], reason: str) -> bytes:
        """``pdf`` with a visible PAdES signature in ``box`` (x1, y1, x2, y2 in points, page 1)."""
        metadata = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=self._location,
            embed_validation_info=self._validation is not None,
            validation_context=self._validation,
        )
        stamp = TextStampStyle(
            stamp_text="Digitally signed by %(signer)s\n%(ts)s",
            border_width=0,
            background=None,
        )
        field = fields.SigFieldSpec(SIGNATURE_FIELD, on_page=0, box=tuple(round(v) for v in box))  # type: ignore[arg-type]
        pdf_signer = signers.PdfSigner(
            metadata, self._signer, timestamper=self.timestamper, stamp_style=stamp, new_field_spec=field
        )
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            output = pdf_signer.sign_pdf(
                writer, appearance_text_params={"signer": self.signer_name}, bytes_reserved=self._reserved
            )
        except (PyhankoSigningError, PdfError, ValueError) as error:
            raise SigningError(f"cannot sign the PDF ({self.level}): {error}") from None
        assert isinstance(output, io.BytesIO)
        return output.getvalue()
