"""Delivering the outbox: claim due messages, send them, record what happened.

One round claims a batch (:meth:`SqlOutbox.claim` commits the claim before anything is sent),
sends each message through the notifier, and records the outcome: sent (with the gateway's part
ids, for the receipts), tried again later with backoff, or buried as a dead letter. Several
dispatchers may run on one database; each claims rows the others do not hold.
"""

from __future__ import annotations

import datetime
import logging
import random
import threading
import time
from collections.abc import Callable

import attrs

from localgov.notifications.errors import DeliveryRefused, GatewayUnavailable, NotifierConfigurationError, Throttled
from localgov.notifications.protocol import DeliveryReceipt, Notifier, OutboundMessage, ReportsDelivery
from localgov.notifications.retry import RetryPolicy
from localgov.storage import ClaimedNotice, SentMessage, SqlOutbox

__all__ = ["DispatchRound", "Dispatcher"]

log = logging.getLogger(__name__)

# Receipts that arrive before their message is marked sent (a fast gateway) wait this long.
_EARLY_RECEIPT_SECONDS = 600.0
# How long receipts gather before they are written together.
_RECEIPT_PAUSE = 0.2


@attrs.define
class DispatchRound:
    """What one round did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    suppressed: int = 0


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat()


class Dispatcher:
    """Sends the outbox's messages through ``notifier``.

    :param lease_seconds: how long a claimed message is this dispatcher's alone; one it has not
        marked by then (it died) is sent again by whoever claims it next, with the same id.
    :param batch: how many messages a round claims.
    :param clock: seconds since the epoch (``time.time``), for due times and leases.
    """

    def __init__(
        self,
        outbox: SqlOutbox,
        notifier: Notifier,
        *,
        retry: RetryPolicy | None = None,
        lease_seconds: float = 60.0,
        batch: int = 50,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.outbox = outbox
        self.notifier = notifier
        self.retry = retry or RetryPolicy()
        self.lease_seconds = lease_seconds
        self.batch = batch
        self._clock = clock
        self._rng = rng or random.Random()
        self._receipts: list[tuple[float, DeliveryReceipt]] = []
        self._unmarked: list[SentMessage] = []
        # Receipts the last write found no part for: they wait for a round, not for a new pass.
        self._tried: set[DeliveryReceipt] = set()
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()
        # Held while a round runs: the next round writes the receipts with its claim, and the
        # writer thread stays off the CPU meanwhile (a busy thread beside the sending one makes
        # every answer from the gateway wait for the interpreter's lock).
        self._round = threading.Lock()
        if isinstance(notifier, ReportsDelivery):
            notifier.on_receipt(self.record_receipt)

    def run_once(self) -> DispatchRound:
        """Claim one batch and send it.

        What the previous round sent is marked, and the receipts taken since are written, in the
        transaction that claims this batch: one commit per round rather than three. Until then a
        sent message stays ``sending`` (if the process dies, it is sent again under its id when
        its lease ends); :meth:`settle` writes them at once, and :meth:`drain` does at its end.
        """
        with self._round:
            claimed = self._settle(claim=self.batch)
            return self._send(claimed)

    def settle(self) -> None:
        """Write what has been sent and not yet marked, and the receipts taken so far."""
        with self._round:
            self._settle(claim=0)

    def _settle(self, *, claim: int) -> list[ClaimedNotice]:
        now = self._clock()
        with self._lock:
            sent, self._unmarked = self._unmarked, []
            taken, self._receipts = self._receipts, []
        try:
            unknown, claimed = self.outbox.settle_and_claim(
                sent,
                [(r.notifier, r.provider_id, r.delivered) for _, r in taken],
                _iso(now),
                now=now,
                limit=claim,
                lease_seconds=self.lease_seconds,
            )
        except Exception:
            with self._lock:  # written next time
                self._unmarked[:0] = sent
                self._receipts[:0] = taken
            raise
        # Receipts for parts not marked anywhere yet (another dispatcher's, say) wait a while.
        kept = [taken[index] for index in unknown if now - taken[index][0] < _EARLY_RECEIPT_SECONDS]
        with self._lock:
            self._receipts[:0] = kept
            self._tried = {receipt for _, receipt in kept}
        return claimed

    def _send(self, claimed: list[ClaimedNotice]) -> DispatchRound:
        done = DispatchRound(claimed=len(claimed))
        silenced = [c.message_id for c in claimed if c.suppressed]
        self.outbox.suppress(silenced)
        done.suppressed = len(silenced)
        sent: list[SentMessage] = []
        queue = [c for c in claimed if not c.suppressed]
        try:
            for index, notice in enumerate(queue):
                try:
                    part_ids = self.notifier.send(OutboundMessage(notice.message_id, notice.recipient, notice.text))
                except Throttled as error:
                    # Slow down: this message and the rest of the batch wait, their attempts uncounted.
                    later = self._clock() + error.retry_after
                    for waiting in queue[index:]:
                        self.outbox.reschedule(waiting.message_id, error=str(error), at=later, count_attempt=False)
                    done.retried += len(queue) - index
                    break
                except GatewayUnavailable as error:
                    # The gateway is away: the whole batch waits for the backoff, only this one counted.
                    later = self._failed(notice, str(error), done)
                    for waiting in queue[index + 1 :]:
                        self.outbox.reschedule(waiting.message_id, error=str(error), at=later, count_attempt=False)
                    done.retried += len(queue) - index - 1
                    break
                except NotifierConfigurationError as error:
                    # Nothing is wrong with the messages: the batch waits, uncounted, for a person
                    # to fix the account (a wrong password would otherwise bury every message).
                    later = self._clock() + self.retry.max_delay
                    for waiting in queue[index:]:
                        self.outbox.reschedule(waiting.message_id, error=str(error), at=later, count_attempt=False)
                    done.retried += len(queue) - index
                    raise
                except DeliveryRefused as error:
                    self.outbox.bury(notice.message_id, error=str(error))
                    done.dead += 1
                except Exception as error:
                    log.exception("notifier %s failed on %s", self.notifier.code, notice.message_id)
                    self._failed(notice, f"{type(error).__name__}: {error}", done)
                else:
                    sent.append((notice.message_id, self.notifier.code, list(part_ids)))
        finally:
            with self._lock:
                self._unmarked.extend(sent)
            done.sent = len(sent)
        return done

    def _failed(self, notice: ClaimedNotice, error: str, done: DispatchRound) -> float:
        """Retry ``notice`` after its backoff, or bury it when it has had its attempts; when it is due."""
        if self.retry.gives_up(notice.attempts):
            self.outbox.bury(notice.message_id, error=f"gave up after {notice.attempts} attempts: {error}")
            done.dead += 1
            return self._clock()
        later = self._clock() + self.retry.delay(notice.attempts, self._rng)
        self.outbox.reschedule(notice.message_id, error=error, at=later)
        done.retried += 1
        return later

    def drain(self, *, timeout: float = 60.0) -> DispatchRound:
        """Run rounds until nothing is due (or ``timeout`` seconds pass); the totals."""
        total = DispatchRound()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.run_once()
            for field in attrs.fields(DispatchRound):
                setattr(total, field.name, getattr(total, field.name) + getattr(done, field.name))
            if done.claimed == 0:
                break
        self.settle()
        return total

    def run(self, stop: threading.Event, *, idle_seconds: float = 1.0) -> None:
        """Deliver until ``stop`` is set, resting ``idle_seconds`` when nothing is due."""
        while not stop.is_set():
            try:
                done = self.run_once()
            except Exception:
                log.exception("dispatch round failed")
                done = DispatchRound()
            if done.claimed == 0:
                stop.wait(idle_seconds)
        self.settle()

    def record_receipt(self, receipt: DeliveryReceipt) -> None:
        """Take a delivery receipt (from any thread); it is written with others a moment later.

        Receipts arrive on the gateway's reader thread, one per part: writing each in its own
        transaction there would hold up the answers to the submits behind it.
        """
        with self._lock:
            self._receipts.append((self._clock(), receipt))
            if self._writer is None:  # a pass clears it, under this lock, as it ends
                self._start_writer()

    def _start_writer(self) -> None:
        """Start a writing pass (``self._lock`` held)."""
        self._writer = threading.Thread(target=self._write_receipts, name="receipt-writer", daemon=True)
        self._writer.start()

    def _unknown_only(self) -> bool:
        """Whether every receipt waiting was already tried and found no part (``self._lock`` held)."""
        return all(receipt in self._tried for _, receipt in self._receipts)

    def _write_receipts(self) -> None:
        # One pass, once no round is running; a receipt that arrives later starts another. Those
        # for parts nobody has marked yet wait for the next round or pass, not in a loop of their own.
        while True:
            time.sleep(_RECEIPT_PAUSE)
            if self._round.acquire(blocking=False):
                break  # else a round is running, and the writing waits for it
        try:
            self._settle(claim=0)
        except Exception:
            log.exception("writing delivery receipts failed")
        finally:
            self._round.release()
            with self._lock:
                self._writer = None
                # A receipt that came while this pass wrote found it still running: another pass.
                if self._receipts and not self._unknown_only():
                    self._start_writer()
