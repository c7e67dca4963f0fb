"""The durable store on SQLite and PostgreSQL: migrations, counters, documents, settings."""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.requests import RequestQuery, SummaryRow
from localgov.requests.ports import RequestRow
from localgov.storage import CORE, MIGRATIONS, SqlStore, current_version, migrate, open_database, schema


def test_migrations_run_once_and_report_the_version(store_url: str) -> None:
    engine = open_database(store_url)
    try:
        assert current_version(engine) == 0
        assert migrate(engine) == MIGRATIONS[-1][0]
        assert migrate(engine) == MIGRATIONS[-1][0]  # a second start changes nothing
        assert current_version(engine) == MIGRATIONS[-1][0]
        with engine.connect() as connection:
            applied = connection.execute(sa.select(schema.schema_version.c.version)).scalars().all()
            tables = set(sa.inspect(connection).get_table_names())
        assert applied == [version for version, _, _ in MIGRATIONS]
        assert {
            "lg_requests",
            "lg_events",
            "lg_sequences",
            "lg_idempotency",
            "lg_documents",
        } <= tables
    finally:
        engine.dispose()


def test_many_workers_starting_at_once_migrate_once(store_url: str) -> None:
    engines = [open_database(store_url) for _ in range(6)]
    barrier = threading.Barrier(len(engines))

    def start(engine: sa.Engine) -> int:
        barrier.wait(timeout=60)
        return migrate(engine)

    try:
        with ThreadPoolExecutor(len(engines)) as pool:
            assert set(pool.map(start, engines)) == {MIGRATIONS[-1][0]}
        with engines[0].connect() as connection:
            assert connection.execute(sa.select(sa.func.count()).select_from(schema.schema_version)).scalar() == len(
                MIGRATIONS
            )
    finally:
        for engine in engines:
            engine.dispose()


def test_counters_count_per_scope_and_year(store: SqlStore) -> None:
    drawn = []
    for scope, year in [
        ("CZTN", 2026),
        ("CZTN", 2026),
        ("CHLP", 2026),
        ("CZTN", 2027),
        ("CZTN", 2026),
    ]:
        with store.transaction() as transaction:
            drawn.append(transaction.next_sequence(scope, year))
    assert drawn == [1, 2, 1, 1, 3]


def test_a_rolled_back_transaction_draws_no_number(store: SqlStore) -> None:
    with store.transaction() as transaction:
        transaction.next_sequence("CZTN", 2026)
    with pytest.raises(RuntimeError), store.transaction() as transaction:
        transaction.next_sequence("CZTN", 2026)
        raise RuntimeError("refused")
    with store.transaction() as transaction:
        assert transaction.next_sequence("CZTN", 2026) == 2


def test_a_counter_contended_for_by_many_workers(store_url: str, store: SqlStore) -> None:
    with store.transaction() as transaction:
        transaction.next_sequence("CZTN", 2026)  # the row exists
    stores = [SqlStore.open(store_url) for _ in range(8)]
    barrier = threading.Barrier(len(stores))

    def draw(worker: SqlStore) -> list[int]:
        barrier.wait(timeout=60)
        numbers = []
        for _ in range(10):
            with worker.transaction() as transaction:
                numbers.append(transaction.next_sequence("CZTN", 2026))
        return numbers

    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            numbers = sorted(n for batch in pool.map(draw, stores) for n in batch)
        assert numbers == list(range(2, 82))
    finally:
        for worker in stores:
            worker.close()


def test_the_first_number_of_a_new_counter_drawn_by_two_workers(request: pytest.FixtureRequest, store_url: str) -> None:
    """Worker A creates the counter row and holds its transaction open; worker B asks meanwhile."""
    first, second = SqlStore.open(store_url), SqlStore.open(store_url)
    try:
        with ThreadPoolExecutor(1) as pool, first.transaction() as transaction:
            assert transaction.next_sequence("CZTN", 2031) == 1

            def draw() -> int:
                with second.transaction() as other:
                    return other.next_sequence("CZTN", 2031)

            pending = pool.submit(draw)
            time.sleep(0.5)  # let B reach the row before A commits (not a timing assertion)
        assert pending.result(timeout=60) == 2
    finally:
        first.close()
        second.close()


def test_documents_are_stored_once_by_content(store: SqlStore) -> None:
    content = b"%PDF-1.4 drawings"
    digest = hashlib.sha256(content).hexdigest()
    store.put_document(digest, content, "pdf")
    store.put_document(digest, content, "pdf")
    assert store.get_document(digest) == content
    assert store.get_document("0" * 64) is None
    with store.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(schema.documents)).scalar() == 1


