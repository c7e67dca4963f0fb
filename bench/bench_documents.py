"""Benchmark: signed permits against pyHanko signing a blank page; an Arabic page against fpdf2.

    .venv/bin/python bench/bench_documents.py [--batch 1000]

1. One permit, made and signed by a warm DocumentFactory, against the raw time pyHanko takes to
   sign a blank one-page PDF with the same key, in the same run (target: at most 2x). Both are
   medians of repeated runs, so a busy machine moves them together.
2. A batch of permits written one file at a time: time per document and peak memory (tracemalloc
   for Python allocations, ru_maxrss for the whole process).
3. One shaped Arabic A4 page of text (the permit's header, title, labelled rows and footer, no
   QR code, no signature) written by localgov's PDF writer against fpdf2 with HarfBuzz shaping
   (``set_text_shaping``), the same lines at the same places in the same font files.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import fontpkg
from fpdf import FPDF
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from localgov.app import Localgov
from localgov.documents import DocumentFactory, DocumentSettings, PdfSigner
from localgov.documents.bidi import isolate_ltr, strip_controls, visual_runs
from localgov.documents.content import permit_content
from localgov.documents.examples import example_request as make_request
from localgov.documents.fonts import FAMILY, load_face
from localgov.documents.formatting import Formatter
from localgov.documents.layout import MARGIN
from localgov.documents.pdfwriter import A4, DocumentInfo, PdfBuilder
from localgov.documents.text import lay_out
from localgov.i18n import LocalizedText
from localgov.requests.model import Issued, Request
from localgov.testing.pki import build_test_pki
from localgov.tokens.short_codes import FIGURES_BY_NAME


def median_ms(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


@attrs.frozen
class PageLine:
    """A line of the comparison page; ``edge`` is its right end (Arabic) or its left end (English)."""

    text: str
    size: float
    baseline: float  # points from the top of the page
    edge: float
    bold: bool = False
    rtl: bool = True
    align: str = "right"


PAGE_WIDTH = A4[0]
FOOTER = "هذه الوثيقة موقعة إلكترونيًا، ويمكن لأي جهة التحقق من توقيعها ومن رمز التحقق دون الرجوع إلى الجهة المصدرة"


def permit_page(factory: DocumentFactory, request: Request) -> list[PageLine]:
    """The permit's texts, placed roughly as its template places them: header, title, rows, footer."""
    content = permit_content(factory.catalogue, factory.organisation, request, factory.claims(request))
    claims, fmt = content.claims, Formatter("eastern")
    branding, _ = factory.branding(content.governorate, content.unit)
    left, right = MARGIN, PAGE_WIDTH - MARGIN
    lines: list[PageLine] = []
    for index, header in enumerate(branding.header):
        baseline = 54 + 17 * index
        lines.append(PageLine(header.ar, 12.5 if index == 0 else 11.5, baseline, right, bold=index == 0))
        lines.append(
            PageLine(header.en, 10 if index == 0 else 9.5, baseline, left, bold=index == 0, rtl=False, align="left")
        )
    lines.append(PageLine(content.title.ar, 20, 168, right, bold=True))
    lines.append(PageLine(content.title.en, 12, 186, right, rtl=False))  # under the Arabic, to the right
    rows: list[tuple[str, str, str]] = [
        ("رقم الترخيص", "Permit number", isolate_ltr(claims.permit_number)),  # identifiers, as drawn
        ("اسم صاحب الترخيص", "Holder", claims.holder_name),
        ("العنوان", "Address", fmt.number(claims.address or "")),
        ("القطعة", "Parcel", claims.parcel or ""),
    ]
    for name, value in claims.figures:
        spec = FIGURES_BY_NAME[name]
        rows.append((spec.label.ar, spec.label.en, fmt.quantity(str(value), spec.unit).ar))
    rows.append(("جهة الإصدار", "Issued by", f"{content.unit.name.ar} — {isolate_ltr(claims.issuer)}"))
    rows.append(("تاريخ الإصدار", "Issued on", fmt.date(content.issued_on).ar))
    expiry = fmt.date(content.expires_on) if content.expires_on else LocalizedText("غير محدد", "not limited")
    rows.append(("تاريخ الانتهاء", "Expires on", expiry.ar))
    rows.append(("رقم الطلب", "Request (tracking) number", isolate_ltr(content.tracking_number)))
    for index, (arabic, english, value) in enumerate(rows):
        baseline = 222 + 27 * index
        lines.append(PageLine(arabic, 10.5, baseline, right, bold=True))
        lines.append(PageLine(english, 8.5, baseline, left, rtl=False, align="left"))
        lines.append(PageLine(value, 11, baseline, right - 150))
    lines.append(PageLine(FOOTER, 8.5, 790, right))
    lines.append(
        PageLine("Signed electronically: anyone can verify it offline", 7.5, 802, left, rtl=False, align="left")
    )
    return lines


def localgov_page(lines: list[PageLine]) -> bytes:
    """The page by localgov's writer, shaped afresh (the caches that keep repeated labels cleared)."""
    lay_out.cache_clear()
    visual_runs.cache_clear()
    builder = PdfBuilder()
    canvas = builder.new_page()
    faces = {False: load_face("regular"), True: load_face("bold")}  # parsed once per process
    for line in lines:
        face = faces[line.bold]
        laid_out = lay_out(face, line.text, line.rtl)
        x = line.edge - laid_out.width(face, line.size) if line.align == "right" else line.edge
        canvas.text(laid_out, face, line.size, x, canvas.height - line.baseline)
    return builder.build(DocumentInfo("bench page", "bench", "bench"))


