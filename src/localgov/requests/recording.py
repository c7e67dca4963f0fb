"""Writing a decision down: the request's new record, its hash-chained events, the assignment
counts and the numbers of what is issued, in the decision's own transaction; and telling the
listeners once it is committed."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from localgov.requests.context import EngineContext
from localgov.requests.history import chain_hash, genesis_hash
from localgov.requests.hooks import LifecycleHooks
from localgov.requests.model import Issued, Request
from localgov.requests.moves import Step
from localgov.requests.notices import NoticeWriter
from localgov.requests.ports import EventRow, RequestRow, Transaction

__all__ = ["ISSUED_COUNTER_PREFIX", "Recorder"]

# Counters of issued documents (permits, licences, receipts) are kept apart from those of
# tracking numbers by this prefix on their scope.
ISSUED_COUNTER_PREFIX = "P"


class Recorder:
    def __init__(
        self, context: EngineContext, hooks: LifecycleHooks | None, notices: NoticeWriter | None = None
    ) -> None:
        self._context = context
        self._hooks = hooks
        self._notices = notices

    def queue_notices(self, transaction: Transaction, request: Request, events: Sequence[EventRow]) -> None:
        """Queue the applicant's messages about ``events`` in the outbox, in their transaction."""
        if self._notices is None:
            return
        for notice in self._notices.notices(request, events):
            transaction.add_notice(notice)

    def commit(
        self,
        transaction: Transaction,
        before: Request,
        attributes: Mapping[str, Any],
        steps: Sequence[Step],
        at: datetime.datetime,
    ) -> tuple[Request, list[EventRow]]:
        """Write the request with ``attributes`` and one event per step, if nobody changed it first."""
        issued = attributes.get("issued")
        if issued is not None and not issued.number:
            attributes = {**attributes, "issued": self._number_issued(transaction, before, issued, steps)}
        events: list[EventRow] = []
        head, state = before.head_hash or genesis_hash(before.id), before.state
        for step in steps:
            event = self.event(before.id, before.event_count + len(events) + 1, head, step, state, at)
            events.append(event)
            head, state = event.hash, step.to_state
        current = attrs.evolve(
            before, **attributes, head_hash=head, event_count=events[-1].seq, version=before.version + 1
        )
        transaction.update_request(self.row(current), expected_version=before.version)
        for event in events:
            transaction.append_event(event)
        if current.assigned_to != before.assigned_to:
            counts = {before.assigned_to: -1, current.assigned_to: +1}
            transaction.adjust_workload({staff: change for staff, change in counts.items() if staff is not None})
        self.queue_notices(transaction, current, events)
        return current, events

    def _number_issued(
        self, transaction: Transaction, request: Request, issued: Issued, steps: Sequence[Step]
    ) -> Issued:
        """Give what is being issued its number (``2026/ZTN/000123``), in the commit's transaction."""
        short = self._context.organisation[request.governorate].units[request.unit].short_code
        year = issued.issued_on.year
        sequence = transaction.next_sequence(f"{ISSUED_COUNTER_PREFIX}{request.governorate}{short}", year)
        number = f"{year}/{short}/{sequence:06d}"
        for step in steps:
            issued_change = step.data.get("changes", {}).get("issued")
            if issued_change is not None:
                issued_change["number"] = number
        return attrs.evolve(issued, number=number)

    def event(
        self, request_id: str, seq: int, prev_hash: str, step: Step, from_state: str | None, at: datetime.datetime
    ) -> EventRow:
        """The event that records ``step``, chained to the event before it (``prev_hash``)."""
        timestamp = at.isoformat()
        digest = chain_hash(
            self._context.audit_key,
            request_id=request_id,
            at=timestamp,
            actor=step.actor,
            role=step.role,
            action=step.action,
            from_state=from_state,
            to_state=step.to_state,
            data=step.data,
            prev_hash=prev_hash,
        )
        return EventRow(
            request_id,
            seq,
            timestamp,
            step.actor,
            step.role,
            step.action,
            from_state,
            step.to_state,
            step.data,
            prev_hash,
            digest,
        )

    def row(self, request: Request) -> RequestRow:
        return RequestRow(
            id=request.id,
            governorate=request.governorate,
            unit=request.unit,
            service=request.service,
            state=request.state,
            version=request.version,
            closed=request.closed,
            assigned_to=request.assigned_to,
            due_date=request.due_date,
            submitted_at=request.submitted_at.isoformat(),
            updated_at=self._context.clock().isoformat(),
            head_hash=request.head_hash,
            event_count=request.event_count,
            data=self._context.records.encode(request),
        )

    def announce(self, request: Request, events: Sequence[EventRow]) -> None:
        """Tell the listeners, after the commit, about each event recorded."""
        if self._hooks is None:
            return
        for event in events:
            self._hooks.request_event(request=request, event=event)
