"""Schema migrations: an ordered list of steps, each applied once, in its own transaction.

Start-up calls :func:`migrate`; many workers may start at once, so on PostgreSQL the run holds an
advisory lock and on SQLite the write transaction (BEGIN IMMEDIATE) serialises it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import sqlalchemy as sa

from localgov.storage import schema
from localgov.storage.database import WRITE

__all__ = ["MIGRATIONS", "current_version", "migrate"]


def _v1_initial(connection: sa.Connection) -> None:
    tables = [schema.requests, schema.events, schema.sequences, schema.idempotency, schema.documents]
    schema.metadata.create_all(connection, tables=tables)


def _v2_workload(connection: sa.Connection) -> None:
    schema.metadata.create_all(connection, tables=[schema.workload])
    requests = schema.requests
    counts = (
        sa.select(requests.c.assigned_to, sa.func.count())
        .where(requests.c.closed.is_(False), requests.c.assigned_to.is_not(None))
        .group_by(requests.c.assigned_to)
    )
    connection.execute(schema.workload.insert().from_select(["staff_id", "open_cases"], counts))


def _v3_unit_index(connection: sa.Connection) -> None:
    # v1 indexed (unit, state) and (assigned_to, state); every decision moved the request's
    # entries in both. Lists filter by unit; assignment reads lg_workload.
    for index in ("lg_requests_unit_state", "lg_requests_assigned"):
        connection.execute(sa.text(f"DROP INDEX IF EXISTS {index}"))
    by_unit = next(index for index in schema.requests.indexes if index.name == "lg_requests_unit")
    by_unit.create(connection, checkfirst=True)


# Append new steps; never edit one that has shipped.
MIGRATIONS: tuple[tuple[int, str, Callable[[sa.Connection], None]], ...] = (
    (1, "requests, events, sequences, idempotency keys, documents", _v1_initial),
    (2, "open cases per employee, for assignment", _v2_workload),
    (3, "index requests by unit only, a column decisions never change", _v3_unit_index),
)

_ADVISORY_LOCK_ID = 0x6C67_6F76  # "lgov"


def current_version(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(schema.schema_version.name):
            return 0
        return connection.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar() or 0


def migrate(engine: sa.Engine) -> int:
    """Bring the schema up to date; return the version now in force."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
            schema.metadata.create_all(connection, tables=[schema.schema_version])
            applied = set(connection.execute(sa.select(schema.schema_version.c.version)).scalars())
            for version, _description, step in MIGRATIONS:
                if version in applied:
                    continue
                step(connection)
                connection.execute(
                    schema.schema_version.insert().values(
                        version=version, applied_at=datetime.datetime.now(datetime.UTC).isoformat()
                    )
                )
    return MIGRATIONS[-1][0]
