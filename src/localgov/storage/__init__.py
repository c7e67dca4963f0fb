"""Durable storage for requests and their history: SQLite (default) or PostgreSQL via SQLAlchemy."""

from localgov.storage.database import open_database
from localgov.storage.migrations import MIGRATIONS, current_version, migrate
from localgov.storage.store import SqlStore

__all__ = ["MIGRATIONS", "SqlStore", "current_version", "migrate", "open_database"]
