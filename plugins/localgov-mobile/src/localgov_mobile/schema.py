"""The server's tables for the mobile district: the plugin's own table set, not a core migration.

``mob_devices``: each device certificate seen, and the next sequence expected from it.
``mob_submissions``: every submission decided, accepted or rejected, with its signed envelope,
so nothing a tablet sent is lost even when the catalogue no longer takes it.
``mob_refusals``: every submission refused (revoked device, forged or malformed signature).
``mob_bundles``: each edition of a unit's bundle, by the digest of its catalogue entries.
``mob_enrolments``: the one-time codes with which a device asks for its certificate.
``mob_manifests``: each sync request's manifest the server relied on instead of checking its
submissions' own signatures one by one (:mod:`localgov_mobile.manifest`): the evidence that
the device signed them.
"""

from __future__ import annotations

import sqlalchemy as sa

from localgov.storage import Migration, TableSet

__all__ = ["MOBILE_TABLES", "bundles", "devices", "enrolments", "manifests", "metadata", "refusals", "submissions"]

metadata = sa.MetaData()

schema_version = sa.Table(
    "mob_schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(40), nullable=False),
)

devices = sa.Table(
    "mob_devices",
    metadata,
    sa.Column("kid", sa.LargeBinary(8), primary_key=True),
    sa.Column("device_id", sa.String(64), nullable=False),
    sa.Column("unit", sa.String(64), nullable=False),
    sa.Column("certificate", sa.LargeBinary, nullable=False),
    sa.Column("next_sequence", sa.BigInteger, nullable=False),
    sa.Column("first_seen", sa.String(32), nullable=False),
    sa.Column("last_sync", sa.String(32), nullable=False),
)

submissions = sa.Table(
    "mob_submissions",
    metadata,
    sa.Column("kid", sa.LargeBinary(8), primary_key=True),
    sa.Column("sequence", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("idempotency_key", sa.String(120), nullable=False, unique=True),
    sa.Column("device_id", sa.String(64), nullable=False),
    sa.Column("service", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("request_id", sa.String(40)),
    sa.Column("reason", sa.Text),
    sa.Column("taken_at", sa.String(32), nullable=False),  # the device's clock
    sa.Column("received_at", sa.String(32), nullable=False),  # the server's
    sa.Column("clock_skew", sa.BigInteger, nullable=False),  # device minus server, seconds
    sa.Column("bundle_sequence", sa.BigInteger, nullable=False),
    sa.Column("stale_bundle", sa.Boolean, nullable=False),
    sa.Column("envelope", sa.LargeBinary, nullable=False),
)

refusals = sa.Table(
    "mob_refusals",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("kid", sa.LargeBinary(8), nullable=False),
    sa.Column("device_id", sa.String(64)),
    sa.Column("sequence", sa.BigInteger),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.Column("envelope_sha256", sa.LargeBinary(32), nullable=False),
)

bundles = sa.Table(
    "mob_bundles",
    metadata,
    sa.Column("unit", sa.String(64), primary_key=True),
    sa.Column("sequence", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("digest", sa.LargeBinary(32), nullable=False),
    sa.Column("issued_at", sa.String(32), nullable=False),
)


enrolments = sa.Table(
    "mob_enrolments",
    metadata,
    sa.Column("code_hash", sa.LargeBinary(32), primary_key=True),  # SHA-256 of the one-time code
    sa.Column("issuer", sa.String(64), nullable=False),
    sa.Column("device_id", sa.String(64), nullable=False),
    sa.Column("offered_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=False),
    sa.Column("used_at", sa.String(32)),
    sa.Column("kid", sa.LargeBinary(8)),  # the certificate it was used for
)

manifests = sa.Table(
    "mob_manifests",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("kid", sa.LargeBinary(8), nullable=False),
    sa.Column("received_at", sa.String(32), nullable=False),
    sa.Column("manifest", sa.LargeBinary, nullable=False),  # its list names each envelope by SHA-256
)


def _v1(connection: sa.Connection) -> None:
    metadata.create_all(connection, tables=[devices, submissions, refusals, bundles])


def _v2(connection: sa.Connection) -> None:
    metadata.create_all(connection, tables=[enrolments])


def _v3(connection: sa.Connection) -> None:
    metadata.create_all(connection, tables=[manifests])


MOBILE_MIGRATIONS = (
    Migration(1, "mobile district: devices, submissions, refusals, bundles", _v1),
    Migration(2, "mobile district: one-time enrolment codes", _v2),
    Migration(3, "mobile district: the sync requests' manifests", _v3),
)

#: The mobile plugin's tables, migrated by the storage's one runner.
MOBILE_TABLES = TableSet("mobile", schema_version, MOBILE_MIGRATIONS, lock_id=0x6C67_6D62)  # "lgmb"
