"""The permit log in SQLite and PostgreSQL: the RFC tree, concurrent appends, crashes, tampering."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from localgov.storage import StorageError
from localgov.storage.permit_log import SqlPermitLog, log_nodes
from localgov.transparency import (
    Ed25519Signer,
    IndexOutOfRange,
    MemoryTree,
    SignedCheckpoint,
    leaf_hash,
    parse_tile_path,
    root_from_tiles,
    verify_consistency,
    verify_inclusion,
)

ORIGIN = "log.test.localgov/permits"


@pytest.fixture
def log(store_url: str) -> Iterator[SqlPermitLog]:
    opened = SqlPermitLog.open(store_url, origin=ORIGIN)
    yield opened
    opened.close()


def _entries(count: int, tag: str = "e") -> list[bytes]:
    return [f"{tag}{i}".encode() for i in range(count)]


def test_roots_and_proofs_are_those_of_the_rfc_tree(log: SqlPermitLog) -> None:
    memory = MemoryTree()
    for batch in (_entries(1), _entries(6, "b"), _entries(250, "c"), _entries(80, "d")):
        log.append_many(batch)
        for entry in batch:
            memory.append(entry)
    assert log.size == memory.size == 337
    for size in (1, 2, 7, 255, 256, 257, 336, 337):
        assert log.root(size) == memory.root(size)
    for index in (0, 1, 6, 255, 256, 336):
        proof = log.inclusion_proof(index)
        assert proof == memory.inclusion_proof(index)
        verify_inclusion(leaf_hash(log.entry(index)), index, 337, proof, log.root())
    for old in (1, 6, 7, 256, 300):
        verify_consistency(old, 337, log.consistency_proof(old), log.root(old), log.root())


def test_the_log_is_named_once_and_refuses_another_name(store_url: str) -> None:
    with pytest.raises(StorageError, match="no origin yet"):
        SqlPermitLog.open(store_url)
    SqlPermitLog.open(store_url, origin=ORIGIN).close()
    assert SqlPermitLog.open(store_url).origin == ORIGIN
    with pytest.raises(StorageError, match=r"is 'log.test.localgov/permits', not 'other/log'"):
        SqlPermitLog.open(store_url, origin="other/log")


def test_a_leaf_is_found_by_its_hash_and_only_a_leaf(log: SqlPermitLog) -> None:
    log.append_many([*_entries(5), b"e2"])  # a duplicate entry: its first index is the answer
    assert [log.index_of(leaf_hash(entry)) for entry in _entries(5)] == [0, 1, 2, 3, 4]
    assert log.index_of(leaf_hash(b"e2")) == 2
    assert log.index_of(leaf_hash(b"never appended")) is None
    assert log.index_of(log.root(2)) is None  # an inner node's hash is no leaf
    with log.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            query = "EXPLAIN QUERY PLAN SELECT min(idx) FROM lg_log_nodes WHERE level = 0 AND hash = ?"
        else:  # a tiny table is scanned unless scanning is made to look dear
            connection.exec_driver_sql("SET enable_seqscan = off")
            query = "EXPLAIN SELECT min(idx) FROM lg_log_nodes WHERE level = 0 AND hash = %s"
        plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(query, (b"x" * 32,)))
    assert "lg_log_leaves_by_hash" in plan


def test_reads_beyond_the_log_are_refused(log: SqlPermitLog) -> None:
    log.append_many(_entries(3))
    with pytest.raises(IndexOutOfRange, match="no entry 3"):
        log.entry(3)
    with pytest.raises(IndexOutOfRange, match="beyond the log's 3 entries"):
        log.inclusion_proof(0, 4)
    with pytest.raises(IndexOutOfRange):
        log.inclusion_proof(3)


def test_checkpoints_are_signed_kept_and_not_signed_twice_for_one_size(log: SqlPermitLog) -> None:
    signer = Ed25519Signer.generate(ORIGIN)
    log.append_many(_entries(5))
    first = log.sign_checkpoint([signer])
    assert first.verify([signer.verifier], origin=ORIGIN).checkpoint.root_hash == log.root()
    assert str(log.sign_checkpoint([signer])) == str(first)  # same size: the kept one
    log.append(b"more")
    second = log.sign_checkpoint([signer])
    assert [c.checkpoint.size for c in log.checkpoints()] == [5, 6]
    assert str(log.latest_checkpoint()) == str(second)


def _append_in_process(url: str, tag: str, count: int) -> None:
    log = SqlPermitLog.open(url)
    for entry in _entries(count, tag):
        log.append(entry)
    log.close()


def test_workers_appending_together_make_one_consistent_tree(log: SqlPermitLog, store_url: str) -> None:
    workers, each = 4, 25
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_append_in_process, args=(store_url, f"w{n}-", each)) for n in range(workers)]
    for process in processes:
        process.start()
    with ThreadPoolExecutor(4) as pool:  # threads in this process at the same time
        list(pool.map(lambda n: log.append(f"t{n}".encode()), range(20)))
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    assert log.size == workers * each + 20
    stored = [entry for _, entry in log.entries()]
    assert len(set(stored)) == len(stored)  # no entry lost, none written twice
    assert log.check() == []
    assert log.root() == MemoryTree(leaf_hash(e) for e in stored).root()


def test_a_crash_in_the_middle_of_an_append_leaves_the_log_as_it_was(
    log: SqlPermitLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    log.append_many(_entries(3))
    before = (log.size, log.root())

    def crash(*args: object) -> list[dict[str, object]]:
        raise RuntimeError("power cut after the entry was written")

    monkeypatch.setattr("localgov.storage.permit_log._appended_nodes", crash)
    with pytest.raises(RuntimeError):
        log.append(b"lost")
    monkeypatch.undo()
    assert (log.size, log.root()) == before
    assert log.check() == []
    assert log.append(b"next") == 3


def test_check_names_an_edited_entry_a_forged_hash_and_a_deleted_one(log: SqlPermitLog) -> None:
    signer = Ed25519Signer.generate(ORIGIN)
    log.append_many(_entries(8))
    log.sign_checkpoint([signer])
    assert log.check() == []
    with log.engine.begin() as connection:
        connection.execute(sa.text("UPDATE lg_log_entries SET entry = :e WHERE idx = 2"), {"e": b"forged"})
        connection.execute(
            log_nodes.update().where(log_nodes.c.level == 1, log_nodes.c.idx == 3).values(hash=b"\x00" * 32)
        )
        connection.execute(log_nodes.delete().where(log_nodes.c.level == 2, log_nodes.c.idx == 0))
    findings = log.check()
    assert "entry 2 was changed after it was logged: its leaf hash is not the stored one" in findings
    assert "subtree (level 1, index 3): the stored hash is not its leaves' hash" in findings
    assert "subtree (level 2, index 0) is missing" in findings
    assert any(f.startswith("checkpoint at size 8:") for f in findings)


def test_a_deleted_last_entry_is_found(log: SqlPermitLog) -> None:
    log.append_many(_entries(4))
    with log.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM lg_log_entries WHERE idx = 3"))
    assert any("holds entries 0..2" in finding for finding in log.check())


def test_tiles_written_serve_the_checkpointed_tree(log: SqlPermitLog, tmp_path: Path) -> None:
    signer = Ed25519Signer.generate(ORIGIN)
    log.append_many(_entries(300))
    log.sign_checkpoint([signer])
    served = tmp_path / "served"
    signed = log.write_tiles(served)
    files = sorted(str(p.relative_to(served)) for p in served.rglob("*") if p.is_file())
    assert files == [
        "checkpoint",
        "tile/0/000",
        "tile/0/001.p/44",
        "tile/1/000.p/1",
        "tile/entries/000",
        "tile/entries/001.p/44",
    ]
    for path in files[1:]:
        parse_tile_path(path)  # every name is a canonical tile path

    def fetch(tile: object) -> bytes | None:
        target = served / tile.path  # type: ignore[attr-defined]
        return target.read_bytes() if target.exists() else None

    assert root_from_tiles(fetch, 300) == signed.checkpoint.root_hash
    assert SignedCheckpoint.parse((served / "checkpoint").read_text()).checkpoint == signed.checkpoint


def test_a_log_of_version_2_keeps_its_tree_when_its_sqlite_tables_are_rebuilt(tmp_path: Path) -> None:
    import attrs

    from localgov.storage import migrate, open_database
    from localgov.storage.permit_log_schema import LOG_TABLES, log_state

    engine = open_database(f"sqlite:///{tmp_path / 'v2.sqlite3'}")
    migrate(engine, attrs.evolve(LOG_TABLES, steps=LOG_TABLES.steps[:2]))
    with engine.begin() as connection:
        connection.execute(log_state.update().values(origin=ORIGIN))
    older = SqlPermitLog(engine, ORIGIN)
    older.append_many(_entries(300))
    root, proof = older.root(), older.inclusion_proof(123)
    older.close()
    log = SqlPermitLog.open(f"sqlite:///{tmp_path / 'v2.sqlite3'}")
    with log.engine.connect() as connection:
        tables = dict(connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
        indexes = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars().all()
    assert "idx INTEGER PRIMARY KEY" in tables["lg_log_entries"] and tables["lg_log_nodes"].endswith("WITHOUT ROWID")
    assert "lg_log_leaves_by_hash" in indexes and not any("autoindex_lg_log_nodes" in name for name in indexes)
    assert log.size == 300 and log.root() == root and log.inclusion_proof(123) == proof
    assert log.index_of(leaf_hash(b"e123")) == 123 and log.check() == []
    log.append(b"after")
    assert log.check() == [] and log.entry(300) == b"after"
    log.close()
