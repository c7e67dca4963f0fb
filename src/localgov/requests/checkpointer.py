"""Audit checkpoints made by themselves: after each permit a unit issues, and at an interval.

A :class:`Checkpointer` listens to the engine's lifecycle events (it is a
:class:`~localgov.requests.hooks.LifecycleHooks`) and, for its unit, writes a signed checkpoint
when a permit is issued and whenever ``interval`` has passed since the last; an application's
scheduler may call :meth:`Checkpointer.tick` too, so a quiet unit is checkpointed as well.
``write`` decides where a checkpoint goes: a directory the database's operator cannot rewrite,
another unit, the ministry.

The first checkpoint reads every request of the unit and holds every head. Each one after is
incremental: it reads again only the requests with an event appended since the one before
(:meth:`~localgov.requests.ports.Store.changed_chain_head_lines`), updates the tree of heads it
keeps in memory, and signs a *delta*: the heads that changed, the size and root of them all, and
the SHA-256 of the previous file, so a verifier given the chain (:func:`load_checkpoints
<localgov.requests.checkpoints.load_checkpoints>`) has every head at each checkpoint. Once
``full_interval`` has passed since the last full one, the next holds every head again, so a
verifier needs the files of a bounded stretch of time, and a process that starts again starts
with a full one. A full checkpoint of a million requests takes seconds; a delta after a thousand
changes, a few hundredths of one.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections.abc import Callable

import attrs

from localgov.clock import utcnow
from localgov.pki import Credential
from localgov.requests.checkpoint_tree import HeadTree
from localgov.requests.checkpoints import AuditCheckpoint
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
        full_interval: datetime.timedelta = datetime.timedelta(days=1),
        clock: Callable[[], datetime.datetime] = utcnow,
    ) -> None:
        self._store = store
        self.unit, self.issuer = unit, issuer
        self._signer = signer
        self._write = write
        self.interval, self.full_interval = interval, full_interval
        self._clock = clock
        self._lock = threading.Lock()  # one checkpoint at a time, whichever thread issues
        self.last: AuditCheckpoint | None = None
        # What the next delta builds on: the last checkpoint's heads, the store's change mark of
        # that read, and when the last full one was made. Set only once a checkpoint is written.
        self._tree: HeadTree | None = None
        self._mark: int | None = None
        self._full_at: datetime.datetime | None = None

    def checkpoint(self, *, full: bool = False) -> AuditCheckpoint:
        """Take, sign and write a checkpoint now: a delta on the last one, unless ``full`` or due."""
        with self._lock:
            made_at = self._clock().replace(microsecond=0)
            last = self.last
            # A delta may not be dated before its predecessor (a verifier refuses it): after the
            # clock was set back, the next one holds every head again.
            whole = (
                full
                or last is None
                or self._full_at is None
                or made_at - self._full_at >= self.full_interval
                or made_at < last.made_at
            )
            lines, mark = self._store.changed_chain_head_lines(self.unit, None if whole else self._mark)
            if whole or last is None or self._tree is None:
                tree = HeadTree(lines)
                taken = AuditCheckpoint(self.unit, self.issuer, made_at, tuple(tree.lines), tree.root())
            else:
                tree, changed = self._tree.changed(lines)
                taken = AuditCheckpoint(
                    self.unit,
                    self.issuer,
                    made_at,
                    tuple(tree.lines),
                    tree.root(),
                    previous=last.digest,
                    changed=tuple(changed),
                )
            data = taken.sign(self._signer)
            taken = attrs.evolve(taken, digest=hashlib.sha256(data).digest())
            self._write(taken, data)
            self.last, self._tree, self._mark = taken, tree, mark
            if taken.previous is None:
                self._full_at = made_at
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
