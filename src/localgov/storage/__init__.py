"""Durable storage for requests, their history, the permit log and the correspondence: SQLite (default) or PostgreSQL."""

from localgov.storage.attempts import SqlAttemptLimit
from localgov.storage.correspondence import LETTER_TABLES, SqlLetterStore
from localgov.storage.database import open_database
from localgov.storage.migrations import (
    CORE,
    MIGRATIONS,
    DatabaseTooNew,
    Migration,
    StorageError,
    TableSet,
    current_version,
    migrate,
)
from localgov.storage.outbox import ClaimedNotice, NoticeRecord, SentMessage, SqlOutbox
from localgov.storage.permit_log import SqlPermitLog
from localgov.storage.store import SqlStore

__all__ = [
    "CORE",
    "LETTER_TABLES",
    "MIGRATIONS",
    "ClaimedNotice",
    "DatabaseTooNew",
    "Migration",
    "NoticeRecord",
    "SentMessage",
    "SqlAttemptLimit",
    "SqlLetterStore",
    "SqlOutbox",
    "SqlPermitLog",
    "SqlStore",
    "StorageError",
    "TableSet",
    "current_version",
    "migrate",
    "open_database",
]
