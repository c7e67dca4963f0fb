"""Eight workers sending letters from one unit at once: no number shared, none skipped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from localgov.correspondence import Correspondence, Letter, verify_correspondence
from localgov.testing.pki import TestPki
from tests.correspondence.support import (
    PLANNER,
    TO_PLANNING,
    TO_ZEITOUN_ENGINEERING,
    WRITER,
    WRITER2,
    open_correspondence,
)

WORKERS = 8
LETTERS_EACH = 5


def test_concurrent_letters_of_one_unit_never_share_or_skip_a_number(store_url: str, localgov_pki: TestPki) -> None:
    # Each worker has its own service and database connections, as separate processes would.
    services = [open_correspondence(store_url, localgov_pki) for _ in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)

    def work(index: int) -> list[Letter]:
        service = services[index]
        author = WRITER if index % 2 else WRITER2
        barrier.wait(timeout=60)
        sent = []
        for count in range(LETTERS_EACH):
            sent.append(service.send(author, TO_PLANNING, f"خطاب {index}-{count}", "نص الخطاب"))
            if index == 0 and count == 0:
                # Letters the other way at the same time take numbers from other books.
                service.send(PLANNER, TO_ZEITOUN_ENGINEERING, "رد مبكر", "نص")
        return sent

    with ThreadPoolExecutor(WORKERS) as pool:
        letters = [letter for batch in pool.map(work, range(WORKERS)) for letter in batch]

    total = WORKERS * LETTERS_EACH
    outgoing = sorted(int(letter.id.rsplit("/", 1)[1]) for letter in letters)
    incoming = sorted(int(str(letter.incoming_number).rsplit("/", 1)[1]) for letter in letters)
    assert outgoing == list(range(1, total + 1))
    assert incoming == list(range(1, total + 1))
    service: Correspondence = services[0]
    book = service.register("C", "zeitoun", "out", letters[0].sent_at.year)
    assert [entry.number for entry, _ in book] == list(range(1, total + 1))
    assert sorted(letter.id for _, letter in book) == sorted(letter.id for letter in letters)
    # The books' chains run through every line in number order.
    assert verify_correspondence(service.store, b"test key") == {}


def test_steps_taken_on_one_letter_at_once_are_all_kept(store_url: str, localgov_pki: TestPki) -> None:
    # Forwarded to four departments by four workers at the same moment, then answered: every
    # forward lands once, in the letter and in its history, whichever worker had to decide again.
    services = [open_correspondence(store_url, localgov_pki) for _ in range(4)]
    letter = services[0].send(WRITER, TO_PLANNING, "تعميم", "نص")
    departments = ["licensing", "revenue", "engineering", "occupancy"]
    barrier = threading.Barrier(4)

    def forward(index: int) -> None:
        barrier.wait(timeout=60)
        services[index].forward(letter.id, PLANNER, departments[index])

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(forward, range(4)))
    held = services[0].get(letter.id, PLANNER)
    assert sorted(held.departments) == sorted(["planning", *departments])
    assert [e.action for e in services[0].history(letter.id, PLANNER)].count("forward") == 4
    assert verify_correspondence(services[0].store, b"test key") == {}


class _BreaksOnce:
    """A store whose next write of the receiver's book fails, as a crash or a lost connection would."""

    def __init__(self, inner: Any) -> None:
        self._inner, self.armed = inner, True

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._inner.transaction() as transaction:
            yield _BreakingTransaction(transaction, self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _BreakingTransaction:
    def __init__(self, inner: Any, store: _BreaksOnce) -> None:
        self._inner, self._store = inner, store

    def close_book(self, book: str, *args: Any) -> None:
        if book.startswith("in:") and self._store.armed:
            self._store.armed = False
            raise ConnectionError("the database went away")
        self._inner.close_book(book, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_letter_that_fails_half_way_takes_no_number(store_url: str, localgov_pki: TestPki) -> None:
    letters = open_correspondence(store_url, localgov_pki)
    letters.store = _BreaksOnce(letters.store)  # type: ignore[assignment]
    with pytest.raises(ConnectionError):
        letters.send(WRITER, TO_PLANNING, "ينقطع", "نص")
    # Its outgoing line, its attachments and its counters went with it: the next letter is number 1.
    letter = letters.send(WRITER, TO_PLANNING, "يصل", "نص")
    assert letter.id.endswith("/OUT/000001") and str(letter.incoming_number).endswith("/IN/000001")
    assert verify_correspondence(letters.store, b"test key") == {}
