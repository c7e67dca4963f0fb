"""A report as an Arabic PDF: its header, a chart and its tables, right to left.

The page text goes through the documents package (HarfBuzz shaping, embedded font subsets,
searchable text in logical order); the chart is a matplotlib picture. Figures use Eastern Arabic
digits, as on the receipts and permits. Landscape A4: the widest table has eleven columns.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

from localgov.catalogue import Catalogue
from localgov.clock import EGYPT
from localgov.documents.fonts import FontFace, load_face
from localgov.documents.pdfwriter import Canvas, DocumentInfo, Image, PdfBuilder
from localgov.documents.text import lay_out, wrap
from localgov.i18n import LocalizedText, to_eastern_digits
from localgov.organisation import Governorate
from localgov.reports.charts import bar_chart
from localgov.reports.query import FILTER_NAMES
from localgov.reports.results import ReportResult
from localgov.reports.tables import REPORT_TITLES, Table, Value, tables_of

__all__ = ["code_names", "report_pdf"]

PAGE = (841.89, 595.28)
MARGIN = 36.0
INK, MUTED, RULE, SHADE = (0.1, 0.1, 0.12), (0.35, 0.38, 0.42), (0.75, 0.78, 0.8), (0.93, 0.95, 0.97)
FILTER_LABELS: Mapping[str, str] = {
    "governorate": "المحافظة",
    "zone": "المنطقة",
    "unit": "الوحدة المحلية",
    "service_point": "منفذ الخدمة",
    "service": "الخدمة",
    "channel": "قناة التقديم",
    "department": "الإدارة",
    "employee": "الموظف",
}
# Which columns of the first table the chart shows, for each report.
CHARTED: Mapping[str, tuple[str, ...]] = {
    "volume": ("received", "completed", "in_progress"),
    "time-limits": ("within_limit_percent",),
    "states": ("mean_days",),
    "employees": ("actions",),
    "revenue": ("net",),
    "ranking": ("score",),
}
_ROW = 15.0
_TEXT = 7.5


def _digits(value: Value, names: Mapping[str, LocalizedText]) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        name = names.get(value)
        return name.ar if name is not None else value
    if isinstance(value, float):
        return to_eastern_digits(f"{value:g}").replace(".", "٫")
    if isinstance(value, Decimal):
        return to_eastern_digits(f"{value:,.2f}").replace(",", "٬").replace(".", "٫")
    return to_eastern_digits(str(value))


def _cell(value: Value, names: Mapping[str, LocalizedText]) -> str:
    return "الإجمالي" if value == "Total" else _digits(value, names)


def _date(day: datetime.date) -> str:
    return to_eastern_digits(f"{day.day}/{day.month}/{day.year}")


class _Page:
    """A page being filled from the top, right to left."""

    def __init__(self, builder: PdfBuilder, regular: FontFace, bold: FontFace) -> None:
        self.canvas: Canvas = builder.new_page()
        self.regular, self.bold = regular, bold
        self.y = PAGE[1] - MARGIN

    def right_text(self, text: str, size: float, *, bold: bool = False, colour: tuple[float, ...] = INK) -> None:
        face = self.bold if bold else self.regular
        line = lay_out(face, text)
        self.y -= size * 1.5
        self.canvas.text(line, face, size, PAGE[0] - MARGIN - line.width(face, size), self.y, color=colour)  # type: ignore[arg-type]

    def room(self) -> float:
        return self.y - MARGIN


def _header_lines(result: ReportResult, names: Mapping[str, LocalizedText]) -> list[str]:
    header = result.header
    given = header.filters.given()
    filters = "، ".join(
        f"{FILTER_LABELS[key]}: {names[value].ar if value in names else value}"
        for key in FILTER_NAMES
        if (value := given.get(key)) is not None
    )
    moment = header.as_of.astimezone(EGYPT)
    lines = [
        f"الفترة: من {_date(header.period.start)} إلى {_date(header.period.end)}",
        f"النطاق: {filters or 'كل الوحدات والخدمات'}",
        f"البيانات حتى: {_date(moment.date())} الساعة {to_eastern_digits(moment.strftime('%H:%M'))} بتوقيت القاهرة",
    ]
    if header.by:
        lines.append(f"التجميع حسب: {FILTER_LABELS.get(header.by, header.by)}")
    return lines


def _chart(result: ReportResult, table: Table, names: Mapping[str, LocalizedText]) -> bytes | None:
    keys = CHARTED[result.header.name]
    index = {column.key: number for number, column in enumerate(table.columns)}
    rows = [row for row in table.rows if row[0] not in ("Total",) or len(table.rows) == 1]
    if not rows or any(key not in index for key in keys):
        return None
    categories = ["الإجمالي" if row[0] == "Total" else _digits(row[0], names) for row in rows][:14]
    series = [(table.columns[index[key]].label.ar, [float(row[index[key]] or 0) for row in rows][:14]) for key in keys]
    return bar_chart(series[0][0] if len(series) == 1 else table.title.ar, categories, series)


def _table(builder: PdfBuilder, page: _Page, table: Table, names: Mapping[str, LocalizedText]) -> _Page:
    width = PAGE[0] - 2 * MARGIN
    # Each column as wide as its longest cell (names are long, figures short), at least 45 points
    # for a heading to wrap in and at most 170, then all scaled to the page's width.
    natural = [
        min(
            170.0,
            max(
                [
                    45.0,
                    *(
                        lay_out(page.regular, _cell(row[i], names)).width(page.regular, _TEXT) + 10
                        for row in table.rows
                    ),
                ]
            ),
        )
        for i in range(len(table.columns))
    ]
    widths = [w * width / sum(natural) for w in natural]
    page.right_text(table.title.ar, 11, bold=True)
    page.y -= 4

    def headings(page: _Page) -> None:
        wrapped = [
            wrap(page.bold, column.label.ar, _TEXT, w - 6) for column, w in zip(table.columns, widths, strict=True)
        ]
        height = max(len(lines) for lines in wrapped) * _TEXT * 1.35 + 6
        page.canvas.rectangle(MARGIN, page.y - height, width, height, fill=SHADE)
        right = PAGE[0] - MARGIN
        for lines, w in zip(wrapped, widths, strict=True):
            for number, line in enumerate(lines):
                baseline = page.y - 4 - (number + 1) * _TEXT * 1.3
                page.canvas.text(line, page.bold, _TEXT, right - 3 - line.width(page.bold, _TEXT), baseline)
            right -= w
        page.y -= height

    headings(page)
    for row in table.rows:
        if page.room() < _ROW:
            page = _Page(builder, page.regular, page.bold)
            headings(page)
        right = PAGE[0] - MARGIN
        face = page.bold if row[0] == "Total" else page.regular
        for value, w in zip(row, widths, strict=True):
            text = _cell(value, names)
            line = lay_out(face, text)
            # A name wider than its cell is set smaller rather than run into the next column.
            size = _TEXT * min(1.0, (w - 6) / max(line.width(face, _TEXT), 0.1))
            page.canvas.text(line, face, size, right - 3 - line.width(face, size), page.y - _ROW + 4.5)
            right -= w
        page.y -= _ROW
        page.canvas.line(MARGIN, page.y, PAGE[0] - MARGIN, page.y, color=RULE, width=0.4)
    if not table.rows:
        page.right_text("لا توجد بيانات في هذه الفترة", _TEXT + 1, colour=MUTED)
    page.y -= 12
    return page


def report_pdf(result: ReportResult, names: Mapping[str, LocalizedText] | None = None) -> bytes:
    """The PDF of ``result``. ``names`` gives the Arabic names of codes (units, states, services...)."""
    names = names or {}
    regular, bold = load_face("regular"), load_face("bold")
    builder = PdfBuilder(PAGE)
    page = _Page(builder, regular, bold)
    title = REPORT_TITLES[result.header.name]
    page.right_text(title.ar, 16, bold=True)
    for line in _header_lines(result, names):
        page.right_text(line, 9, colour=MUTED)
    page.y -= 6
    tables: Sequence[Table] = tables_of(result)
    chart = _chart(result, tables[0], names)
    if chart is not None:
        image = Image.from_png(chart)
        shown = PAGE[0] - 2 * MARGIN
        height = shown * image.height / image.width
        page.canvas.image("Chart1", image, MARGIN, page.y - height, shown, height)
        page.y -= height + 10
    for table in tables:
        if page.room() < 80:
            page = _Page(builder, regular, bold)
        page = _table(builder, page, table, names)
    info = DocumentInfo(title=title.ar, author="localgov", subject=title.en, created=result.header.as_of)
    return builder.build(info)


def code_names(catalogue: Catalogue, organisation: Mapping[str, Governorate]) -> dict[str, LocalizedText]:
    """The names of the codes a report shows: units, zones, service points, services, states,
    roles, channels and departments (a state's name from the first workflow that has it)."""
    names: dict[str, LocalizedText] = {}
    for workflow in catalogue.workflows.values():
        for state in workflow.states:
            names.setdefault(state.code, state.name)
    for entries in (catalogue.services, catalogue.roles, catalogue.channels, catalogue.departments):
        names.update({code: entry.name for code, entry in entries.items()})
    for governorate in organisation.values():
        for places in (governorate.zones, governorate.units, governorate.service_points):
            names.update({code: place.name for code, place in places.items()})
    return names
