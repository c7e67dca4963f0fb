"""Attempt limits: at most so many attempts per key (a client address, a phone number) in any window.

A guess at an access code is cheap to make and the code is all that keeps a status private, so
every place that takes one counts the attempts. The policy is this protocol; where the counts
live is the deployment's choice. :class:`MemoryAttemptLimit` keeps them in the process, right for
one worker; with several workers each would count only its share, so a deployment that runs many
uses the database's (:class:`localgov.storage.SqlAttemptLimit`), which every worker shares.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Protocol

__all__ = ["AttemptLimit", "MemoryAttemptLimit", "allow"]


class AttemptLimit(Protocol):
    """At most :attr:`limit` attempts per key in any :attr:`window` seconds."""

    @property
    def limit(self) -> int: ...

    @property
    def window(self) -> float: ...

    def exceeded(self, key: str) -> bool:
        """Whether ``key`` has used up its attempts in the current window."""
        ...

    def count(self, key: str) -> None:
        """Count one attempt for ``key``."""
        ...


def allow(limit: AttemptLimit, key: str) -> bool:
    """Count an attempt for ``key`` unless it has none left; whether it had one.

    Two workers asking at once for the last attempt may both be allowed it: a limit shared
    through a database is exact to within the number of workers, which a limit of guesses can
    afford and a lock per attempt across workers would not be worth.
    """
    if limit.exceeded(key):
        return False
    limit.count(key)
    return True


class MemoryAttemptLimit:
    """Attempts counted in this process; thread-safe, with memory bounded by ``max_keys``.

    Under a flood of keys, those seen least recently are forgotten first: a guesser who spreads
    over many addresses gains nothing by it, since each address has its own few attempts anyway.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"an attempt limit needs a limit >= 1 and a window > 0, not {limit} in {window} s")
        self._limit, self._window, self._clock, self._max_keys = limit, window, clock, max_keys
        self._attempts: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def window(self) -> float:
        return self._window

    def exceeded(self, key: str) -> bool:
        with self._lock:
            attempts = self._attempts.get(key)
            if attempts is None:
                return False
            self._forget_old(attempts)
            return len(attempts) >= self._limit

    def count(self, key: str) -> None:
        with self._lock:
            attempts = self._attempts.pop(key, None)
            if attempts is None:
                attempts = deque()
            self._forget_old(attempts)
            attempts.append(self._clock())
            self._attempts[key] = attempts  # most recently counted last
            while len(self._attempts) > self._max_keys:
                self._attempts.popitem(last=False)

    def keys(self) -> int:
        """How many keys are remembered (what ``max_keys`` bounds)."""
        with self._lock:
            return len(self._attempts)

    def _forget_old(self, attempts: deque[float]) -> None:
        horizon = self._clock() - self._window
        while attempts and attempts[0] <= horizon:
            attempts.popleft()
