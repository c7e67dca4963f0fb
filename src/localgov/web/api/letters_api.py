"""Letters between units under ``/api/v1/letters`` and the books under ``/api/v1/books``, for employees.

The same operations as ``localgov letters`` (docs/correspondence.md): send, the inbox and the
letters sent, read one (a receiver acknowledges delivery with a POST, never by reading), answer,
forward; and a unit's outgoing or incoming book as JSON or as its Arabic PDF. A letter the caller
may not see (a confidential one outside the departments holding it) is answered as one that does
not exist. A letter's number holds slashes (``C-ZTN/2026/OUT/000001``), so steps name it in their
body and reading takes the rest of the path.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter

from localgov.correspondence import (
    MAX_ATTACHMENT_BYTES,
    AttachmentUpload,
    Classification,
    Letter,
    LetterEvent,
    LetterNotAllowed,
    Party,
)
from localgov.organisation import StaffMember
from localgov.web.api.auth import required_staff
from localgov.web.api.responses import problems
from localgov.web.api.submission import IdempotencyHeader, caller_key
from localgov.web.context import WebContext
from localgov.web.problems import InvalidInput

__all__ = ["letters_router"]


class PartyIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A department of a local unit (``unit``, ``department``), or a body outside (``outside``)."""

    unit: str | None = None
    department: str | None = None
    governorate: str | None = None
    outside: str | None = None


class AttachmentIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    media_type: str
    #: The file, base64.
    content: str


class LetterIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    to: PartyIn
    subject: str
    body: str
    classification: str = "normal"
    reply_within_days: int | None = None
    reply_by: datetime.date | None = None
    request: str | None = None
    attachments: list[AttachmentIn] = []


class ReplyIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    letter: str
    body: str
    subject: str | None = None
    reply_within_days: int | None = None
    attachments: list[AttachmentIn] = []


class ForwardIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    letter: str
    department: str
    note: str | None = None


