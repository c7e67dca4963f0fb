"""The durable store over SQLAlchemy Core: implements :class:`localgov.requests.ports.Store`.

Write transactions (:mod:`localgov.storage.transaction`) run on the driver's own connection,
checked out of SQLAlchemy's pool and kept between transactions
(:mod:`localgov.storage.connections`), and so do the reads of one request and its events, which
every status page and API call makes; the other reads (lists, reports, audit) go through
SQLAlchemy Core.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
import sqlalchemy as sa

from localgov.requests.codec import StoredRecord
from localgov.requests.errors import IdempotencyKeyReused
from localgov.requests.ports import ChainHeadRow, EventRow, RefusalRow, RequestQuery, RequestRow, SummaryRow
from localgov.storage import chain_heads, schema
from localgov.storage.connections import KeptConnections
from localgov.storage.database import OPENED, open_database
from localgov.storage.migrations import migrate
from localgov.storage.prepared import PreparedStatement
from localgov.storage.reader import DedicatedReader
from localgov.storage.transaction import SELECT_REQUEST_TEXT, SqlTransaction, WriteStatements

__all__ = ["SqlStore", "SqlTransaction"]

_requests, _events = schema.requests, schema.events


class _ReadStatements:
    """The reads of one request, compiled for the store's dialect."""

    def __init__(self, dialect: sa.Dialect) -> None:
        self.request = PreparedStatement(SELECT_REQUEST_TEXT, dialect)
        self.events = PreparedStatement(
            sa.select(_events).where(_events.c.request_id == sa.bindparam("request_id")).order_by(_events.c.seq),
            dialect,
        )


