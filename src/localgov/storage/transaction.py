"""A write transaction on the driver's cursor: the statements a decision runs, compiled once.

:class:`SqlTransaction` implements :class:`localgov.requests.ports.Transaction` for
:class:`~localgov.storage.store.SqlStore`. A decision runs a handful of short statements, and
SQLAlchemy's per-call execution path would cost more than the database does, so SQLAlchemy
compiles them once per database (:mod:`localgov.storage.prepared`) and they run on the DBAPI
cursor. On PostgreSQL a decision's writes are one statement (:func:`decision_statement`).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from localgov.requests.codec import StoredRecord
from localgov.requests.errors import Conflict
from localgov.requests.ports import EventRow, NoticeRow, RequestRow
from localgov.storage import schema
from localgov.storage.prepared import PreparedStatement

__all__ = ["SELECT_REQUEST_TEXT", "SqlTransaction", "WriteStatements", "decision_statement"]

_requests, _events, _workload = schema.requests, schema.events, schema.workload
# The outbox columns a transaction writes; the dispatcher's own columns keep their defaults.
_NOTICE_COLUMNS = [
    schema.notices.c[name]
    for name in ("message_id", "request_id", "kind", "recipient", "language", "text", "required", "created_at")
]
# What a request keeps for life is written once, at submission. Leaving these out of a
# decision's UPDATE matters: SQLite rewrites an index whenever its column is SET, even to the
# value it had, and lg_requests_unit_submitted would then be rewritten at every decision.
_LIFELONG_COLUMNS = frozenset({"id", "governorate", "unit", "service", "submitted_at"})
_DECISION_COLUMNS = [c.name for c in _requests.columns if c.name not in _LIFELONG_COLUMNS]

# A request's row for a decision, its record as the JSON text it is stored as (StoredRecord).
SELECT_REQUEST_TEXT = sa.select(
    *(sa.cast(c, sa.Text).label(c.name) if c.name == "data" else c for c in _requests.columns)
).where(_requests.c.id == sa.bindparam("request_id"))


def _dialect_insert(dialect: str, table: sa.Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _bound_rows(prefix: str, columns: list[sa.Column[Any]], count: int) -> sa.Subquery:
    """``count`` rows of bound values, one bind parameter per cell (``prefix0_name``...)."""
    selects = [
        sa.select(*[sa.bindparam(f"{prefix}{index}_{c.name}", type_=c.type).label(c.name) for c in columns])
        for index in range(count)
    ]
    return (selects[0] if count == 1 else sa.union_all(*selects)).subquery(f"{prefix}_rows")


def _guarded_update() -> sa.Update:
    """The request's row rewritten if it is still at the version the decision was made on."""
    return (
        _requests.update()
        .where(_requests.c.id == sa.bindparam("b_id"), _requests.c.version == sa.bindparam("b_expected"))
        .values({column: sa.bindparam(column) for column in _DECISION_COLUMNS})
    )


def decision_statement(events: int, counts: int, notices: int = 0) -> sa.Select[Any]:
    """UPDATE the request under its version guard and, only if it matched, append its events and
    adjust the counts: one statement, so one round trip, and all of it or nothing.

    PostgreSQL runs data-modifying WITH clauses to completion whether or not the main query
    reads them; each INSERT selects from the UPDATE's RETURNING, so a request whose version has
    moved on (the UPDATE matched no row) gets no event and no count. The main query says how
    many rows the UPDATE matched. The decision's notices join the outbox the same way, so telling
    the applicant costs the decision no round trip. Counts are adjusted in employee order, which every decision
    shares, so two decisions never wait on each other's counts in opposite orders.
    """
    moved = _guarded_update().returning(_requests.c.id).cte("moved")
    writes = []
    if events:
        event_rows = _bound_rows("event", list(_events.columns), events)
        appended = _events.insert().from_select(
            [c.name for c in _events.columns],
            sa.select(*event_rows.c).select_from(event_rows.join(moved, sa.true())),
        )
        writes.append(appended.cte("appended"))
    if counts:
        count_rows = _bound_rows("count", [_workload.c.staff_id, _workload.c.open_cases], counts)
        adjusted = postgresql.insert(_workload).from_select(
            ["staff_id", "open_cases"],
            sa.select(*count_rows.c).select_from(count_rows.join(moved, sa.true())).order_by(count_rows.c.staff_id),
        )
        adjusted = adjusted.on_conflict_do_update(
            index_elements=["staff_id"], set_={"open_cases": _workload.c.open_cases + adjusted.excluded.open_cases}
        )
        writes.append(adjusted.cte("adjusted"))
    if notices:
        notice_rows = _bound_rows("notice", _NOTICE_COLUMNS, notices)
        queued = postgresql.insert(schema.notices).from_select(
            [c.name for c in _NOTICE_COLUMNS],
            sa.select(*notice_rows.c).select_from(notice_rows.join(moved, sa.true())),
        )
        writes.append(queued.on_conflict_do_nothing(index_elements=["message_id"]).cte("queued"))
    return sa.select(sa.func.count().label("matched")).select_from(moved).add_cte(*writes)


