"""The correspondence in the same database as the requests (SQLite or PostgreSQL).

:class:`SqlLetterStore` implements :class:`localgov.correspondence.LetterStore`. A step is one
transaction on one connection: on SQLite it begins IMMEDIATE (the database's one writer at a
time); on PostgreSQL taking a book's number upserts its counter row, which stays locked until the
letter commits, so two letters of one unit queue for their numbers while letters of other units
go on. A letter's other rows are written under a version guard (optimistic concurrency).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from localgov.correspondence import (
    Attachment,
    BookRow,
    Classification,
    Letter,
    LetterConflict,
    LetterEvent,
    LetterStatus,
    Party,
    RegisterEntry,
)
from localgov.storage.correspondence_schema import (
    LETTER_TABLES,
    letter_books,
    letter_events,
    letter_files,
    letter_keys,
    letter_lines,
    letters,
)
from localgov.storage.database import WRITE, open_database
from localgov.storage.migrations import migrate

__all__ = ["LETTER_TABLES", "SqlLetterStore"]


def _insert(connection: sa.Connection, table: sa.Table) -> Any:
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)


def _to_row(letter: Letter) -> dict[str, Any]:
    return {
        "id": letter.id,
        "sender_unit": letter.sender.unit,
        "recipient_unit": letter.recipient.unit,
        "incoming_number": letter.incoming_number,
        "classification": letter.classification.value,
        "status": letter.status.value,
        "sent_at": letter.sent_at.isoformat(),
        "reply_by": letter.reply_by,
        "request_id": letter.request_id,
        "in_reply_to": letter.in_reply_to,
        "version": letter.version,
        "head_hash": letter.head_hash,
        "event_count": letter.event_count,
        "signature": letter.signature,
        "data": {
            "from": letter.sender.to_data(),
            "to": letter.recipient.to_data(),
            "author": letter.author,
            "subject": letter.subject,
            "body": letter.body,
            "attachments": [
                {"name": a.name, "sha256": a.sha256, "media_type": a.media_type, "size": a.size}
                for a in letter.attachments
            ],
            "departments": list(letter.departments),
            "acknowledged_by": letter.acknowledged_by,
            "replies": list(letter.replies),
            "last_at": letter.last_at,
        },
    }


def _from_row(row: sa.RowMapping) -> Letter:
    data = row["data"]
    return Letter(
        id=row["id"],
        sender=Party.from_data(data["from"]),
        author=data["author"],
        recipient=Party.from_data(data["to"]),
        subject=data["subject"],
        body=data["body"],
        classification=Classification(row["classification"]),
        sent_at=datetime.datetime.fromisoformat(row["sent_at"]),
        signature=bytes(row["signature"]),
        incoming_number=row["incoming_number"],
        attachments=tuple(Attachment(**a) for a in data.get("attachments", ())),
        reply_by=row["reply_by"],
        request_id=row["request_id"],
        in_reply_to=row["in_reply_to"],
        status=LetterStatus(row["status"]),
        departments=tuple(data.get("departments", ())),
        acknowledged_by=data.get("acknowledged_by"),
        replies=tuple(data.get("replies", ())),
        version=row["version"],
        head_hash=row["head_hash"],
        event_count=row["event_count"],
        last_at=data.get("last_at", ""),
    )


class _Transaction:
    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def take_number(self, book: str, year: int) -> BookRow:
        # One statement creates the counter or takes its next number, and locks the row: two
        # letters of a unit's first day of the year never collide, and never share a number.
        insert = _insert(self._connection, letter_books).values(
            book=book, year=year, last=1, head="", seal="", last_at=""
        )
        statement = insert.on_conflict_do_update(
            index_elements=["book", "year"], set_={"last": letter_books.c.last + 1}
        ).returning(letter_books.c.last, letter_books.c.head, letter_books.c.seal, letter_books.c.last_at)
        row = self._connection.execute(statement).one()
        return BookRow(book, year, row.last, row.head, row.seal, row.last_at)

    def close_book(self, book: str, year: int, head: str, seal: str, at: str) -> None:
        self._connection.execute(
            letter_books.update()
            .where(letter_books.c.book == book, letter_books.c.year == year)
            .values(head=head, seal=seal, last_at=at)
        )

    def get_letter(self, letter_id: str) -> Letter | None:
        row = self._connection.execute(sa.select(letters).where(letters.c.id == letter_id)).mappings().first()
        return None if row is None else _from_row(row)

    def insert_letter(self, letter: Letter) -> None:
        self._connection.execute(letters.insert().values(_to_row(letter)))

    def update_letter(self, letter: Letter, expected_version: int) -> None:
        result = self._connection.execute(
            letters.update()
            .where(letters.c.id == letter.id, letters.c.version == expected_version)
            .values(_to_row(letter))
        )
        if result.rowcount != 1:
            raise LetterConflict(f"{letter.id} was changed by someone else at the same moment: read it again")

    def append_event(self, event: LetterEvent) -> None:
        self._connection.execute(
            letter_events.insert().values(
                letter_id=event.letter_id,
                seq=event.seq,
                at=event.at,
                actor=event.actor,
                action=event.action,
                data=dict(event.data),
                prev_hash=event.prev_hash,
                hash=event.hash,
            )
        )

    def add_entry(self, entry: RegisterEntry) -> None:
        self._connection.execute(
            letter_lines.insert().values(
                book=entry.book,
                year=entry.year,
                number=entry.number,
                letter_id=entry.letter_id,
                at=entry.at,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
            )
        )

    def claim_key(self, key: str, fingerprint: str, letter_id: str) -> bool:
        # RETURNING says whether the row went in: DO NOTHING returns no row for a key taken.
        claimed = self._connection.execute(
            _insert(self._connection, letter_keys)
            .values(key=key, fingerprint=fingerprint, letter_id=letter_id)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(letter_keys.c.key)
        ).first()
        return claimed is not None

    def put_attachment(self, sha256: str, content: bytes, media_type: str) -> None:
        self._connection.execute(
            _insert(self._connection, letter_files)
            .values(sha256=sha256, media_type=media_type, size=len(content), content=content)
            .on_conflict_do_nothing(index_elements=["sha256"])
        )


class SqlLetterStore:
    """The letters, their histories and books in an SQL database (the requests' own, or another).

    >>> store = SqlLetterStore.open("sqlite:///localgov.db")
    >>> store = SqlLetterStore(engine.store.engine)   # beside an engine's requests
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        migrate(engine, LETTER_TABLES)

    @classmethod
    def open(cls, url: str, *, durable: bool = True) -> SqlLetterStore:
        return cls(open_database(url, durable=durable))

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{WRITE: True})
            with connection.begin():
                yield _Transaction(connection)

    def _rows(self, statement: sa.Select[Any]) -> Sequence[sa.RowMapping]:
        with self.engine.connect() as connection:
            return connection.execute(statement).mappings().all()

    def get_letter(self, letter_id: str) -> Letter | None:
        rows = self._rows(sa.select(letters).where(letters.c.id == letter_id))
        return _from_row(rows[0]) if rows else None

    def letters(self, *, unit: str | None = None) -> list[Letter]:
        statement = sa.select(letters)
        if unit is not None:
            statement = statement.where(sa.or_(letters.c.sender_unit == unit, letters.c.recipient_unit == unit))
        return [_from_row(row) for row in self._rows(statement.order_by(letters.c.sent_at, letters.c.id))]

    def letter_ids(self) -> list[str]:
        union = sa.union(
            sa.select(letters.c.id.label("id")),
            sa.select(letter_events.c.letter_id.label("id")),
            sa.select(letter_lines.c.letter_id.label("id")).where(letter_lines.c.book.like("out:%")),
        ).subquery()
        return [row["id"] for row in self._rows(sa.select(union.c.id).order_by(union.c.id))]

    def events(self, letter_id: str) -> list[LetterEvent]:
        statement = sa.select(letter_events).where(letter_events.c.letter_id == letter_id).order_by(letter_events.c.seq)
        return [
            LetterEvent(
                r["letter_id"], r["seq"], r["at"], r["actor"], r["action"], r["data"], r["prev_hash"], r["hash"]
            )
            for r in self._rows(statement)
        ]

    def entries(self, book: str, year: int | None = None) -> list[RegisterEntry]:
        statement = sa.select(letter_lines).where(letter_lines.c.book == book)
        if year is not None:
            statement = statement.where(letter_lines.c.year == year)
        return [
            RegisterEntry(r["book"], r["year"], r["number"], r["letter_id"], r["at"], r["prev_hash"], r["hash"])
            for r in self._rows(statement.order_by(letter_lines.c.year, letter_lines.c.number))
        ]

    def books(self) -> list[BookRow]:
        statement = sa.select(letter_books).order_by(letter_books.c.book, letter_books.c.year)
        return [
            BookRow(r["book"], r["year"], r["last"], r["head"], r["seal"], r["last_at"]) for r in self._rows(statement)
        ]

    def letter_for_key(self, key: str) -> tuple[str, str] | None:
        rows = self._rows(sa.select(letter_keys.c.fingerprint, letter_keys.c.letter_id).where(letter_keys.c.key == key))
        return (rows[0]["fingerprint"], rows[0]["letter_id"]) if rows else None

    def attachment(self, sha256: str) -> tuple[bytes, str] | None:
        rows = self._rows(
            sa.select(letter_files.c.content, letter_files.c.media_type).where(letter_files.c.sha256 == sha256)
        )
        return (bytes(rows[0]["content"]), rows[0]["media_type"]) if rows else None