class SqlStore:
    """Requests, their history and their documents in SQLite or PostgreSQL.

    >>> store = SqlStore.open("sqlite://")            # in memory
    >>> store = SqlStore.open("sqlite:///localgov.db") # a file, WAL mode
    """

    def __init__(self, engine: sa.Engine) -> None:
        if engine not in OPENED:
            # The store relies on what open_database sets up: SQLite's WAL mode and transaction
            # control, and JSON serializers that write stored records as they are.
            raise ValueError("SqlStore needs an engine made by localgov.storage.open_database(url, ...)")
        self.engine = engine
        self._readers: list[DedicatedReader] = []

    @classmethod
    def open(cls, url: str, *, durable: bool = True, **engine_options: Any) -> SqlStore:
        """Open (and migrate) the database at ``url``."""
        engine = open_database(url, durable=durable, **engine_options)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        for reader in self._readers:
            reader.close()
        if "_connections" in self.__dict__:
            self._connections.close()
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        connection, checked_out = self._connections.take()
        cursor = connection.cursor()
        transaction = SqlTransaction(cursor, self._statements)
        try:
            yield transaction
            transaction.commit()
        except BaseException as error:
            if self._end_failed(cursor, transaction, error):
                self._connections.give_back(connection, checked_out)
            else:
                self._connections.discard(connection, error)
            if isinstance(error, self._dbapi.IntegrityError):
                raise _integrity(error) from error
            raise
        cursor.close()
        self._connections.give_back(connection, checked_out)

    def _end_failed(self, cursor: Any, transaction: SqlTransaction, error: BaseException) -> bool:
        """Roll back after ``error``; whether the connection is fit to keep."""
        try:
            transaction.roll_back()
            cursor.close()
        except self._dbapi.Error:  # the connection is broken
            return False
        # A refusal (a conflict, an action not allowed) leaves the connection as it was; an
        # error of the database itself sends it back to the pool.
        return not isinstance(error, self._dbapi.Error)

    @functools.cached_property
    def _connections(self) -> KeptConnections:
        if self.engine.dialect.name == "postgresql":
            # PostgreSQL: autocommit while kept, so that BEGIN is sent only by a transaction
            # that writes twice; SQLAlchemy hands connections out without it.
            return KeptConnections(self.engine, prepare=_set_autocommit(True), release=_set_autocommit(False))
        return KeptConnections(self.engine)

    @functools.cached_property
    def _dbapi(self) -> Any:
        return self.engine.dialect.loaded_dbapi

    @functools.cached_property
    def _statements(self) -> WriteStatements:
        # Compiled after the first connection: SQLAlchemy learns the server's features then.
        return WriteStatements(self.engine.dialect)

    def get_request(self, request_id: str) -> RequestRow | None:
        # The record as the JSON text it was written as, which its seal covers byte for byte.
        with self._reading() as (cursor, reads):
            row = reads.request.first(cursor, {"request_id": request_id})
        if row is None:
            return None
        return RequestRow(**{**row, "data": StoredRecord(row["data"])})

    def events(self, request_id: str) -> list[EventRow]:
        with self._reading() as (cursor, reads):
            rows = reads.events.records(cursor, {"request_id": request_id})
        return [EventRow(**row) for row in rows]

    def dedicated_reader(self, statement: PreparedStatement) -> DedicatedReader | None:
        """``statement`` run on a connection kept for it alone (closed with the store), for a read
        made at every page view (``localgov.web.status_cache``); None in memory, where the store
        has one connection for everything (use :meth:`read_values`)."""
        if isinstance(self.engine.pool, sa.StaticPool):
            return None
        if self.engine.dialect.name == "postgresql":  # autocommit while held, as kept connections are
            reader = DedicatedReader(
                self.engine, statement, prepare=_set_autocommit(True), release=_set_autocommit(False)
            )
        else:
            reader = DedicatedReader(self.engine, statement)
        self._readers.append(reader)
        return reader

    def read_values(self, statement: PreparedStatement, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of a compiled read of this store's database, as a tuple, on a kept connection."""
        with self._reading() as (cursor, _):
            return statement.first_values(cursor, values)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[tuple[Any, _ReadStatements]]:
        # The citizen's status page and the API read a request and its events on every call:
        # on a kept connection with statements compiled once, as writes are (storage.prepared).
        connection, checked_out = self._connections.take()
        cursor = connection.cursor()
        try:
            yield cursor, self._reads
        except BaseException as error:
            with contextlib.suppress(self._dbapi.Error):
                cursor.close()
            if isinstance(error, self._dbapi.Error):
                self._connections.discard(connection, error)
            else:
                self._connections.give_back(connection, checked_out)
            raise
        cursor.close()
        self._connections.give_back(connection, checked_out)

    @functools.cached_property
    def _reads(self) -> _ReadStatements:
        return _ReadStatements(self.engine.dialect)

    def histories(self) -> Iterator[tuple[RequestRow, list[EventRow]]]:
        if isinstance(self.engine.pool, sa.StaticPool):
            # In memory: one connection shared by all, which the caller's reads (documents) must
            # have while the histories are gone through. Small by nature: read them at once.
            yield from list(self._histories())
        else:
            yield from self._histories()

    def _histories(self) -> Iterator[tuple[RequestRow, list[EventRow]]]:
        # One read transaction (a snapshot on SQLite in WAL mode and on PostgreSQL at
        # REPEATABLE READ), two ordered scans merged, streamed so a million requests fit.
        options: dict[str, Any] = {"stream_results": True, "yield_per": 1000}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        # Both scans in byte order (PostgreSQL's default collation may not be), the order the
        # merge below compares ids in.
        by_id, by_request = _requests.c.id, _events.c.request_id
        if self.engine.dialect.name == "postgresql":
            by_id, by_request = by_id.collate("C"), by_request.collate("C")  # type: ignore[assignment]
        requests = sa.select(*SELECT_REQUEST_TEXT.selected_columns).order_by(by_id)
        events = sa.select(_events).order_by(by_request, _events.c.seq)
        with self.engine.connect() as connection, connection.execution_options(**options).begin():
            event_rows = iter(connection.execute(events).mappings())
            pending = next(event_rows, None)
            for row in connection.execute(requests).mappings():
                request = RequestRow(**{**row, "data": StoredRecord(row["data"])})
                while pending is not None and pending["request_id"] < request.id:
                    pending = next(event_rows, None)  # events of no stored request: verify_chain's business
                found = []
                while pending is not None and pending["request_id"] == request.id:
                    found.append(EventRow(**pending))
                    pending = next(event_rows, None)
                yield request, found

    def idempotent_request(self, key: str) -> tuple[str, str] | None:
        table = schema.idempotency
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(table.c.request_id, table.c.fingerprint).where(table.c.key == key)
            ).first()
        return None if row is None else (row.request_id, row.fingerprint)

    def summaries(self, *, unit: str | None = None, open_only: bool = False) -> list[SummaryRow]:
        query = sa.select(
            _requests.c.id,
            _requests.c.service,
            _requests.c.state,
            _requests.c.version,
            _requests.c.unit,
            _requests.c.assigned_to,
            _requests.c.due_date,
        )
        if unit is not None:
            query = query.where(_requests.c.unit == unit)
        if open_only:
            query = query.where(_requests.c.closed.is_(False))
        # Fetched whole, not streamed: a caller may query again while going through the list.
        with self.engine.connect() as connection:
            return [SummaryRow(*row) for row in connection.execute(query.order_by(_requests.c.id))]

    def request_page(self, query: RequestQuery) -> list[SummaryRow]:
        table = _requests
        columns = (
            table.c.id,
            table.c.service,
            table.c.state,
            table.c.version,
            table.c.unit,
            table.c.assigned_to,
            table.c.due_date,
            table.c.submitted_at,
        )
        statement = sa.select(*columns)
        if query.unit is not None:
            statement = statement.where(table.c.unit == query.unit)
        if query.service is not None:
            statement = statement.where(table.c.service == query.service)
        if query.closed is not None:
            statement = statement.where(table.c.closed.is_(query.closed))
        if query.ids is not None:
            statement = statement.where(table.c.id.in_(sorted(query.ids)))
        if query.submitted_from is not None:
            statement = statement.where(table.c.submitted_at >= query.submitted_from)
        if query.submitted_until is not None:
            statement = statement.where(table.c.submitted_at <= query.submitted_until)
        if query.after is not None:
            # A row value comparison, which both databases answer from the (unit, submitted_at,
            # id) index as a range, not a filter over the unit's rows.
            statement = statement.where(sa.tuple_(table.c.submitted_at, table.c.id) < sa.tuple_(*query.after))
        statement = statement.order_by(table.c.submitted_at.desc(), table.c.id.desc()).limit(query.limit)
        with self.engine.connect() as connection:
            return [SummaryRow(*row) for row in connection.execute(statement)]

    def request_ids(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.select(_requests.c.id).order_by(_requests.c.id)).scalars())

    def sequences(self) -> list[tuple[str, int, int]]:
        """Every counter: (scope, year, last number handed out)."""
        table = schema.sequences
        with self.engine.connect() as connection:
            return [
                (scope, year, last)
                for scope, year, last in connection.execute(sa.select(table.c.scope, table.c.year, table.c.last))
            ]

    def chain_heads(self, unit: str) -> list[ChainHeadRow]:
        columns = (_requests.c.id, _requests.c.event_count, _requests.c.head_hash, _requests.c.submitted_at)
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(*columns).where(_requests.c.unit == unit).order_by(_requests.c.id))
            return [ChainHeadRow(*row) for row in rows]

    def chain_head_lines(self, unit: str) -> list[str]:
        # In the index's order, not sorted: a checkpoint lists its heads in any order it likes.
        return chain_heads.chain_head_lines(self.engine, unit)

    def changed_chain_head_lines(self, unit: str, since: int | None) -> tuple[list[str], int]:
        return chain_heads.changed_chain_head_lines(self.engine, unit, since)

    def event_hashes(self, wanted: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
        found: dict[tuple[str, int], str] = {}
        pairs = sorted(set(wanted))
        with self.engine.connect() as connection:
            for start in range(0, len(pairs), 500):  # bounded statements, however many are asked for
                batch = pairs[start : start + 500]
                query = sa.select(_events.c.request_id, _events.c.seq, _events.c.hash).where(
                    sa.tuple_(_events.c.request_id, _events.c.seq).in_(batch)
                )
                found.update({(row.request_id, row.seq): row.hash for row in connection.execute(query)})
        return found

    def record_refusal(self, refusal: RefusalRow) -> None:
        with self.engine.begin() as connection:
            connection.execute(schema.refusals.insert().values(**attrs.asdict(refusal)))

    def put_document(self, sha256: str, content: bytes, media_type: str) -> None:
        with self.transaction() as transaction:
            transaction.put_document(sha256, content, media_type)

    def get_document(self, sha256: str) -> bytes | None:
        table = schema.documents
        with self.engine.connect() as connection:
            content = connection.execute(sa.select(table.c.content).where(table.c.sha256 == sha256)).scalar()
        return None if content is None else bytes(content)


def _set_autocommit(on: bool) -> Callable[[Any], None]:
    def set_autocommit(driver: Any) -> None:
        driver.autocommit = on

    return set_autocommit


def _integrity(error: Exception) -> Exception:
    text = str(error).lower()
    if "lg_idempotency" in text or "idempotency" in text:
        return IdempotencyKeyReused("this idempotency key was used by a concurrent submission")
    return error