class WriteStatements:
    """The statements of a write transaction, compiled for one database."""

    def __init__(self, dialect: sa.Dialect) -> None:
        self.dialect = dialect
        name = dialect.name
        prepare = functools.partial(PreparedStatement, dialect=dialect)
        self.select_request = prepare(SELECT_REQUEST_TEXT)
        self.insert_request = prepare(_requests.insert())
        self.update_request = prepare(_guarded_update())
        self.insert_event = prepare(_events.insert())
        self.claim_key = prepare(schema.idempotency.insert())
        sequences = schema.sequences
        self.next_number = prepare(
            _dialect_insert(name, sequences)
            .values(scope=sa.bindparam("scope"), year=sa.bindparam("year"), last=1)
            .on_conflict_do_update(index_elements=["scope", "year"], set_={"last": sequences.c.last + 1})
            .returning(sequences.c.last)
        )
        # Rows are inserted with the change itself, which is what a new row must hold (+1: an
        # employee's first case); an existing row adds it. A -1 only ever meets an existing row.
        insert = _dialect_insert(name, _workload)
        self.adjust_workload = prepare(
            insert.on_conflict_do_update(
                index_elements=["staff_id"], set_={"open_cases": _workload.c.open_cases + insert.excluded.open_cases}
            )
        )
        self.put_document = prepare(
            _dialect_insert(name, schema.documents).on_conflict_do_nothing(index_elements=["sha256"])
        )
        self.add_notice = prepare(
            _dialect_insert(name, schema.notices)
            .values({c.name: sa.bindparam(c.name) for c in _NOTICE_COLUMNS})
            .on_conflict_do_nothing(index_elements=["message_id"])
        )
        self._workload_of: dict[int, PreparedStatement] = {}
        # PostgreSQL runs a decision's writes as one statement (see decision_statement).
        self.writes_decisions_at_once = name == "postgresql"
        # SQLite: take the database's write lock at once, so the guarded writes never meet a
        # snapshot another writer made stale.
        self.begin = "BEGIN" if name == "postgresql" else "BEGIN IMMEDIATE"
        self._decisions: dict[tuple[int, int, int], PreparedStatement] = {}

    def decision(self, events: int, counts: int, notices: int = 0) -> PreparedStatement:
        """The one statement that writes a decision with ``events`` events, ``counts`` counts and
        ``notices`` notices."""
        key = (events, counts, notices)
        statement = self._decisions.get(key)
        if statement is None:
            statement = PreparedStatement(decision_statement(*key), self.dialect)
            self._decisions[key] = statement
        return statement

    def workload_of(self, count: int) -> PreparedStatement:
        """The open cases of ``count`` employees (one statement per count, built on first use)."""
        statement = self._workload_of.get(count)
        if statement is None:
            ids: list[sa.BindParameter[str]] = [sa.bindparam(f"staff_{index}") for index in range(count)]
            statement = PreparedStatement(
                sa.select(_workload.c.staff_id, _workload.c.open_cases).where(_workload.c.staff_id.in_(ids)),
                self.dialect,
            )
            self._workload_of[count] = statement
        return statement


