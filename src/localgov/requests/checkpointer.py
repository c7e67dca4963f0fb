"""Audit checkpoints made by themselves: after each permit a unit issues, and at an interval.

A :class:`Checkpointer` listens to the engine's lifecycle events (it is a
:class:`~localgov.requests.hooks.LifecycleHooks`) and, for its unit, writes a signed checkpoint
when a permit is issued and whenever ``interval`` has passed since the last; an application's
scheduler may call :meth:`Checkpointer.tick` too, so a quiet unit is checkpointed as well.
``write`` decides where a checkpoint goes: a directory the database's operator cannot rewrite,
another unit, the ministry.

A checkpoint reads one row per request of the unit; at each permit that is cheap for a district
(thousands of requests) and the interval bounds the cost for a busy one.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

from localgov.clock import utcnow
from localgov.pki import Credential
from localgov.requests.checkpoints import AuditCheckpoint, take_checkpoint
from localgov.requests.model import Request
from localgov.requests.ports import EventRow, Store

__all__ = ["CheckpointWriter", "Checkpointer"]

#: Where a checkpoint goes: given the checkpoint and its signed bytes.
CheckpointWriter = Callable[[AuditCheckpoint, bytes], None]


class Checkpointer:
    """Writes the signed checkpoints of one unit's requests, by itself."""

    def __init__(
        self,
        store: Store,
        *,
        unit: str,
        issuer: str,
        signer: Credential,
        write: CheckpointWriter,
        interval: datetime.timedelta | None = datetime.timedelta(hours=1),
        clock: Callable[[], datetime.datetime] = utcnow,
    ) -> None:
        self._store = store
        self.unit, self.issuer = unit, issuer
        self._signer = signer
        self._write = write
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()  # one checkpoint at a time, whichever thread issues
        self.last: AuditCheckpoint | None = None

    def checkpoint(self) -> AuditCheckpoint:
        """Take, sign and write a checkpoint now."""
        with self._lock:
            taken = take_checkpoint(self._store, self.unit, self.issuer, self._clock())
            self._write(taken, taken.sign(self._signer))
            self.last = taken
            return taken

    def tick(self) -> AuditCheckpoint | None:
        """Checkpoint if the interval has passed since the last one (or none was made yet)."""
        if self.interval is None:
            return None
        if self.last is not None and self._clock() - self.last.made_at < self.interval:
            return None
        return self.checkpoint()

    # -- LifecycleHooks --------------------------------------------------------------------------

    def request_event(self, *, request: Request, event: EventRow) -> None:
        if request.unit != self.unit:
            return
        changes = event.data.get("changes")
        if isinstance(changes, dict) and changes.get("issued"):
            self.checkpoint()
        else:
            self.tick()

    def request_overdue(self, *, request: Request, due: datetime.date, overdue_working_days: int) -> None:
        """Overdue requests change no history."""
