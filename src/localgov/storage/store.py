"""The durable store over SQLAlchemy Core: implements :class:`localgov.requests.ports.Store`.

The statements a transition runs are built once, with bound parameters: building SQLAlchemy
statement objects anew on every call costs more than executing them.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from localgov.requests.errors import IdempotencyKeyReused
from localgov.requests.ports import EventRow, RequestRow, SummaryRow
from localgov.storage import schema
from localgov.storage.database import WRITE, open_database
from localgov.storage.migrations import migrate

__all__ = ["SqlStore", "SqlTransaction"]

_requests, _events, _workload = schema.requests, schema.events, schema.workload
_REQUEST_COLUMNS = [c.name for c in _requests.columns]

_SELECT_REQUEST = sa.select(_requests).where(_requests.c.id == sa.bindparam("request_id"))
_INSERT_REQUEST = _requests.insert()
_UPDATE_REQUEST = (
    _requests.update()
    .where(_requests.c.id == sa.bindparam("b_id"), _requests.c.version == sa.bindparam("b_expected"))
    .values({name: sa.bindparam(name) for name in _REQUEST_COLUMNS if name != "id"})
)
_INSERT_EVENT = _events.insert()
_SELECT_WORKLOAD = sa.select(_workload.c.staff_id, _workload.c.open_cases).where(
    _workload.c.staff_id.in_(sa.bindparam("staff_ids", expanding=True))
)


def _dialect_insert(dialect: str, table: sa.Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@functools.cache
def _upserts(dialect: str) -> tuple[Any, Any, Any]:
    """The INSERT ... ON CONFLICT statements of a dialect, built once: (sequence, workload, document)."""
    sequences = schema.sequences
    next_number = (
        _dialect_insert(dialect, sequences)
        .values(scope=sa.bindparam("scope"), year=sa.bindparam("year"), last=1)
        .on_conflict_do_update(index_elements=["scope", "year"], set_={"last": sequences.c.last + 1})
        .returning(sequences.c.last)
    )
    # Rows are inserted with the change itself, which is what a new row must hold (+1: an
    # employee's first case); an existing row adds it. A -1 only ever meets an existing row.
    insert = _dialect_insert(dialect, _workload)
    workload = insert.on_conflict_do_update(
        index_elements=["staff_id"], set_={"open_cases": _workload.c.open_cases + insert.excluded.open_cases}
    )
    document = _dialect_insert(dialect, schema.documents).on_conflict_do_nothing(index_elements=["sha256"])
    return next_number, workload, document


class SqlTransaction:
    """One write transaction; everything in it commits together or not at all."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self._next_number, self._workload, self._document = _upserts(connection.dialect.name)

    def get_request(self, request_id: str) -> RequestRow | None:
        row = self._connection.execute(_SELECT_REQUEST, {"request_id": request_id}).mappings().first()
        return None if row is None else RequestRow(**row)

    def next_sequence(self, scope: str, year: int) -> int:
        # One statement that creates the counter or takes the next number: two workers creating
        # the same unit's first counter of a year never collide.
        return int(self._connection.execute(self._next_number, {"scope": scope, "year": year}).scalar_one())

    def claim_idempotency_key(self, key: str, fingerprint: str, request_id: str) -> None:
        self._connection.execute(
            schema.idempotency.insert(), {"key": key, "fingerprint": fingerprint, "request_id": request_id}
        )

    def insert_request(self, row: RequestRow) -> None:
        self._connection.execute(_INSERT_REQUEST, _request_values(row))

    def update_request(self, row: RequestRow, expected_version: int) -> bool:
        values = _request_values(row)
        values["b_id"] = values.pop("id")
        values["b_expected"] = expected_version
        return self._connection.execute(_UPDATE_REQUEST, values).rowcount == 1

    def append_event(self, event: EventRow) -> None:
        self._connection.execute(
            _INSERT_EVENT,
            {
                "request_id": event.request_id,
                "seq": event.seq,
                "at": event.at,
                "actor": event.actor,
                "role": event.role,
                "action": event.action,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "data": dict(event.data),
                "prev_hash": event.prev_hash,
                "hash": event.hash,
            },
        )

    def workload(self, staff_ids: Collection[str]) -> Mapping[str, int]:
        if not staff_ids:
            return {}
        rows = self._connection.execute(_SELECT_WORKLOAD, {"staff_ids": list(staff_ids)})
        return {staff_id: count for staff_id, count in rows}

    def adjust_workload(self, changes: Mapping[str, int]) -> None:
        """Add ``change`` to each employee's count of open cases, in one statement."""
        if changes:
            rows = [{"staff_id": staff_id, "open_cases": change} for staff_id, change in changes.items()]
            self._connection.execute(self._workload, rows)

    def put_document(self, sha256: str, content: bytes, media_type: str) -> None:
        # Content-addressed: the same file handed in twice (even at once) is stored once.
        self._connection.execute(
            self._document, {"sha256": sha256, "media_type": media_type, "size": len(content), "content": content}
        )


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
        "data": dict(row.data),
    }