def test_the_same_document_stored_by_many_workers_at_once(request: pytest.FixtureRequest, store_url: str) -> None:
    stores = [SqlStore.open(store_url) for _ in range(8)]
    contents = [b"%PDF-1.4 shared " + bytes([n]) for n in range(30)]
    barrier = threading.Barrier(len(stores))

    def store_all(worker: SqlStore) -> None:
        barrier.wait(timeout=60)
        for content in contents:
            worker.put_document(hashlib.sha256(content).hexdigest(), content, "pdf")

    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            list(pool.map(store_all, stores))
        assert all(stores[0].get_document(hashlib.sha256(c).hexdigest()) == c for c in contents)
    finally:
        for worker in stores:
            worker.close()


@pytest.mark.parametrize(("durable", "synchronous"), [(True, 2), (False, 1)])  # FULL, NORMAL
def test_sqlite_files_use_wal(tmp_path: Path, durable: bool, synchronous: int) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'x.db'}", durable=durable)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == synchronous
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_an_in_memory_store_is_one_database(tmp_path: Path) -> None:
    store = SqlStore.open("sqlite://")
    try:
        with store.transaction() as transaction:
            transaction.next_sequence("CZTN", 2026)
        with store.transaction() as transaction:  # another checkout sees the same database
            assert transaction.next_sequence("CZTN", 2026) == 2
    finally:
        store.close()


def _request_indexes(engine: sa.Engine) -> dict[str, list[str]]:
    with engine.connect() as connection:
        return {index["name"]: index["column_names"] for index in sa.inspect(connection).get_indexes("lg_requests")}


def test_migration_3_reindexes_a_version_2_database_by_unit(store_url: str) -> None:
    """A database made before migration 3 loses the indexes every decision used to rewrite."""
    engine = open_database(store_url)
    try:
        migrate(engine)
        with engine.begin() as connection:  # the state a version-2 database was left in
            connection.execute(sa.text("DROP INDEX lg_requests_unit_submitted"))
            connection.execute(sa.text("CREATE INDEX lg_requests_unit_state ON lg_requests (unit, state)"))
            connection.execute(sa.text("CREATE INDEX lg_requests_assigned ON lg_requests (assigned_to, state)"))
            connection.execute(sa.delete(schema.schema_version).where(schema.schema_version.c.version >= 3))
        assert current_version(engine) == 2
        assert migrate(engine) == CORE.latest
        assert _request_indexes(engine) == {"lg_requests_unit_submitted": ["unit", "submitted_at", "id"]}
    finally:
        engine.dispose()


def test_migration_6_indexes_a_version_5_database_for_paged_lists(store_url: str) -> None:
    engine = open_database(store_url)
    try:
        migrate(engine)
        with engine.begin() as connection:  # the state a version-5 database was left in
            connection.execute(sa.text("DROP INDEX lg_requests_unit_submitted"))
            connection.execute(sa.text("CREATE INDEX lg_requests_unit ON lg_requests (unit)"))
            connection.execute(sa.delete(schema.schema_version).where(schema.schema_version.c.version >= 6))
        assert _request_indexes(engine) == {"lg_requests_unit": ["unit"]}
        assert migrate(engine) == CORE.latest
        assert _request_indexes(engine) == {"lg_requests_unit_submitted": ["unit", "submitted_at", "id"]}
    finally:
        engine.dispose()


def test_migration_8_marks_each_new_event_with_its_transaction_on_postgresql(store_url: str) -> None:
    """What an incremental checkpoint asks for (storage.chain_heads); SQLite has the rowid already."""
    engine = open_database(store_url)
    try:
        migrate(engine)
        postgresql = engine.dialect.name == "postgresql"
        with engine.begin() as connection:  # the state a version-7 database was left in
            if postgresql:
                connection.execute(sa.text("ALTER TABLE lg_events DROP COLUMN change_xid"))
            connection.execute(sa.delete(schema.schema_version).where(schema.schema_version.c.version >= 8))
        assert migrate(engine) == CORE.latest
        columns = {column["name"]: column for column in sa.inspect(engine).get_columns("lg_events")}
        indexes = {index["name"] for index in sa.inspect(engine).get_indexes("lg_events")}
        if postgresql:
            assert "pg_current_xact_id()" in str(columns["change_xid"]["default"])
            assert "lg_events_change_xid" in indexes
        else:
            assert "change_xid" not in columns and "lg_events_change_xid" not in indexes
    finally:
        engine.dispose()


