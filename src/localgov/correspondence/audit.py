"""Verifying the correspondence: every letter's history, signature and record, and every book.

What each check catches, made directly in the database:

- a letter altered (subject, body, parties, dates, attachments): its record no longer matches
  the content its ``send`` event recorded, and that content no longer matches the unit's
  signature; an altered event no longer matches its hash;
- a letter removed: its number is missing from the sender's outgoing book and the receiver's
  incoming book (each book's numbers run 1, 2, 3... and every line is chained to the one
  before); its line removed too, the chain breaks at the gap; the last lines removed and the
  counter rewound, the counter's seal (keyed like the chains) no longer matches;
- a letter back-dated: its date is in its ``send`` event, its book lines and what the unit
  signed; rewritten everywhere, each line's hash fails, and a line dated before the one above it
  is out of the book's order.

As for requests, the chains are keyed by the deployment's audit key: with it outside the
database, none of this can be recomputed to verify by someone who only writes the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography import x509

from localgov.correspondence.canonical import (
    book_genesis,
    book_seal,
    canonical_letter,
    entry_hash,
    event_hash,
    letter_content,
    letter_genesis,
)
from localgov.correspondence.errors import InvalidLetterSignature
from localgov.correspondence.model import Letter, LetterEvent, LetterStatus, RegisterEntry
from localgov.correspondence.ports import BookRow, LetterStore
from localgov.correspondence.signatures import verify_detached

__all__ = ["verify_correspondence"]


def verify_correspondence(
    store: LetterStore, key: bytes, *, root: x509.Certificate | None = None
) -> dict[str, list[str]]:
    """Findings by letter number (or ``book out:C-ZTN 2026``); only what does not verify is listed.

    With ``root``, each letter's signing certificate must also chain to it (valid when the letter
    was sent); without, each signature is checked with the certificate it embeds, which must be
    the sending unit's.
    """
    findings: dict[str, list[str]] = {}
    letters = {letter_id: store.get_letter(letter_id) for letter_id in store.letter_ids()}
    for letter_id, letter in letters.items():
        found = _letter_findings(letter, store.events(letter_id), key, root)
        if found:
            findings[letter_id] = found
    lined: set[tuple[str, str]] = set()
    for book in store.books():
        entries = store.entries(book.book, book.year)
        lined.update((entry.book, entry.letter_id) for entry in entries)
        found = _book_findings(book, entries, letters, key)
        if found:
            findings[f"book {book.book} {book.year}"] = found
    for letter in letters.values():
        if letter is None:
            continue
        for kind, number in (("out", letter.id), ("in", letter.incoming_number)):
            name = f"{kind}:{number.partition('/')[0]}" if number is not None else ""
            if number is not None and (name, letter.id) not in lined:
                findings.setdefault(letter.id, []).append(f"{number} is not in the {name} book (its line was removed)")
    return findings


def _letter_findings(
    letter: Letter | None, events: Sequence[LetterEvent], key: bytes, root: x509.Certificate | None
) -> list[str]:
    if letter is None:
        if not events:
            return ["the letter is missing (deleted): its lines in the books remain"]
        return [f"the letter is missing (deleted) but {len(events)} events of its history remain"]
    found: list[str] = []
    expected_prev = letter_genesis(letter.id)
    for index, event in enumerate(events):
        if event.seq != index + 1:
            found.append(
                f"event {index + 1} is missing (deleted)"
                if event.seq > index + 1
                else f"event {event.seq} is out of order"
            )
        recomputed = event_hash(
            key,
            letter_id=event.letter_id,
            at=event.at,
            actor=event.actor,
            action=event.action,
            data=event.data,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            found.append(f"event {event.seq} ({event.action}) was edited: its content does not match its hash")
        if event.prev_hash != expected_prev:
            found.append(f"event {event.seq} does not follow the event before it (deleted, inserted or moved)")
        if index and event.at < events[index - 1].at:
            found.append(f"event {event.seq} ({event.action}) is dated before the event above it: back-dated")
        expected_prev = event.hash
    if not events or events[0].action != "send":
        found.append("the history does not begin with the letter being sent (its first event was removed)")
        return found
    if letter.event_count != len(events) or (events and letter.head_hash != events[-1].hash):
        found.append(
            f"the letter expects {letter.event_count} events ending {letter.head_hash[:12]}, "
            f"{len(events)} are stored (deleted or inserted)"
        )
    found.extend(_record_findings(letter, events, root))
    return found


def _record_findings(letter: Letter, events: Sequence[LetterEvent], root: x509.Certificate | None) -> list[str]:
    """The letter's stored record against what its history says, and its signature."""
    found = []
    sent = events[0].data
    content = sent.get("content", {})
    stored = letter_content(
        letter_id=letter.id,
        sender=letter.sender,
        author=letter.author,
        recipient=letter.recipient,
        subject=letter.subject,
        body=letter.body,
        classification=letter.classification,
        sent_at=letter.sent_at,
        attachments=letter.attachments,
        reply_by=letter.reply_by,
        request_id=letter.request_id,
        in_reply_to=letter.in_reply_to,
    )
    for name in sorted(set(stored) | set(content)):
        if stored.get(name) != content.get(name):
            found.append(
                f"its {name} was altered: {_short(stored.get(name))} stored, {_short(content.get(name))} when sent"
            )
    if events[0].at != content.get("sent_at"):
        found.append(f"it was back-dated: sent at {events[0].at}, its content says {content.get('sent_at')}")
    if hashlib.sha256(letter.signature).hexdigest() != sent.get("signature_sha256"):
        found.append("its signature was replaced: it is not the one recorded when it was sent")
    try:
        code = letter.id.partition("/")[0]
        verify_detached(canonical_letter(content), letter.signature, unit_code=code, root=root, at=letter.sent_at)
    except InvalidLetterSignature as error:
        found.append(f"its signature does not verify: {error}")
    if letter.incoming_number != sent.get("incoming_number"):
        found.append(
            f"its incoming number {letter.incoming_number!r} was altered ({sent.get('incoming_number')!r} when sent)"
        )
    expected = _fold(events)
    actual = {
        "status": letter.status.value,
        "departments": list(letter.departments),
        "acknowledged_by": letter.acknowledged_by,
        "replies": list(letter.replies),
    }
    for name, value in expected.items():
        if actual[name] != value:
            found.append(f"its {name} {actual[name]!r} disagrees with its history ({value!r}): edited")
    return found


