"""The Arabic PDF report, read back by independent tools: poppler's pdftotext and qpdf (pikepdf)."""

from __future__ import annotations

import datetime
import io
import subprocess
from pathlib import Path

import pikepdf
import pytest

from localgov.i18n import LocalizedText
from localgov.reports import Filters, Period, Reports, ReportViewer
from localgov.reports.charts import bar_chart
from localgov.reports.pdf import code_names, report_pdf
from tests.documents.support import poppler_available
from tests.requests.support import cairo

WEEK = Period(datetime.date(2026, 4, 12), datetime.date(2026, 4, 16))
CONTROLS = str.maketrans("", "", "\u202a\u202b\u202c\u200f\u200e")


def pdftotext(path: Path) -> str:
    output = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return output.translate(CONTROLS)


@pytest.fixture
def names() -> dict[str, LocalizedText]:
    app = cairo()
    return code_names(app.catalogue, app.organisation)


def test_the_states_report_reads_back_in_arabic(
    reports: Reports, names: dict[str, LocalizedText], tmp_path: Path
) -> None:
    if not poppler_available():
        pytest.skip("poppler-utils missing (scripts/ensure-poppler)")
    path = tmp_path / "states.pdf"
    path.write_bytes(report_pdf(reports.states(WEEK, Filters(unit="zeitoun")), names))
    text = pdftotext(path)
    unspaced = "".join(text.split())
    assert "مدة بقاء الطلبات في كل مرحلة" in text
    assert "الوحدةالمحلية:حيالزيتون" in unspaced  # the filter, by its Arabic name
    assert "من١٢/٤/٢٠٢٦إلى١٦/٤/٢٠٢٦" in unspaced  # Eastern Arabic digits, in logical order
    assert "البيانات حتى" in text and "بتوقيت القاهرة" in text
    assert "مراجعة المستندات" in text  # a state's name, not its code
    assert "document_check" not in text


def test_the_chart_is_embedded_as_one_picture(reports: Reports, names: dict[str, LocalizedText]) -> None:
    data = report_pdf(reports.volume(WEEK, by="channel"), names)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (page,) = pdf.pages  # one page: the header, the chart and the table
        pictures = [name for name, x in page.Resources.XObject.items() if x.Subtype == "/Image"]
        assert len(pictures) == 1
        assert page.MediaBox[2] > page.MediaBox[3]  # landscape, for the widest tables


def test_a_report_with_no_rows_still_renders(reports: Reports) -> None:
    quiet = Period(datetime.date(2025, 1, 1), datetime.date(2025, 1, 2))
    data = report_pdf(reports.employees(quiet, viewer=ReportViewer("head1", {"approver"}, "zeitoun")))
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-32:]


def test_bar_chart_is_a_png() -> None:
    png = bar_chart("الوارد", ["الزيتون", "مصر الجديدة"], [("الوارد", [3, 5])])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
