"""A read kept on a connection of its own: current at every call, and mended after a database error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from localgov.storage import SqlStore
from localgov.storage.prepared import PreparedStatement
from localgov.storage.schema import requests
from tests.requests.support import CHECKER, open_engine, submit_building_permit

_VERSION = sa.select(requests.c.version).where(requests.c.id == sa.bindparam("request_id"))


def test_each_read_sees_what_was_committed_since(store_url: str) -> None:
    engine = open_engine(store_url)
    store = engine.store
    assert isinstance(store, SqlStore)
    read = store.dedicated_reader(PreparedStatement(_VERSION, store.engine.dialect))
    assert read is not None
    request = submit_building_permit(engine)
    assert read({"request_id": request.id}) == (0,)
    engine.act(request.id, "accept_documents", CHECKER)  # another connection commits
    assert read({"request_id": request.id}) == (1,)
    assert read({"request_id": "CZTN-2699999-0"}) is None
    store.close()


def test_a_database_error_gives_the_connection_back_and_close_returns_the_rest(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path}/reader.db")
    store = engine.store
    assert isinstance(store, SqlStore)
    missing = sa.table("no_such_table", sa.column("version"), sa.column("id"))
    lost = sa.select(missing.c.version).where(missing.c.id == sa.bindparam("request_id"))
    broken = PreparedStatement(lost, store.engine.dialect)
    read_broken = store.dedicated_reader(broken)
    assert read_broken is not None
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        read_broken({"request_id": "x"})
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    request = submit_building_permit(engine)
    read = store.dedicated_reader(PreparedStatement(_VERSION, store.engine.dialect))
    assert read is not None and read({"request_id": request.id}) == (0,)
    checked_out = store.engine.pool.checkedout()  # type: ignore[attr-defined]
    store.close()
    assert checked_out >= 1 and store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_in_memory_there_is_no_connection_to_spare() -> None:
    engine = open_engine("sqlite://")
    store = engine.store
    assert isinstance(store, SqlStore)
    statement = PreparedStatement(_VERSION, store.engine.dialect)
    assert store.dedicated_reader(statement) is None
    request = submit_building_permit(engine)
    assert store.read_values(statement, {"request_id": request.id}) == (0,)


def test_on_sqlite_the_data_version_moves_only_when_another_connection_commits(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path}/versions.db")
    store = engine.store
    assert isinstance(store, SqlStore)
    reader = store.dedicated_reader(PreparedStatement(_VERSION, store.engine.dialect))
    assert reader is not None
    request = submit_building_permit(engine)
    before = reader.data_version()
    assert reader({"request_id": request.id}) == (0,) and reader.data_version() == before, "reading changes nothing"
    engine.act(request.id, "accept_documents", CHECKER)
    assert reader.data_version() != before
    store.close()
