"""The outbox under test on SQLite (a file) and on PostgreSQL, as the engine's tests run."""

from __future__ import annotations

from tests.requests.conftest import engine, make_engine, store_url

__all__ = ["engine", "make_engine", "store_url"]