# -- paged lists


def _row(
    number: int, unit: str, submitted_at: str, *, closed: bool = False, service: str = "shop_renewal"
) -> RequestRow:
    return RequestRow(
        id=f"R{number:05d}",
        governorate="C",
        unit=unit,
        service=service,
        state="closed" if closed else "submitted",
        version=1,
        closed=closed,
        assigned_to=None,
        due_date=None,
        submitted_at=submitted_at,
        updated_at=submitted_at,
        head_hash="0" * 64,
        event_count=1,
        data={},
    )


def _all_pages(store: SqlStore, query: RequestQuery) -> list[SummaryRow]:
    rows: list[SummaryRow] = []
    while True:
        page = store.request_page(query)
        rows.extend(page)
        if len(page) < query.limit:
            return rows
        query = attrs.evolve(query, after=(page[-1].submitted_at, page[-1].id))


_minutes = st.integers(min_value=0, max_value=40)  # few distinct times: many requests share one


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    requests=st.lists(st.tuples(_minutes, st.sampled_from(["zeitoun", "shubra"]), st.booleans()), max_size=40),
    limit=st.integers(min_value=1, max_value=7),
    closed=st.sampled_from([None, True, False]),
    window=st.tuples(_minutes, _minutes),
)
def test_pages_list_each_matching_request_once_newest_first(
    store_url: str,
    requests: list[tuple[int, str, bool]],
    limit: int,
    closed: bool | None,
    window: tuple[int, int],
) -> None:
    store = SqlStore.open(store_url)
    try:
        with store.transaction() as transaction:
            for number, (minute, unit, is_closed) in enumerate(requests):
                transaction.insert_request(_row(number, unit, f"2026-12-06T10:{minute:02d}:00+02:00", closed=is_closed))
        start, end = (f"2026-12-06T10:{minute:02d}:00+02:00" for minute in sorted(window))
        query = RequestQuery(unit="zeitoun", closed=closed, submitted_from=start, submitted_until=end, limit=limit)
        listed = _all_pages(store, query)
        expected = sorted(
            (
                (f"2026-12-06T10:{minute:02d}:00+02:00", f"R{number:05d}")
                for number, (minute, unit, is_closed) in enumerate(requests)
                if unit == "zeitoun"
                and (closed is None or is_closed == closed)
                and start <= f"2026-12-06T10:{minute:02d}:00+02:00" <= end
            ),
            reverse=True,
        )
        assert [(row.submitted_at, row.id) for row in listed] == expected
    finally:
        with store.engine.begin() as connection:  # hypothesis reuses the database between examples
            connection.execute(sa.delete(schema.requests))
        store.close()


def test_a_page_filters_by_service_and_ids(store: SqlStore) -> None:
    with store.transaction() as transaction:
        transaction.insert_request(_row(1, "zeitoun", "2026-12-06T10:00:00+02:00"))
        transaction.insert_request(_row(2, "zeitoun", "2026-12-06T10:01:00+02:00", service="building_permit"))
        transaction.insert_request(_row(3, "zeitoun", "2026-12-06T10:02:00+02:00"))
    assert [row.id for row in store.request_page(RequestQuery(service="shop_renewal"))] == ["R00003", "R00001"]
    assert [row.id for row in store.request_page(RequestQuery(ids=frozenset({"R00001", "R00002"})))] == [
        "R00002",
        "R00001",
    ]


def test_a_unit_page_is_read_from_the_index_not_sorted(store: SqlStore) -> None:
    """The keyset page walks (unit, submitted_at, id) backwards: no sort step in the plan."""
    query = RequestQuery(unit="zeitoun", after=("2026-12-06T10:00:00+02:00", "R00001"), limit=10)
    if store.engine.dialect.name != "sqlite":
        pytest.skip("the plan is read from SQLite's EXPLAIN QUERY PLAN")
    statement, parameters = _page_statement(store, query)
    with store.engine.connect() as connection:
        plan = " ".join(
            str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        )
    assert "lg_requests_unit_submitted" in plan
    assert "TEMP B-TREE" not in plan, plan


def _page_statement(store: SqlStore, query: RequestQuery) -> tuple[str, Any]:
    captured: list[tuple[str, Any]] = []

    def keep(conn: object, cursor: object, statement: str, parameters: Any, context: object, many: bool) -> None:
        captured.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", keep)
    try:
        store.request_page(query)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", keep)
    return captured[-1]
