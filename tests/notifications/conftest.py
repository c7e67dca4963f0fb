"""The outbox under test on SQLite (a file) and on PostgreSQL, as the engine's tests run."""

from __future__ import annotations

from tests.requests.conftest import engine, make_engine

__all__ = ["engine", "make_engine"]