class SqlStore:
    """Requests, their history and their documents in SQLite or PostgreSQL.

    >>> store = SqlStore.open("sqlite://")            # in memory
    >>> store = SqlStore.open("sqlite:///localgov.db") # a file, WAL mode
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, durable: bool = True, **engine_options: Any) -> SqlStore:
        """Open (and migrate) the database at ``url``."""
        engine = open_database(url, durable=durable, **engine_options)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{WRITE: True})
            with connection.begin():
                try:
                    yield SqlTransaction(connection)
                except sa.exc.IntegrityError as error:
                    raise _integrity(error) from error

    def get_request(self, request_id: str) -> RequestRow | None:
        with self.engine.connect() as connection:
            row = connection.execute(_SELECT_REQUEST, {"request_id": request_id}).mappings().first()
        return None if row is None else RequestRow(**row)

    def events(self, request_id: str) -> list[EventRow]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(_events).where(_events.c.request_id == request_id).order_by(_events.c.seq)
            ).mappings()
            return [EventRow(**row) for row in rows]

    def idempotent_request(self, key: str) -> tuple[str, str] | None:
        table = schema.idempotency
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(table.c.request_id, table.c.fingerprint).where(table.c.key == key)
            ).first()
        return None if row is None else (row.request_id, row.fingerprint)

    def summaries(self, *, unit: str | None = None, open_only: bool = False) -> list[SummaryRow]:
        query = sa.select(
            _requests.c.id, _requests.c.service, _requests.c.state, _requests.c.version, _requests.c.unit,
            _requests.c.assigned_to, _requests.c.due_date,
        )
        if unit is not None:
            query = query.where(_requests.c.unit == unit)
        if open_only:
            query = query.where(_requests.c.closed.is_(False))
        # Fetched whole, not streamed: a caller may query again while going through the list.
        with self.engine.connect() as connection:
            return [SummaryRow(*row) for row in connection.execute(query.order_by(_requests.c.id))]

    def request_ids(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.select(_requests.c.id).order_by(_requests.c.id)).scalars())

    def sequences(self) -> list[tuple[str, int, int]]:
        """Every counter: (scope, year, last number handed out)."""
        table = schema.sequences
        with self.engine.connect() as connection:
            return [(scope, year, last) for scope, year, last in connection.execute(sa.select(table.c.scope, table.c.year, table.c.last))]

    def put_document(self, sha256: str, content: bytes, media_type: str) -> None:
        with self.transaction() as transaction:
            transaction.put_document(sha256, content, media_type)

    def get_document(self, sha256: str) -> bytes | None:
        table = schema.documents
        with self.engine.connect() as connection:
            content = connection.execute(sa.select(table.c.content).where(table.c.sha256 == sha256)).scalar()
        return None if content is None else bytes(content)


def _integrity(error: sa.exc.IntegrityError) -> Exception:
    text = str(error.orig).lower()
    if "lg_idempotency" in text or "idempotency" in text:
        return IdempotencyKeyReused("this idempotency key was used by a concurrent submission")
    return error
