"""What the correspondence service tells the outside world: a reply that is overdue.

:class:`localgov.Localgov` passes an object that forwards to the ``letter_overdue`` plugin hook,
the sibling of ``request_overdue``; an embedding application may pass its own.
"""

from __future__ import annotations

import datetime
from typing import Protocol

from localgov.correspondence.model import Letter

__all__ = ["LetterHooks"]


class LetterHooks(Protocol):
    def letter_overdue(self, *, letter: Letter, due: datetime.date, overdue_working_days: int) -> None:
        """The reply to ``letter`` was due on ``due`` and is ``overdue_working_days`` working days late."""