class SqlTransaction:
    """One write transaction; everything in it commits together or not at all.

    A transaction's reads run before it begins a database transaction: optimistic concurrency.
    What a decision read is written back under its version guard, so a decision on a version
    that moved on in the meantime writes nothing and raises :class:`Conflict`; no lock is held
    while the engine decides. On SQLite the first write begins ``IMMEDIATE`` (taking the
    database's write lock at once, so the writes never meet a snapshot another writer made
    stale): SQLite's one writer at a time holds the lock only while it writes and commits, and
    the other workers decide meanwhile. On PostgreSQL a decision's UPDATE, events and counts
    are held back and written by one statement when the transaction ends (:meth:`finish`), and
    ``BEGIN`` is sent only before a second write: a decision that writes nothing else is that
    one statement, atomic on its own, and saves the round trips of BEGIN and COMMIT.
    """

    def __init__(self, cursor: Any, statements: WriteStatements) -> None:
        self._cursor = cursor
        self._statements = statements
        self._update: dict[str, Any] | None = None
        self._events: list[dict[str, Any]] = []
        self._counts: dict[str, int] = {}
        self._notices: list[dict[str, Any]] = []
        #: Whether a database transaction is open (to commit or roll back at the end).
        self.began = False

    def _writing(self) -> None:
        """Before a write that is not held back: make sure a database transaction is open."""
        if not self.began:
            self._cursor.execute(self._statements.begin)
            self.began = True

    def commit(self) -> None:
        """Write what was held back and commit; ``Conflict`` (and nothing written) if the version moved on."""
        self.finish()
        if self.began:
            self._cursor.execute("COMMIT")
            self.began = False

    def roll_back(self) -> None:
        """End a transaction that failed: roll back what it wrote, if anything."""
        if self.began:
            self.began = False
            self._cursor.execute("ROLLBACK")

    def get_request(self, request_id: str) -> RequestRow | None:
        row = self._statements.select_request.first(self._cursor, {"request_id": request_id})
        if row is None:
            return None
        row["data"] = StoredRecord(row["data"])
        return RequestRow(**row)

    def next_sequence(self, scope: str, year: int) -> int:
        # One statement that creates the counter or takes the next number: two workers creating
        # the same unit's first counter of a year never collide.
        self._writing()
        row = self._statements.next_number.first(self._cursor, {"scope": scope, "year": year})
        assert row is not None, "INSERT ... RETURNING returns the counter"
        return int(row["last"])

    def claim_idempotency_key(self, key: str, fingerprint: str, request_id: str) -> None:
        self._writing()
        self._statements.claim_key.send(
            self._cursor, {"key": key, "fingerprint": fingerprint, "request_id": request_id}
        )

    def insert_request(self, row: RequestRow) -> None:
        self._writing()
        self._statements.insert_request.send(self._cursor, _request_values(row))

    def update_request(self, row: RequestRow, expected_version: int) -> None:
        values = _request_values(row)
        values["b_id"] = values.pop("id")
        values["b_expected"] = expected_version
        if self._statements.writes_decisions_at_once:
            self._update = values
            return
        self._writing()
        self._statements.update_request.send(self._cursor, values)
        if self._cursor.rowcount != 1:
            raise _conflict(row.id)

    def append_event(self, event: EventRow) -> None:
        values = {
            "request_id": event.request_id,
            "seq": event.seq,
            "at": event.at,
            "actor": event.actor,
            "role": event.role,
            "action": event.action,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "data": event.data,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
        if self._update is not None:
            self._events.append(values)
            return
        self._writing()
        self._statements.insert_event.send(self._cursor, values)

    def workload(self, staff_ids: Collection[str]) -> Mapping[str, int]:
        if not staff_ids:
            return {}
        statement = self._statements.workload_of(len(staff_ids))
        values = {f"staff_{index}": staff_id for index, staff_id in enumerate(staff_ids)}
        return {staff_id: count for staff_id, count in statement.rows(self._cursor, values)}

    def adjust_workload(self, changes: Mapping[str, int]) -> None:
        """Add ``change`` to each employee's count of open cases (+1 assigned, -1 moved on)."""
        if self._update is not None:
            for staff_id, change in changes.items():
                self._counts[staff_id] = self._counts.get(staff_id, 0) + change
            return
        # One statement per employee, in a fixed order: two transactions adjusting the same two
        # counts lock their rows in the same order and never deadlock.
        self._writing()
        for staff_id in sorted(changes):
            self._statements.adjust_workload.send(self._cursor, {"staff_id": staff_id, "open_cases": changes[staff_id]})

    def put_document(self, sha256: str, content: bytes, media_type: str) -> None:
        # Content-addressed: the same file handed in twice (even at once) is stored once.
        self._writing()
        self._statements.put_document.send(
            self._cursor, {"sha256": sha256, "media_type": media_type, "size": len(content), "content": content}
        )

    def add_notice(self, notice: NoticeRow) -> None:
        values = {c.name: getattr(notice, c.name) for c in _NOTICE_COLUMNS}
        if self._update is not None:
            self._notices.append(values)
            return
        self._writing()
        self._statements.add_notice.send(self._cursor, values)

    def finish(self) -> None:
        """Write what was held back, before the commit; ``Conflict`` if the version moved on."""
        if self._update is None:
            return
        values = dict(self._update)
        for index, event in enumerate(self._events):
            values.update({f"event{index}_{name}": value for name, value in event.items()})
        counts = [(staff_id, change) for staff_id, change in sorted(self._counts.items()) if change]
        for index, (staff_id, change) in enumerate(counts):
            values[f"count{index}_staff_id"] = staff_id
            values[f"count{index}_open_cases"] = change
        for index, notice in enumerate(self._notices):
            values.update({f"notice{index}_{name}": value for name, value in notice.items()})
        statement = self._statements.decision(len(self._events), len(counts), len(self._notices))
        written = statement.first(self._cursor, values)
        if written is None or written["matched"] != 1:
            raise _conflict(self._update["b_id"])


def _request_values(row: RequestRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "governorate": row.governorate,
        "unit": row.unit,
        "service": row.service,
        "state": row.state,
        "version": row.version,
        "closed": row.closed,
        "assigned_to": row.assigned_to,
        "due_date": row.due_date,
        "submitted_at": row.submitted_at,
        "updated_at": row.updated_at,
        "head_hash": row.head_hash,
        "event_count": row.event_count,
        "data": row.data,
    }


def _conflict(request_id: str) -> Conflict:
    return Conflict(f"{request_id} was changed by someone else at the same moment: reload it and decide again")
