"""Attempt limits: the same sliding window counted in memory and in the database every worker shares."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from localgov.limits import AttemptLimit, MemoryAttemptLimit, allow
from localgov.storage import SqlAttemptLimit, SqlStore, schema

Clock = list[float]


@pytest.fixture
def store(localgov_database_url: str) -> Iterator[SqlStore]:
    store = SqlStore.open(localgov_database_url)
    yield store
    store.close()


@pytest.fixture(params=["memory", "database"])
def make_limit(request: pytest.FixtureRequest, store: SqlStore) -> Callable[[int, float, Clock], AttemptLimit]:
    def make(limit: int, window: float, now: Clock) -> AttemptLimit:
        if request.param == "memory":
            return MemoryAttemptLimit(limit, window, clock=lambda: now[0])
        return SqlAttemptLimit(store.engine, "test", limit, window, clock=lambda: now[0])

    return make


def test_attempts_count_in_a_sliding_window_per_key(make_limit: Callable[[int, float, Clock], AttemptLimit]) -> None:
    now = [1_000.0]
    limit = make_limit(3, 60.0, now)
    for _ in range(3):
        assert not limit.exceeded("10.0.0.1")
        limit.count("10.0.0.1")
    assert limit.exceeded("10.0.0.1") and not limit.exceeded("10.0.0.2")
    now[0] += 30
    assert limit.exceeded("10.0.0.1")
    now[0] += 30.5
    assert not limit.exceeded("10.0.0.1")  # the window moved past the attempts


def test_allow_takes_an_attempt_only_while_one_is_left(make_limit: Callable[[int, float, Clock], AttemptLimit]) -> None:
    now = [1_000.0]
    limit = make_limit(2, 60.0, now)
    assert [allow(limit, "+201012345678") for _ in range(4)] == [True, True, False, False]


def test_workers_sharing_the_database_share_the_count(store: SqlStore) -> None:
    """Two workers' limits over one database: the attempts of one count against the other."""
    first, second = (SqlAttemptLimit(store.engine, "access_code", 4, 600.0) for _ in range(2))
    for _ in range(2):
        first.count("10.0.0.9")
        second.count("10.0.0.9")
    assert first.exceeded("10.0.0.9") and second.exceeded("10.0.0.9")
    other_scope = SqlAttemptLimit(store.engine, "sms_sender", 4, 600.0)
    assert not other_scope.exceeded("10.0.0.9")


def test_the_table_keeps_no_key_and_about_one_window(store: SqlStore) -> None:
    now = [1_000.0]
    limit = SqlAttemptLimit(store.engine, "access_code", 10, 60.0, clock=lambda: now[0])
    for second in range(600):  # ten windows of one attempt a second
        now[0] = 1_000.0 + second
        limit.count("192.168.7.21")
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(schema.attempts.c.key_digest, schema.attempts.c.at)).all()
    assert {digest for digest, _ in rows} != {"192.168.7.21"} and all("192.168" not in d for d, _ in rows)
    assert 60 <= len(rows) <= 60 + 60 // 10 + 1  # one window, and what came since the last sweep


def test_concurrent_attempts_are_all_counted(store: SqlStore) -> None:
    limit = SqlAttemptLimit(store.engine, "access_code", 1_000, 600.0)
    barrier = threading.Barrier(8)

    def guess() -> None:
        barrier.wait(timeout=60)
        for _ in range(10):
            limit.count("10.1.1.1")

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(schema.attempts)).scalar_one() == 80


@given(keys=st.lists(st.text(max_size=50), max_size=200), max_keys=st.integers(min_value=1, max_value=20))
def test_memory_stays_bounded_and_keeps_the_newest(keys: list[str], max_keys: int) -> None:
    limit = MemoryAttemptLimit(1, 60.0, max_keys=max_keys)
    for key in keys:
        limit.count(key)
    assert limit.keys() <= max_keys
    if keys:
        assert limit.exceeded(keys[-1])


def test_a_limit_that_allows_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="limit >= 1"):
        MemoryAttemptLimit(0, 60.0)
