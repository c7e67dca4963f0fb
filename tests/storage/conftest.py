"""What the storage tests share: the two databases, and a store opened on the test's one."""

from collections.abc import Iterator

import pytest

from localgov.storage import SqlStore


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    store = SqlStore.open(store_url)
    yield store
    store.close()
