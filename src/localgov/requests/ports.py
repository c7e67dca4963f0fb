"""What the lifecycle engine needs from storage. Adapters (``localgov.storage``) implement it.

The engine is plain Python and imports no database code; an embedding application may implement
these protocols over its own storage.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import attrs

__all__ = [
    "ChainHeadRow",
    "EventRow",
    "NoticeRow",
    "RefusalRow",
    "RequestQuery",
    "RequestRow",
    "Store",
    "SummaryRow",
    "Transaction",
]


@attrs.frozen
class RequestRow:
    """A request as stored: searchable columns plus the full record as JSON-ready data."""

    id: str
    governorate: str
    unit: str
    service: str
    state: str
    version: int
    closed: bool
    assigned_to: str | None
    due_date: datetime.date | None
    submitted_at: str
    updated_at: str
    head_hash: str
    event_count: int
    data: Mapping[str, Any]


@attrs.frozen
class SummaryRow:
    """The few columns listing and reporting need, read without the full record."""

    id: str
    service: str
    state: str
    version: int
    unit: str
    assigned_to: str | None
    due_date: datetime.date | None
    #: ISO 8601 in the governorate's time, as recorded; filled by :meth:`Store.request_page`.
    submitted_at: str = ""


@attrs.frozen
class RequestQuery:
    """One page of a list of requests, newest submission first.

    Paged by key, not by offset: ``after`` is the (submitted_at, id) of the previous page's last
    row, so a page costs the same however deep it is, and requests submitted while a client pages
    neither repeat nor push rows off the page it is reading. Times compare as recorded (ISO 8601
    text): chronological when the engine's clock records every time at one UTC offset, as its
    default (UTC) does.
    """

    unit: str | None = None
    service: str | None = None
    closed: bool | None = None
    ids: frozenset[str] | None = None
    #: Submitted at or after this time (inclusive), and at or before ``submitted_until``.
    submitted_from: str | None = None
    submitted_until: str | None = None
    after: tuple[str, str] | None = None
    limit: int = attrs.field(default=100, validator=attrs.validators.in_(range(1, 10_001)))


@attrs.frozen
class ChainHeadRow:
    """A request's place in its history, as its row holds it: what audit checkpoints record."""

    id: str
    event_count: int
    head_hash: str
    submitted_at: str


@attrs.frozen
class EventRow:
    request_id: str
    seq: int
    at: str
    actor: str
    role: str
    action: str
    from_state: str | None
    to_state: str
    data: Mapping[str, Any]
    prev_hash: str
    hash: str


@attrs.frozen
class RefusalRow:
    """An action the engine refused for separation of duties: who tried what on which request.

    Kept for the supervisors' reports; nothing of the request changed, so it is no fact of its
    history and is not hash-chained (deleting one lowers a report's count, nothing else).
    """

    request_id: str
    actor: str
    action: str
    reason: str
    at: str  # UTC, ISO 8601


@attrs.frozen
class NoticeRow:
    """A message to the applicant, written to the outbox in the transaction of what it tells.

    ``message_id`` is derived from what the message is about (the request and its event), so the
    same event can never be queued twice, and every attempt to deliver it carries the same id. It
    begins ``"<request id>/"``: a store finds a request's messages by that prefix.
    """

    message_id: str
    request_id: str
    kind: str
    recipient: str
    language: str
    text: str
    created_at: str
    #: A message the applicant's opt-out does not silence (see localgov.catalogue.REQUIRED_MESSAGES).
    required: bool


class Transaction(Protocol):
    """One write transaction: reads inside it see its own writes; all of it commits or none."""

    def get_request(self, request_id: str) -> RequestRow | None: ...

    def next_sequence(self, scope: str, year: int) -> int: ...

    def claim_idempotency_key(self, key: str, fingerprint: str, request_id: str) -> None: ...

    def insert_request(self, row: RequestRow) -> None: ...

    def update_request(self, row: RequestRow, expected_version: int) -> None:
        """Write ``row`` if the stored version is still ``expected_version``, else raise ``Conflict``.

        What a request keeps for life (its id, governorate, unit, service and submission time)
        was written by :meth:`insert_request`; a store may leave it out of the update.

        A store may hold the update back and write it with the decision's events and counts
        when the transaction ends, and raise the conflict then; either way nothing of the
        transaction is written.
        """
        ...

    def append_event(self, event: EventRow) -> None: ...

    def workload(self, staff_ids: Collection[str]) -> Mapping[str, int]:
        """Open cases assigned to each of ``staff_ids`` (absent: none)."""
        ...

    def adjust_workload(self, changes: Mapping[str, int]) -> None:
        """Add each change to the employee's count of open cases (+1 assigned, -1 moved on)."""
        ...

    def put_document(self, sha256: str, content: bytes, media_type: str) -> None: ...

    def add_notice(self, notice: NoticeRow) -> None:
        """Queue ``notice`` in the outbox, with the rest of the transaction; a message id already
        queued is left as it is."""
        ...


class Store(Protocol):
    def transaction(self) -> AbstractContextManager[Transaction]: ...

    def record_refusal(self, refusal: RefusalRow) -> None:
        """Keep a refused attempt, in a transaction of its own (the refused one wrote nothing)."""
        ...

    def get_request(self, request_id: str) -> RequestRow | None: ...

    def events(self, request_id: str) -> list[EventRow]: ...

    def idempotent_request(self, key: str) -> tuple[str, str] | None:
        """(request id, fingerprint) recorded for an idempotency key, if any."""
        ...

    def summaries(self, *, unit: str | None = None, open_only: bool = False) -> list[SummaryRow]: ...

    def request_page(self, query: RequestQuery) -> list[SummaryRow]:
        """At most ``query.limit`` requests matching ``query``, newest submission first."""
        ...

    def request_ids(self) -> list[str]: ...

    def histories(self) -> Iterator[tuple[RequestRow, list[EventRow]]]:
        """Every request with its events, by request id, read as of one moment: what an audit
        reads, in two ordered scans instead of two queries per request."""
        ...

    def sequences(self) -> list[tuple[str, int, int]]:
        """Every counter: (scope, year, last number handed out)."""
        ...

    def chain_heads(self, unit: str) -> list[ChainHeadRow]:
        """Where each request of ``unit`` stands in its history, by request id."""
        ...

    def chain_head_lines(self, unit: str) -> list[str]:
        """Each request of ``unit`` as an audit checkpoint lists it, by request id:
        ``"<request id> <event count> <head hash>\\n"`` (what
        :attr:`localgov.requests.checkpoints.ChainHead.line` writes). Text, because a checkpoint
        of a million requests must not make a million objects."""
        ...

    def changed_chain_head_lines(self, unit: str, since: int | None) -> tuple[list[str], int]:
        """The lines of ``unit``'s requests whose history may have changed since the mark
        ``since`` (of every request when it is None), and the mark of this read: what an
        incremental checkpoint reads again. It may repeat a line since the mark; it must not
        miss one changed since (``localgov.storage.chain_heads``)."""
        ...

    def event_hashes(self, wanted: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """The stored hash of each ``(request id, seq)`` asked for that exists."""
        ...

    def put_document(self, sha256: str, content: bytes, media_type: str) -> None: ...

    def get_document(self, sha256: str) -> bytes | None: ...
