"""The outgoing and incoming books (دفتر الصادر، دفتر الوارد) and a printed letter, as Arabic PDFs.

A book is a table read right to left, one line per letter in number order: the line number,
the letter's number in this book, its date, the other party, the subject and where the letter
stands. A confidential letter's line shows that it is confidential, never its subject: the book
is the registry's, the subject is for the departments that send and hold the letter. Long books
run onto more pages, the column heads repeated on each.

A printed letter carries the letter's numbers, parties, subject, body and attachments, and the
fingerprint of its CMS signature; signed by the unit's certificate (PAdES), as a permit is, it is
checked by any PDF validator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

import attrs

from localgov.catalogue import Catalogue
from localgov.correspondence import Classification, Letter, LetterStatus, Party, RegisterEntry
from localgov.documents.bidi import isolate_ltr
from localgov.documents.formatting import Formatter
from localgov.documents.layout import GREY, RULE, Sheet
from localgov.documents.pdfwriter import DocumentInfo
from localgov.i18n import LocalizedText
from localgov.organisation import Governorate, LocalUnit

__all__ = [
    "RegisterContent",
    "RegisterLine",
    "draw_letter",
    "draw_register",
    "letter_info",
    "party_name",
    "register_content",
]

_KINDS = {
    "out": LocalizedText("دفتر الصادر", "Outgoing book"),
    "in": LocalizedText("دفتر الوارد", "Incoming book"),
}
_STATUS = {
    LetterStatus.SENT: "مرسل",
    LetterStatus.ACKNOWLEDGED: "تم الاستلام",
    LetterStatus.ANSWERED: "تم الرد",
}
# Column widths from the right edge, in points (A4 less the margins is 515).
_COLUMNS = (
    (LocalizedText("م", "No."), 28.0),
    (LocalizedText("الرقم", "Number"), 118.0),
    (LocalizedText("التاريخ", "Date"), 66.0),
    (LocalizedText("الجهة", "Party"), 120.0),
    (LocalizedText("الموضوع", "Subject"), 123.0),
    (LocalizedText("الحالة", "Status"), 60.0),
)
_BOTTOM = 70.0


@attrs.frozen
class RegisterLine:
    line: int
    number: str
    date: str
    party: str
    subject: str
    status: str


@attrs.frozen
class RegisterContent:
    governorate: Governorate
    unit: LocalUnit
    kind: str
    year: int
    lines: tuple[RegisterLine, ...]

    @property
    def title(self) -> LocalizedText:
        return _KINDS[self.kind]


def party_name(party: Party, organisation: Mapping[str, Governorate], catalogue: Catalogue) -> str:
    """A party in Arabic: the department and unit (``الإدارة الهندسية - حي الزيتون``), or the outside body."""
    if party.outside is not None:
        return party.outside
    governorate = organisation.get(party.governorate or "")
    unit = governorate.units.get(party.unit or "") if governorate is not None else None
    unit_name = unit.name.ar if unit is not None else str(party.unit)
    department = catalogue.departments.get(party.department or "")
    return f"{department.name.ar} - {unit_name}" if department is not None else unit_name


def register_content(
    catalogue: Catalogue,
    organisation: Mapping[str, Governorate],
    governorate: str,
    unit: str,
    kind: str,
    year: int,
    lines: Sequence[tuple[RegisterEntry, Letter]],
    formatter: Formatter,
) -> RegisterContent:
    """What a book prints, from :meth:`localgov.correspondence.Correspondence.register`."""
    printed = []
    for entry, letter in lines:
        other = letter.recipient if kind == "out" else letter.sender
        number = letter.id if kind == "out" else letter.incoming_number or ""
        confidential = letter.classification is Classification.CONFIDENTIAL
        status = _STATUS[letter.status]
        if letter.awaiting_reply and letter.reply_by is not None:
            status += f" (الرد قبل {formatter.number(letter.reply_by.strftime('%d/%m'))})"
        printed.append(
            RegisterLine(
                line=entry.number,
                number=number,
                date=formatter.date(letter.sent_at.date()).ar,
                party=party_name(other, organisation, catalogue),
                subject="سري" if confidential else letter.subject,
                status=status,
            )
        )
    place = organisation[governorate]
    return RegisterContent(place, place.units[unit], kind, year, tuple(printed))


def _column_heads(sheet: Sheet) -> None:
    right = sheet.right
    sheet.box(sheet.left, sheet.y, sheet.right - sheet.left, 30, fill=(0.93, 0.95, 0.97), stroke=None)
    for heading, width in _COLUMNS:
        sheet.put(heading.ar, 10, sheet.y + 13, x=right - 3, bold=True, color=sheet.branding.accent)
        sheet.put(heading.en, 7, sheet.y + 25, x=right - 3, rtl=False, color=GREY)
        right -= width
    sheet.y += 34


def _row(sheet: Sheet, line: RegisterLine, formatter: Formatter) -> float:
    """Draw one line of the book; return its height."""
    top = sheet.y
    right = sheet.right
    used = 16.0
    cells = (
        (formatter.number(str(line.line)), True),
        (isolate_ltr(line.number), False),
        (line.date, True),
        (line.party, True),
        (line.subject, True),
        (line.status, True),
    )
    for (text, wraps), (_, width) in zip(cells, _COLUMNS, strict=True):
        sheet.y = top
        if wraps:
            used = max(used, sheet.paragraph(text, 8.5, right=right - 3, width=width - 10))
        else:
            sheet.put(text, 7.5, top + 9, x=right - 3, rtl=False)
        right -= width
    sheet.y = top + used + 5
    sheet.canvas.line(sheet.left, sheet.height - sheet.y, sheet.right, sheet.height - sheet.y, color=RULE, width=0.4)
    sheet.y += 4
    return used + 9


def draw_register(make: Callable[[], Sheet], content: RegisterContent, formatter: Formatter) -> None:
    """Draw the book on as many sheets as it takes; ``make()`` gives the next page's."""
    page = 1
    sheet = make()

    def start(sheet: Sheet, page: int) -> None:
        sheet.header()
        title = content.title
        sheet.title(
            LocalizedText(
                f"{title.ar} - {content.unit.name.ar} - {formatter.number(str(content.year))}",
                f"{title.en}, {content.unit.name.en}, {content.year}",
            )
        )
        sheet.put(f"صفحة {formatter.number(str(page))}", 8.5, sheet.height - 40, align="center", color=GREY)
        _column_heads(sheet)

    start(sheet, page)
    if not content.lines:
        sheet.paragraph("لا توجد خطابات مقيدة في هذا الدفتر لهذا العام.", 11)
    for line in content.lines:
        if sheet.y + 40 > sheet.height - _BOTTOM:
            page += 1
            sheet = make()
            start(sheet, page)
        _row(sheet, line, formatter)


