"""Benchmark: signed permits (render, QR, sign) against pyHanko signing a blank page.

    .venv/bin/python bench/bench_documents.py [--batch 1000]

1. One permit, made and signed by a warm DocumentFactory, against the raw time pyHanko takes to
   sign a blank one-page PDF with the same key, in the same run (target: at most 2x). Both are
   medians of repeated runs, so a busy machine moves them together.
2. A batch of permits written one file at a time: time per document and peak memory (tracemalloc
   for Python allocations, ru_maxrss for the whole process).
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

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from localgov.app import Localgov
from localgov.documents import DocumentFactory, DocumentSettings, PdfSigner
from localgov.documents.examples import example_request as make_request
from localgov.documents.pdfwriter import DocumentInfo, PdfBuilder
from localgov.requests.model import Issued, Request
from localgov.testing.pki import build_test_pki


def median_ms(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


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
        signers.PdfSignatureMetadata(field_name="Signature", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES),
        signer._signer,  # the same key and chain, without our stamp or field
    )

    def raw() -> bytes:
        return raw_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(blank))).getvalue()  # type: ignore[no-any-return]

    print(f"localgov documents benchmark, python {sys.version.split()[0]}")
    for label, settings in (("best QR mask, as segno chooses it", DocumentSettings()), ("fixed QR mask", DocumentSettings(qr_mask=0))):
        factory = DocumentFactory(app, signer=signer, settings=settings)
        factory.permit(request, issued_at=issued_at)  # warm caches: faces, branding, shaped labels
        raw()
        # Interleave so both see the same machine load.
        ours_ms, raw_ms = [], []
        for _ in range(options.repeat):
            ours_ms.append(median_ms(lambda factory=factory: factory.permit(request, issued_at=issued_at), 1))
            raw_ms.append(median_ms(raw, 1))
        ours, base = statistics.median(ours_ms), statistics.median(raw_ms)
        print(f"one signed permit ({label}): {ours:7.1f} ms   raw pyHanko sign of a blank page: {base:6.1f} ms"
              f"   ratio {ours / base:4.2f}x (target <= 2x)")

    factory = DocumentFactory(app, signer=signer, settings=DocumentSettings(qr_mask=0))

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
    print(f"batch of {count} permits (fixed QR mask): {elapsed:6.1f} s, {elapsed / count * 1000:5.1f} ms a document, "
          f"{size / 1024:4.1f} kB a file")
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
