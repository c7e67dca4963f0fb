"""The durable store over SQLAlchemy Core: implements :class:`localgov.requests.ports.Store`.

Write transactions run their statements on the driver's cursor, compiled once per database by
SQLAlchemy (:mod:`localgov.storage.prepared`): a decision runs a handful of short statements,
and SQLAlchemy's per-call execution path would cost more than the database does. Reads outside
a decision (history, lists, reports) go through SQLAlchemy Core as usual.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from localgov.requests.errors import Conflict, IdempotencyKeyReused
from localgov.requests.ports import EventRow, RequestRow, SummaryRow
from localgov.storage import schema
from localgov.storage.database import open_database
from localgov.storage.migrations import migrate
from localgov.storage.prepared import PreparedStatement

__all__ = ["SqlStore", "SqlTransaction"]

_requests, _events, _workload = schema.requests, schema.events, schema.workload
# What a request keeps for life is written once, at submission. Leaving these out of a
# decision's UPDATE matters: SQLite rewrites an index whenever its column is SET, even to the
# value it had, and lg_requests_unit would then be rewritten at every decision.
_LIFELONG_COLUMNS = frozenset({"id", "governorate", "unit", "service", "submitted_at"})
_DECISION_COLUMNS = [c.name for c in _requests.columns if c.name not in _LIFELONG_COLUMNS]

_SELECT_REQUEST = sa.select(_requests).where(_requests.c.id == sa.bindparam("request_id"))


def _dialect_insert(dialect: str, table: sa.Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class _Statements:
    """The statements of a write transaction, compiled for one database."""

    def __init__(self, dialect: sa.Dialect) -> None:
        self.dialect = dialect
        name = dialect.name
        prepare = functools.partial(PreparedStatement, dialect=dialect)
        self.select_request = prepare(_SELECT_REQUEST)
        self.insert_request = prepare(_requests.insert())
        self.update_request = prepare(
            _requests.update()
            .where(_requests.c.id == sa.bindparam("b_id"), _requests.c.version == sa.bindparam("b_expected"))
            .values({column: sa.bindparam(column) for column in _DECISION_COLUMNS})
        )
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
        self._workload_of: dict[int, PreparedStatement] = {}

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
    """One write transaction; everything in it commits together or not at all."""

    def __init__(self, cursor: Any, statements: _Statements, *, pipelined: bool = False) -> None:
        self._cursor = cursor
        self._statements = statements
        self._pipelined = pipelined
        self._guarded: Any = None
        #: The request this transaction updates, once it does.
        self.updating: str | None = None

    def get_request(self, request_id: str) -> RequestRow | None:
        row = self._statements.select_request.first(self._cursor, {"request_id": request_id})
        return None if row is None else RequestRow(**row)

    def next_sequence(self, scope: str, year: int) -> int:
        # One statement that creates the counter or takes the next number: two workers creating
        # the same unit's first counter of a year never collide.
        row = self._statements.next_number.first(self._cursor, {"scope": scope, "year": year})
        assert row is not None, "INSERT ... RETURNING returns the counter"
        return int(row["last"])

    def claim_idempotency_key(self, key: str, fingerprint: str, request_id: str) -> None:
        self._statements.claim_key.send(
            self._cursor, {"key": key, "fingerprint": fingerprint, "request_id": request_id}
        )

    def insert_request(self, row: RequestRow) -> None:
        self._statements.insert_request.send(self._cursor, _request_values(row))

    def update_request(self, row: RequestRow, expected_version: int) -> None:
        values = _request_values(row)
        values["b_id"] = values.pop("id")
        values["b_expected"] = expected_version
        self.updating = row.id
        if self._pipelined:
            # Not waited for: the events that follow settle a race at the commit (see _conflict).
            # The UPDATE runs on its own cursor so that its row count can still be checked then.
            self._guarded = self._cursor.connection.cursor()
            self._statements.update_request.send(self._guarded, values)
            return
        self._statements.update_request.send(self._cursor, values)
        if self._cursor.rowcount != 1:
            raise _conflict(row.id)

    def confirm(self) -> None:
        """After the commit: raise ``Conflict`` if a pipelined UPDATE found its version gone.

        Unreachable while every change to a request appends its next events (the events'
        primary key refuses the commit first); kept so that a request row changed outside
        localgov never passes silently.
        """
        if self._guarded is not None and self._guarded.rowcount != 1:
            raise _conflict(self.updating or "the request")

    def append_event(self, event: EventRow) -> None:
        self._statements.insert_event.send(
            self._cursor,
            {
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
            },
        )

    def workload(self, staff_ids: Collection[str]) -> Mapping[str, int]:
        if not staff_ids:
            return {}
        statement = self._statements.workload_of(len(staff_ids))
        values = {f"staff_{index}": staff_id for index, staff_id in enumerate(staff_ids)}
        return {staff_id: count for staff_id, count in statement.rows(self._cursor, values)}

    def adjust_workload(self, changes: Mapping[str, int]) -> None:
        """Add ``change`` to each employee's count of open cases (+1 assigned, -1 moved on)."""
        # One statement per employee, in a fixed order: two transactions adjusting the same two
        # counts lock their rows in the same order and never deadlock.
        for staff_id in sorted(changes):
            self._statements.adjust_workload.send(
                self._cursor, {"staff_id": staff_id, "open_cases": changes[staff_id]}
            )

    def put_document(self, sha256: str, content: bytes, media_type: str) -> None:
        # Content-addressed: the same file handed in twice (even at once) is stored once.
        self._statements.put_document.send(
            self._cursor, {"sha256": sha256, "media_type": media_type, "size": len(content), "content": content}
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
        "data": row.data,
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
        """One write transaction on a pooled driver connection.

        On PostgreSQL it runs in psycopg's pipeline mode: statements go out without waiting for
        each reply, so BEGIN travels with the first SELECT and the decision's writes with the
        COMMIT, three round trips for a decision instead of seven. A decision made on a version
        that another one has meanwhile replaced is then refused by the events' primary key
        (both append the same next event number) and surfaces here as ``Conflict``.
        """
        connection = self.engine.raw_connection()  # the driver's connection, from the pool
        driver: Any = connection.dbapi_connection
        transaction: SqlTransaction | None = None
        pipelined = hasattr(driver, "pipeline")
        try:
            cursor = connection.cursor()
            try:
                with driver.pipeline() if pipelined else contextlib.nullcontext():
                    if not pipelined:
                        # SQLite: take the write lock first, so that two writers never both
                        # read the same version.
                        cursor.execute("BEGIN IMMEDIATE")
                    transaction = SqlTransaction(cursor, self._statements, pipelined=pipelined)
                    yield transaction
                    if pipelined:
                        # Queued with the writes; leaving the pipeline sends them all at once.
                        cursor.execute("COMMIT")
                    else:
                        connection.commit()
                transaction.confirm()
            except self.engine.dialect.loaded_dbapi.IntegrityError as error:
                connection.rollback()
                raise _integrity(error, transaction) from error
            except BaseException:
                connection.rollback()
                raise
            cursor.close()
        finally:
            connection.close()  # back to the pool

    @functools.cached_property
    def _statements(self) -> _Statements:
        # Compiled after the first connection: SQLAlchemy learns the server's features then.
        return _Statements(self.engine.dialect)

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


def _conflict(request_id: str) -> Conflict:
    return Conflict(f"{request_id} was changed by someone else at the same moment: reload it and decide again")


def _integrity(error: Exception, transaction: SqlTransaction | None) -> Exception:
    text = str(error).lower()
    if "lg_idempotency" in text or "idempotency" in text:
        return IdempotencyKeyReused("this idempotency key was used by a concurrent submission")
    if transaction is not None and transaction.updating is not None and (
        "lg_events_pkey" in text or "lg_events.request_id, lg_events.seq" in text
    ):
        # Two decisions on the same version append the same next event: this one came second.
        return _conflict(transaction.updating)
    return error
