"""The bytes a letter's signature covers, and the hash chains of its history and of the books.

The canonical form is JSON with sorted keys, no spaces, UTF-8 (Arabic as it is), of what the
sender said: the numbers, the parties, subject, body, classification, attachments by hash,
the reply-by date, the request it concerns, the letter it answers, and when it was sent. What
happens to the letter afterwards (the receiver's incoming number, acknowledgement, forwarding,
replies) is in its hash-chained history, not in what the sender signed.

Chain hashes are HMAC-SHA256 under the deployment's audit key, as the requests' history
(:mod:`localgov.requests.history`): with the key outside the database, whoever can write the
database still cannot make an edited history, or a rewound book, verify.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from localgov.correspondence.model import Attachment, Classification, Party
from localgov.requests.history import canonical_json

__all__ = [
    "CANONICAL_FORMAT",
    "book_genesis",
    "book_seal",
    "canonical_letter",
    "entry_hash",
    "event_hash",
    "letter_content",
    "letter_genesis",
]

CANONICAL_FORMAT = "localgov-letter/1"


def letter_content(
    *,
    letter_id: str,
    sender: Party,
    author: str,
    recipient: Party,
    subject: str,
    body: str,
    classification: Classification,
    sent_at: datetime.datetime,
    attachments: tuple[Attachment, ...],
    reply_by: datetime.date | None,
    request_id: str | None,
    in_reply_to: str | None,
) -> dict[str, Any]:
    """What the sender says, as the data the ``send`` event records and the signature covers."""
    return {
        "format": CANONICAL_FORMAT,
        "id": letter_id,
        "from": sender.to_data(),
        "author": author,
        "to": recipient.to_data(),
        "subject": subject,
        "body": body,
        "classification": classification.value,
        "sent_at": sent_at.isoformat(),
        "attachments": [
            {"name": a.name, "sha256": a.sha256, "media_type": a.media_type, "size": a.size} for a in attachments
        ],
        "reply_by": reply_by.isoformat() if reply_by is not None else None,
        "request": request_id,
        "in_reply_to": in_reply_to,
    }


def canonical_letter(content: Mapping[str, Any]) -> bytes:
    """The signed bytes of :func:`letter_content`."""
    return canonical_json(content)


def letter_genesis(letter_id: str) -> str:
    """The 'previous hash' of a letter's first event: binds its chain to its number."""
    return hashlib.sha256(f"localgov/letters/v1/{letter_id}".encode()).hexdigest()


def book_genesis(book: str, year: int) -> str:
    """The 'previous hash' of a book's first line of a year."""
    return hashlib.sha256(f"localgov/letters/book/v1/{book}/{year}".encode()).hexdigest()


def event_hash(
    key: bytes, *, letter_id: str, at: str, actor: str, action: str, data: Mapping[str, Any], prev_hash: str
) -> str:
    # As for requests, the sequence number is left out: order comes from the chain itself.
    fields = {"letter": letter_id, "at": at, "actor": actor, "action": action, "data": data, "prev": prev_hash}
    return hmac.digest(key, canonical_json(fields), "sha256").hex()


def entry_hash(key: bytes, *, book: str, year: int, number: int, letter_id: str, at: str, prev_hash: str) -> str:
    fields = {"book": book, "year": year, "number": number, "letter": letter_id, "at": at, "prev": prev_hash}
    return hmac.digest(key, canonical_json(fields), "sha256").hex()


def book_seal(key: bytes, *, book: str, year: int, last: int, head: str) -> str:
    """The seal on a book's counter: rewinding the counter and head to hide the last letters needs the key."""
    fields = {"book": book, "year": year, "last": last, "head": head}
    return hmac.digest(key, canonical_json(fields), "sha256").hex()
