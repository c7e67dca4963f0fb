"""A letter between local units (or to an outside body), its attachments, and its history events."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from enum import Enum
from typing import Any

import attrs

__all__ = [
    "Attachment",
    "Classification",
    "Letter",
    "LetterEvent",
    "LetterStatus",
    "Party",
    "RegisterEntry",
]


class Classification(str, Enum):
    NORMAL = "normal"  # عادي
    CONFIDENTIAL = "confidential"  # سري


class LetterStatus(str, Enum):
    SENT = "sent"  # أُرسل وقُيّد واردًا لدى الجهة المرسل إليها
    ACKNOWLEDGED = "acknowledged"  # أقرّت الجهة المرسل إليها بالاستلام
    ANSWERED = "answered"  # ورد الرد


@attrs.frozen
class Party:
    """Who sends or receives: a department of a local unit, or a body outside the system.

    ``department`` is a catalogue department code (``engineering``, ``legal_affairs``...); a unit
    with no department named means the unit's own office (its registry). An outside body
    (``outside``: its name, e.g. a ministry) has no unit and no register of its own here.
    """

    governorate: str | None = None
    unit: str | None = None
    department: str | None = None
    outside: str | None = None

    @property
    def internal(self) -> bool:
        return self.outside is None

    def to_data(self) -> dict[str, Any]:
        if self.outside is not None:
            return {"outside": self.outside}
        return {"governorate": self.governorate, "unit": self.unit, "department": self.department}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Party:
        if "outside" in data:
            return cls(outside=str(data["outside"]))
        return cls(data.get("governorate"), data.get("unit"), data.get("department"))

    def describe(self) -> str:
        if self.outside is not None:
            return self.outside
        return f"{self.governorate}/{self.unit}" + (f"/{self.department}" if self.department else "")


@attrs.frozen
class Attachment:
    """A file that goes with a letter, stored once by the SHA-256 of its content."""

    name: str
    sha256: str
    media_type: str
    size: int


@attrs.frozen
class Letter:
    """A letter as registered: numbered out at the sender, in at the receiver, signed by the sender's unit.

    ``id`` is the outgoing number (صادر), ``C-ZTN/2026/OUT/000012``; ``incoming_number`` (وارد)
    is the receiving unit's, ``C-MTR/2026/IN/000031`` (``None`` for an outside body).
    ``departments`` are those of the receiving unit that hold the letter: the one it was sent to
    and each it was forwarded to; a confidential letter is seen by them and the sending
    department only.
    """

    id: str
    sender: Party
    author: str
    recipient: Party
    subject: str
    body: str
    classification: Classification
    sent_at: datetime.datetime
    signature: bytes
    incoming_number: str | None = None
    attachments: tuple[Attachment, ...] = ()
    reply_by: datetime.date | None = None
    request_id: str | None = None
    in_reply_to: str | None = None
    status: LetterStatus = LetterStatus.SENT
    departments: tuple[str | None, ...] = ()
    acknowledged_by: str | None = None
    replies: tuple[str, ...] = ()
    version: int = 1
    head_hash: str = ""
    event_count: int = 0
    #: When its last step was taken (ISO 8601): no later step is dated before it.
    last_at: str = ""

    @property
    def awaiting_reply(self) -> bool:
        return self.reply_by is not None and self.status is not LetterStatus.ANSWERED


@attrs.frozen
class LetterEvent:
    """One step of a letter's history, hash-chained to the step before it."""

    letter_id: str
    seq: int
    at: str
    actor: str
    action: str
    data: Mapping[str, Any]
    prev_hash: str
    hash: str


@attrs.frozen
class RegisterEntry:
    """One line of a unit's outgoing or incoming book, chained to the line before it.

    ``book`` is ``out:C-ZTN`` or ``in:C-MTR``; the numbers of a book run 1, 2, 3... each year
    with none shared and none skipped.
    """

    book: str
    year: int
    number: int
    letter_id: str
    at: str
    prev_hash: str
    hash: str
