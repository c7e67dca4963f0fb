"""What the engine tells the outside world about, and the shape of who listens.

The engine knows nothing of plugins: it calls an object with these two methods, after each
commit. :class:`localgov.Localgov` passes one that forwards to the ``request_event`` and
``request_overdue`` plugin hooks; an embedding application may pass its own.
"""

from __future__ import annotations

import datetime
from typing import Protocol

from localgov.requests.model import Request
from localgov.requests.ports import EventRow

__all__ = ["LifecycleHooks"]


class LifecycleHooks(Protocol):
    def request_event(self, *, request: Request, event: EventRow) -> None:
        """A lifecycle event of ``request`` was committed (an exception here does not undo it)."""

    def request_overdue(self, *, request: Request, due: datetime.date, overdue_working_days: int) -> None:
        """``request`` passed a time limit ``overdue_working_days`` working days ago."""
