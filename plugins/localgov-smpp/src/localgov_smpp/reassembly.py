"""Putting a citizen's concatenated message back together before it is answered.

Parts come from the network in any order, some never; what is held is bounded: at most
``max_pending`` messages waiting for parts (the oldest is dropped first) and ``max_parts`` parts
a message (a status inquiry fits one part; ten are plenty for anything a citizen types).
"""

from __future__ import annotations

import collections

__all__ = ["Reassembly"]


class Reassembly:
    def __init__(self, *, max_pending: int = 256, max_parts: int = 10) -> None:
        self._max_pending, self._max_parts = max_pending, max_parts
        self._waiting: collections.OrderedDict[tuple[str, int, int], dict[int, str]] = collections.OrderedDict()

    def add(self, sender: str, concat: tuple[int, int, int] | None, text: str) -> str | None:
        """The whole message once ``text`` (a part, or a message on its own) completes it."""
        if concat is None:
            return text
        reference, total, sequence = concat
        if not 1 <= sequence <= total <= self._max_parts:
            return None  # not a part of anything a citizen would send
        key = (sender, reference, total)
        parts = self._waiting.pop(key, {})
        parts[sequence] = text
        if len(parts) == total:
            return "".join(parts[index] for index in range(1, total + 1))
        self._waiting[key] = parts
        while len(self._waiting) > self._max_pending:
            self._waiting.popitem(last=False)
        return None
