"""Tables of the durable store (SQLAlchemy Core), the same for SQLite and PostgreSQL.

Timestamps that enter the history hash are kept as ISO 8601 text, never as a database timestamp
type: SQLite and PostgreSQL round-trip timestamps differently, and a hash must be recomputable
from exactly what was stored.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "DUE_STATES_SQL",
    "attempts",
    "documents",
    "events",
    "idempotency",
    "metadata",
    "notice_parts",
    "notices",
    "opt_outs",
    "refusals",
    "requests",
    "schema_version",
    "sequences",
    "workload",
]

metadata = sa.MetaData()

schema_version = sa.Table(
    "lg_schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(40), nullable=False),
)

requests = sa.Table(
    "lg_requests",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("governorate", sa.String(8), nullable=False),
    sa.Column("unit", sa.String(64), nullable=False),
    sa.Column("service", sa.String(64), nullable=False),
    sa.Column("state", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("closed", sa.Boolean, nullable=False),
    sa.Column("assigned_to", sa.String(64)),
    sa.Column("due_date", sa.Date),
    sa.Column("submitted_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("event_count", sa.Integer, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    # Only columns a decision never changes are indexed: a decision then rewrites the row alone
    # (one page on SQLite, a HOT update on PostgreSQL), not index entries on every step. By unit
    # and submission time: a unit's list, newest first, is a range of this index, page by page.
    sa.Index("lg_requests_unit_submitted", "unit", "submitted_at", "id"),
)

events = sa.Table(
    "lg_events",
    metadata,
    sa.Column("request_id", sa.String(32), sa.ForeignKey("lg_requests.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("role", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("from_state", sa.String(64)),
    sa.Column("to_state", sa.String(64), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

sequences = sa.Table(
    "lg_sequences",
    metadata,
    sa.Column("scope", sa.String(32), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

idempotency = sa.Table(
    "lg_idempotency",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("request_id", sa.String(32), nullable=False),
)

documents = sa.Table(
    "lg_documents",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

# Open cases assigned to each employee, kept in step with lg_requests.assigned_to in the same
# transactions, so load-balanced assignment reads a few rows instead of counting every open case.
workload = sa.Table(
    "lg_workload",
    metadata,
    sa.Column("staff_id", sa.String(64), primary_key=True),
    sa.Column("open_cases", sa.Integer, nullable=False),
)

#: The states in which a notice is due, as SQL: a partial index's predicate, which a query must
#: repeat word for word (with no bound parameter) for the database to use the index.
DUE_STATES_SQL = "state IN ('pending', 'sending')"

# The notification outbox: one row per message to an applicant, inserted in the transaction of
# the event it tells about (localgov.requests.ports.NoticeRow) and then delivered by
# localgov.notifications. next_attempt_at, in seconds since the epoch (compared, never hashed), is
# when a pending row is due and, while a dispatcher holds a row in "sending", when its lease ends.
# Attempts the engine refused for separation of duties, for the supervisors' reports; not a fact
# of any history (docs/integrity.md).
refusals = sa.Table(
    "lg_refusals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Index("lg_refusals_at", "at"),
)

# Attempts counted against a limit (wrong access codes, SMS inquiries), shared by every worker:
# localgov.storage.attempts. The key is stored as a digest, not the address or number itself, and
# rows older than their window are deleted as new ones come.
attempts = sa.Table(
    "lg_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(32), nullable=False),
    sa.Column("key_digest", sa.String(32), nullable=False),
    # Seconds since the epoch on the worker's wall clock: workers on several machines share it.
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("lg_attempts_key", "scope", "key_digest", "at"),
)

notices = sa.Table(
    "lg_notices",
    metadata,
    sa.Column("message_id", sa.String(80), primary_key=True),
    sa.Column("request_id", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("recipient", sa.String(20), nullable=False),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("required", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    # pending -> sending -> sent -> delivered | undelivered; pending -> dead | suppressed
    sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.Float, nullable=False, server_default="0"),
    sa.Column("notifier", sa.String(64)),
    sa.Column("last_error", sa.Text),
    sa.Column("sent_at", sa.String(40)),
    sa.Column("delivered_at", sa.String(40)),
    # Dispatchers look for due rows, those pending or being sent: a partial index holds only them,
    # so a message that moves on (sent, delivered) leaves it once and costs it nothing after.
    # In the order dispatchers take them (due, then as queued), so a claim reads the first rows
    # of the index and sorts nothing, however long the queue.
    sa.Index(
        "lg_notices_due",
        "next_attempt_at",
        "created_at",
        "message_id",
        sqlite_where=sa.text(DUE_STATES_SQL),
        postgresql_where=sa.text(DUE_STATES_SQL),
    ),
    # No index on request_id: every message id begins "<request id>/", so a request's messages
    # are a range of the primary key, and a decision writes one index entry fewer.
)

# Each part the gateway accepted, by the gateway's own id: what a delivery receipt names.
notice_parts = sa.Table(
    "lg_notice_parts",
    metadata,
    sa.Column("notifier", sa.String(64), primary_key=True),
    sa.Column("provider_id", sa.String(80), primary_key=True),
    sa.Column("message_id", sa.String(80), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Index("lg_notice_parts_message", "message_id"),
)

# Mobile numbers whose owner asked for no informational SMS (E.164).
opt_outs = sa.Table(
    "lg_opt_outs",
    metadata,
    sa.Column("phone", sa.String(20), primary_key=True),
    sa.Column("at", sa.String(40), nullable=False),
)