def _fold(events: Sequence[LetterEvent]) -> dict[str, Any]:
    content = events[0].data.get("content", {})
    to = content.get("to", {})
    status = LetterStatus.SENT.value
    departments = [to.get("department")] if "outside" not in to else []
    acknowledged_by = None
    replies: list[str] = []
    for event in events[1:]:
        if event.action == "acknowledge":
            acknowledged_by = event.actor
            status = LetterStatus.ACKNOWLEDGED.value if status == LetterStatus.SENT.value else status
        elif event.action == "forward":
            departments.append(event.data.get("department"))
        elif event.action == "reply":
            replies.append(str(event.data.get("reply")))
            status = LetterStatus.ANSWERED.value
    return {"status": status, "departments": departments, "acknowledged_by": acknowledged_by, "replies": replies}


def _book_findings(
    book: BookRow, entries: Sequence[RegisterEntry], letters: Mapping[str, Letter | None], key: bytes
) -> list[str]:
    found = []
    numbers = {entry.number for entry in entries}
    for missing in sorted(set(range(1, book.last + 1)) - numbers):
        found.append(f"line {missing} is missing (a letter removed from the book)")
    expected_prev = book_genesis(book.book, book.year)
    previous: RegisterEntry | None = None
    for entry in entries:
        recomputed = entry_hash(
            key,
            book=entry.book,
            year=entry.year,
            number=entry.number,
            letter_id=entry.letter_id,
            at=entry.at,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.hash:
            found.append(f"line {entry.number} ({entry.letter_id}) was edited: it does not match its hash")
        if entry.prev_hash != expected_prev:
            found.append(f"line {entry.number} does not follow the line before it (a line removed or inserted)")
        if previous is not None and entry.at < previous.at:
            found.append(
                f"line {entry.number} ({entry.letter_id}) is dated {entry.at}, before line {previous.number} "
                f"({previous.at}): back-dated"
            )
        letter = letters.get(entry.letter_id)
        if letter is None:
            found.append(f"line {entry.number}: letter {entry.letter_id} is missing (deleted)")
        elif entry.at != letter.sent_at.isoformat():
            found.append(
                f"line {entry.number}: {entry.letter_id} is dated {letter.sent_at.isoformat()}, the book says {entry.at}"
            )
        expected_prev, previous = entry.hash, entry
    last_hash = entries[-1].hash if entries else book_genesis(book.book, book.year)
    if entries and max(numbers) > book.last:
        found.append(f"lines after {book.last} were not given by localgov (inserted)")
    if book.head != last_hash and not found:
        found.append("the book's counter does not point at its last line (edited)")
    if book.seal != book_seal(key, book=book.book, year=book.year, last=book.last, head=book.head):
        found.append(f"the book's counter ({book.last} lines) was rewound or edited: its seal does not match")
    return found


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
