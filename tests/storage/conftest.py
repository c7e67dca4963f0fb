"""What the storage tests share: the two databases, and a store opened on the test's one."""

from collections.abc import Iterator

import pytest

from localgov.storage import SqlStore
from tests.requests.conftest import store_url  # noqa: F401  (the same two databases)


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:  # noqa: F811  (pytest passes the fixture by name)
    store = SqlStore.open(store_url)
    yield store
    store.close()
