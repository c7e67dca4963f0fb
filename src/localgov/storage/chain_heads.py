"""Chain heads as audit checkpoints list them, all of a unit's or only those changed since a mark.

A checkpoint of a million requests cannot read a million rows every time and stay under a second,
so a checkpointer asks for the heads whose history may have changed since its previous read. What
marks a change is the event appended with it:

* SQLite: an event's rowid. One writer at a time takes the next rowid and commits before the next
  writer begins, so every event committed after a read of ``max(rowid)`` has a larger one.
* PostgreSQL: the id of the transaction that appended the event (``lg_events.change_xid``, set by
  the column's default, indexed; migration 8). Transactions commit out of id order, so the mark
  is the oldest transaction still running when it was read (its snapshot's xmin): every
  transaction not yet visible then has an id at least that large. A later read takes again a few
  heads it already had, never misses one.

The mark is read before the heads, so the heads read are at least as new as the mark says. It is a
hint of what to read again, never evidence: a head a checkpoint states is always read from its
row. An operator who hides a change from it (an event deleted, and its rowid taken again) leaves
the checkpoint holding the older head, which a later ``audit verify --checkpoint`` compares with
the database like any other.
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

from localgov.storage import schema

__all__ = ["ChangeMark", "chain_head_lines", "changed_chain_head_lines"]

#: Opaque to callers: an SQLite rowid of lg_events, or a PostgreSQL transaction id.
ChangeMark = int

_requests, _events = schema.requests, schema.events
# Not a column of schema.events: every write lists that table's columns, and must leave this one
# to its default (PostgreSQL only).
CHANGE_XID = "change_xid"


def _line() -> sa.ColumnElement[str]:
    return _requests.c.id + " " + sa.cast(_requests.c.event_count, sa.String) + " " + _requests.c.head_hash + "\n"


def chain_head_lines(engine: sa.Engine, unit: str) -> list[str]:
    """Every request of ``unit`` as its checkpoint line, in the index's order."""
    return _fetch_first_column(engine, sa.select(_line()).where(_requests.c.unit == unit))


def changed_chain_head_lines(engine: sa.Engine, unit: str, since: ChangeMark | None) -> tuple[list[str], ChangeMark]:
    """The lines of ``unit``'s requests with an event appended after ``since`` (every request's
    when ``since`` is None), and the mark to pass next time."""
    postgresql = engine.dialect.name == "postgresql"
    mark_query = (
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
        if postgresql
        else "SELECT coalesce(max(rowid), 0) FROM lg_events"
    )
    (mark,) = _fetch_first_column(engine, sa.text(mark_query))
    if since is None:
        return chain_head_lines(engine, unit), mark
    changed = _CHANGED_POSTGRESQL if postgresql else _CHANGED_SQLITE
    return _fetch_first_column(engine, changed, unit=unit, since=since), mark


# From the events after the mark to their requests, never the other way: the unit's index would
# lead the planner to read every request of the unit. SQLite keeps the tables in the order a CROSS
# JOIN names them, and reads the events as a range of rowids; a request with several events since
# the mark comes more than once, which the caller's tree takes as one.
_CHANGED_SQLITE = sa.text(
    "SELECT r.id || ' ' || r.event_count || ' ' || r.head_hash || char(10) "
    "FROM lg_events AS e CROSS JOIN lg_requests AS r ON r.id = e.request_id "
    "WHERE e.rowid > :since AND r.unit = :unit"
)
_CHANGED_POSTGRESQL = sa.text(
    "SELECT r.id || ' ' || r.event_count || ' ' || r.head_hash || E'\\n' "
    f"FROM (SELECT DISTINCT request_id FROM lg_events WHERE {CHANGE_XID} >= :since) AS e "
    "JOIN lg_requests AS r ON r.id = e.request_id WHERE r.unit = :unit"
)


def _fetch_first_column(engine: sa.Engine, statement: sa.ClauseElement, **values: Any) -> list[Any]:
    # The driver's cursor, not SQLAlchemy's result rows, which would double the cost of reading
    # a million lines; the database writes each line, so Python makes one object per request.
    compiled = cast(SQLCompiler, statement.compile(dialect=engine.dialect))
    bound = compiled.construct_params(values)
    arguments = [bound[name] for name in compiled.positiontup or ()] if compiled.positional else bound
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(compiled.string, arguments)
        found = [row[0] for row in cursor.fetchall()]
        cursor.close()
        connection.commit()  # end the read transaction psycopg began
    finally:
        connection.close()
    return found
