"""The public log of permits in the same database as the requests (SQLite or PostgreSQL).

Three tables: the entries in order, the hash of every complete subtree (``(level, index)``, the
addressing of :class:`localgov.transparency.NodeId`), and the signed checkpoints the log has
published. An append is one transaction: it locks the log's one state row, reads the right edge
of the tree (at most one hash per level, one query), writes the entry, its leaf hash and the
subtrees it completes, and moves the size on. So many workers append safely (on PostgreSQL the
row lock queues them; on SQLite the write lock does), and a crash mid-append leaves the log as it
was: the size, the entries and the hashes move together or not at all.

Proofs read O(log n) stored hashes in one query and hash nothing but the few partial subtrees on
the right edge, so they cost the same at ten leaves as at ten million.
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from localgov.storage.connections import KeptConnections
from localgov.storage.database import WRITE, open_database
from localgov.storage.migrations import StorageError, migrate
from localgov.storage.permit_log_schema import (
    LOG_TABLES,
    append_statements,
    log_checkpoints,
    log_entries,
    log_nodes,
    log_state,
)
from localgov.transparency import (
    EMPTY_ROOT,
    TILE_WIDTH,
    Checkpoint,
    EntryBundle,
    HashReader,
    IndexOutOfRange,
    MemoryTree,
    NodeId,
    SignedCheckpoint,
    Signer,
    consistency_proof,
    encode_entry_bundle,
    hash_tile,
    inclusion_proof,
    leaf_hash,
    node_hash,
    tiles_for_size,
    tree_root,
)

__all__ = ["LOG_TABLES", "SqlPermitLog", "write_atomically"]


def _edge_levels(size: int) -> list[int]:
    """The levels of the complete subtrees on the right edge of a tree of ``size``: its set bits."""
    return [level for level in range(size.bit_length()) if size >> level & 1]


def _split_hashes(packed: bytes) -> list[bytes]:
    return [packed[at : at + 32] for at in range(0, len(packed), 32)]


def _appended_nodes(size: int, edge: dict[int, bytes], hashes: Sequence[bytes]) -> list[dict[str, object]]:
    """Every subtree hash that appending ``hashes`` (leaf hashes) to a tree of ``size`` completes."""
    rows: list[dict[str, object]] = []
    for offset, hashed in enumerate(hashes):
        index, level = size + offset, 0
        rows.append({"level": 0, "idx": index, "hash": hashed})
        while index & 1:  # a right child: its parent is complete now
            hashed = node_hash(edge.pop(level), hashed)
            level, index = level + 1, index >> 1
            rows.append({"level": level, "idx": index, "hash": hashed})
        edge[level] = hashed
    return rows


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SqlPermitLog(HashReader):
    """An append-only RFC 9162 log of permit and revocation entries in an SQL database.

    >>> log = SqlPermitLog.open("sqlite:///localgov.db", origin="log.cairo.gov.eg/permits")
    >>> index = log.append(entry.encode())
    >>> proof = log.inclusion_proof(index)
    """

    def __init__(self, engine: sa.Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin

    @classmethod
    def open(cls, url: str, *, origin: str | None = None, durable: bool = True) -> SqlPermitLog:
        """Open (and migrate) the log in the database at ``url``.

        The first opening names the log (``origin``, e.g. ``log.cairo.gov.eg/permits``); later
        ones may leave it out, and are refused if they name another.
        """
        engine = open_database(url, durable=durable)
        migrate(engine, LOG_TABLES)
        with engine.connect() as connection:
            connection = connection.execution_options(**{WRITE: True})
            with connection.begin():
                stored = connection.execute(sa.select(log_state.c.origin).where(log_state.c.id == 1)).scalar_one()
                if stored is None and origin is not None:
                    Checkpoint(origin, 0, EMPTY_ROOT)  # refuses an origin no checkpoint could carry
                    connection.execute(log_state.update().where(log_state.c.id == 1).values(origin=origin))
                    stored = origin
        where = engine.url.render_as_string(hide_password=True)
        if stored is None:
            engine.dispose()
            raise StorageError(f"{where}: the permit log has no origin yet; name it the first time (--origin)")
        if origin is not None and origin != stored:
            engine.dispose()
            raise StorageError(f"{where}: the permit log there is {stored!r}, not {origin!r}")
        return cls(engine, stored)

    def close(self) -> None:
        if "_connections" in self.__dict__:
            self._connections.close()
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------------

    def append(self, entry: bytes) -> int:
        """Append one entry; return its index."""
        return self.append_many([entry])[0]

    def append_many(self, entries: Sequence[bytes]) -> list[int]:
        """Append entries in one transaction, in order; return their indexes."""
        if not entries:
            return []
        at = _now()
        sql = append_statements(self.engine.dialect.name)
        with self._driver_transaction() as cursor:
            cursor.execute(sql.lock)
            size, edge_bytes = cursor.fetchone()
            size = int(size)
            edge = dict(zip(_edge_levels(size), _split_hashes(bytes(edge_bytes)), strict=True))
            nodes = _appended_nodes(size, edge, [leaf_hash(entry) for entry in entries])
            cursor.executemany(
                sql.insert_entry, [(size + offset, bytes(entry), at) for offset, entry in enumerate(entries)]
            )
            cursor.executemany(sql.insert_node, [(n["level"], n["idx"], n["hash"]) for n in nodes])
            new_size = size + len(entries)
            cursor.execute(sql.update_state, (new_size, b"".join(edge[level] for level in _edge_levels(new_size))))
        return list(range(size, size + len(entries)))

    @contextmanager
    def _driver_transaction(self) -> Iterator[Any]:
        """A write transaction on the driver's own cursor, on a connection kept between appends.

        An append is five short statements; SQLAlchemy's execution machinery around each, and a
        pool checkout around them, would cost more than the statements themselves.
        """
        connection, checked_out = self._connections.take()
        cursor = connection.cursor()
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            if self.engine.dialect.name == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")  # the write lock first: appends queue, never race
            yield cursor
            connection.commit()
        except BaseException as error:
            cursor.close()
            try:
                connection.rollback()
            except dbapi_error:  # the connection is broken: the pool decides what to do with it
                self._connections.discard(connection, error)
                raise error from None
            if isinstance(error, dbapi_error):
                self._connections.discard(connection, error)
            else:
                self._connections.give_back(connection, checked_out)
            raise
        cursor.close()
        self._connections.give_back(connection, checked_out)

    @functools.cached_property
    def _connections(self) -> KeptConnections:
        return KeptConnections(self.engine)

    def _lock_size(self, connection: sa.Connection) -> int:
        return int(connection.exec_driver_sql(append_statements(connection.dialect.name).lock).one()[0])

    def sign_checkpoint(self, signers: Sequence[Signer]) -> SignedCheckpoint:
        """Sign the log's current head, keep it, and return it (the same one again if nothing was appended)."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{WRITE: True})
            with connection.begin():
                size = self._lock_size(connection)
                kept = connection.execute(
                    sa.select(log_checkpoints.c.note).where(log_checkpoints.c.size == size)
                ).scalar_one_or_none()
                if kept is not None:
                    return SignedCheckpoint.parse(kept)
                signed = Checkpoint(self.origin, size, tree_root(_Reader(connection), size)).sign(signers)
                connection.execute(log_checkpoints.insert().values(size=size, note=str(signed), made_at=_now()))
        return signed

    # -- reading ---------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.select(log_state.c.size).where(log_state.c.id == 1)).scalar_one())

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        """The stored hash of each complete subtree (:class:`~localgov.transparency.HashReader`)."""
        with self.engine.connect() as connection:
            return self._read(connection, nodes)

    @staticmethod
    def _read(connection: sa.Connection, nodes: Sequence[NodeId]) -> list[bytes]:
        if not nodes:
            return []
        by_level: dict[int, list[int]] = {}
        for level, index in set(nodes):
            by_level.setdefault(level, []).append(index)
        # One point lookup per node, as an OR of (level, idx IN ...) terms: each uses the primary
        # key (SQLite does not use an index for a row-value IN list).
        mark = "%s" if connection.dialect.name == "postgresql" else "?"
        terms, parameters = [], []
        for level, indexes in sorted(by_level.items()):
            terms.append(f"(level = {mark} AND idx IN ({', '.join([mark] * len(indexes))}))")
            parameters += [level, *indexes]
        rows = connection.exec_driver_sql(
            f"SELECT level, idx, hash FROM lg_log_nodes WHERE {' OR '.join(terms)}", tuple(parameters)
        )
        found = {NodeId(int(level), int(index)): bytes(hashed) for level, index, hashed in rows}
        missing = [node for node in nodes if node not in found]
        if missing:
            raise IndexOutOfRange(f"the log holds no subtree (level {missing[0].level}, index {missing[0].index})")
        return [found[node] for node in nodes]

    def _size(self, size: int | None) -> int:
        current = self.size
        if size is None:
            return current
        if not 0 <= size <= current:
            raise IndexOutOfRange(f"tree size {size} is beyond the log's {current} entries")
        return size

    def root(self, size: int | None = None) -> bytes:
        return tree_root(self, self._size(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]): the whole log by default."""
        return inclusion_proof(self, index, self._size(size))

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """PROOF(size1, D[size2]): to the whole log by default."""
        return consistency_proof(self, size1, self._size(size2))

    def index_of(self, leaf_hash: bytes) -> int | None:
        """The index of the first leaf whose hash is ``leaf_hash`` (RFC 9162's), or None if none is."""
        mark = "%s" if self.engine.dialect.name == "postgresql" else "?"
        with self.engine.connect() as connection:
            # "level = 0" written out, not bound: SQLite uses a partial index only for a query
            # whose WHERE visibly implies the index's.
            found = connection.exec_driver_sql(
                f"SELECT min(idx) FROM lg_log_nodes WHERE level = 0 AND hash = {mark}", (leaf_hash,)
            ).scalar()
        return None if found is None else int(found)

    def entry(self, index: int) -> bytes:
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(log_entries.c.entry).where(log_entries.c.idx == index)
            ).scalar_one_or_none()
        if found is None:
            raise IndexOutOfRange(f"the log has no entry {index} (it holds {self.size})")
        return bytes(found)

    def entries(self, start: int = 0, end: int | None = None) -> Iterable[tuple[int, bytes]]:
        """``(index, entry)`` from ``start`` up to ``end`` (the log's size by default), in order."""
        query = sa.select(log_entries.c.idx, log_entries.c.entry).where(log_entries.c.idx >= start)
        if end is not None:
            query = query.where(log_entries.c.idx < end)
        with self.engine.connect() as connection:
            for row in connection.execute(query.order_by(log_entries.c.idx)):
                yield int(row.idx), bytes(row.entry)

    def checkpoints(self) -> list[SignedCheckpoint]:
        """Every checkpoint the log has signed, oldest first."""
        with self.engine.connect() as connection:
            notes = connection.execute(sa.select(log_checkpoints.c.note).order_by(log_checkpoints.c.size)).scalars()
            return [SignedCheckpoint.parse(note) for note in notes]

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        with self.engine.connect() as connection:
            note = connection.execute(
                sa.select(log_checkpoints.c.note).order_by(log_checkpoints.c.size.desc()).limit(1)
            ).scalar_one_or_none()
        return None if note is None else SignedCheckpoint.parse(note)

    def write_tiles(self, directory: Path) -> SignedCheckpoint:
        """Write the latest checkpoint and the tiles and entry bundles of its tree under ``directory``.

        The static files of c2sp.org/tlog-tiles (``checkpoint``, ``tile/<L>/<N>[.p/<W>]``,
        ``tile/entries/<N>[.p/<W>]``), for any web server to serve. Full tiles already written
        never change and are skipped; each file is written to a temporary name and renamed, so a
        reader never sees half a tile.
        """
        signed = self.latest_checkpoint()
        if signed is None:
            raise StorageError("the permit log has no signed checkpoint yet: sign one first (localgov log head)")
        size = signed.checkpoint.size
        for tile in tiles_for_size(size):
            target = directory / tile.path
            if tile.width == TILE_WIDTH and target.exists():
                continue
            write_atomically(target, hash_tile(self, tile))
            if tile.level == 0:
                first = tile.index * TILE_WIDTH
                bundle = EntryBundle(tile.index, tile.width)
                entries = [entry for _, entry in self.entries(first, first + tile.width)]
                write_atomically(directory / bundle.path, encode_entry_bundle(entries))
        write_atomically(directory / "checkpoint", str(signed).encode("utf-8"))
        return signed

    def check(self) -> list[str]:
        """Recompute the whole tree from the entries; name every stored hash or checkpoint that disagrees.

        What a log operator who edited, inserted or deleted an entry (or a hash) after the fact
        leaves behind: empty when the stored log is the log its entries make.
        """
        findings: list[str] = []
        with self.engine.connect() as connection:
            size = int(connection.execute(sa.select(log_state.c.size)).scalar_one())
            stored = {
                (int(row.level), int(row.idx)): bytes(row.hash)
                for row in connection.execute(sa.select(log_nodes.c.level, log_nodes.c.idx, log_nodes.c.hash))
            }
            indexes = connection.execute(sa.select(log_entries.c.idx).order_by(log_entries.c.idx)).scalars().all()
        if list(indexes) != list(range(size)):
            findings.append(f"the log's size is {size} but it holds entries {_ranges(indexes)}")
        # Entries against their stored leaf hashes, then the interior against the stored leaves, so
        # an edited entry is named once and a forged interior hash where it is.
        tree = MemoryTree()
        for index, entry in self.entries(0, size):
            hashed = leaf_hash(entry)
            if stored.get((0, index), hashed) != hashed:
                findings.append(f"entry {index} was changed after it was logged: its leaf hash is not the stored one")
            tree.append_leaf_hash(hashed)
        leaves = MemoryTree(stored[(0, i)] for i in range(size) if (0, i) in stored)
        for (level, index), hashed in sorted(stored.items()):
            if index >= size >> level:
                findings.append(f"subtree (level {level}, index {index}) is stored but no entry makes it")
            elif level and leaves.size == size and leaves.node_hashes([NodeId(level, index)])[0] != hashed:
                findings.append(f"subtree (level {level}, index {index}): the stored hash is not its leaves' hash")
        for level in range(size.bit_length()):
            for index in range(size >> level):
                if (level, index) not in stored:
                    findings.append(f"subtree (level {level}, index {index}) is missing")
        for signed in self.checkpoints():
            head = signed.checkpoint
            if head.size > tree.size or tree.root(head.size) != head.root_hash:
                findings.append(
                    f"checkpoint at size {head.size}: its root is not the root of the log's first {head.size} entries"
                )
        return findings


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` under a temporary name, then rename it: readers see all or nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, target)


def _ranges(indexes: Sequence[int]) -> str:
    if not indexes:
        return "none"
    return f"{indexes[0]}..{indexes[-1]} ({len(indexes)} of them)"


class _Reader(HashReader):
    """Reads subtree hashes on one connection, inside a transaction already open."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        return SqlPermitLog._read(self._connection, nodes)
