"""Attempt limits every worker shares: the counts of :mod:`localgov.limits` in the database.

One row per attempt, found by (scope, digest of the key, time) in one index: asking whether a key
is over its limit is a count over a short range of it. The key (a client address, a phone number)
is kept as a digest, out of plain sight of whoever reads the table (a digest of a key from a space
as small as IPv4's can still be searched, so the real protection is that rows do not last): each
worker deletes its scope's rows older than the window now and then, so the table holds about one
window of attempts.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

import sqlalchemy as sa

from localgov.storage import schema

__all__ = ["SqlAttemptLimit"]

_attempts = schema.attempts


class SqlAttemptLimit:
    """At most ``limit`` attempts per key in any ``window`` seconds, counted in the database.

    :param scope: which limit this is ("access_code", "sms_sender"...): limits with different
        scopes share the table and never each other's counts.
    :param clock: the wall clock, in seconds since the epoch (workers on several machines compare
        their times, so a monotonic clock would not do).
    """

    def __init__(
        self,
        engine: sa.Engine,
        scope: str,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"an attempt limit needs a limit >= 1 and a window > 0, not {limit} in {window} s")
        if not 0 < len(scope) <= 32:
            raise ValueError(f"an attempt limit's scope is 1 to 32 characters: {scope!r}")
        self._engine, self._scope, self._limit, self._window, self._clock = engine, scope, limit, window, clock
        self._swept_at = float("-inf")
        self._sweep_lock = threading.Lock()
        self._count = sa.select(sa.func.count()).where(
            _attempts.c.scope == scope,
            _attempts.c.key_digest == sa.bindparam("key_digest"),
            _attempts.c.at > sa.bindparam("since"),
        )

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def window(self) -> float:
        return self._window

    def exceeded(self, key: str) -> bool:
        since = self._clock() - self._window
        with self._engine.connect() as connection:
            attempts = connection.execute(self._count, {"key_digest": self._digest(key), "since": since}).scalar_one()
        return attempts >= self._limit

    def count(self, key: str) -> None:
        now = self._clock()
        with self._engine.begin() as connection:
            connection.execute(_attempts.insert().values(scope=self._scope, key_digest=self._digest(key), at=now))
            if self._sweep_due(now):
                connection.execute(
                    sa.delete(_attempts).where(_attempts.c.scope == self._scope, _attempts.c.at <= now - self._window)
                )

    def _sweep_due(self, now: float) -> bool:
        # A tenth of the window between sweeps: the table stays near one window's attempts and a
        # flood of wrong codes pays for a delete only once in a while.
        with self._sweep_lock:
            if now - self._swept_at < self._window / 10:
                return False
            self._swept_at = now
            return True

    def _digest(self, key: str) -> str:
        return hashlib.blake2b(f"{self._scope}\x00{key}".encode(), digest_size=16).hexdigest()
