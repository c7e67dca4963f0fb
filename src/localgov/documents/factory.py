"""DocumentFactory: fonts, templates, branding and the signer loaded once, documents made many times.

Typical use::

    factory = DocumentFactory(app, signer=PdfSigner(credential, chain))
    receipt = factory.receipt(request)                  # PDF bytes, unsigned
    permit = factory.permit(request, issued_at=moment)  # signed PDF bytes with its QR token
    issued = factory.issue_permit(request)              # the PDF, its token and its log index
    for path in factory.write_permits(requests, "out/"):  # one file at a time, constant memory
        ...
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from localgov.catalogue import Catalogue
from localgov.clock import EGYPT
from localgov.correspondence import Letter, RegisterEntry
from localgov.documents.branding import DocumentBranding, branding_for
from localgov.documents.content import (
    NoticeContent,
    PermitContent,
    ReceiptContent,
    notice_content,
    permit_content,
    receipt_content,
)
from localgov.documents.errors import DocumentError
from localgov.documents.fonts import load_face
from localgov.documents.formatting import Digits, Formatter
from localgov.documents.layout import Faces, Sheet
from localgov.documents.pdfwriter import DocumentInfo, Image, PdfBuilder
from localgov.documents.registers import draw_letter, draw_register, letter_info, party_name, register_content
from localgov.documents.signing import PdfSigner
from localgov.documents.templates import (
    SIGNATURE_BOX,
    TemplateSettings,
    draw_notice,
    draw_permit,
    draw_receipt,
)
from localgov.organisation import Governorate, LocalUnit
from localgov.permits import PermitLog, log_entry, permit_claims
from localgov.pki import unit_code_of
from localgov.requests.model import Request
from localgov.tokens import PermitClaims, issue

__all__ = [
    "INFO_HOLDER",
    "INFO_ISSUER",
    "INFO_PERMIT_NUMBER",
    "DocumentFactory",
    "DocumentSettings",
    "IssuedPermit",
]

# Document information entries a verifier compares with the token (covered by the signature).
INFO_PERMIT_NUMBER = "LocalgovPermitNumber"
INFO_HOLDER = "LocalgovHolder"
INFO_ISSUER = "LocalgovIssuer"
INFO_KIND = "LocalgovKind"


@attrs.frozen
class DocumentSettings:
    """Choices a governorate makes once.

    ``digits``: Eastern Arabic (٠١٢) or Western (012) digits in dates, amounts and figures.
    ``portal_base_url``: where the receipt QR sends the applicant. ``sms_number``: the inquiry
    number printed on the receipt. ``qr_mask``: a fixed QR mask pattern (0-7) saves about 3 ms a
    code; ``None`` chooses the most readable one, as segno would.
    """

    digits: Digits = "eastern"
    portal_base_url: str = "https://portal.localgov.example"
    sms_number: str | None = None
    qr_mask: int | None = None
    # Where the citizens are: a permit is valid through its last day here (the engine's timezone).
    timezone: datetime.tzinfo = EGYPT


@attrs.frozen
class IssuedPermit:
    """A permit as issued: the signed PDF, the token its QR code carries, where the log holds it.

    ``log_index`` is ``None`` when the factory publishes to no permit log.
    """

    pdf: bytes
    token: str
    claims: PermitClaims
    log_index: int | None


class DocumentFactory:
    """Makes receipts, permits and notices for one application; reuse it for every document.

    With a ``permit_log`` (a :class:`localgov.storage.SqlPermitLog`, or anything with its
    ``append``), every permit the factory signs is appended to the public log before its PDF is
    handed back: a permit that reached its holder is always in the log. A failed append raises,
    and the PDF is not returned.
    """

    def __init__(
        self,
        app: Any | None = None,
        *,
        signer: PdfSigner | None = None,
        settings: DocumentSettings | None = None,
        catalogue: Catalogue | None = None,
        organisation: Mapping[str, Governorate] | None = None,
        hook: Any | None = None,
        permit_log: PermitLog | None = None,
    ) -> None:
        if app is not None:
            catalogue = catalogue or app.catalogue
            organisation = organisation or app.organisation
            hook = hook or app.plugins.hook
        if catalogue is None or organisation is None:
            raise DocumentError("DocumentFactory needs an app, or a catalogue and an organisation")
        self.catalogue = catalogue
        self.organisation = organisation
        self.signer = signer
        self.permit_log = permit_log
        self.settings = settings or DocumentSettings()
        self._hook = hook
        self._faces = Faces(load_face("regular"), load_face("bold"))
        self._template_settings = TemplateSettings(
            Formatter(self.settings.digits),
            self.settings.portal_base_url,
            self.settings.sms_number,
            self.settings.qr_mask,
        )
        self._branding: dict[tuple[str, str], tuple[DocumentBranding, Image | None]] = {}

    # --- branding -------------------------------------------------------------------------

    def branding(self, governorate: Governorate, unit: LocalUnit) -> tuple[DocumentBranding, Image | None]:
        """The unit's branding and decoded logo, asked of the plugins once per unit."""
        key = (governorate.code, unit.code)
        cached = self._branding.get(key)
        if cached is None:
            branding = branding_for(self._hook, governorate, unit)
            logo = Image.from_png(branding.logo_png) if branding.logo_png else None
            cached = self._branding[key] = (branding, logo)
        return cached

    def _sheet(self, builder: PdfBuilder, governorate: Governorate, unit: LocalUnit) -> Sheet:
        branding, logo = self.branding(governorate, unit)
        return Sheet(builder.new_page(), self._faces, branding, logo)

    # --- receipts and notices -------------------------------------------------------------

    def receipt(self, request: Request) -> bytes:
        """The receipt form (نموذج استلام الخدمة) for a received request, as PDF bytes."""
        return self.render_receipt(receipt_content(self.catalogue, self.organisation, request))

    def render_receipt(self, content: ReceiptContent) -> bytes:
        builder = PdfBuilder()
        draw_receipt(self._sheet(builder, content.governorate, content.unit), content, self._template_settings)
        return builder.build(
            DocumentInfo(
                title=f"نموذج استلام الخدمة {content.tracking_number} / Service receipt",
                author=_author(content.governorate, content.unit),
                subject=f"{content.service.ar} / {content.service.en}",
                keywords=content.tracking_number,
            )
        )

    def notice(self, request: Request, *, dated: datetime.date | None = None) -> bytes:
        """The notice of missing documents or of rejection for ``request``, as PDF bytes."""
        return self.render_notice(notice_content(self.catalogue, self.organisation, request, dated=dated))

    def render_notice(self, content: NoticeContent) -> bytes:
        builder = PdfBuilder()
        draw_notice(self._sheet(builder, content.governorate, content.unit), content, self._template_settings)
        title = (
            "إخطار باستيفاء مستندات / Notice of missing documents"
            if content.kind == "missing_documents"
            else "إخطار برفض الطلب / Notice of rejection"
        )
        return builder.build(
            DocumentInfo(
                title=f"{title} {content.tracking_number}",
                author=_author(content.governorate, content.unit),
                subject=f"{content.service.ar} / {content.service.en}",
                keywords=content.tracking_number,
            )
        )

    # --- permits --------------------------------------------------------------------------

    def claims(self, request: Request, *, issued_at: datetime.datetime | None = None) -> PermitClaims:
        """The facts of the permit ``request`` was issued, as its token will carry them."""
        governorate = self.organisation.get(request.governorate)
        if governorate is None:
            raise DocumentError(f"request {request.id}: governorate {request.governorate!r} is not loaded")
        moment = issued_at or datetime.datetime.now(datetime.UTC)
        return permit_claims(
            request,
            self.catalogue.service(request.service, request.governorate),
            governorate,
            issued_at=moment,
            timezone=self.settings.timezone,
        )

    def permit(self, request: Request, *, issued_at: datetime.datetime | None = None) -> bytes:
        """The issued permit, licence or statement: token in a QR code, PDF signed (PAdES)."""
        return self.issue_permit(request, issued_at=issued_at).pdf

    def issue_permit(self, request: Request, *, issued_at: datetime.datetime | None = None) -> IssuedPermit:
        """The permit ``request`` was issued: its signed PDF, its token, and its index in the log."""
        claims = self.claims(request, issued_at=issued_at)
        return self.issue_rendered(permit_content(self.catalogue, self.organisation, request, claims))

    def render_permit(self, content: PermitContent) -> bytes:
        return self.issue_rendered(content).pdf

    def issue_rendered(self, content: PermitContent) -> IssuedPermit:
        """Sign ``content``'s token, draw and sign its PDF, then publish the token to the log."""
        if self.signer is None:
            raise DocumentError("this DocumentFactory has no signer: permits must be signed")
        claims = content.claims
        token = issue(claims, self.signer.credential)
        builder = PdfBuilder()
        sheet = self._sheet(builder, content.governorate, content.unit)
        draw_permit(sheet, content, token, self.signer.signer_name, self._template_settings)
        unsigned = builder.build(
            DocumentInfo(
                title=f"{content.title.ar} {claims.permit_number} / {content.title.en}",
                author=_author(content.governorate, content.unit),
                subject=f"{content.title.ar} — {claims.holder_name}",
                keywords=f"{claims.permit_number} {content.tracking_number}",
                created=claims.issued_at,
                extra={
                    INFO_PERMIT_NUMBER: claims.permit_number,
                    INFO_HOLDER: claims.holder_name,
                    INFO_ISSUER: claims.issuer,
                    INFO_KIND: claims.kind,
                },
            )
        )
        pdf = self.signer.sign(unsigned, box=SIGNATURE_BOX, reason=f"{content.title.en} {claims.permit_number}")
        # Last, so that nothing is logged for a permit whose PDF could not be made.
        index = self.permit_log.append(log_entry(token, claims).encode()) if self.permit_log is not None else None
        return IssuedPermit(pdf, token, claims, index)

    # --- correspondence -------------------------------------------------------------------

    def register_book(
        self, governorate: str, unit: str, kind: str, year: int, lines: Sequence[tuple[RegisterEntry, Letter]]
    ) -> bytes:
        """A unit's outgoing (``"out"``) or incoming (``"in"``) book of ``year`` as an Arabic PDF;
        ``lines`` from :meth:`localgov.correspondence.Correspondence.register`."""
        formatter = self._template_settings.formatter
        content = register_content(self.catalogue, self.organisation, governorate, unit, kind, year, lines, formatter)
        builder = PdfBuilder()
        draw_register(lambda: self._sheet(builder, content.governorate, content.unit), content, formatter)
        return builder.build(
            DocumentInfo(
                title=f"{content.title.ar} {year} / {content.title.en} {year}",
                author=_author(content.governorate, content.unit),
                subject=f"{content.title.ar} - {content.unit.name.ar}",
                keywords=f"{kind} {unit} {year}",
            )
        )

    def letter(self, letter: Letter) -> bytes:
        """A letter printed: its numbers, parties, text; signed PAdES when the factory has a signer
        (which must be the sending unit's certificate)."""
        governorate = self.organisation[letter.sender.governorate or ""]
        unit = governorate.units[letter.sender.unit or ""]
        builder = PdfBuilder()
        sender = party_name(letter.sender, self.organisation, self.catalogue)
        recipient = party_name(letter.recipient, self.organisation, self.catalogue)
        draw_letter(
            self._sheet(builder, governorate, unit), letter, sender, recipient, self._template_settings.formatter
        )
        pdf = builder.build(letter_info(letter, _author(governorate, unit)))
        if self.signer is None:
            return pdf
        code = f"{governorate.code}-{unit.short_code}"
        if unit_code_of(self.signer.credential.certificate) != code:
            raise DocumentError(f"letter {letter.id} is signed by {code}'s certificate, not this factory's signer")
        return self.signer.sign(pdf, box=SIGNATURE_BOX, reason=f"Letter {letter.id}")

    def write_permits(
        self, requests: Iterable[Request], directory: str | Path, *, issued_at: datetime.datetime | None = None
    ) -> Iterator[Path]:
        """Write one signed permit per request into ``directory``, one at a time; yield each path.

        Nothing is kept between documents but the caches of shaped labels, so memory stays flat
        however many requests the iterable yields.
        """
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        for request in requests:
            data = self.permit(request, issued_at=issued_at)
            path = target / f"{_file_name(request)}.pdf"
            path.write_bytes(data)
            yield path


def _author(governorate: Governorate, unit: LocalUnit) -> str:
    return f"{unit.name.ar}، محافظة {governorate.name.ar} / {unit.name.en}, {governorate.name.en}"


def _file_name(request: Request) -> str:
    number = request.issued.number if request.issued is not None else request.id
    return re.sub(r"[^A-Za-z0-9._-]+", "-", number).strip("-") or "permit"
