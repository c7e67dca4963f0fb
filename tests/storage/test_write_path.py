"""The write path: statements compiled once and run on the driver; on PostgreSQL a decision's
writes in one statement.

A row written through a write transaction must read back the same through SQLAlchemy Core and
the other way round; a decision taken on a version that is gone must write nothing at all,
whether the database says so at the UPDATE (SQLite) or when the decision is written as the
transaction ends (PostgreSQL).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from localgov.requests.codec import StoredRecord
from localgov.requests.errors import Conflict
from localgov.requests.ports import EventRow, RequestRow
from localgov.storage import SqlStore, schema

ARABIC = {"site_address": "١٢ شارع طومان باي", "name": "محمد أحمد علي حسن", "nested": {"a": [1, None, True]}}


def request_row(
    version: int = 0, *, state: str = "document_check", assigned_to: str | None = "doc1", **data: Any
) -> RequestRow:
    return RequestRow(
        id="CZTN-2600001-3",
        governorate="EG-C",
        unit="zeitoun",
        service="building_permit",
        state=state,
        version=version,
        closed=False,
        assigned_to=assigned_to,
        due_date=datetime.date(2026, 12, 31),
        submitted_at="2026-12-02T08:00:00+02:00",
        updated_at="2026-12-02T08:00:00+02:00",
        head_hash=f"head-{version}",
        event_count=version + 1,
        data={"version": version, **ARABIC, **data},
    )


def event_row(seq: int, action: str = "submit") -> EventRow:
    return EventRow(
        "CZTN-2600001-3",
        seq,
        "2026-12-02T08:00:00+02:00",
        "clerk1",
        "front_desk_clerk",
        action,
        None,
        "document_check",
        {"comment": "ينقص مستند"},
        f"head-{seq - 2}",
        f"head-{seq - 1}",
    )


def submitted(store: SqlStore) -> None:
    with store.transaction() as transaction:
        transaction.insert_request(request_row())
        transaction.append_event(event_row(1))
        transaction.adjust_workload({"doc1": +1})


def stored_events(store: SqlStore) -> list[int]:
    return [e.seq for e in store.events("CZTN-2600001-3")]


def workload(store: SqlStore) -> dict[str, int]:
    with store.engine.connect() as connection:
        return dict(connection.execute(sa.select(schema.workload.c.staff_id, schema.workload.c.open_cases)).all())


def test_a_row_written_by_a_transaction_reads_back_the_same_through_core(store: SqlStore) -> None:
    submitted(store)
    row = request_row()
    assert store.get_request(row.id) == row  # Core's read of the driver's write
    with store.transaction() as transaction:
        assert transaction.get_request(row.id) == row  # and the driver's own read
    with store.engine.connect() as connection:
        closed, due = connection.execute(sa.select(schema.requests.c.closed, schema.requests.c.due_date)).one()
    assert closed is False and due == datetime.date(2026, 12, 31)


def test_a_row_written_through_core_reads_back_the_same_in_a_transaction(store: SqlStore) -> None:
    row = request_row(closed_note="written by Core")
    with store.engine.begin() as connection:
        connection.execute(schema.requests.insert(), attrs.asdict(row))
    with store.transaction() as transaction:
        assert transaction.get_request(row.id) == row


def test_a_decision_on_a_replaced_version_writes_nothing(store: SqlStore) -> None:
    submitted(store)
    with store.transaction() as winner:
        winner.update_request(request_row(1, state="awaiting_applicant", assigned_to=None), expected_version=0)
        winner.append_event(event_row(2, "request_missing"))
        winner.adjust_workload({"doc1": -1})
    late_decision = pytest.raises(Conflict, match="CZTN-2600001-3 was changed by someone else")
    with late_decision, store.transaction() as late:  # decided on version 0 too
        late.update_request(request_row(1, state="technical_review", assigned_to="eng1"), expected_version=0)
        late.append_event(event_row(2, "accept_documents"))
        late.adjust_workload({"doc1": -1, "eng1": +1})
    assert store.get_request("CZTN-2600001-3") == request_row(1, state="awaiting_applicant", assigned_to=None)
    assert stored_events(store) == [1, 2]
    assert store.events("CZTN-2600001-3")[-1].action == "request_missing"
    assert workload(store) == {"doc1": 0}


def test_a_request_row_changed_outside_localgov_writes_nothing(store: SqlStore) -> None:
    """The version moved without the events that come with a decision: still a conflict."""
    submitted(store)
    with store.engine.begin() as connection:
        connection.execute(sa.update(schema.requests).values(version=7))
    with pytest.raises(Conflict, match="changed by someone else"), store.transaction() as transaction:
        transaction.update_request(request_row(1), expected_version=0)
        transaction.append_event(event_row(2, "accept_documents"))
        transaction.adjust_workload({"doc1": -1, "eng1": +1})
    assert store.get_request("CZTN-2600001-3").version == 7  # type: ignore[union-attr]
    assert stored_events(store) == [1]
    assert workload(store) == {"doc1": 1}


def test_a_decision_with_two_events_and_no_count_change(store: SqlStore) -> None:
    """A payment that moves the request on records two events; the assignee stays."""
    submitted(store)
    with store.transaction() as transaction:
        transaction.update_request(request_row(1, data_note="paid"), expected_version=0)
        transaction.append_event(event_row(2, "payment"))
        transaction.append_event(event_row(3, "confirm_payment"))
    assert [e.action for e in store.events("CZTN-2600001-3")] == ["submit", "payment", "confirm_payment"]
    assert store.events("CZTN-2600001-3")[1].data == {"comment": "ينقص مستند"}
    assert workload(store) == {"doc1": 1}


def test_an_idempotency_key_claimed_twice_is_refused_at_the_latest_at_the_commit(store: SqlStore) -> None:
    from localgov.requests.errors import IdempotencyKeyReused

    with store.transaction() as transaction:
        transaction.claim_idempotency_key("tablet-7/1", "f" * 64, "CZTN-2600001-3")
    with pytest.raises(IdempotencyKeyReused), store.transaction() as transaction:
        transaction.claim_idempotency_key("tablet-7/1", "e" * 64, "CZTN-2600002-1")
        transaction.next_sequence("CZTN", 2026)
    with store.transaction() as transaction:  # the refused transaction drew no number
        assert transaction.next_sequence("CZTN", 2026) == 1


def test_a_refused_decision_draws_no_number_and_stores_no_document(store: SqlStore) -> None:
    """Writes made before the decision (an issue number, a document) go back with it."""
    submitted(store)
    with store.transaction() as winner:
        winner.update_request(request_row(1), expected_version=0)
        winner.append_event(event_row(2, "request_missing"))
    late_decision = pytest.raises(Conflict)
    with late_decision, store.transaction() as late:
        late.next_sequence("PCZTN", 2026)
        late.put_document("ab" * 32, b"%PDF-1.4 late", "pdf")
        late.update_request(request_row(1, state="issued"), expected_version=0)
        late.append_event(event_row(2, "issue"))
    assert store.get_document("ab" * 32) is None
    with store.transaction() as transaction:
        assert transaction.next_sequence("PCZTN", 2026) == 1


def test_connections_go_back_to_the_pool_as_sqlalchemy_hands_them_out(store_url: str) -> None:
    """After a write transaction, Core's own transactions on its connection still roll back."""
    store = SqlStore.open(store_url, pool_size=1, max_overflow=0)  # one connection: the same one
    submitted(store)
    with store.transaction() as transaction:
        transaction.update_request(request_row(1), expected_version=0)
        transaction.append_event(event_row(2, "request_missing"))
    with store.engine.connect() as connection:
        connection.execute(sa.update(schema.requests).values(state="edited"))
        connection.rollback()
    try:
        assert store.get_request("CZTN-2600001-3").state == "document_check"  # type: ignore[union-attr]
    finally:
        store.close()


def test_the_store_takes_only_engines_set_up_by_open_database(tmp_path: Path) -> None:
    plain = sa.create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        with pytest.raises(ValueError, match="open_database"):
            SqlStore(plain)
    finally:
        plain.dispose()


def test_an_applications_json_serializer_still_writes_records_as_they_are(store_url: str) -> None:
    """A serializer of the application's own serves everything but the stored records."""
    seen: list[object] = []

    def serializer(value: object) -> str:
        seen.append(value)
        return json.dumps(value, ensure_ascii=False)

    store = SqlStore.open(store_url, json_serializer=serializer)
    row = request_row()
    try:
        with store.transaction() as transaction:  # as the engine writes it: the record as text
            transaction.insert_request(attrs.evolve(row, data=StoredRecord(json.dumps(dict(row.data)))))
            transaction.append_event(event_row(1))
        assert store.get_request(row.id) == row
        assert seen == [event_row(1).data]  # the event's data; the record went as it was
    finally:
        store.close()
