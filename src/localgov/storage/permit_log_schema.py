"""The permit log's tables, their migrations, and the statements an append runs.

Four tables: the entries in order (``lg_log_entries``), the hash of every complete subtree by
``(level, idx)`` (``lg_log_nodes``), the checkpoints the log signed (``lg_log_checkpoints``) and one
state row (``lg_log_state``) that appends lock. Migrated by the storage's one runner
(:data:`LOG_TABLES`).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import sqlalchemy as sa

from localgov.storage.migrations import Migration, TableSet

__all__ = [
    "LOG_MIGRATIONS",
    "LOG_TABLES",
    "AppendStatements",
    "append_statements",
    "leaves_by_hash",
    "log_checkpoints",
    "log_entries",
    "log_metadata",
    "log_nodes",
    "log_state",
]

log_metadata = sa.MetaData()

log_schema_version = sa.Table(
    "lg_log_schema_version",
    log_metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(40), nullable=False),
)

# One row: the committed size. Appends lock it, so they queue instead of racing for an index.
log_state = sa.Table(
    "lg_log_state",
    log_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    # The hashes of the complete subtrees on the tree's right edge (one per set bit of the size,
    # lowest level first): all an append needs to hash, read with the size in one row.
    sa.Column("edge", sa.LargeBinary, nullable=False),
    # The log's identity (a checkpoint's first line), fixed when the log is first opened.
    sa.Column("origin", sa.String(200)),
)

log_entries = sa.Table(
    "lg_log_entries",
    log_metadata,
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("entry", sa.LargeBinary, nullable=False),
    sa.Column("appended_at", sa.String(32), nullable=False),
)

log_nodes = sa.Table(
    "lg_log_nodes",
    log_metadata,
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)

log_checkpoints = sa.Table(
    "lg_log_checkpoints",
    log_metadata,
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("made_at", sa.String(32), nullable=False),
)


def _v1(connection: sa.Connection) -> None:
    log_metadata.create_all(connection, tables=[log_state, log_entries, log_nodes, log_checkpoints])
    connection.execute(log_state.insert().values(id=1, size=0, edge=b""))


# A permit's verifier holds its token, hence its leaf hash, not its index: finding the leaf by
# hash is what lets a verification page ask for the proof. Only leaves (level 0) are indexed;
# with idx in it the index answers the lookup alone (and SQLite prefers it to the primary key).
leaves_by_hash = sa.Index(
    "lg_log_leaves_by_hash",
    log_nodes.c.hash,
    log_nodes.c.idx,
    sqlite_where=log_nodes.c.level == 0,
    postgresql_where=log_nodes.c.level == 0,
)


def _v2(connection: sa.Connection) -> None:
    leaves_by_hash.create(connection, checkfirst=True)  # a new database has it from version 1


# SQLite keeps a table as a B-tree by rowid, and a primary key that is not INTEGER PRIMARY KEY as
# an index beside it: every entry and every subtree hash was written twice, and each append made
# about 7.7 pages dirty (4 kB each, to the WAL and later to the file) against 1 for a one-row
# commit. Entries by their index as the rowid, subtree hashes in their primary key's B-tree
# alone (WITHOUT ROWID): about 5.7 (bench/bench_integrity.py, part a). Statements written out, as
# tables that shipped must not change under later steps; PostgreSQL's tables are left as they are.
_V3_SQLITE = (
    "CREATE TABLE lg_log_entries_v3 (idx INTEGER PRIMARY KEY, entry BLOB NOT NULL, appended_at VARCHAR(32) NOT NULL)",
    "INSERT INTO lg_log_entries_v3 (idx, entry, appended_at) SELECT idx, entry, appended_at FROM lg_log_entries",
    "DROP TABLE lg_log_entries",
    "ALTER TABLE lg_log_entries_v3 RENAME TO lg_log_entries",
    (
        "CREATE TABLE lg_log_nodes_v3 (level SMALLINT NOT NULL, idx BIGINT NOT NULL, hash BLOB NOT NULL, "
        "PRIMARY KEY (level, idx)) WITHOUT ROWID"
    ),
    "INSERT INTO lg_log_nodes_v3 (level, idx, hash) SELECT level, idx, hash FROM lg_log_nodes ORDER BY level, idx",
    "DROP TABLE lg_log_nodes",
    "ALTER TABLE lg_log_nodes_v3 RENAME TO lg_log_nodes",
    "CREATE INDEX lg_log_leaves_by_hash ON lg_log_nodes (hash, idx) WHERE level = 0",
)


def _v3(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":
        for statement in _V3_SQLITE:
            connection.exec_driver_sql(statement)


LOG_MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "permit log: entries, subtree hashes, checkpoints", _v1),
    Migration(2, "permit log: leaves found by their hash", _v2),
    Migration(3, "permit log on SQLite: each entry and subtree hash in one B-tree, not two", _v3),
)

#: The permit log's tables, migrated by the storage's one runner.
LOG_TABLES = TableSet("permit log", log_schema_version, LOG_MIGRATIONS, lock_id=0x6C67_6C67)  # "lglg"


class AppendStatements(NamedTuple):
    lock: str
    insert_entry: str
    insert_node: str
    update_state: str


@functools.cache
def append_statements(dialect: str) -> AppendStatements:
    """An append's statements in the driver's own parameter style, run without SQLAlchemy's compiler."""
    mark = "%s" if dialect == "postgresql" else "?"
    lock = "SELECT size, edge FROM lg_log_state WHERE id = 1" + (" FOR UPDATE" if dialect == "postgresql" else "")
    return AppendStatements(
        lock=lock,
        insert_entry=f"INSERT INTO lg_log_entries (idx, entry, appended_at) VALUES ({mark}, {mark}, {mark})",
        insert_node=f"INSERT INTO lg_log_nodes (level, idx, hash) VALUES ({mark}, {mark}, {mark})",
        update_state=f"UPDATE lg_log_state SET size = {mark}, edge = {mark} WHERE id = 1",
    )
