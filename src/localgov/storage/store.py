"""The durable store over SQLAlchemy Core: implements :class:`localgov.requests.ports.Store`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from localgov.requests.errors import IdempotencyKeyReused
from localgov.requests.ports import EventRow, RequestRow, SummaryRow
from localgov.storage import schema
from localgov.storage.database import WRITE, open_database
from localgov.storage.migrations import migrate

__all__ = ["SqlStore", "SqlTransaction"]

class SqlTransaction:
    """One write transaction; everything in it commits together or not at all."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def next_sequence(self, scope: str, year: int) -> int:
        table = schema.sequences
        # UPDATE first: it takes the row lock, so two workers never get the same number.
        updated = self._connection.execute(
            table.update()
            .where(table.c.scope == scope, table.c.year == year)
            .values(last=table.c.last + 1)
            .returning(table.c.last)
        ).scalar()
        if updated is not None:
            return int(updated)
        self._connection.execute(table.insert().values(scope=scope, year=year, last=1))
        return 1

    def claim_idempotency_key(self, key: str, fingerprint: str, request_id: str) -> None:
        self._connection.execute(
            schema.idempotency.insert().values(key=key, fingerprint=fingerprint, request_id=request_id)
        )

    def insert_request(self, row: RequestRow) -> None:
        self._connection.execute(schema.requests.insert().values(**_request_values(row)))

    def update_request(self, row: RequestRow, expected_version: int) -> bool:
        table = schema.requests
        result = self._connection.execute(
            table.update()
            .where(table.c.id == row.id, table.c.version == expected_version)
            .values(**_request_values(row))
        )
        return result.rowcount == 1

    def append_event(self, event: EventRow) -> None:
        self._connection.execute(
            schema.events.insert().values(
                request_id=event.request_id,
                seq=event.seq,
                at=event.at,
                actor=event.actor,
                role=event.role,
                action=event.action,
                from_state=event.from_state,
                to_state=event.to_state,
                data=dict(event.data),
                prev_hash=event.prev_hash,
                hash=event.hash,
            )
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
            row = connection.execute(
                sa.select(schema.requests).where(schema.requests.c.id == request_id)
            ).mappings().first()
        return None if row is None else RequestRow(**row)

    def events(self, request_id: str) -> list[EventRow]:
        table = schema.events
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(table).where(table.c.request_id == request_id).order_by(table.c.seq)
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
        table = schema.requests
        query = sa.select(
            table.c.id, table.c.service, table.c.state, table.c.version, table.c.unit,
            table.c.assigned_to, table.c.due_date,
        )
        if unit is not None:
            query = query.where(table.c.unit == unit)
        if open_only:
            query = query.where(table.c.closed.is_(False))
        # Fetched whole, not streamed: a caller may query again while going through the list.
        with self.engine.connect() as connection:
            return [SummaryRow(*row) for row in connection.execute(query.order_by(table.c.id))]

    def request_ids(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.select(schema.requests.c.id).order_by(schema.requests.c.id)).scalars())

    def open_assignments(self, unit: str) -> Mapping[str, int]:
        table = schema.requests
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(table.c.assigned_to, sa.func.count())
                .where(table.c.unit == unit, table.c.closed.is_(False), table.c.assigned_to.is_not(None))
                .group_by(table.c.assigned_to)
            )
            return Counter({staff: count for staff, count in rows})

    def put_document(self, sha256: str, content: bytes, media_type: str) -> None:
        table = schema.documents
        with self.transaction() as transaction:
            connection = transaction._connection
            exists = connection.execute(sa.select(table.c.sha256).where(table.c.sha256 == sha256)).first()
            if exists is None:
                connection.execute(
                    table.insert().values(sha256=sha256, media_type=media_type, size=len(content), content=content)
                )

    def get_document(self, sha256: str) -> bytes | None:
        table = schema.documents
        with self.engine.connect() as connection:
            return connection.execute(sa.select(table.c.content).where(table.c.sha256 == sha256)).scalar()


def _integrity(error: sa.exc.IntegrityError) -> Exception:
    text = str(error.orig).lower()
    if "lg_idempotency" in text or "idempotency" in text:
        return IdempotencyKeyReused("this idempotency key was used by a concurrent submission")
    return error
