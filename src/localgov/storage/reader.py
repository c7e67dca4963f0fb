"""One compiled read, run again and again on a driver connection of its own.

The citizen's status answers (``localgov.web.status_cache``) read one row before each answer, at
tens of thousands a second. Taking a connection and a cursor for each read, even from the kept
ones (:mod:`localgov.storage.connections`), costs about as much as the statement itself, so the
reader holds one connection and one cursor for as long as they work: the read is then the
statement and nothing else. Each statement must run as its own transaction (SQLite's autocommit
mode, which ``open_database`` sets; on PostgreSQL the store passes ``prepare`` and ``release``
switching ``autocommit`` on and off), so it never holds a snapshot open between reads. A database error gives the connection back to the pool
(invalidated if the database dropped it) and the next read opens another; a forked child never
uses its parent's.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from localgov.storage.prepared import PreparedStatement

__all__ = ["DedicatedReader"]


class DedicatedReader:
    """``reader(values)``: the first row of ``statement`` as a tuple, or None; safe across threads."""

    def __init__(
        self,
        engine: sa.Engine,
        statement: PreparedStatement,
        *,
        prepare: Callable[[Any], None] = lambda driver: None,
        release: Callable[[Any], None] = lambda driver: None,
    ) -> None:
        self._engine, self._statement = engine, statement
        self._prepare, self._release = prepare, release
        self._dbapi = engine.dialect.loaded_dbapi
        self._connection: Any = None
        self._cursor: Any = None
        self._lock = threading.Lock()  # a driver connection serves one thread at a time
        self._generation = 0  # of the connection: data versions of two connections do not compare
        _ALL.add(self)

    def __call__(self, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        with self._lock:
            cursor = self._cursor if self._cursor is not None else self._open()
            try:
                return self._statement.first_values(cursor, values)
            except self._dbapi.Error as error:
                self._drop(error)
                raise

    def data_version(self) -> tuple[int, int] | None:
        """On SQLite, a value that is the same at two calls only if no other connection committed
        anything in between (``PRAGMA data_version``, on this reader's connection); None elsewhere."""
        if self._engine.dialect.name != "sqlite":
            return None
        with self._lock:
            cursor = self._cursor if self._cursor is not None else self._open()
            try:
                cursor.execute("PRAGMA data_version")
                (version,) = cursor.fetchone()
            except self._dbapi.Error as error:
                self._drop(error)
                raise
            return self._generation, int(version)

    def close(self) -> None:
        """Give the connection back to the pool (the next read opens another)."""
        with self._lock:
            if self._connection is not None:
                connection, self._connection, self._cursor = self._connection, None, None
                self._give_back(connection)

    def forget_after_fork(self) -> None:
        """In a forked child: leave the parent's connection alone (closing it would end its session)."""
        self._connection = self._cursor = None
        self._lock = threading.Lock()

    def _open(self) -> Any:
        connection = self._engine.raw_connection()
        driver: Any = connection.dbapi_connection
        try:
            self._prepare(driver)
            cursor = driver.cursor()
        except BaseException:
            connection.invalidate()
            raise
        self._connection, self._cursor = connection, cursor
        self._generation += 1
        return cursor

    def _drop(self, error: Any) -> None:
        connection, self._connection, self._cursor = self._connection, None, None
        if self._engine.dialect.is_disconnect(error, connection.dbapi_connection, None):
            connection.invalidate()
            return
        self._give_back(connection)

    def _give_back(self, connection: Any) -> None:
        try:
            self._release(connection.dbapi_connection)
            connection.close()
        except self._dbapi.Error:
            connection.invalidate()


_ALL: weakref.WeakSet[DedicatedReader] = weakref.WeakSet()


def _forget_after_fork() -> None:
    for reader in list(_ALL):
        reader.forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
