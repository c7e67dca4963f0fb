"""When to try a failed message again: exponential backoff with jitter, and when to give up."""

from __future__ import annotations

import random

import attrs

__all__ = ["RetryPolicy"]


@attrs.frozen
class RetryPolicy:
    """``first_delay`` seconds after the first failure, doubling each time up to ``max_delay``;
    after ``max_attempts`` attempts the message is a dead letter.

    Each delay is drawn between half and all of its value ("equal jitter"), so messages that
    failed together (a gateway outage) do not all come back in the same second.
    """

    max_attempts: int = 8
    first_delay: float = 5.0
    max_delay: float = 3600.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        ceiling = min(self.max_delay, self.first_delay * 2 ** max(0, attempts - 1))
        return float(ceiling / 2 + (rng or random).uniform(0, ceiling / 2))

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
