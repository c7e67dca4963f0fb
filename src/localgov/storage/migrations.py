"""Schema migrations: one runner for every set of tables, each step applied once, in order.

A *table set* is tables one component owns (the core's requests and events, the payment ledger,
...), with its own version table and its own list of steps. :func:`migrate` brings any set up
to date. Many workers may start at once, so on PostgreSQL the run holds an advisory lock (one per
set) and on SQLite the write transaction (BEGIN IMMEDIATE) serialises it.

A database that a newer localgov has migrated further than this one knows is refused with
:class:`DatabaseTooNew` before anything is written: an older release must not write rows in a
shape the newer schema no longer means.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import NamedTuple

import attrs
import sqlalchemy as sa

from localgov.errors import LocalgovError
from localgov.storage import schema
from localgov.storage.chain_heads import CHANGE_XID
from localgov.storage.database import WRITE

__all__ = [
    "CORE",
    "MIGRATIONS",
    "DatabaseTooNew",
    "Migration",
    "StorageError",
    "TableSet",
    "current_version",
    "migrate",
]


class StorageError(LocalgovError):
    """The database cannot be used as it is."""


class DatabaseTooNew(StorageError):
    """The database was migrated by a newer localgov than this one."""


class Migration(NamedTuple):
    version: int
    description: str
    apply: Callable[[sa.Connection], None]


@attrs.frozen
class TableSet:
    """The tables one component owns, the table recording which steps ran, and the steps."""

    name: str
    version_table: sa.Table
    steps: tuple[Migration, ...]
    #: PostgreSQL advisory lock held while this set migrates (distinct per set).
    lock_id: int

    @property
    def latest(self) -> int:
        return self.steps[-1].version


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
    # Written out, not taken from the table (step 6 replaced it there), and never as an sa.Index
    # on the table's columns, which would attach itself to the table for every later create_all.
    connection.execute(sa.text("CREATE INDEX IF NOT EXISTS lg_requests_unit ON lg_requests (unit)"))


def _v4_notices(connection: sa.Connection) -> None:
    schema.metadata.create_all(connection, tables=[schema.notices, schema.notice_parts, schema.opt_outs])


def _v5_refusals(connection: sa.Connection) -> None:
    schema.metadata.create_all(connection, tables=[schema.refusals])


def _v6_paged_lists(connection: sa.Connection) -> None:
    # (unit) -> (unit, submitted_at, id): still every lookup by unit, and now also a unit's list
    # newest first, a page at a time, without sorting the unit's rows. Columns a decision never
    # changes, as before.
    connection.execute(sa.text("DROP INDEX IF EXISTS lg_requests_unit"))
    paged = next(index for index in schema.requests.indexes if index.name == "lg_requests_unit_submitted")
    paged.create(connection, checkfirst=True)


def _v7_attempts(connection: sa.Connection) -> None:
    schema.metadata.create_all(connection, tables=[schema.attempts])


def _v8_event_changes(connection: sa.Connection) -> None:
    # What an incremental audit checkpoint asks for: the events appended since its last read
    # (localgov.storage.chain_heads). On SQLite their rowid already says it; on PostgreSQL each
    # event records its transaction. Rows from before stay NULL: older than any mark.
    if connection.dialect.name != "postgresql":
        return
    column = CHANGE_XID
    connection.execute(sa.text(f"ALTER TABLE lg_events ADD COLUMN IF NOT EXISTS {column} bigint"))
    connection.execute(
        sa.text(f"ALTER TABLE lg_events ALTER COLUMN {column} SET DEFAULT (pg_current_xact_id()::text::bigint)")
    )
    connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS lg_events_{column} ON lg_events ({column})"))


# Append new steps; never edit one that has shipped.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "requests, events, sequences, idempotency keys, documents", _v1_initial),
    Migration(2, "open cases per employee, for assignment", _v2_workload),
    Migration(3, "index requests by unit only, a column decisions never change", _v3_unit_index),
    Migration(4, "the notification outbox, its delivered parts, opt-outs", _v4_notices),
    Migration(5, "attempts refused for separation of duties", _v5_refusals),
    Migration(6, "index requests by unit and submission time, for paged lists", _v6_paged_lists),
    Migration(7, "attempts counted against limits, shared by every worker", _v7_attempts),
    Migration(8, "events say when they were appended, for incremental audit checkpoints", _v8_event_changes),
)

#: The core's tables: requests, their events, counters, idempotency keys, documents.
CORE = TableSet("core", schema.schema_version, MIGRATIONS, lock_id=0x6C67_6F76)  # "lgov"


def current_version(engine: sa.Engine, tables: TableSet = CORE) -> int:
    """The last step of ``tables`` applied to the database (0 when none has been)."""
    with engine.connect() as connection:
        return _applied_version(connection, tables)


def _applied_version(connection: sa.Connection, tables: TableSet) -> int:
    if not sa.inspect(connection).has_table(tables.version_table.name):
        return 0
    return connection.execute(sa.select(sa.func.max(tables.version_table.c.version))).scalar() or 0


def migrate(engine: sa.Engine, tables: TableSet = CORE) -> int:
    """Bring ``tables`` up to date; return the version now in force. Safe to call at every start.

    Raises :class:`DatabaseTooNew`, writing nothing, when the database is ahead of this release.
    """
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": tables.lock_id})
            _refuse_newer(connection, engine, tables)
            tables.version_table.create(connection, checkfirst=True)
            applied = set(connection.execute(sa.select(tables.version_table.c.version)).scalars())
            for step in tables.steps:
                if step.version in applied:
                    continue
                step.apply(connection)
                connection.execute(
                    tables.version_table.insert().values(
                        version=step.version, applied_at=datetime.datetime.now(datetime.UTC).isoformat()
                    )
                )
    return tables.latest


def _refuse_newer(connection: sa.Connection, engine: sa.Engine, tables: TableSet) -> None:
    found = _applied_version(connection, tables)
    if found > tables.latest:
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseTooNew(
            f"{where}: its {tables.name} tables are at schema version {found}, newer than the "
            f"{tables.latest} this localgov knows; upgrade localgov to open it"
        )
