"""Opening a database: SQLite (embedded default, WAL) or PostgreSQL, through one code path."""

from __future__ import annotations

import sqlite3
import time
import weakref
from collections.abc import Callable
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from localgov.requests.codec import StoredRecord

__all__ = ["OPENED", "WRITE", "open_database"]

# Execution option marking a connection that will write; on SQLite it begins with BEGIN IMMEDIATE.
WRITE = "localgov_write"


def _orjson_text(value: Any) -> str:
    # Several times faster than the json module, for every JSON column the store writes.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def _use_wal(cursor: Any) -> None:
    """Put the database file in WAL mode (once: the mode is kept in the file).

    Switching needs the file to itself, and SQLite answers "database is locked" at once rather
    than waiting when another connection holds it: workers starting together on a new file
    retry until one of them has switched it.
    """
    deadline = time.monotonic() + 30
    while cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


#: Engines made by :func:`open_database`, the only ones :class:`~localgov.storage.SqlStore` takes.
OPENED: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


class _RecordsAsWritten:
    """``serializer`` for every JSON value but a request's record, which arrives already written.

    A class rather than a closure: psycopg caches one adapter per serializer function, and
    cannot tell closures apart (it warns about a leak at each new connection).
    """

    __slots__ = ("_serializer",)

    def __init__(self, serializer: Callable[[Any], str]) -> None:
        self._serializer = serializer

    def __call__(self, value: Any) -> str:
        return value.json if isinstance(value, StoredRecord) else self._serializer(value)


_DEFAULT_SERIALIZER = _RecordsAsWritten(_orjson_text)


def open_database(url: str, *, durable: bool = True, **engine_options: Any) -> sa.Engine:
    """An SQLAlchemy engine for ``url`` set up as localgov needs it.

    ``sqlite:///path.db`` is a file in WAL mode; ``sqlite://`` is in memory (one shared connection,
    for tests and quick embedding); ``postgresql+psycopg://...`` is PostgreSQL. ``durable=False``
    lets SQLite skip the fsync at each commit (``synchronous=NORMAL``): faster, but the last
    transactions before a power loss may be lost.
    """
    parsed = sa.make_url(url)
    # Every request record is written and read back as JSON at each decision. An application's
    # own serializer still gets everything but the records.
    serializer = engine_options.pop("json_serializer", None)
    engine_options["json_serializer"] = _DEFAULT_SERIALIZER if serializer is None else _RecordsAsWritten(serializer)
    engine_options.setdefault("json_deserializer", orjson.loads)
    if parsed.get_backend_name() != "sqlite":
        # No pre-ping by default: it costs a round trip on every checkout, i.e. on every decision.
        # An application behind a proxy that drops idle connections can pass pool_pre_ping=True.
        engine = sa.create_engine(parsed, **engine_options)
        OPENED.add(engine)
        return engine

    in_memory = parsed.database in (None, "", ":memory:")
    if in_memory:
        engine_options.setdefault("poolclass", StaticPool)
    engine = sa.create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30}, **engine_options)
    synchronous = "FULL" if durable else "NORMAL"

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module, which otherwise begins transactions
        # lazily and would let two writers read the same version before either locks.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        if not in_memory:
            _use_wal(cursor)
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        writing = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    OPENED.add(engine)
    return engine
