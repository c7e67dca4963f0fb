"""The correspondence's tables and their migrations (a table set of its own, like the permit log's).

Six tables: the letters (``lg_letters``: what the sender wrote, and where the letter stands),
their hash-chained events (``lg_letter_events``), the lines of every unit's outgoing and incoming
books (``lg_letter_lines``), each book's counter for a year (``lg_letter_books``: the last number
given, the hash of its last line, the seal over both), the attachments by their SHA-256
(``lg_letter_files``), and the idempotency keys of sends (``lg_letter_keys``). Timestamps are
ISO 8601 text: they enter the hashes.
"""

from __future__ import annotations

import sqlalchemy as sa

from localgov.storage.migrations import Migration, TableSet

__all__ = [
    "LETTER_MIGRATIONS",
    "LETTER_TABLES",
    "letter_books",
    "letter_events",
    "letter_files",
    "letter_keys",
    "letter_lines",
    "letter_metadata",
    "letters",
]

letter_metadata = sa.MetaData()

letter_schema_version = sa.Table(
    "lg_letters_schema_version",
    letter_metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(40), nullable=False),
)

letters = sa.Table(
    "lg_letters",
    letter_metadata,
    sa.Column("id", sa.String(48), primary_key=True),
    sa.Column("sender_unit", sa.String(64), nullable=False),
    sa.Column("recipient_unit", sa.String(64)),
    sa.Column("incoming_number", sa.String(48)),
    sa.Column("classification", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("sent_at", sa.String(40), nullable=False),
    sa.Column("reply_by", sa.Date),
    sa.Column("request_id", sa.String(32)),
    sa.Column("in_reply_to", sa.String(48)),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("event_count", sa.Integer, nullable=False),
    # Parties, author, subject, body, attachments, departments holding it, acknowledgement, replies.
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("signature", sa.LargeBinary, nullable=False),
    sa.Index("lg_letters_sender", "sender_unit"),
    sa.Index("lg_letters_recipient", "recipient_unit"),
)

letter_events = sa.Table(
    "lg_letter_events",
    letter_metadata,
    sa.Column("letter_id", sa.String(48), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

letter_lines = sa.Table(
    "lg_letter_lines",
    letter_metadata,
    sa.Column("book", sa.String(40), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("letter_id", sa.String(48), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# A book's counter for a year. Taking a number locks the row until the letter commits, so the
# letters of one unit queue for their numbers and never share or skip one.
letter_books = sa.Table(
    "lg_letter_books",
    letter_metadata,
    sa.Column("book", sa.String(40), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
    sa.Column("head", sa.String(64), nullable=False),
    sa.Column("seal", sa.String(64), nullable=False),
    # When its last line was written: no later letter is dated before it.
    sa.Column("last_at", sa.String(40), nullable=False),
)

letter_files = sa.Table(
    "lg_letter_files",
    letter_metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)


# A retried send (the same idempotency key) finds the letter the first one wrote.
letter_keys = sa.Table(
    "lg_letter_keys",
    letter_metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("letter_id", sa.String(48), nullable=False),
)


def _v1(connection: sa.Connection) -> None:
    tables = [letters, letter_events, letter_lines, letter_books, letter_files, letter_keys]
    letter_metadata.create_all(connection, tables=tables)


# Append new steps; never edit one that has shipped.
LETTER_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "correspondence: letters, their events, books and their lines, attachments, keys", _v1),
)

#: The correspondence's tables, migrated by the storage's one runner.
LETTER_TABLES = TableSet("correspondence", letter_schema_version, LETTER_MIGRATIONS, lock_id=0x6C67_6C74)  # "lglt"