def draw_letter(sheet: Sheet, letter: Letter, sender: str, recipient: str, formatter: Formatter) -> None:
    """A letter on paper: its numbers, parties, subject and text, and its signature's fingerprint."""
    sheet.header()
    secret = letter.classification is Classification.CONFIDENTIAL
    sheet.title(LocalizedText("خطاب سري" if secret else "خطاب", "Confidential letter" if secret else "Letter"))
    sheet.row(LocalizedText("رقم الصادر", "Outgoing number"), isolate_ltr(letter.id), emphasis=True)
    if letter.incoming_number:
        sheet.row(LocalizedText("رقم الوارد", "Incoming number"), isolate_ltr(letter.incoming_number))
    sheet.row(LocalizedText("التاريخ", "Date"), formatter.date(letter.sent_at.date()))
    sheet.row(LocalizedText("من", "From"), sender)
    sheet.row(LocalizedText("إلى", "To"), recipient)
    if letter.in_reply_to:
        sheet.row(LocalizedText("ردًا على", "In reply to"), isolate_ltr(letter.in_reply_to))
    if letter.request_id:
        sheet.row(LocalizedText("بشأن الطلب", "Request"), isolate_ltr(letter.request_id))
    if letter.reply_by:
        sheet.row(LocalizedText("يرجى الرد قبل", "Reply by"), formatter.date(letter.reply_by))
    sheet.row(LocalizedText("الموضوع", "Subject"), letter.subject, emphasis=True)
    sheet.y += 6
    for paragraph in letter.body.split("\n"):
        if paragraph.strip():
            sheet.y += sheet.paragraph(paragraph.strip(), 11.5) + 6
    if letter.attachments:
        sheet.section(LocalizedText("المرفقات", "Attachments"))
        sheet.bullets([LocalizedText(a.name, a.name) for a in letter.attachments])
    fingerprint = hashlib.sha256(letter.signature).hexdigest()
    sheet.footer(
        [
            LocalizedText(
                "وُقِّع هذا الخطاب إلكترونيًا بشهادة الوحدة المحلية المرسلة",
                f"Signed (CMS) by the sending unit's certificate; signature SHA-256 {fingerprint[:32]}",
            )
        ]
    )


def letter_info(letter: Letter, author: str) -> DocumentInfo:
    return DocumentInfo(
        title=f"خطاب {letter.id} / Letter",
        author=author,
        subject="سري" if letter.classification is Classification.CONFIDENTIAL else letter.subject,
        keywords=letter.id,
        created=letter.sent_at,
    )
