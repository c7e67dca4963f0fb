"""The factory's documents: receipts, notices, digits, branding (the hook), batches."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest

from localgov import hookimpl
from localgov.app import Localgov
from localgov.documents import (
    DocumentBranding,
    DocumentError,
    DocumentFactory,
    DocumentSettings,
    PdfSigner,
)
from localgov.i18n import LocalizedText
from localgov.requests.model import Request
from localgov.testing.pki import TestPki

from .conftest import make_request


def page_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        return str(document[0].get_textpage().get_text_range())
    finally:
        document.close()


def info(data: bytes) -> dict[str, str]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return {str(k): str(v) for k, v in reader.trailer_view["/Info"].get_object().items()}


def test_receipt_metadata_names_the_unit_and_the_request(factory: DocumentFactory, issued_request: Request) -> None:
    meta = info(factory.receipt(issued_request))
    assert issued_request.id in meta["/Title"] and issued_request.id in meta["/Keywords"]
    assert "حي الزيتون" in meta["/Author"] and "Zeitoun" in meta["/Author"]


def test_permit_metadata_and_language(factory: DocumentFactory, issued_request: Request) -> None:
    data = factory.permit(issued_request)
    meta = info(data)
    assert "رخصة بناء" in meta["/Title"] and issued_request.issued.number in meta["/Title"]  # type: ignore[union-attr]
    assert b"/Lang (ar-EG)" in data
    assert b"/Direction /R2L" in data


@pytest.mark.parametrize(("digits", "expected", "absent"), [("eastern", "٢٠٢٦", "2026 "), ("western", "2026", "٢٠٢٦")])
def test_digits_follow_the_setting(
    app: Localgov, issued_request: Request, digits: Any, expected: str, absent: str
) -> None:
    receipt = DocumentFactory(app, settings=DocumentSettings(digits=digits)).receipt(issued_request)
    text = page_text(receipt)
    assert expected in text


def test_a_notice_of_missing_documents_lists_them(factory: DocumentFactory) -> None:
    request = make_request(
        state="missing_documents", missing="تعهد المهندس المشرف غير مرفق", issued=None, closed=False, documents=()
    )
    data = factory.notice(request)
    meta = info(data)
    assert "إخطار باستيفاء مستندات" in meta["/Title"]
    assert len(data) > 5000


def test_a_rejection_notice_and_a_request_that_needs_none(factory: DocumentFactory, issued_request: Request) -> None:
    rejected = make_request(state="rejected", issued=None, closed=True, reason="المخالفة لخط التنظيم")
    assert "إخطار برفض الطلب" in info(factory.notice(rejected))["/Title"]
    with pytest.raises(DocumentError, match="neither waiting"):
        factory.notice(issued_request)


def test_permits_need_a_signer(app: Localgov, issued_request: Request) -> None:
    with pytest.raises(DocumentError, match="no signer"):
        DocumentFactory(app).permit(issued_request)


def test_an_unissued_request_has_no_permit(factory: DocumentFactory) -> None:
    with pytest.raises(Exception, match="not been issued"):
        factory.permit(make_request(issued=None))


def test_batch_issuance_streams_one_file_at_a_time(factory: DocumentFactory, tmp_path: Path) -> None:
    produced = []

    def requests() -> Iterator[Request]:
        for sequence in itertools.count(1):
            produced.append(sequence)
            yield make_request(
                issued=make_request().issued.__class__(f"2026/ZTN/{sequence:06d}", make_request().issued.issued_on)
            )  # type: ignore[union-attr]

    batch = factory.write_permits(requests(), tmp_path)
    first = next(batch)
    assert produced == [1] and first.name == "2026-ZTN-000001.pdf"
    second = next(batch)
    assert produced == [1, 2] and second.read_bytes()[:5] == b"%PDF-"
    batch.close()


def test_hook_document_branding(pki: TestPki, issued_request: Request) -> None:
    class Branding:
        @hookimpl
        def document_branding(self, governorate: Any, unit: Any) -> DocumentBranding:
            return DocumentBranding(
                header=(LocalizedText("محافظة تجريبية للاختبار", "Test Governorate"),),
                signatory=LocalizedText("مدير الاختبار", "Test manager"),
            )

    app = Localgov(plugins=["cairo"], plugin_objects=[Branding()])
    branding, logo = DocumentFactory(app).branding(app.organisation["C"], app.organisation["C"].units["zeitoun"])
    # Plugins registered in code answer before installed ones: this one wins over Cairo's.
    assert branding.signatory.en == "Test manager" and logo is None
    text = page_text(DocumentFactory(app, signer=PdfSigner(pki.signer, pki.chain[1:])).permit(issued_request))
    # PDFium orders the words of a right-to-left page its own way: look for Arabic phrases and
    # single English words.
    assert "مدير الاختبار" in text and "manager" in text and "Governorate" in text


def test_the_cairo_plugin_brands_its_documents(app: Localgov) -> None:
    cairo = app.organisation["C"]
    branding, logo = DocumentFactory(app).branding(cairo, cairo.units["zeitoun"])
    assert branding.header[1].en == "Cairo Governorate"
    assert logo is not None and logo.width == 256


def test_branding_rejects_a_logo_that_is_not_png() -> None:
    with pytest.raises(DocumentError, match="PNG"):
        DocumentBranding(header=(), signatory=LocalizedText("س", "s"), logo_png=b"GIF89a")


def test_a_factory_with_a_permit_log_publishes_each_permit_it_signs(
    app: Localgov, pki: TestPki, issued_request: Request, tmp_path: Path
) -> None:
    from localgov.storage import SqlPermitLog
    from localgov.tokens.qr import read_qr_texts
    from localgov.transparency import parse_entry

    log = SqlPermitLog.open(f"sqlite:///{tmp_path / 'log.db'}", origin="log.example/permits")
    factory = DocumentFactory(app, signer=PdfSigner(pki.signer, pki.chain[1:]), permit_log=log)
    first, second = factory.issue_permit(issued_request), factory.issue_permit(issued_request)
    assert (first.log_index, second.log_index, log.size) == (0, 1, 2)
    entry = parse_entry(log.entry(1))
    assert entry.matches(second.token) and not entry.matches(first.token)
    assert entry.number == second.claims.permit_number == issued_request.issued.number  # type: ignore[union-attr]
    page = pypdfium2.PdfDocument(second.pdf)
    try:
        picture = page[0].render(scale=3, grayscale=True).to_pil()
    finally:
        page.close()
    assert read_qr_texts(picture) == [second.token]  # the PDF carries the logged token
    log.close()


def test_a_permit_whose_log_append_fails_is_not_handed_out(
    app: Localgov, pki: TestPki, issued_request: Request
) -> None:
    class Unreachable:
        def append(self, entry: bytes) -> int:
            raise OSError("the log's database is unreachable")

    factory = DocumentFactory(app, signer=PdfSigner(pki.signer, pki.chain[1:]), permit_log=Unreachable())
    with pytest.raises(OSError, match="unreachable"):
        factory.permit(issued_request)
    assert (
        DocumentFactory(app, signer=PdfSigner(pki.signer, pki.chain[1:])).issue_permit(issued_request).log_index is None
    )
