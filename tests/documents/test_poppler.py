"""Acceptance with an independent toolchain: poppler's pdfsig, pdftotext and pdftoppm."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from localgov.documents import DocumentFactory
from localgov.documents.formatting import Formatter
from localgov.requests.model import Request
from localgov.testing.pki import TestPki
from localgov.tokens import verify
from localgov.tokens.claims import normalise_text
from localgov.tokens.qr import read_qr_texts

from .support import nss_database, pdfsig

pytestmark = pytest.mark.usefixtures("poppler")


EMBEDDING_CONTROLS = str.maketrans("", "", "\u202a\u202b\u202c")


def pdftotext(path: Path) -> list[str]:
    """pdftotext's lines, without the embedding controls it wraps right-to-left text in."""
    output = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [line.translate(EMBEDDING_CONTROLS).strip() for line in output.splitlines()]


def unspaced(text: str) -> str:
    # poppler's own bidi pass moves the blank before a number inside an Arabic line; the
    # characters themselves come out in logical order, which is what is checked.
    return "".join(text.split())


def flip_one_byte(source: Path, target: Path, marker: bytes) -> Path:
    data = bytearray(source.read_bytes())
    data[data.index(marker)] ^= 0x01
    target.write_bytes(bytes(data))
    return target


def test_pdfsig_reports_the_signature_valid_and_one_changed_byte_invalid(
    permit_pdf: Path, pki: TestPki, tmp_path: Path
) -> None:
    database = nss_database(tmp_path / "nss", pki.root.certificate)
    report = pdfsig(permit_pdf, database)
    assert report["Signature Validation"] == "Signature is Valid."
    assert report["Signer Certificate Common Name"] == "Unit C-ZTN document signing"
    assert report["Signature Type"] == "ETSI.CAdES.detached"
    assert (
        "Total document signed"
        in subprocess.run(["pdfsig", str(permit_pdf)], capture_output=True, text=True, check=False).stdout
    )
    tampered = flip_one_byte(permit_pdf, tmp_path / "tampered.pdf", b"Building permit")
    assert pdfsig(tampered, database)["Signature Validation"] != "Signature is Valid."


def test_pdfsig_trusts_the_unit_certificate_through_the_national_root(
    permit_pdf: Path, pki: TestPki, tmp_path: Path
) -> None:
    report = pdfsig(permit_pdf, nss_database(tmp_path / "nss", pki.root.certificate))
    assert report["Signature Validation"] == "Signature is Valid."
    assert report["Certificate Validation"] == "Certificate is Trusted."
    untrusted = pdfsig(permit_pdf, nss_database(tmp_path / "other", pki.signer.certificate))
    assert untrusted["Certificate Validation"] != "Certificate is Trusted."


def test_pdftotext_reads_holder_address_and_number_in_logical_order(
    permit_pdf: Path, factory: DocumentFactory, issued_request: Request
) -> None:
    claims = factory.claims(issued_request, issued_at=datetime.now(UTC))
    lines = pdftotext(permit_pdf)
    assert claims.holder_name in lines
    assert claims.permit_number in lines
    squeezed = [unspaced(line) for line in lines]
    # The address is Arabic prose: printed with the document's (Eastern Arabic) digits.
    assert unspaced(Formatter(factory.settings.digits).number(claims.address)) in squeezed
    # The same texts read backwards (visual order) would be there if the order were wrong.
    assert claims.holder_name[::-1] not in lines


def test_pdftotext_reads_the_receipt(factory: DocumentFactory, issued_request: Request, tmp_path: Path) -> None:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(factory.receipt(issued_request))
    text = "\n".join(pdftotext(path))
    assert "نموذج استلام الخدمة" in text
    assert issued_request.id in text and issued_request.access_code in text
    assert issued_request.applicant.name in text
    assert "صورة بطاقة الرقم القومي" in text


def test_a_page_rendered_by_pdftoppm_yields_a_token_that_verifies(
    permit_pdf: Path, pki: TestPki, tmp_path: Path, factory: DocumentFactory, issued_request: Request
) -> None:
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(permit_pdf), str(tmp_path / "page")], check=True
    )
    texts = [t for t in read_qr_texts(tmp_path / "page.png") if t.startswith("LG")]
    assert len(texts) == 1
    verified = verify(texts[0], pki.trust_list())
    assert verified.claims.permit_number == issued_request.issued.number  # type: ignore[union-attr]
    assert verified.claims.holder_name == normalise_text(issued_request.applicant.name)
