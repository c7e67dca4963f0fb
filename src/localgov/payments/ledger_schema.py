"""The payment ledger's tables and their migrations, run by the storage's one runner.

Beside the core store's tables in the same database. Amounts are stored as decimal text and
timestamps as UTC text (``2026-03-01T08:00:00.000000Z``), which sorts in time order in SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import sqlalchemy as sa

from localgov.storage.migrations import Migration, TableSet, migrate

__all__ = [
    "MIGRATIONS",
    "PAYMENT_TABLES",
    "migrate_payments",
    "notifications",
    "orders",
    "payments_metadata",
    "refunds",
]

payments_metadata = sa.MetaData()

schema_version = sa.Table(
    "lg_payments_schema_version",
    payments_metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(40), nullable=False),
)

orders = sa.Table(
    "lg_payment_orders",
    payments_metadata,
    sa.Column("merchant_ref", sa.String(64), primary_key=True),
    sa.Column("request_id", sa.String(32), nullable=False, index=True),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("provider_ref", sa.String(64), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("amount", sa.String(24), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("reference_number", sa.String(64)),
    sa.Column("redirect_url", sa.String(500)),
    sa.Column("items", sa.JSON, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32)),
    sa.Column("credited_at", sa.String(32)),
    sa.Column("refunded", sa.String(24), nullable=False),
    sa.Index("lg_payment_orders_provider_ref", "provider", "provider_ref"),
    sa.Index("lg_payment_orders_status", "status"),
)

notifications = sa.Table(
    "lg_payment_notifications",
    payments_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False, index=True),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("key", sa.String(200)),
    sa.Column("merchant_ref", sa.String(64)),
    sa.Column("provider_ref", sa.String(64)),
    sa.Column("request_id", sa.String(32)),
    sa.Column("status", sa.String(24)),
    sa.Column("amount", sa.String(24)),
    sa.Column("currency", sa.String(8)),
    sa.Column("detail", sa.String(500), nullable=False),
    sa.Column("body_sha256", sa.String(64), nullable=False),
    sa.Index("lg_payment_notifications_key", "provider", "key"),
)

refunds = sa.Table(
    "lg_payment_refunds",
    payments_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("merchant_ref", sa.String(64), nullable=False, index=True),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("amount", sa.String(24), nullable=False),
    sa.Column("reason", sa.String(500)),
    sa.Column("refund_ref", sa.String(64)),
    sa.Column("requested_by", sa.String(64), nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
)


def _v1(connection: sa.Connection) -> None:
    payments_metadata.create_all(connection, tables=[orders, notifications, refunds])


# Append new steps; never edit one that has shipped.
MIGRATIONS: tuple[Migration, ...] = (Migration(1, "payment orders, notifications, refunds", _v1),)

#: The payment ledger's tables, migrated by the storage's one runner.
PAYMENT_TABLES = TableSet("payments", schema_version, MIGRATIONS, lock_id=0x6C67_7061)  # "lgpa"


def migrate_payments(engine: sa.Engine) -> int:
    """Create or update the payments tables; return the version in force. Safe to call at every start."""
    return migrate(engine, PAYMENT_TABLES)