def fpdf2_document(fonts: tuple[str, str]) -> FPDF:
    """An fpdf2 document with the two faces: fpdf2 reads and parses the font files for each one."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("Plex", "", fonts[0])
    pdf.add_font("Plex", "B", fonts[1])
    return pdf


def fpdf2_page(lines: list[PageLine], fonts: tuple[str, str]) -> bytes:
    """The same page by fpdf2: HarfBuzz shaping, its own bidi, the fonts subset and embedded."""
    pdf = fpdf2_document(fonts)
    pdf.set_text_shaping(True)
    pdf.set_auto_page_break(False)  # the footer sits below fpdf2's default bottom margin
    pdf.c_margin = 0
    pdf.add_page()
    for line in lines:
        pdf.set_font("Plex", "B" if line.bold else "", line.size)
        # cell(), not text(): only cells are shaped. fpdf2 finds each line's direction itself, and
        # the fonts have no glyphs for the isolate controls.
        text = strip_controls(line.text)
        width = line.edge - MARGIN if line.align == "right" else PAGE_WIDTH - MARGIN - line.edge
        pdf.set_xy(line.edge - width if line.align == "right" else line.edge, line.baseline - line.size)
        pdf.cell(width, line.size * 1.3, text, align="R" if line.align == "right" else "L")
    assert pdf.page == 1, "the comparison page overflowed"
    return bytes(pdf.output())


def compare_with_fpdf2(factory: DocumentFactory, request: Request, repeat: int) -> None:
    lines = permit_page(factory, request)
    fonts = (str(fontpkg.path(FAMILY, 400)), str(fontpkg.path(FAMILY, 700)))
    ours_bytes, theirs_bytes = localgov_page(lines), fpdf2_page(lines, fonts)  # warm both
    ours_ms, theirs_ms = [], []
    for _ in range(repeat):  # interleaved, as above
        ours_ms.append(median_ms(lambda: localgov_page(lines), 1))
        theirs_ms.append(median_ms(lambda: fpdf2_page(lines, fonts), 1))
    ours, theirs = statistics.median(ours_ms), statistics.median(theirs_ms)
    fonts_ms = median_ms(lambda: fpdf2_document(fonts), repeat)
    print(
        f"one shaped Arabic page, {len(lines)} lines of text: localgov {ours:6.1f} ms ({len(ours_bytes) / 1024:4.1f} kB)"
        f"   fpdf2 {theirs:6.1f} ms ({len(theirs_bytes) / 1024:4.1f} kB; adding its two fonts alone {fonts_ms:5.1f} ms)"
        f"   ratio fpdf2 / localgov {theirs / ours:4.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    options = parser.parse_args()

    pki = build_test_pki(tempfile.mkdtemp(prefix="bench-pki-"))
    app = Localgov(plugins=["cairo"])
    signer = PdfSigner(pki.signer, pki.chain[1:])
    request = make_request()
    issued_at = datetime.now(UTC)

    builder = PdfBuilder()
    builder.new_page()
    blank = builder.build(DocumentInfo("blank", "bench", "bench"))
    raw_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(
            field_name="Signature", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        ),
        signer._signer,  # the same key and chain, without our stamp or field
    )

    def raw() -> bytes:
        return raw_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(blank))).getvalue()  # type: ignore[no-any-return]

    print(f"localgov documents benchmark, python {sys.version.split()[0]}")
    for label, settings in (
        ("best QR mask, as segno chooses it", DocumentSettings()),
        ("fixed QR mask", DocumentSettings(qr_mask=0)),
    ):
        factory = DocumentFactory(app, signer=signer, settings=settings)
        factory.permit(request, issued_at=issued_at)  # warm caches: faces, branding, shaped labels
        raw()
        # Interleave so both see the same machine load.
        ours_ms, raw_ms = [], []
        for _ in range(options.repeat):
            ours_ms.append(median_ms(lambda factory=factory: factory.permit(request, issued_at=issued_at), 1))
            raw_ms.append(median_ms(raw, 1))
        ours, base = statistics.median(ours_ms), statistics.median(raw_ms)
        print(
            f"one signed permit ({label}): {ours:7.1f} ms   raw pyHanko sign of a blank page: {base:6.1f} ms"
            f"   ratio {ours / base:4.2f}x (target <= 2x)"
        )

    factory = DocumentFactory(app, signer=signer, settings=DocumentSettings(qr_mask=0))
    compare_with_fpdf2(factory, request, options.repeat)

    def requests(count: int) -> Iterator[Request]:
        for sequence in range(1, count + 1):
            yield make_request(issued=Issued(f"2026/ZTN/{sequence:06d}", request.issued.issued_on))  # type: ignore[union-attr]

    with tempfile.TemporaryDirectory(prefix="bench-permits-") as directory:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        count = sum(1 for _ in factory.write_permits(requests(options.batch), directory, issued_at=issued_at))
        elapsed = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = sum(p.stat().st_size for p in Path(directory).iterdir()) / count
    print(
        f"batch of {count} permits (fixed QR mask): {elapsed:6.1f} s, {elapsed / count * 1000:5.1f} ms a document, "
        f"{size / 1024:4.1f} kB a file"
    )
    print(f"process max RSS: {rss_before:5.1f} MB before the batch, {rss_after:5.1f} MB after")
    traced = min(options.batch, 100)
    with tempfile.TemporaryDirectory(prefix="bench-permits-") as directory:
        tracemalloc.start()
        for _ in factory.write_permits(requests(traced), directory, issued_at=issued_at):
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"peak Python allocations while writing {traced} permits (tracemalloc): {peak / 1e6:5.2f} MB")


if __name__ == "__main__":
    main()
