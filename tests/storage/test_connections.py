"""Connections kept between write transactions: reused, and back to the pool when they should be."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from localgov.requests.errors import Conflict
from localgov.storage import SqlStore, connections
from tests.storage.test_write_path import request_row, submitted


def driver_of_next_transaction(store: SqlStore) -> object:
    with store.transaction() as transaction:
        return transaction._cursor.connection  # the DBAPI connection the cursor belongs to


def test_write_transactions_reuse_their_connection(store: SqlStore) -> None:
    first = driver_of_next_transaction(store)
    assert driver_of_next_transaction(store) is first
    assert store.engine.pool.checkedout() == 1  # type: ignore[attr-defined]  # kept, not in the pool


def test_a_kept_connection_goes_back_for_a_fresh_checkout_after_a_while(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkouts: list[object] = []
    sa.event.listen(store.engine, "checkout", lambda driver, record, proxy: checkouts.append(driver))
    driver_of_next_transaction(store)
    driver_of_next_transaction(store)
    assert len(checkouts) == 1
    monkeypatch.setattr(connections, "KEEP_SECONDS", 0.0)
    driver_of_next_transaction(store)
    assert len(checkouts) == 2  # the pool's checkout (and its events, recycling, pre-ping) ran again


def test_a_pool_of_one_keeps_its_connection_for_reads(store_url: str) -> None:
    store = SqlStore.open(store_url, pool_size=1, max_overflow=0, pool_timeout=1)
    try:
        submitted(store)
        assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert store.get_request("CZTN-2600001-3") is not None  # would time out if kept
    finally:
        store.close()


def test_a_refusal_keeps_the_connection_and_a_database_error_returns_it(store: SqlStore) -> None:
    submitted(store)
    kept = driver_of_next_transaction(store)
    with pytest.raises(Conflict), store.transaction() as transaction:
        transaction.update_request(request_row(1), expected_version=7)
    assert driver_of_next_transaction(store) is kept
    with pytest.raises(store.engine.dialect.loaded_dbapi.Error), store.transaction() as transaction:
        transaction._cursor.execute("SELECT * FROM no_such_table")
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert store.get_request("CZTN-2600001-3").version == 0  # type: ignore[union-attr]  # nothing written


def test_closing_the_store_returns_every_kept_connection(store_url: str) -> None:
    store = SqlStore.open(store_url)
    driver_of_next_transaction(store)
    pool = store.engine.pool
    store.close()
    assert pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_forked_child_does_not_use_its_parents_connections(store: SqlStore) -> None:
    parent = driver_of_next_transaction(store)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the child)
        try:
            fresh = driver_of_next_transaction(store) is not parent
            os.write(write, b"fresh" if fresh else b"reused")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 16)
    os.waitpid(child, 0)
    assert answer == b"fresh"
    assert driver_of_next_transaction(store) is parent  # the parent's still works, and is kept


def test_the_in_memory_database_keeps_its_one_connection() -> None:
    store = SqlStore.open("sqlite://")
    try:
        submitted(store)
        assert driver_of_next_transaction(store) is driver_of_next_transaction(store)
        assert store.get_request("CZTN-2600001-3") is not None
    finally:
        store.close()


@pytest.mark.postgresql
def test_a_connection_the_server_dropped_is_invalidated_and_the_next_transaction_works(
    postgres_database_url: sa.URL,
) -> None:
    store = SqlStore.open(postgres_database_url.render_as_string(hide_password=False))
    try:
        submitted(store)
        with store.transaction() as transaction:
            backend = transaction._cursor.connection.info.backend_pid
        with store.engine.connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        with pytest.raises(store.engine.dialect.loaded_dbapi.OperationalError), store.transaction() as transaction:
            transaction.update_request(request_row(1), expected_version=0)
            transaction.finish()
        assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]  # not kept
        with store.transaction() as transaction:
            assert transaction._cursor.connection.info.backend_pid != backend
            transaction.update_request(request_row(1), expected_version=0)
        assert store.get_request("CZTN-2600001-3").version == 1  # type: ignore[union-attr]
    finally:
        store.close()
