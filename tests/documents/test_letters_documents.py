"""The books and a printed letter as Arabic PDFs: what they read, and the letter's PAdES signature."""

from __future__ import annotations

import io

import pypdfium2
import pytest

from localgov.correspondence import Classification, Correspondence
from localgov.documents import DocumentError, DocumentFactory, PdfSigner
from localgov.testing.pki import TestPki
from tests.correspondence.support import PLANNER, TO_PLANNING, WRITER, at, open_correspondence
from tests.requests.support import cairo


def pages_text(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [str(page.get_textpage().get_text_range()) for page in document]
    finally:
        document.close()


@pytest.fixture
def letters(localgov_pki: TestPki) -> Correspondence:
    return open_correspondence("sqlite://", localgov_pki)


def test_the_outgoing_book_runs_onto_pages_and_keeps_confidential_subjects_out(letters: Correspondence) -> None:
    for index in range(40):
        classification = Classification.CONFIDENTIAL if index == 3 else Classification.NORMAL
        letters.send(WRITER, TO_PLANNING, f"طلب رأي فني رقم {index}", "نص", classification=classification, at=at(18))
    lines = letters.register("C", "zeitoun", "out", 2026)
    pdf = DocumentFactory(cairo()).register_book("C", "zeitoun", "out", 2026, lines)
    texts = pages_text(pdf)
    assert len(texts) >= 2
    everything = "\n".join(texts)
    assert "دفتر الصادر" in texts[0] and "دفتر الصادر" in texts[-1]  # the head on every page
    assert "الموضوع" in texts[-1]
    assert "طلب رأي فني رقم 0" in everything and "طلب رأي فني رقم 39" in everything
    # Thirty-nine subjects, and the confidential letter's line says so instead of its subject.
    assert everything.count("طلب رأي فني رقم") == 39 and "سري" in everything
    # (Text extraction reorders a left-to-right number inside an Arabic line; its parts are there.)
    assert "000040" in everything and "ZTN-C" in everything
    incoming = DocumentFactory(cairo()).register_book(
        "C", "matareya", "in", 2026, letters.register("C", "matareya", "in", 2026)
    )
    assert "دفتر الوارد" in pages_text(incoming)[0] and "IN/2026/MTR-C" in pages_text(incoming)[0]


def test_a_printed_letter_is_signed_pades_by_its_unit(letters: Correspondence, localgov_pki: TestPki) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from localgov.documents.signing import to_asn1

    letter = letters.send(
        WRITER, TO_PLANNING, "استعلام مساحي", "نرجو إفادتنا بحدود القطعة", reply_within_days=3, at=at(18)
    )
    factory = DocumentFactory(cairo(), signer=PdfSigner(localgov_pki.signer, [localgov_pki.governorate_ca.certificate]))
    pdf = factory.letter(letter)
    text = pages_text(pdf)[0]
    assert "استعلام مساحي" in text and "OUT/2026/ZTN-C" in text and "حي المطرية" in text
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures[0]
    context = ValidationContext(trust_roots=[to_asn1(localgov_pki.root.certificate)], allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    assert status.intact and status.valid and status.trusted
    # Matareya's letter is not Zeitoun's to sign.
    reply = letters.reply(letter.id, PLANNER, "الحدود مطابقة", at=at(19))
    with pytest.raises(DocumentError, match="C-MTR"):
        factory.letter(reply)
    assert DocumentFactory(cairo()).letter(reply).startswith(b"%PDF-")  # unsigned without a signer
