"""The correspondence service: send, acknowledge, forward and answer letters between units.

Every step is one transaction over the :class:`~localgov.correspondence.ports.LetterStore`: the
letter, the event that records the step (hash-chained to the letter's earlier events) and, for a
letter sent, its line in the sender's outgoing book and in the receiver's incoming book, with
the numbers those books give (per unit, per year: never shared, never skipped, as the number is
taken in the transaction that writes the letter). The letter is signed by the sending unit's
certificate over its canonical form (:mod:`localgov.correspondence.canonical`) before it is
written.

A letter that concerns a request and asks for a reply by a date is recorded in the request's own
history too, once the letter is committed (:meth:`localgov.requests.Engine.record_letter`), and
so is its reply: where the request's workflow says so, its clock stands still meanwhile.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import attrs
from cryptography import x509

from localgov.calendar import WorkingCalendar
from localgov.clock import EGYPT, Clock, utcnow
from localgov.correspondence.access import may_see, on_receiving_side
from localgov.correspondence.canonical import (
    book_genesis,
    book_seal,
    canonical_letter,
    entry_hash,
    event_hash,
    letter_content,
    letter_genesis,
)
from localgov.correspondence.errors import (
    InvalidLetter,
    LetterConflict,
    LetterKeyReused,
    LetterNotAllowed,
    UnknownLetter,
)
from localgov.correspondence.hooks import LetterHooks
from localgov.correspondence.model import (
    Attachment,
    Classification,
    Letter,
    LetterEvent,
    LetterStatus,
    Party,
    RegisterEntry,
)
from localgov.correspondence.ports import BookRow, LetterStore, LetterTransaction
from localgov.correspondence.signatures import sign_detached
from localgov.organisation import Governorate, StaffMember
from localgov.pki import Credential, unit_code_of
from localgov.requests import Engine, UnknownRequest
from localgov.requests.history import canonical_json

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "AttachmentUpload",
    "Correspondence",
    "OverdueLetter",
    "book_name",
    "unit_code",
]

#: The largest file a letter may carry (10 MiB).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_SUBJECT_LIMIT = 300
_BODY_LIMIT = 20_000
_NAME_LIMIT = 200
_REQUEST_ID_LIMIT = 32
# A media type as RFC 6838 names them (type/subtype), at most 100 characters.
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,35}")


@attrs.frozen
class AttachmentUpload:
    """A file to send with a letter."""

    name: str
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")
    media_type: str


@attrs.frozen
class OverdueLetter:
    """A letter whose reply is late: due on ``due``, ``overdue_working_days`` working days ago."""

    letter: Letter
    due: datetime.date
    overdue_working_days: int


def unit_code(governorate: Governorate, unit: str) -> str:
    """The code a unit's certificate carries and its books are named by (``C-ZTN``), as a permit's issuer."""
    return f"{governorate.code}-{governorate.units[unit].short_code}"


def book_name(kind: str, code: str) -> str:
    """``out:C-ZTN`` (the outgoing book, الصادر) or ``in:C-ZTN`` (the incoming book, الوارد)."""
    return f"{kind}:{code}"


def _number(code: str, year: int, kind: str, number: int) -> str:
    return f"{code}/{year}/{'OUT' if kind == 'out' else 'IN'}/{number:06d}"


class Correspondence:
    """Letters between the local units of the loaded governorates, and to bodies outside them.

    :param signers: each unit's document-signing credential by the unit code its certificate
        names (``{"C-ZTN": credential}``), or a function from that code to it; a unit without one
        cannot send.
    :param chain: the certificates above the signers (governorate CA, root), embedded in each
        signature so any CMS verifier can build the path.
    :param departments: the department codes letters may be addressed to (the catalogue's).
    :param engine: the requests' engine, for letters that concern a request.
    :param hooks: told of each overdue reply (``letter_overdue``).
    """

    def __init__(
        self,
        store: LetterStore,
        *,
        organisation: Mapping[str, Governorate],
        calendar: WorkingCalendar,
        signers: Mapping[str, Credential] | Callable[[str], Credential | None],
        chain: Sequence[x509.Certificate] = (),
        departments: Collection[str] | None = None,
        audit_key: bytes = b"",
        engine: Engine | None = None,
        hooks: LetterHooks | None = None,
        clock: Clock = utcnow,
        timezone: datetime.tzinfo = EGYPT,
    ) -> None:
        self.store = store
        self.organisation = organisation
        self.calendar = calendar
        self._signers = signers.get if isinstance(signers, Mapping) else signers
        self._chain = tuple(chain)
        self._departments = None if departments is None else frozenset(departments)
        self._key = audit_key
        self._engine = engine
        self._hooks = hooks
        self._clock = clock
        self._timezone = timezone

    # ------------------------------------------------------------------ places

    def governorate_of(self, unit: str, governorate: str | None = None) -> Governorate:
        """The loaded governorate that has local unit ``unit`` (``governorate``, when codes repeat);
        :class:`InvalidLetter` when none has."""
        for code, candidate in self.organisation.items():
            if (governorate is None or code == governorate) and unit in candidate.units:
                return candidate
        where = f" in governorate {governorate!r}" if governorate else ""
        raise InvalidLetter(f"unknown local unit {unit!r}{where}")

    def _party_of(self, staff: StaffMember) -> Party:
        governorate = self.governorate_of(staff.unit)
        return Party(governorate.code, staff.unit, staff.department)

    def _recipient(self, to: Party) -> Party:
        if not to.internal:
            if not 0 < len((to.outside or "").strip()) <= _NAME_LIMIT:
                raise InvalidLetter(f"to: an outside body's name, 1 to {_NAME_LIMIT} characters")
            return Party(outside=to.outside.strip())  # type: ignore[union-attr]
        if to.unit is None:
            raise InvalidLetter("to: name the receiving unit (or an outside body)")
        governorate = self.governorate_of(to.unit, to.governorate)
        self._check_department(to.department, "to.department")
        return Party(governorate.code, to.unit, to.department)

    def _check_department(self, department: str | None, where: str) -> None:
        if department is not None and self._departments is not None and department not in self._departments:
            known = ", ".join(sorted(self._departments))
            raise InvalidLetter(f"{where}: unknown department {department!r} (known: {known})")

    def _code(self, party: Party) -> str:
        assert party.internal and party.governorate is not None and party.unit is not None
        return unit_code(self.organisation[party.governorate], party.unit)

    def _signer(self, code: str) -> Credential:
        credential = self._signers(code)
        if credential is None:
            raise LetterNotAllowed(f"unit {code} has no signing certificate here: it cannot send letters")
        if unit_code_of(credential.certificate) != code:
            raise LetterNotAllowed(
                f"the certificate given for {code} is that of {unit_code_of(credential.certificate)!r}"
            )
        return credential

    def today(self, at: datetime.datetime | None = None) -> datetime.date:
        return (at or self._clock()).astimezone(self._timezone).date()

    # ------------------------------------------------------------------ sending

    def send(
        self,
        author: StaffMember,
        to: Party,
        subject: str,
        body: str,
        *,
        classification: Classification = Classification.NORMAL,
        attachments: Sequence[AttachmentUpload] = (),
        reply_within_days: int | None = None,
        reply_by: datetime.date | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        at: datetime.datetime | None = None,
    ) -> Letter:
        """Send a letter from ``author``'s department: numbered, signed, delivered, in both books.

        The reply-by date is a working day: ``reply_within_days`` working days from today, or
        ``reply_by`` itself (which must be a working day after today). With ``request_id`` the
        letter concerns that request of the sender's unit; if it asks for a reply, the request
        waits on it (:meth:`localgov.requests.Engine.record_letter`).

        A send retried with the same ``idempotency_key`` (a lost answer, say) returns the letter the
        first one sent; the same key with another letter is refused (:class:`LetterKeyReused`).
        """
        sender = self._party_of(author)
        recipient = self._recipient(to)
        asked = _asked("send", author, recipient, subject, body, classification, attachments, request_id, None)
        asked.update(reply_within_days=reply_within_days, reply_by=reply_by.isoformat() if reply_by else None)
        letter = self._already_sent(idempotency_key, asked)
        if letter is None:
            due = self._reply_by(reply_within_days, reply_by, at or self._clock())
            if request_id is not None:
                self._check_request(request_id, author)
            letter = self._write_letter(
                author, sender, recipient, subject, body, classification, attachments, due, request_id, None, at,
                key=(idempotency_key, asked),
            )  # fmt: skip
        if letter.request_id is not None and letter.reply_by is not None and self._engine is not None:
            self._engine.record_letter(
                letter.request_id, letter=letter.id, awaited=True, actor=author, at=letter.sent_at
            )
        return letter

    def reply(
        self,
        letter_id: str,
        author: StaffMember,
        body: str,
        *,
        subject: str | None = None,
        classification: Classification | None = None,
        attachments: Sequence[AttachmentUpload] = (),
        reply_within_days: int | None = None,
        idempotency_key: str | None = None,
        at: datetime.datetime | None = None,
    ) -> Letter:
        """Answer a letter received: a new letter, numbered out by the replying unit, to the sender.

        Only a department of the receiving unit that holds the letter answers it. The letter it
        answers is marked answered in the same transaction, and the request it concerns (if any)
        stops waiting on it. ``idempotency_key`` as for :meth:`send`.
        """
        original = self._visible(letter_id, author)
        if not on_receiving_side(original, author):
            raise LetterNotAllowed(
                f"{author.id} is not of a department holding {letter_id} at {original.recipient.unit}: "
                "only its receivers answer it"
            )
        subject = subject if subject is not None else f"رد: {original.subject}"
        classification = classification or original.classification
        asked = _asked(
            "reply",
            author,
            original.sender,
            subject,
            body,
            classification,
            attachments,
            original.request_id,
            original.id,
        )
        asked["reply_within_days"] = reply_within_days
        reply = self._already_sent(idempotency_key, asked)
        if reply is None:
            due = self._reply_by(reply_within_days, None, at or self._clock())
            reply = self._write_letter(
                author, self._party_of(author), original.sender, subject, body, classification, attachments, due,
                original.request_id, original, at, key=(idempotency_key, asked),
            )  # fmt: skip
        if original.request_id is not None and original.reply_by is not None and self._engine is not None:
            self._engine.record_letter(
                original.request_id, letter=original.id, awaited=False, actor=author, at=reply.sent_at
            )
        return reply

    def _reply_by(
        self, within: int | None, reply_by: datetime.date | None, at: datetime.datetime
    ) -> datetime.date | None:
        today = self.today(at)
        if within is not None and reply_by is not None:
            raise InvalidLetter("give reply_within_days or reply_by, not both")
        if within is not None:
            if within < 1:
                raise InvalidLetter(f"reply_within_days: at least 1 working day, got {within}")
            return self.calendar.add_working_days(today, within)
        if reply_by is not None:
            if reply_by <= today:
                raise InvalidLetter(f"reply_by: {reply_by.isoformat()} is not after today ({today.isoformat()})")
            if self.calendar.covers(reply_by) and not self.calendar.is_working_day(reply_by):
                raise InvalidLetter(f"reply_by: {reply_by.isoformat()} is not a working day")
        return reply_by

    def _check_request(self, request_id: str, author: StaffMember) -> None:
        if len(request_id) > _REQUEST_ID_LIMIT:
            raise InvalidLetter(f"request: {request_id[:40]!r}... is not a tracking number")
        if self._engine is None:
            return
        try:
            request = self._engine.get(request_id)
        except UnknownRequest:
            raise InvalidLetter(f"request: no request {request_id!r}") from None
        if request.unit != author.unit:
            raise InvalidLetter(f"request: {request_id} is a request of {request.unit!r}, not of {author.unit!r}")

    def _attachments(self, uploads: Sequence[AttachmentUpload]) -> tuple[Attachment, ...]:
        attached = []
        for index, upload in enumerate(uploads):
            where = f"attachment {index + 1} ({upload.name!r})"
            if not upload.name.strip() or len(upload.name) > _NAME_LIMIT:
                raise InvalidLetter(f"{where}: a file name of 1 to {_NAME_LIMIT} characters")
            if _MEDIA_TYPE.fullmatch(upload.media_type) is None:
                raise InvalidLetter(f"{where}: {upload.media_type[:40]!r} is not a media type (application/pdf)")
            if not upload.content:
                raise InvalidLetter(f"{where}: the file is empty")
            if len(upload.content) > MAX_ATTACHMENT_BYTES:
                raise InvalidLetter(f"{where}: {len(upload.content)} bytes is over the {MAX_ATTACHMENT_BYTES} limit")
            sha = hashlib.sha256(upload.content).hexdigest()
            attached.append(Attachment(upload.name.strip(), sha, upload.media_type, len(upload.content)))
        return tuple(attached)

    def _write_letter(
        self,
        author: StaffMember,
        sender: Party,
        recipient: Party,
        subject: str,
        body: str,
        classification: Classification,
        uploads: Sequence[AttachmentUpload],
        reply_by: datetime.date | None,
        request_id: str | None,
        answers: Letter | None,
        at: datetime.datetime | None,
        *,
        key: tuple[str | None, dict[str, Any]] = (None, {}),
    ) -> Letter:
        if at is not None and at.utcoffset() is None:
            raise InvalidLetter(f"sent_at: {at.isoformat()} has no timezone: give the moment, not a wall-clock time")
        subject, body = subject.strip(), body.strip()
        if not 0 < len(subject) <= _SUBJECT_LIMIT:
            raise InvalidLetter(f"subject: 1 to {_SUBJECT_LIMIT} characters, got {len(subject)}")
        if not 0 < len(body) <= _BODY_LIMIT:
            raise InvalidLetter(f"body: 1 to {_BODY_LIMIT} characters, got {len(body)}")
        attachments = self._attachments(uploads)
        code = self._code(sender)
        credential = self._signer(code)
        to_code = self._code(recipient) if recipient.internal else None
        for _ in range(_RETRIES):
            try:
                with self.store.transaction() as transaction:
                    for upload, attached in zip(uploads, attachments, strict=True):
                        transaction.put_attachment(attached.sha256, upload.content, upload.media_type)
                    # The numbers first: the books are locked from here to the commit, so the
                    # time read now is after every earlier line of both books.
                    moment = at or self._clock()
                    year = self.today(moment).year
                    out_row = transaction.take_number(book_name("out", code), year)
                    in_row = transaction.take_number(book_name("in", to_code), year) if to_code else None
                    moment = self._dated(moment, [out_row] + ([in_row] if in_row else []), given=at is not None)
                    stamp = moment.isoformat()
                    out_number = self._write_line(transaction, out_row, "out", code, stamp, None)
                    if key[0] is not None and not transaction.claim_key(key[0], _fingerprint(key[1]), out_number):
                        raise _KeyTaken
                    content = letter_content(
                        letter_id=out_number,
                        sender=sender,
                        author=author.id,
                        recipient=recipient,
                        subject=subject,
                        body=body,
                        classification=classification,
                        sent_at=moment,
                        attachments=attachments,
                        reply_by=reply_by,
                        request_id=request_id,
                        in_reply_to=answers.id if answers is not None else None,
                    )
                    signature = sign_detached(canonical_letter(content), credential, self._chain)
                    incoming = None
                    if in_row is not None and to_code is not None:
                        incoming = self._write_line(transaction, in_row, "in", to_code, stamp, out_number)
                    data: dict[str, Any] = {
                        "content": content,
                        "signature_sha256": hashlib.sha256(signature).hexdigest(),
                        "incoming_number": incoming,
                    }
                    letter = Letter(
                        id=out_number,
                        sender=sender,
                        author=author.id,
                        recipient=recipient,
                        subject=subject,
                        body=body,
                        classification=classification,
                        sent_at=moment,
                        signature=signature,
                        incoming_number=incoming,
                        attachments=attachments,
                        reply_by=reply_by,
                        request_id=request_id,
                        in_reply_to=content["in_reply_to"],
                        departments=(recipient.department,) if recipient.internal else (),
                    )
                    letter = self._record(transaction, letter, author.id, "send", data, stamp, new=True)
                    if answers is not None:
                        current = transaction.get_letter(answers.id)
                        if current is None:
                            raise UnknownLetter(answers.id)
                        answered = attrs.evolve(
                            current, status=LetterStatus.ANSWERED, replies=(*current.replies, letter.id)
                        )
                        self._record(transaction, answered, author.id, "reply", {"reply": letter.id}, stamp)
                return letter
            except LetterConflict:
                # Someone else moved the letter being answered at the same moment: decide again.
                time.sleep(0.005)
            except _KeyTaken:
                # The same key's first send committed meanwhile (nothing of this one was written).
                found = self._already_sent(key[0], key[1])
                if found is not None:
                    return found
        raise LetterConflict(f"{answers.id if answers else 'the letter'} is busy: try again")

    def _already_sent(self, key: str | None, asked: dict[str, Any]) -> Letter | None:
        """The letter ``key`` sent before, if it did; refused if it sent something else."""
        if key is None:
            return None
        if not 0 < len(key) <= _KEY_LIMIT:
            raise InvalidLetter(f"idempotency key: 1 to {_KEY_LIMIT} characters")
        claimed = self.store.letter_for_key(key)
        if claimed is None:
            return None
        fingerprint, letter_id = claimed
        if fingerprint != _fingerprint(asked):
            raise LetterKeyReused(f"idempotency key {key[:40]!r} sent another letter ({letter_id})")
        letter = self.store.get_letter(letter_id)
        if letter is None:
            raise UnknownLetter(letter_id)
        return letter

    @staticmethod
    def _after(moment: datetime.datetime, last: str, what: str, *, given: bool) -> datetime.datetime:
        """``moment``, or ``last`` if that is later: no step is dated before the one above it.

        A time the caller gave that is earlier is refused; the clock's own (another worker's
        clock a little behind) is moved up.
        """
        if last and moment < datetime.datetime.fromisoformat(last):
            if given:
                raise InvalidLetter(
                    f"at: {moment.isoformat()} is before the last step of {what} ({last}): "
                    "a letter cannot be back-dated"
                )
            return datetime.datetime.fromisoformat(last)
        return moment

    @classmethod
    def _dated(cls, moment: datetime.datetime, books: Sequence[BookRow], *, given: bool) -> datetime.datetime:
        """The letter's time, never before the last line of its books: a letter is not back-dated."""
        for row in books:
            moment = cls._after(moment, row.last_at, row.book, given=given)
        return moment

    def _write_line(
        self, transaction: LetterTransaction, row: BookRow, kind: str, code: str, at: str, letter_id: str | None
    ) -> str:
        """The book's new line under the number ``row`` took, chained, and the counter sealed."""
        previous = row.head or book_genesis(row.book, row.year)  # a new counter has no line yet
        number = _number(code, row.year, kind, row.last)
        letter_id = letter_id or number  # the outgoing number is the letter's own
        digest = entry_hash(
            self._key, book=row.book, year=row.year, number=row.last, letter_id=letter_id, at=at, prev_hash=previous
        )
        transaction.add_entry(RegisterEntry(row.book, row.year, row.last, letter_id, at, previous, digest))
        seal = book_seal(self._key, book=row.book, year=row.year, last=row.last, head=digest)
        transaction.close_book(row.book, row.year, digest, seal, at)
        return number

    def _record(
        self,
        transaction: LetterTransaction,
        letter: Letter,
        actor: str,
        action: str,
        data: Mapping[str, Any],
        at: str,
        *,
        new: bool = False,
    ) -> Letter:
        """Write ``letter`` after a step, with the event that records it chained to its history."""
        prev = letter.head_hash or letter_genesis(letter.id)
        seq = letter.event_count + 1
        digest = event_hash(
            self._key, letter_id=letter.id, at=at, actor=actor, action=action, data=data, prev_hash=prev
        )
        event = LetterEvent(letter.id, seq, at, actor, action, dict(data), prev, digest)
        if new:
            current = attrs.evolve(letter, head_hash=digest, event_count=seq, version=1, last_at=at)
            transaction.insert_letter(current)
        else:
            current = attrs.evolve(letter, head_hash=digest, event_count=seq, version=letter.version + 1, last_at=at)
            transaction.update_letter(current, expected_version=letter.version)
        transaction.append_event(event)
        return current

    # ------------------------------------------------------------------ at the receiver

    def acknowledge(self, letter_id: str, by: StaffMember, *, at: datetime.datetime | None = None) -> Letter:
        """Acknowledge delivery (إقرار بالاستلام) as an employee of a receiving department; once."""
        return self._step(letter_id, by, "acknowledge", at)

    def forward(
        self,
        letter_id: str,
        by: StaffMember,
        department: str,
        *,
        note: str | None = None,
        at: datetime.datetime | None = None,
    ) -> Letter:
        """Pass a letter received to another department of the receiving unit (إحالة)."""
        self._check_department(department, "department")
        return self._step(letter_id, by, "forward", at, department=department, note=note)

    def _step(
        self,
        letter_id: str,
        by: StaffMember,
        action: str,
        at: datetime.datetime | None,
        *,
        department: str | None = None,
        note: str | None = None,
    ) -> Letter:
        for _ in range(_RETRIES):
            try:
                with self.store.transaction() as transaction:
                    letter = transaction.get_letter(letter_id)
                    if letter is None or not may_see(letter, by):
                        raise UnknownLetter(letter_id)
                    # Read after the letter: a step that commits first makes this one decide
                    # again (the version guard), with a time after it.
                    moment = self._after(at or self._clock(), letter.last_at, letter_id, given=at is not None)
                    if not on_receiving_side(letter, by):
                        raise LetterNotAllowed(
                            f"{by.id} is not of a department holding {letter_id}: only its receivers {action} it"
                        )
                    if action == "acknowledge":
                        if letter.acknowledged_by is not None:
                            return letter  # acknowledged already
                        status = LetterStatus.ACKNOWLEDGED if letter.status is LetterStatus.SENT else letter.status
                        changed = attrs.evolve(letter, status=status, acknowledged_by=by.id)
                        data: dict[str, Any] = {}
                    else:
                        if department in letter.departments:
                            raise LetterNotAllowed(f"{letter_id} is already held by {department!r}")
                        changed = attrs.evolve(letter, departments=(*letter.departments, department))
                        data = {"department": department}
                        if note:
                            data["note"] = note.strip()
                    return self._record(transaction, changed, by.id, action, data, moment.isoformat())
            except LetterConflict:
                time.sleep(0.005)
        raise LetterConflict(f"{letter_id} is busy: try again")

    # ------------------------------------------------------------------ reading

    def _visible(self, letter_id: str, viewer: StaffMember) -> Letter:
        letter = self.store.get_letter(letter_id)
        if letter is None or not may_see(letter, viewer):
            raise UnknownLetter(letter_id)
        return letter

    def get(self, letter_id: str, viewer: StaffMember) -> Letter:
        """The letter, if ``viewer`` may see it; :class:`UnknownLetter` otherwise (as if there were none)."""
        return self._visible(letter_id, viewer)

    def history(self, letter_id: str, viewer: StaffMember) -> list[LetterEvent]:
        self._visible(letter_id, viewer)
        return self.store.events(letter_id)

    def attachment(self, letter_id: str, sha256: str, viewer: StaffMember) -> tuple[Attachment, bytes]:
        letter = self._visible(letter_id, viewer)
        attached = next((a for a in letter.attachments if a.sha256 == sha256), None)
        stored = self.store.attachment(sha256) if attached is not None else None
        if attached is None or stored is None:
            raise UnknownLetter(f"{letter_id}#{sha256}")
        return attached, stored[0]

    def inbox(self, viewer: StaffMember, *, awaiting_reply: bool = False) -> list[Letter]:
        """The letters received by ``viewer``'s unit that they may see, newest first."""
        letters = [
            letter
            for letter in self.store.letters(unit=viewer.unit)
            if letter.recipient.unit == viewer.unit and may_see(letter, viewer)
        ]
        if awaiting_reply:
            letters = [letter for letter in letters if letter.awaiting_reply]
        return letters[::-1]

    def sent(self, viewer: StaffMember) -> list[Letter]:
        """The letters sent by ``viewer``'s unit that they may see, newest first."""
        letters = self.store.letters(unit=viewer.unit)
        return [letter for letter in letters if letter.sender.unit == viewer.unit and may_see(letter, viewer)][::-1]

    def register(self, governorate: str, unit: str, kind: str, year: int) -> list[tuple[RegisterEntry, Letter]]:
        """A unit's outgoing (``"out"``) or incoming (``"in"``) book for ``year``, line by line.

        The book lists every letter, confidential ones included: it is the registry's, and a
        printed book shows a confidential letter's number, parties and dates, not its subject.
        A line whose letter is no longer stored is left out (``audit`` names it).
        """
        if kind not in ("out", "in"):
            raise InvalidLetter(f"a book is 'out' or 'in', not {kind!r}")
        code = unit_code(self.governorate_of(unit, governorate), unit)
        lines = []
        for entry in self.store.entries(book_name(kind, code), year):
            letter = self.store.get_letter(entry.letter_id)
            if letter is not None:
                lines.append((entry, letter))
        return lines

    def overdue(self, today: datetime.date | None = None) -> list[OverdueLetter]:
        """Letters whose reply-by date has passed with no reply; tells ``letter_overdue`` of each."""
        today = today or self.today()
        found = []
        for letter in self.store.letters():
            if letter.awaiting_reply and letter.reply_by is not None and letter.reply_by < today:
                late = self.calendar.working_days_between(letter.reply_by, today)
                if late <= 0:
                    continue
                found.append(OverdueLetter(letter, letter.reply_by, late))
                if self._hooks is not None:
                    self._hooks.letter_overdue(letter=letter, due=letter.reply_by, overdue_working_days=late)
        return found


_RETRIES = 20
_KEY_LIMIT = 200


class _KeyTaken(Exception):
    """Inside a send: its idempotency key was claimed by a send that committed first."""


def _asked(
    operation: str,
    author: StaffMember,
    to: Party,
    subject: str,
    body: str,
    classification: Classification,
    attachments: Sequence[AttachmentUpload],
    request_id: str | None,
    answers: str | None,
) -> dict[str, Any]:
    """What a send asked for, to tell a retry (the same) from another letter under the same key."""
    return {
        "operation": operation,
        "author": author.id,
        "to": to.to_data(),
        "subject": subject.strip(),
        "body": body.strip(),
        "classification": classification.value,
        "attachments": [[a.name, a.media_type, hashlib.sha256(a.content).hexdigest()] for a in attachments],
        "request": request_id,
        "answers": answers,
    }


def _fingerprint(asked: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(asked)).hexdigest()
