"""Durable storage for requests and their history: SQLite (default) or PostgreSQL via SQLAlchemy."""

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
from localgov.storage.store import SqlStore

__all__ = [
    "CORE",
    "MIGRATIONS",
    "ClaimedNotice",
    "DatabaseTooNew",
    "Migration",
    "NoticeRecord",
    "SentMessage",
    "SqlOutbox",
    "SqlStore",
    "StorageError",
    "TableSet",
    "current_version",
    "migrate",
    "open_database",
]
