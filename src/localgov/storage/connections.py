"""Driver connections a store keeps between its write transactions.

A decision is a few short statements and one commit; checking its connection out of
SQLAlchemy's pool and back costs about 30 µs more (the checkout, the reset on return, the
pool's queue and events), a sixth of a decision on SQLite, and more right after an fsync,
when that code runs from cold caches. The store therefore keeps the connections its write
transactions used and hands them out again. A kept connection still goes back to the pool
now and then, so what the pool does at checkout (``pool_recycle``, ``pool_pre_ping``, checkout
events) still happens, at that pace rather than at every decision.
"""

from __future__ import annotations

import collections
import os
import time
import weakref
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

__all__ = ["KeptConnections"]

# How long a connection is kept before it goes back to the pool for a fresh checkout.
KEEP_SECONDS = 1.0

_Connection = Any  # sqlalchemy.PoolProxiedConnection: the driver connection checked out of the pool


class KeptConnections:
    """A stack of connections checked out of ``engine``'s pool, reused by write transactions.

    Of a queue pool of size N at most N - 1 are kept, so that reads always find a connection in
    it; of a static pool (SQLite in memory) its one shared connection; of any other pool none, as
    it was chosen not to keep connections. ``prepare`` runs on a connection when it comes from
    the pool and ``release`` before it goes back (to set and undo what write transactions need).
    A connection a transaction failed on goes back to the pool at once, and is invalidated if the
    database dropped it.
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        prepare: Callable[[Any], None] = lambda driver: None,
        release: Callable[[Any], None] = lambda driver: None,
    ) -> None:
        self._engine = engine
        self._prepare, self._release = prepare, release
        self._limit = _keepable(engine.pool)
        # (connection, monotonic time it left the pool); deque append and pop are atomic.
        self._kept: collections.deque[tuple[_Connection, float]] = collections.deque()
        self._inherited: list[tuple[_Connection, float]] = []
        _ALL.add(self)

    def take(self) -> tuple[_Connection, float]:
        """A connection for one transaction, and when it left the pool (to give back with it)."""
        while self._kept:
            try:
                connection, checked_out = self._kept.pop()
            except IndexError:  # another thread took the last one
                break
            if time.monotonic() - checked_out < KEEP_SECONDS:
                return connection, checked_out
            self._return(connection)  # kept idle too long: back for a fresh checkout
        connection = self._engine.raw_connection()
        try:
            self._prepare(connection.dbapi_connection)
        except BaseException:
            connection.invalidate()
            raise
        return connection, time.monotonic()

    def forget_after_fork(self) -> None:
        """In a forked child: never use the parent's connections, nor close them (that would end
        the parent's sessions, or release its SQLite locks); hold on to them instead."""
        self._inherited.extend(self._kept)
        self._kept = collections.deque()

    def give_back(self, connection: _Connection, checked_out: float) -> None:
        """Keep ``connection`` after a transaction that ended cleanly (committed or rolled back)."""
        if len(self._kept) < self._limit and time.monotonic() - checked_out < KEEP_SECONDS:
            self._kept.append((connection, checked_out))
        else:
            self._return(connection)

    def discard(self, connection: _Connection, error: BaseException) -> None:
        """Return a connection a transaction failed on to the pool, invalidated if it is broken."""
        dialect, dbapi = self._engine.dialect, self._engine.dialect.loaded_dbapi
        if isinstance(error, dbapi.Error) and dialect.is_disconnect(error, connection.dbapi_connection, None):
            connection.invalidate()
            return
        self._return(connection)

    def close(self) -> None:
        """Return every kept connection to the pool (before the pool is disposed of)."""
        while True:
            try:
                connection, _ = self._kept.pop()
            except IndexError:
                return
            self._return(connection)

    def _return(self, connection: _Connection) -> None:
        try:
            self._release(connection.dbapi_connection)
        except self._engine.dialect.loaded_dbapi.Error:  # the connection is broken
            connection.invalidate()
            return
        connection.close()


# Every instance, for the fork handler (os.getpid() at each checkout is a system call).
_ALL: weakref.WeakSet[KeptConnections] = weakref.WeakSet()


def _forget_after_fork() -> None:
    for kept in list(_ALL):
        kept.forget_after_fork()


os.register_at_fork(after_in_child=_forget_after_fork)


def _keepable(pool: sa.Pool) -> int:
    if isinstance(pool, sa.QueuePool):
        return pool.size() - 1
    return 1 if isinstance(pool, sa.StaticPool) else 0
