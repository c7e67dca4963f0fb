"""Eight workers, each with its own engine over the same database, acting at the same moment."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from localgov.requests import DocumentUpload, Engine
from localgov.requests.errors import Conflict
from localgov.requests.ports import RequestRow
from localgov.storage import SqlStore
from localgov.tracking import TrackingNumber
from tests.requests.support import (
    ALL_BUILDING_DOCUMENTS,
    CHECKER,
    CLERK,
    PDF,
    cairo,
    member,
    pdfs,
    submit_building_permit,
)

WORKERS = 8


class ReadTogetherStore:
    """A store whose workers all read the request, in their write transactions, before any writes.

    This makes the race certain rather than likely: every worker decides on the same version,
    so the check that settles it is the version guard of the UPDATE itself.
    """

    def __init__(self, inner: SqlStore, barrier: threading.Barrier) -> None:
        self._inner, self._barrier = inner, barrier

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._inner.transaction() as transaction:
            yield ReadTogetherTransaction(transaction, self._barrier)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ReadTogetherTransaction:
    def __init__(self, inner: Any, barrier: threading.Barrier) -> None:
        self._inner, self._barrier = inner, barrier

    def get_request(self, request_id: str) -> RequestRow | None:
        row = self._inner.get_request(request_id)
        self._barrier.wait(timeout=60)
        return row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def unique_documents(tag: str) -> list[DocumentUpload]:
    return [DocumentUpload(t, PDF + f"{t} {tag}".encode(), "pdf") for t in ALL_BUILDING_DOCUMENTS]


def fire_together(
    engines: list[Engine], request_id: str, version: int, barrier: threading.Barrier | None
) -> list[object]:
    def work(engine: Engine) -> object:
        if barrier is not None:
            barrier.wait(timeout=60)
        try:
            return engine.act(request_id, "accept_documents", CHECKER, expected_version=version)
        except Conflict as conflict:
            return conflict

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(work, engines))


@pytest.mark.parametrize("read_together", [False, True], ids=["barrier", "same-version-read"])
def test_exactly_one_of_eight_wins(make_engine: Callable[..., Engine], read_together: bool) -> None:
    first = make_engine()
    request = submit_building_permit(first)
    before = len(first.history(request.id))
    barrier = threading.Barrier(WORKERS)
    engines = [make_engine() for _ in range(WORKERS)]
    if read_together:
        for engine in engines:
            engine.store = ReadTogetherStore(engine.store, barrier)  # type: ignore[assignment]
    outcomes = fire_together(engines, request.id, request.version, None if read_together else barrier)

    winners = [o for o in outcomes if not isinstance(o, Conflict)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(winners) == 1 and len(conflicts) == WORKERS - 1, outcomes
    after = first.get(request.id)
    assert after == winners[0]
    assert after.version == request.version + 1 and after.state == "technical_review"
    history = first.history(request.id)
    assert len(history) == before + 1
    assert history[-1].action == "accept_documents"
    assert first.verify_history(request.id) == []
    assert first.audit() == {}


def test_concurrent_submissions_get_distinct_numbers_without_gaps(
    make_engine: Callable[..., Engine],
) -> None:
    per_worker = 4
    engines = [make_engine() for _ in range(WORKERS)]
    # The unit's counter row exists once a first request was taken (its very first creation
    # racing is tests/storage' business); here the workers contend for the next numbers.
    opening = submit_building_permit(engines[0], uploads=unique_documents("opening")).id
    clerks = [member(f"clerk{i + 10}", "front_desk_clerk") for i in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)

    def work(index: int) -> list[str]:
        barrier.wait(timeout=60)
        # Documents differ per submission: only the tracking numbers are contended for here.
        return [
            submit_building_permit(engines[index], actor=clerks[index], uploads=unique_documents(f"{index}/{n}")).id
            for n in range(per_worker)
        ]

    with ThreadPoolExecutor(WORKERS) as pool:
        numbers = [n for batch in pool.map(work, range(WORKERS)) for n in batch]
    numbers.append(opening)
    assert len(set(numbers)) == WORKERS * per_worker + 1
    sequences = sorted(TrackingNumber.parse(n).sequence for n in numbers)
    assert sequences == list(range(1, WORKERS * per_worker + 2))
    assert sorted(s.id for s in engines[0].summaries()) == sorted(numbers)
    assert engines[0].audit() == {}


def test_concurrent_retries_of_one_submission_create_one_request(
    make_engine: Callable[..., Engine],
) -> None:
    engines = [make_engine() for _ in range(WORKERS)]
    # Documents already stored and a counter row already there: only the key is contended for
    # (the races on those two are tested in tests/storage).
    submit_building_permit(engines[0], uploads=unique_documents("opening"))
    for upload in pdfs(*ALL_BUILDING_DOCUMENTS):
        engines[0].store.put_document(hashlib.sha256(upload.content).hexdigest(), upload.content, "pdf")
    barrier = threading.Barrier(WORKERS)

    def work(engine: Engine) -> str:
        barrier.wait(timeout=60)
        return submit_building_permit(engine, idempotency_key="kiosk-3/retry").id

    with ThreadPoolExecutor(WORKERS) as pool:
        numbers = list(pool.map(work, engines))
    assert len(set(numbers)) == 1
    assert len(engines[0].summaries()) == 2
    assert engines[0].get(numbers[0]).event_count == 1


def test_a_second_process_sees_committed_work(make_engine: Callable[..., Engine]) -> None:
    writer, reader = make_engine(), make_engine()
    request = submit_building_permit(writer)
    engine = cairo()  # the application object is shared; engines are not
    assert engine is cairo()
    assert reader.get(request.id) == request
    assert reader.act(request.id, "request_missing", CHECKER, comment="x").version == request.version + 1
    assert writer.act(request.id, "resubmit", CLERK).state == "document_check"
