"""The permit's PDF structure, read by an independent parser: qpdf's, through pikepdf.

Each permit is checked twice: as documents/pdfwriter.py writes it, and after pyHanko has added
the signature as an incremental update. qpdf reports any damage it had to repair (a wrong
cross-reference offset, a wrong stream length) as a problem rather than hiding it.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest

from localgov.app import Localgov
from localgov.documents import DocumentFactory, PdfSigner
from localgov.documents.signing import SIGNATURE_FIELD
from localgov.requests.model import Request
from localgov.testing.pki import TestPki

A4_POINTS = (210 / 25.4 * 72, 297 / 25.4 * 72)  # ISO 216, in PDF points
BFCHAR = re.compile(rb"<([0-9A-F]{4})> <((?:[0-9A-F]{4})+)>")


class WriterOnly(PdfSigner):
    """A signer that signs nothing: the factory's permit exactly as the PDF writer made it."""

    def sign(self, pdf: bytes, *, box: tuple[float, float, float, float], reason: str) -> bytes:
        return pdf


@pytest.fixture(scope="module")
def written_permit(app: Localgov, pki: TestPki, issued_request: Request) -> bytes:
    factory = DocumentFactory(app, signer=WriterOnly(pki.signer, pki.chain[1:]))
    return factory.permit(issued_request, issued_at=datetime.now(UTC))


@pytest.fixture(params=["written", "signed"])
def permit(request: pytest.FixtureRequest, written_permit: bytes, permit_pdf: Path) -> bytes:
    return written_permit if request.param == "written" else permit_pdf.read_bytes()


def open_pdf(data: bytes) -> pikepdf.Pdf:
    """The file opened by qpdf; keep the Pdf while using its objects (they die with it)."""
    return pikepdf.Pdf.open(io.BytesIO(data))


def unicode_text(cmap: bytes) -> set[str]:
    """The characters a ToUnicode CMap's ``bfchar`` entries map glyphs to."""
    texts = (bytes.fromhex(text.decode()).decode("utf-16-be") for _, text in BFCHAR.findall(cmap))
    return {char for text in texts for char in text}


def test_qpdf_finds_nothing_to_repair(permit: bytes) -> None:
    # check_pdf_syntax is qpdf --check: it includes the warnings raised while opening the file.
    assert open_pdf(permit).check_pdf_syntax() == []


def test_one_a4_page(permit: bytes) -> None:
    pdf = open_pdf(permit)
    assert len(pdf.pages) == 1
    x0, y0, width, height = (float(v) for v in pdf.pages[0].obj.MediaBox)
    assert (x0, y0) == (0, 0)
    assert (width, height) == pytest.approx(A4_POINTS, abs=0.01)


def test_catalogue_language_and_direction(permit: bytes) -> None:
    pdf = open_pdf(permit)
    assert str(pdf.Root.Lang) == "ar-EG"
    assert pdf.Root.ViewerPreferences.Direction == pikepdf.Name.R2L


def test_fonts_are_embedded_with_unicode_maps(permit: bytes, issued_request: Request) -> None:
    pdf = open_pdf(permit)
    fonts = dict(pdf.pages[0].Resources.Font.items())
    assert len(fonts) == 2  # the regular and the bold face
    mapped = set()
    for font in fonts.values():
        assert font.Subtype == pikepdf.Name.Type0 and font.Encoding == pikepdf.Name("/Identity-H")
        assert re.fullmatch(r"/[A-Z]{6}\+IBMPlexSansArabic-(Regular|Bold)", str(font.BaseFont))
        (cid_font,) = font.DescendantFonts
        assert cid_font.Subtype == pikepdf.Name.CIDFontType2
        program = cid_font.FontDescriptor.FontFile2
        data = program.read_bytes()
        # The whole program is there, and it is TrueType (sfnt version 1.0).
        assert data[:4] == b"\x00\x01\x00\x00" and int(program.Length1) == len(data)
        cmap = font.ToUnicode.read_bytes()
        assert b"begincmap" in cmap
        mapped |= unicode_text(cmap)
    # Every letter of the holder's name can be copied out of the page.
    assert set(issued_request.applicant.name.replace(" ", "")) <= mapped


def test_signature_field_covers_the_whole_file_but_its_contents(permit_pdf: Path) -> None:
    data = permit_pdf.read_bytes()
    pdf = open_pdf(data)
    (field,) = [f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == pikepdf.Name.Sig]
    assert str(field.T) == SIGNATURE_FIELD
    signature = field.V
    assert signature.Type == pikepdf.Name.Sig
    assert signature.SubFilter == pikepdf.Name("/ETSI.CAdES.detached")
    start, first_length, second_start, second_length = (int(v) for v in signature.ByteRange)
    assert start == 0 and second_start + second_length == len(data)
    # The one gap is the /Contents hex string, delimiters included, holding the CMS signature.
    hole = data[first_length:second_start]
    assert hole[:1] == b"<" and hole[-1:] == b">"
    assert bytes.fromhex(hole[1:-1].decode("ascii")) == bytes(signature.Contents)
