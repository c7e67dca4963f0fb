"""Verify a signed permit PDF the way a bank, a court or a ministry would.

:func:`verify_pdf` checks, in order: that the file is a PDF; its PAdES signature (intact, made by
a certificate that chains to the trusted root, nothing but validation data added after it); that
the signing certificate is on the trust list; the QR code on the rendered page (read with
zxing-cpp) and the token it holds (:func:`localgov.tokens.verify`); and that the document and
the token describe the same permit: same number, holder and issuer, signed with the same
certificate. The :class:`PdfVerdict` lists every check that failed, each with a code and a
bilingual message. Hostile input never raises: a file that cannot be read is a verdict too.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import attrs
from cryptography import x509

from localgov.documents.factory import INFO_HOLDER, INFO_ISSUER, INFO_PERMIT_NUMBER
from localgov.documents.signing import to_asn1
from localgov.i18n import LocalizedText
from localgov.pki import kid_of
from localgov.tokens import RevocationList, TokenError, TrustList, VerifiedPermit, verify
from localgov.tokens.claims import normalise_text
from localgov.tokens.qr import QrError, read_qr_texts

__all__ = ["MAX_PDF_BYTES", "PdfVerdict", "Problem", "SignatureReport", "verify_pdf"]

#: Larger files are refused before parsing: a permit is a one-page document of some 60 kB.
MAX_PDF_BYTES = 20 * 1024 * 1024
_RENDER_SCALE = 2.5  # 180 dpi: QR modules of the permit are about 4 pixels wide


@attrs.frozen
class Problem:
    """One failed check: a stable ``code`` and what it means, in Arabic and English."""

    code: str
    message: LocalizedText


@attrs.frozen
class SignatureReport:
    """What the PDF signature says about itself."""

    signer: str
    signer_certificate: x509.Certificate = attrs.field(repr=False)
    signed_at: datetime | None
    timestamped: bool
    level: str  # "B-B", "B-T" or "B-LT" (validation data embedded)
    intact: bool
    trusted: bool


@attrs.frozen
class PdfVerdict:
    """The outcome of :func:`verify_pdf`. ``valid`` when no check failed."""

    problems: tuple[Problem, ...]
    signature: SignatureReport | None = None
    permit: VerifiedPermit | None = None
    document_facts: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems and self.permit is not None and self.signature is not None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(problem.code for problem in self.problems)


def _problem(code: str, arabic: str, english: str) -> Problem:
    return Problem(code, LocalizedText(arabic, english))


def _read_source(source: bytes | str | os.PathLike[str]) -> bytes | Problem:
    if isinstance(source, bytes):
        data = source
    else:
        try:
            path = Path(source)
            if path.stat().st_size > MAX_PDF_BYTES:
                return _problem("too_large", "الملف أكبر من المسموح", f"{path} is larger than {MAX_PDF_BYTES} bytes")
            data = path.read_bytes()
        except OSError as error:
            return _problem("unreadable", "تعذرت قراءة الملف", f"cannot read {source}: {error.strerror or error}")
    if len(data) > MAX_PDF_BYTES:
        return _problem("too_large", "الملف أكبر من المسموح", f"the file is larger than {MAX_PDF_BYTES} bytes")
    if data.lstrip()[:5] != b"%PDF-":
        return _problem("not_a_pdf", "الملف ليس مستند PDF", "the file is not a PDF")
    return data


def verify_pdf(
    source: bytes | str | os.PathLike[str],
    trust: TrustList,
    revocations: RevocationList | None = None,
    *,
    root: x509.Certificate | None = None,
    at: datetime | None = None,
) -> PdfVerdict:
    """Verify a signed permit PDF (bytes or a path); see the module documentation.

    ``root`` is the national root certificate the signature must chain to. Without it the
    trust list's certificates are the anchors (the list itself was checked against the root
    when it was loaded).
    """
    data = _read_source(source)
    if isinstance(data, Problem):
        return PdfVerdict((data,))
    problems: list[Problem] = []
    report, facts, signature_problems = _check_signature(data, trust, root, at)
    problems.extend(signature_problems)
    permit, token_problems = _check_token(data, trust, revocations, at)
    problems.extend(token_problems)
    if permit is not None and report is not None:
        problems.extend(_compare(facts, permit, report))
    return PdfVerdict(tuple(problems), report, permit, facts)


def _check_signature(
    data: bytes, trust: TrustList, root: x509.Certificate | None, at: datetime | None
) -> tuple[SignatureReport | None, dict[str, str], list[Problem]]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    anchors = [root] if root is not None else [s.certificate for s in trust.signers]
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        facts = _document_facts(reader)
        signatures = reader.embedded_regular_signatures
    except Exception as error:  # noqa: BLE001 - a hostile file may break the parser anywhere
        return None, {}, [_problem("not_a_pdf", "تعذرت قراءة مستند PDF", f"the PDF cannot be read: {error}")]
    if not signatures:
        return None, facts, [_problem("unsigned", "المستند غير موقع", "the document carries no signature")]
    embedded = signatures[0]
    context = ValidationContext(
        trust_roots=[to_asn1(c) for c in anchors],
        other_certs=[to_asn1(s.certificate) for s in trust.signers],
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=at,
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception as error:  # noqa: BLE001 - malformed CMS data raises from deep inside pyHanko
        return (
            None,
            facts,
            [_problem("signature_invalid", "التوقيع تالف", f"the signature cannot be validated: {error}")],
        )
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    timestamped = status.timestamp_validity is not None
    has_dss = "/DSS" in reader.root
    report = SignatureReport(
        signer=certificate.subject.rfc4514_string(),
        signer_certificate=certificate,
        signed_at=status.signer_reported_dt,
        timestamped=timestamped,
        level="B-LT" if timestamped and has_dss else ("B-T" if timestamped else "B-B"),
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
    )
    problems = []
    if not report.intact:
        problems.append(
            _problem(
                "signature_invalid",
                "التوقيع غير صحيح: المستند عُدِّل بعد توقيعه",
                "the signature does not match the document: it was changed after signing",
            )
        )
    elif not report.trusted:
        problems.append(
            _problem(
                "signer_untrusted",
                "شهادة التوقيع لا ترجع إلى جهة معتمدة",
                "the signing certificate does not chain to the trusted root",
            )
        )
    if status.modification_level not in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES) or not status.docmdp_ok:
        problems.append(
            _problem(
                "modified_after_signing",
                "أضيف إلى المستند محتوى بعد توقيعه",
                "content was added to the document after it was signed",
            )
        )
    if not trust.candidates(kid_of(certificate)):
        problems.append(
            _problem(
                "signer_not_on_trust_list",
                "شهادة التوقيع ليست في قائمة الثقة",
                f"the signing certificate ({report.signer}) is not on trust list {trust.sequence}",
            )
        )
    return report, facts, problems


def _document_facts(reader: object) -> dict[str, str]:
    info = getattr(reader, "trailer_view", {}).get("/Info")
    facts: dict[str, str] = {}
    if info is None:
        return facts
    info = info.get_object() if hasattr(info, "get_object") else info
    if not hasattr(info, "get"):
        return facts
    for key in (INFO_PERMIT_NUMBER, INFO_HOLDER, INFO_ISSUER):
        value = info.get(f"/{key}")
        if value is not None:
            facts[key] = str(value)
    return facts


def _render_first_page(data: bytes) -> object:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        return page.render(scale=_RENDER_SCALE, grayscale=True).to_pil()
    finally:
        document.close()


def _check_token(
    data: bytes, trust: TrustList, revocations: RevocationList | None, at: datetime | None
) -> tuple[VerifiedPermit | None, list[Problem]]:
    try:
        image = _render_first_page(data)
        texts = [t for t in read_qr_texts(image) if t.strip().startswith("LG")]  # type: ignore[arg-type]
    except QrError as error:
        texts, reason = [], str(error)
    except Exception as error:  # noqa: BLE001 - PDFium reports broken files with its own errors
        return None, [_problem("unrenderable", "تعذر عرض صفحة المستند", f"the page cannot be rendered: {error}")]
    else:
        reason = "no localgov QR code on the first page"
    if not texts:
        return None, [_problem("no_token", "لا يوجد رمز تحقق على المستند", reason)]
    try:
        return verify(texts[0], trust, revocations, at), []
    except TokenError as error:
        return None, [Problem(f"token_{error.code}", LocalizedText(error.message_ar, error.message_en))]


def _compare(facts: Mapping[str, str], permit: VerifiedPermit, report: SignatureReport) -> list[Problem]:
    claims = permit.claims
    problems = []
    for key, expected, arabic, english in (
        (INFO_PERMIT_NUMBER, claims.permit_number, "رقم الترخيص", "permit number"),
        (INFO_HOLDER, claims.holder_name, "اسم صاحب الترخيص", "holder"),
        (INFO_ISSUER, claims.issuer, "جهة الإصدار", "issuer"),
    ):
        found = facts.get(key)
        if found is None or normalise_text(found) != normalise_text(expected):
            problems.append(
                _problem(
                    f"mismatch_{english.replace(' ', '_')}",
                    f"{arabic} في المستند لا يطابق رمز التحقق",
                    f"the document's {english} ({found!r}) is not the token's ({expected!r})",
                )
            )
    if kid_of(report.signer_certificate) != permit.kid:
        problems.append(
            _problem(
                "mismatch_signer",
                "المستند ورمز التحقق موقعان بشهادتين مختلفتين",
                "the document and its token were signed with different certificates",
            )
        )
    return problems
