"""How many wrong access codes a client may try: a sliding window per client address.

The access code (50 random bits) is what keeps a request's status private; a limit on tries per
address keeps guessing hopeless even for one known tracking number. Kept in the worker's memory:
with several workers each counts its own share, so the deployment's limit is the per-worker limit
times the workers, still hopeless for 2^50 codes. A shared store (the reverse proxy's limiter, or
Redis) is the place for a stricter limit across machines.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["TriesLimiter"]


class TriesLimiter:
    """At most ``tries`` failures per key in any ``window`` seconds; thread-safe."""

    def __init__(
        self, tries: int, window: float, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._tries, self._window, self._clock, self._max_keys = tries, window, clock, max_keys
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        """Whether ``key`` has used up its tries in the current window."""
        with self._lock:
            failures = self._failures.get(key)
            if failures is None:
                return False
            self._forget_old(failures)
            return len(failures) >= self._tries

    def failed(self, key: str) -> None:
        """Count one failure for ``key``."""
        with self._lock:
            if key not in self._failures and len(self._failures) >= self._max_keys:
                self._sweep()
            failures = self._failures.setdefault(key, deque())
            self._forget_old(failures)
            failures.append(self._clock())

    def _forget_old(self, failures: deque[float]) -> None:
        horizon = self._clock() - self._window
        while failures and failures[0] <= horizon:
            failures.popleft()

    def _sweep(self) -> None:
        # Bounded memory under a flood of addresses: drop every key with no failure in the window,
        # then, if still full, the oldest half.
        for key in list(self._failures):
            self._forget_old(self._failures[key])
            if not self._failures[key]:
                del self._failures[key]
        if len(self._failures) >= self._max_keys:
            for key in sorted(self._failures, key=lambda k: self._failures[k][-1])[: self._max_keys // 2]:
                del self._failures[key]
