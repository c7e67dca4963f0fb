"""The report projection's tables: one narrow row per request, per step and per ledger item.

Reports never read the sealed JSON records or parse timestamps in SQL. The projection keeps,
beside the store's tables, what a figure needs already resolved: local dates (Cairo's, not UTC),
working-day indexes from the calendar, the organisation's zone and the catalogue's department.
Every figure is then an indexed aggregate that SQLite, PostgreSQL and DuckDB run alike.

Money is kept as whole piastres (integers), so sums are exact in every dialect.
"""

from __future__ import annotations

import sqlalchemy as sa

from localgov.storage import Migration, TableSet, migrate

__all__ = [
    "REPORT_TABLES",
    "meta",
    "migrate_reports",
    "report_metadata",
    "report_requests",
    "report_revenue",
    "report_steps",
]

report_metadata = sa.MetaData()

schema_version = sa.Table(
    "lg_report_schema_version",
    report_metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(40), nullable=False),
)

# Working-day indexes (``*_wd``) count the working days up to and including a date from a fixed
# origin, so ``b_wd - a_wd`` is the calendar's ``working_days_between(a, b)``: a subtraction, not a
# calendar walk, for every row of an aggregate.
report_requests = sa.Table(
    "lg_report_requests",
    report_metadata,
    sa.Column("request_id", sa.String(32), primary_key=True),
    sa.Column("governorate", sa.String(8), nullable=False),
    sa.Column("zone", sa.String(64)),
    sa.Column("unit", sa.String(64), nullable=False),
    sa.Column("service_point", sa.String(64)),
    sa.Column("service", sa.String(64), nullable=False),
    sa.Column("department", sa.String(64)),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("submitted_on", sa.Date, nullable=False),
    sa.Column("submitted_wd", sa.Integer, nullable=False),
    sa.Column("state", sa.String(64), nullable=False),
    # completed, rejected or withdrawn once closed; NULL while open.
    sa.Column("outcome", sa.String(16)),
    sa.Column("closed_on", sa.Date),
    sa.Column("closed_wd", sa.Integer),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("due_wd", sa.Integer, nullable=False),
    sa.Column("limit_days", sa.Integer),
    # Working days spent in paused states that have ended; the open pause is not counted yet.
    sa.Column("paused_wd", sa.Integer, nullable=False),
    # The same, split by what the clock waited on: the applicant (a missing document) or a payment.
    sa.Column("paused_applicant_wd", sa.Integer, nullable=False),
    sa.Column("paused_payment_wd", sa.Integer, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False),
    # Working days from submission to closing, less the paused ones; NULL while open.
    sa.Column("taken_wd", sa.Integer),
    # Completed no later than its due date (which already moved by the paused days).
    sa.Column("within_limit", sa.Boolean),
    sa.Column("event_count", sa.Integer, nullable=False),
    # Covering indexes: each main report reads its index alone, not the table. SQLite would otherwise
    # look up a table row for every index entry of a year (a second a million rows); with the unit
    # in them, a split or filter by unit is covered too.
    sa.Index(
        "lg_report_requests_completed",
        "outcome",
        "closed_on",
        "unit",
        "taken_wd",
        "within_limit",
        "paused_applicant_wd",
        "paused_payment_wd",
    ),
    sa.Index("lg_report_requests_flow", "submitted_on", "closed_on", "outcome", "submitted_wd", "unit"),
    sa.Index("lg_report_requests_open", "outcome", "paused", "due_date", "due_wd", "unit"),
)

# One row per event: the action taken, and the state it put the request in. The rows that open a
# stay tile the request's life: each stay lasts until the next one opens.
report_steps = sa.Table(
    "lg_report_steps",
    report_metadata,
    sa.Column("request_id", sa.String(32), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", sa.String(32), nullable=False),  # UTC, 2026-02-01T08:00:00.000000Z: sorts in time order
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("wd", sa.Integer, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("role", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    # submit, advance, send_back, reject, withdraw, complete, payment
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("state", sa.String(64), nullable=False),
    # Whether the event put the request in a new state (or submitted it): a stay in the state starts.
    # An event that leaves the state as it was (a part payment) only adds to the stay before it.
    sa.Column("opens_stay", sa.Boolean, nullable=False),
    sa.Column("clock", sa.String(8), nullable=False),  # running or paused
    sa.Column("pause_kind", sa.String(16)),  # applicant or payment, when paused
    sa.Column("final", sa.Boolean, nullable=False),
    sa.Column("holder", sa.String(64)),  # who the request was assigned to while in the state
    # When the stay ended (the next event that changed the state); NULL while it lasts, and on
    # rows that open no stay.
    sa.Column("left_at", sa.String(32)),
    sa.Column("left_on", sa.Date),
    sa.Column("held_wd", sa.Integer),
    sa.Column("provider", sa.String(32)),  # payment steps: who collected
    sa.Column("amount_piastres", sa.BigInteger),
    sa.Index("lg_report_steps_on", "on_date"),
    sa.Index("lg_report_steps_left", "left_on"),
)

# One row per charge item of each ledger order credited (the ledger is the money's source).
report_revenue = sa.Table(
    "lg_report_revenue",
    report_metadata,
    sa.Column("merchant_ref", sa.String(64), primary_key=True),
    sa.Column("line", sa.Integer, primary_key=True),
    sa.Column("request_id", sa.String(32), nullable=False),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("item", sa.String(64), nullable=False),
    sa.Column("amount_piastres", sa.BigInteger, nullable=False),
    sa.Column("refunded_piastres", sa.BigInteger, nullable=False),
    sa.Column("credited_on", sa.Date, nullable=False),
    sa.Column("order_updated_at", sa.String(32), nullable=False),
    sa.Index("lg_report_revenue_credited", "credited_on"),
)

# When the projection last caught up, and with which calendar (a changed calendar means rebuild).
meta = sa.Table(
    "lg_report_meta",
    report_metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)


def _v1(connection: sa.Connection) -> None:
    report_metadata.create_all(connection, tables=[report_requests, report_steps, report_revenue, meta])


# Append new steps; never edit one that has shipped.
MIGRATIONS: tuple[Migration, ...] = (Migration(1, "report projection: requests, steps, revenue", _v1),)

#: The report projection's tables, migrated by the storage's one runner.
REPORT_TABLES = TableSet("reports", schema_version, MIGRATIONS, lock_id=0x6C67_7270)  # "lgrp"


def migrate_reports(engine: sa.Engine) -> int:
    """Create or update the report tables; return the version in force. Safe to call at every start."""
    return migrate(engine, REPORT_TABLES)