class LetterRef(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    letter: str


class PartyOut(msgspec.Struct, frozen=True):
    governorate: str | None
    unit: str | None
    department: str | None
    outside: str | None


class AttachmentOut(msgspec.Struct, frozen=True):
    name: str
    sha256: str
    media_type: str
    size: int


class LetterEventOut(msgspec.Struct, frozen=True):
    seq: int
    at: str
    actor: str
    action: str
    department: str | None = None
    note: str | None = None
    reply: str | None = None


class LetterOut(msgspec.Struct, frozen=True):
    number: str
    incoming_number: str | None
    sender: PartyOut
    author: str
    recipient: PartyOut
    subject: str
    body: str
    classification: str
    sent_at: datetime.datetime
    status: str
    reply_by: datetime.date | None
    request: str | None
    in_reply_to: str | None
    replies: list[str]
    departments: list[str | None]
    acknowledged_by: str | None
    attachments: list[AttachmentOut]
    #: The sending unit's CMS signature (DER, base64) over the letter's canonical form.
    signature: str
    history: list[LetterEventOut] = []


class LetterSummaryOut(msgspec.Struct, frozen=True):
    number: str
    incoming_number: str | None
    sender: PartyOut
    recipient: PartyOut
    subject: str
    classification: str
    sent_at: datetime.datetime
    status: str
    reply_by: datetime.date | None


class BookLineOut(msgspec.Struct, frozen=True):
    line: int
    number: str
    letter: str
    at: str
    party: PartyOut
    #: Absent for a confidential letter: the book shows that it is one, not what it says.
    subject: str | None
    classification: str
    status: str


Unit = Annotated[str, PathParameter(description="The local unit's code (zeitoun)", max_length=64)]
Kind = Annotated[str, PathParameter(description="out (الصادر) or in (الوارد)", max_length=3)]
Year = Annotated[int, PathParameter(ge=2000, le=2200)]
Number = Annotated[str, PathParameter(description="The letter's number, C-ZTN/2026/OUT/000001", max_length=64)]
Box = Annotated[str, QueryParameter(description="inbox (received, the default) or sent", max_length=8)]
AwaitingReply = Annotated[bool, QueryParameter(description="Only letters still waiting for a reply")]


def _party(party: Party) -> PartyOut:
    return PartyOut(party.governorate, party.unit, party.department, party.outside)


def _event(event: LetterEvent) -> LetterEventOut:
    data = event.data
    return LetterEventOut(
        event.seq, event.at, event.actor, event.action, data.get("department"), data.get("note"), data.get("reply")
    )


def _letter(letter: Letter, history: list[LetterEvent] | None = None) -> LetterOut:
    return LetterOut(
        number=letter.id,
        incoming_number=letter.incoming_number,
        sender=_party(letter.sender),
        author=letter.author,
        recipient=_party(letter.recipient),
        subject=letter.subject,
        body=letter.body,
        classification=letter.classification.value,
        sent_at=letter.sent_at,
        status=letter.status.value,
        reply_by=letter.reply_by,
        request=letter.request_id,
        in_reply_to=letter.in_reply_to,
        replies=list(letter.replies),
        departments=list(letter.departments),
        acknowledged_by=letter.acknowledged_by,
        attachments=[AttachmentOut(a.name, a.sha256, a.media_type, a.size) for a in letter.attachments],
        signature=base64.b64encode(letter.signature).decode("ascii"),
        history=[_event(e) for e in history or []],
    )


def _summary(letter: Letter) -> LetterSummaryOut:
    return LetterSummaryOut(
        letter.id,
        letter.incoming_number,
        _party(letter.sender),
        _party(letter.recipient),
        letter.subject,
        letter.classification.value,
        letter.sent_at,
        letter.status.value,
        letter.reply_by,
    )


def _uploads(attachments: list[AttachmentIn]) -> list[AttachmentUpload]:
    uploads = []
    for index, attachment in enumerate(attachments):
        if len(attachment.content) > MAX_ATTACHMENT_BYTES * 4 // 3 + 4:
            raise InvalidInput({f"attachments[{index}].content": "larger than a letter may carry"}, status=413)
        try:
            content = base64.b64decode(attachment.content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput({f"attachments[{index}].content": "not base64"}) from None
        uploads.append(AttachmentUpload(attachment.name, content, attachment.media_type))
    return uploads


def _classification(value: str) -> Classification:
    try:
        return Classification(value)
    except ValueError:
        raise InvalidInput({"classification": "normal or confidential"}) from None


def _send(context: WebContext, data: LetterIn, staff: StaffMember, key: str | None) -> LetterOut:
    to = data.to
    party = Party(outside=to.outside) if to.outside is not None else Party(to.governorate, to.unit, to.department)
    letter = context.correspondence.send(
        staff,
        party,
        data.subject,
        data.body,
        classification=_classification(data.classification),
        attachments=_uploads(data.attachments),
        reply_within_days=data.reply_within_days,
        reply_by=data.reply_by,
        request_id=data.request,
        idempotency_key=caller_key("letter", staff.id, key),
    )
    return _letter(letter)


@post(
    "/letters",
    summary="Send a letter",
    description="From the caller's department to a department of another unit (or a body outside): numbered in "
    "the sender's outgoing book and the receiver's incoming book, signed by the sending unit's certificate. "
    "A retry with the same Idempotency-Key returns the letter the first one sent.",
    responses=problems(401, 403, 409, 413, 422),
    status_code=201,
)
async def send(
    context: NamedDependency[WebContext],
    staff: NamedDependency[StaffMember],
    data: JSONBody[LetterIn],
    idempotency_key: IdempotencyHeader = None,
) -> LetterOut:
    return await anyio.to_thread.run_sync(partial(_send, context, data, staff, idempotency_key))


@get(
    "/letters",
    summary="The letters received (or sent) that the caller may see",
    description="Newest first. A confidential letter is listed only for the departments that send and hold it.",
    responses=problems(401),
)
async def letters(
    context: NamedDependency[WebContext],
    staff: NamedDependency[StaffMember],
    box: Box = "inbox",
    awaiting_reply: AwaitingReply = False,
) -> list[LetterSummaryOut]:
    if box not in ("inbox", "sent"):
        raise InvalidInput({"box": "inbox or sent"})
    service = context.correspondence

    def read() -> list[Letter]:
        return service.sent(staff) if box == "sent" else service.inbox(staff, awaiting_reply=awaiting_reply)

    return [_summary(letter) for letter in await anyio.to_thread.run_sync(read)]


@get(
    "/letters/{number:path}",
    summary="A letter, with its history",
    description="As the caller may see it: a letter they may not see is answered as one that does not exist.",
    responses=problems(401, 404),
)
async def letter(
    context: NamedDependency[WebContext], staff: NamedDependency[StaffMember], number: Number
) -> LetterOut:
    number = number.lstrip("/")
    service = context.correspondence

    def read() -> LetterOut:
        return _letter(service.get(number, staff), service.history(number, staff))

    return await anyio.to_thread.run_sync(read)


@post(
    "/letters/acknowledgements",
    summary="Acknowledge delivery of a letter",
    description="By an employee of a department holding it at the receiving unit; a second acknowledgement "
    "changes nothing.",
    responses=problems(401, 403, 404, 409),
    status_code=200,
)
async def acknowledge(
    context: NamedDependency[WebContext], staff: NamedDependency[StaffMember], data: JSONBody[LetterRef]
) -> LetterOut:
    done = await anyio.to_thread.run_sync(partial(context.correspondence.acknowledge, data.letter, staff))
    return _letter(done)


@post(
    "/letters/forwards",
    summary="Forward a letter inside the receiving unit",
    description="To another department of the caller's unit, with a note; that department then holds it too.",
    responses=problems(401, 403, 404, 409, 422),
    status_code=200,
)
async def forward(
    context: NamedDependency[WebContext], staff: NamedDependency[StaffMember], data: JSONBody[ForwardIn]
) -> LetterOut:
    call = partial(context.correspondence.forward, data.letter, staff, data.department, note=data.note)
    return _letter(await anyio.to_thread.run_sync(call))


@post(
    "/letters/replies",
    summary="Answer a letter",
    description="A new letter from the caller's unit to the letter's sender, threaded to it; the letter is "
    "marked answered, and a request waiting on it goes on.",
    responses=problems(401, 403, 404, 409, 413, 422),
    status_code=201,
)
async def reply(
    context: NamedDependency[WebContext],
    staff: NamedDependency[StaffMember],
    data: JSONBody[ReplyIn],
    idempotency_key: IdempotencyHeader = None,
) -> LetterOut:
    call = partial(
        context.correspondence.reply,
        data.letter,
        staff,
        data.body,
        subject=data.subject,
        attachments=_uploads(data.attachments),
        reply_within_days=data.reply_within_days,
        idempotency_key=caller_key("reply", staff.id, idempotency_key),
    )
    return _letter(await anyio.to_thread.run_sync(call))


def _lines(context: WebContext, staff: StaffMember, unit: str, kind: str, year: int) -> tuple[str, list[Any]]:
    if kind not in ("out", "in"):
        raise InvalidInput({"kind": "out or in"})
    if staff.unit != unit:
        raise LetterNotAllowed(f"the books of {unit!r} are kept by its own staff")
    service = context.correspondence
    governorate = service.governorate_of(unit).code
    return governorate, service.register(governorate, unit, kind, year)


def _book(context: WebContext, staff: StaffMember, unit: str, kind: str, year: int) -> list[BookLineOut]:
    _, lines = _lines(context, staff, unit, kind, year)
    return [
        BookLineOut(
            line=entry.number,
            number=letter.id if kind == "out" else letter.incoming_number or "",
            letter=letter.id,
            at=entry.at,
            party=_party(letter.recipient if kind == "out" else letter.sender),
            subject=None if letter.classification is Classification.CONFIDENTIAL else letter.subject,
            classification=letter.classification.value,
            status=letter.status.value,
        )
        for entry, letter in lines
    ]


def _book_pdf(context: WebContext, staff: StaffMember, unit: str, kind: str, year: int) -> bytes:
    from localgov.documents import DocumentFactory

    governorate, lines = _lines(context, staff, unit, kind, year)
    return DocumentFactory(context.localgov).register_book(governorate, unit, kind, year, lines)


@get(
    "/books/{unit:str}/{kind:str}/{year:int}",
    summary="A unit's outgoing or incoming book for a year",
    description="Line by line, for the unit's own staff; a confidential letter's line has no subject.",
    responses=problems(401, 403, 422),
)
async def book(
    context: NamedDependency[WebContext], staff: NamedDependency[StaffMember], unit: Unit, kind: Kind, year: Year
) -> list[BookLineOut]:
    return await anyio.to_thread.run_sync(partial(_book, context, staff, unit, kind, year))


@get(
    "/books/{unit:str}/{kind:str}/{year:int}/pdf",
    summary="A unit's outgoing or incoming book for a year, as an Arabic PDF",
    description="The book as printed (دفتر الصادر، دفتر الوارد), right to left, for the unit's own staff.",
    responses=problems(401, 403, 422),
    media_type="application/pdf",
)
async def book_pdf(
    context: NamedDependency[WebContext], staff: NamedDependency[StaffMember], unit: Unit, kind: Kind, year: Year
) -> Response[bytes]:
    pdf = await anyio.to_thread.run_sync(partial(_book_pdf, context, staff, unit, kind, year))
    disposition = f'inline; filename="{kind}-{unit}-{year}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


def letters_router() -> Router:
    return Router(
        "/api/v1",
        route_handlers=[send, letters, acknowledge, forward, reply, letter, book, book_pdf],
        dependencies={"staff": Provide(required_staff)},
        tags=["letters"],
    )
