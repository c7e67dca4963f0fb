"""Arabic documents: the receipt form, the signed permit, the notice; and their verification.

:class:`DocumentFactory` makes PDFs: Arabic first, right to left, shaped with HarfBuzz, with
fonts from a package dependency embedded as subsets. Permits carry the signed QR token and a
visible PAdES signature by the unit's document-signing certificate (:class:`PdfSigner`).
:func:`verify_pdf` checks such a PDF the way any relying party would. See ``docs/documents.md``.
"""

from localgov.documents.branding import DocumentBranding, branding_for, default_branding
from localgov.documents.content import (
    NoticeContent,
    PermitContent,
    ReceiptContent,
    notice_content,
    permit_content,
    receipt_content,
)
from localgov.documents.demo import demo_outputs
from localgov.documents.errors import DocumentError, FontError, SigningError
from localgov.documents.factory import DocumentFactory, DocumentSettings, IssuedPermit
from localgov.documents.formatting import Digits, Formatter
from localgov.documents.signing import PdfSigner, RevocationData
from localgov.documents.verification import PdfVerdict, Problem, SignatureReport, verify_pdf

__all__ = [
    "Digits",
    "DocumentBranding",
    "DocumentError",
    "DocumentFactory",
    "DocumentSettings",
    "FontError",
    "Formatter",
    "IssuedPermit",
    "NoticeContent",
    "PdfSigner",
    "PdfVerdict",
    "PermitContent",
    "Problem",
    "ReceiptContent",
    "RevocationData",
    "SignatureReport",
    "SigningError",
    "branding_for",
    "default_branding",
    "demo_outputs",
    "notice_content",
    "permit_content",
    "receipt_content",
    "verify_pdf",
]
