"""The transactional outbox: a message for each applicant-facing event, written with the event."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from localgov.requests import Engine, NoticeRow
from localgov.requests.errors import Conflict
from tests.notifications.support import issued_permit, outbox_of
from tests.requests.support import APPROVER, CHECKER, CHECKER2, cairo_time, submit_building_permit


def test_each_step_the_applicant_hears_about_queues_one_message(engine: Engine) -> None:
    request = issued_permit(engine)
    notices = outbox_of(engine).notices(request_id=request.id)
    assert [n.kind for n in notices] == ["received", "fees_assessed", "paid", "approved", "issued"]
    assert {n.recipient for n in notices} == {"+201012345678"}
    assert {n.state for n in notices} == {"pending"}
    fees = notices[1]
    assert fees.required and f"{request.invoice.total}" in fees.text and request.id in fees.text  # type: ignore[union-attr]
    assert request.issued is not None and request.issued.number in notices[-1].text
    # Ids name the event and the kind: the same event can never be queued twice.
    events = {e.seq: e.action for e in engine.history(request.id)}
    assert [events[int(n.message_id.split("/")[1])] for n in notices] == [
        "submit",
        "assess_fees",
        "payment",
        "approve",
        "issue",
    ]


def test_missing_document_and_rejection_are_told_with_their_reason(engine: Engine) -> None:
    request = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    request = engine.act(request.id, "request_missing", CHECKER, comment="صورة عقد الملكية", at=cairo_time(2026, 12, 6))
    kinds = {n.kind: n for n in outbox_of(engine).notices(request_id=request.id)}
    assert "صورة عقد الملكية" in kinds["missing_document"].text and kinds["missing_document"].required
    other = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    engine.act(other.id, "reject", APPROVER, comment="الموقع خارج الحيز العمراني", at=cairo_time(2026, 12, 7))
    rejected = [n for n in outbox_of(engine).notices(request_id=other.id) if n.kind == "rejected"]
    assert len(rejected) == 1 and "الموقع خارج الحيز العمراني" in rejected[0].text


def test_a_decision_that_loses_a_race_queues_nothing(make_engine: Callable[..., Engine]) -> None:
    first, second = make_engine(), make_engine()
    request = submit_building_permit(first, at=cairo_time(2026, 12, 6))
    first.act(request.id, "request_missing", CHECKER, comment="صورة البطاقة", at=cairo_time(2026, 12, 6))
    with pytest.raises(Conflict):
        # Decided on the version before the first decision: refused, and so is its message.
        second.act(
            request.id, "request_missing", CHECKER2, comment="غيرها", expected_version=0, at=cairo_time(2026, 12, 6)
        )
    missing = [n for n in outbox_of(first).notices(request_id=request.id) if n.kind == "missing_document"]
    assert [n.text.count("صورة البطاقة") for n in missing] == [1]


def test_a_transaction_that_fails_after_queueing_leaves_no_message(engine: Engine) -> None:
    notice = NoticeRow("X/1/received", "X", "received", "+201012345678", "ar", "نص", "2026-12-06T10:00:00", False)
    with pytest.raises(RuntimeError), engine.store.transaction() as transaction:
        transaction.add_notice(notice)
        raise RuntimeError("the decision failed after its message was queued")
    assert outbox_of(engine).notices(request_id="X") == []
    with engine.store.transaction() as transaction:
        transaction.add_notice(notice)
        transaction.add_notice(notice)  # queued twice: kept once
    assert len(outbox_of(engine).notices(request_id="X")) == 1


def test_an_overdue_request_gets_one_apology_per_date_passed(engine: Engine) -> None:
    request = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    late = request.due_date + datetime.timedelta(days=3)
    engine.overdue(late)
    engine.overdue(late + datetime.timedelta(days=1))
    apologies = [n for n in outbox_of(engine).notices(request_id=request.id) if n.kind == "overdue_apology"]
    assert len(apologies) == 1
    assert request.due_date.isoformat() in apologies[0].text and not apologies[0].required


def test_an_engine_without_notices_queues_none(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(notice_language=None)
    request = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    assert outbox_of(engine).notices(request_id=request.id) == []


def test_english_notices_use_the_english_templates(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(notice_language="en")
    request = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    (received,) = outbox_of(engine).notices(request_id=request.id)
    assert received.language == "en" and received.text.startswith("We received your")


def test_a_message_answered_before_it_was_marked_is_written_with_its_outcome(engine: Engine) -> None:
    """A fast gateway's receipts can all be in hand when the round is written: the message goes
    straight to delivered (every part delivered) or undelivered (one part not), as receipts applied
    after its mark would leave it; a receipt for a part nobody marked is handed back."""
    first = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    second = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    outbox = outbox_of(engine)
    claimed = outbox.claim(now=0.0, limit=10, lease_seconds=60)
    ids = {notice.message_id.split("/")[0]: notice.message_id for notice in claimed}
    delivered, undelivered = ids[first.id], ids[second.id]
    sent = [(delivered, "smpp", ["a1", "a2"]), (undelivered, "smpp", ["b1", "b2"])]
    receipts = [("smpp", "a1", True), ("smpp", "b1", True), ("smpp", "x9", True), ("smpp", "a2", True)]
    receipts.append(("smpp", "b2", False))
    unknown, _ = outbox.settle_and_claim(
        sent, receipts, "2026-12-06T10:00:00+00:00", now=1.0, limit=0, lease_seconds=60
    )
    assert unknown == [2]  # x9: no part of that id, kept for later
    states = {n.message_id: n for n in outbox.notices()}
    assert (states[delivered].state, states[delivered].delivered_at) == ("delivered", "2026-12-06T10:00:00+00:00")
    assert (states[undelivered].state, states[undelivered].delivered_at) == ("undelivered", None)
    assert states[delivered].sent_at == states[undelivered].sent_at == "2026-12-06T10:00:00+00:00"
    # A receipt that comes later for an answered part changes nothing; one for a marked part applies.
    outbox.settle_and_claim([], [("smpp", "a1", True)], "2026-12-06T10:01:00+00:00", now=2.0, limit=0, lease_seconds=60)
    assert outbox.counts() == {"delivered": 1, "undelivered": 1}


def test_the_dispatchers_bookkeeping_does_not_wait_for_the_disk_and_leaves_decisions_durable(
    store_url: str,
) -> None:
    """A round's claim and marks commit without a flush (a lost one is sent again under the same
    reference); the connection goes back to the pool as durable as it came, failure or not."""
    from typing import Any

    from sqlalchemy.pool import StaticPool

    from localgov.storage import SqlOutbox, SqlStore

    postgresql = store_url.startswith("postgresql")
    query = "SHOW synchronous_commit" if postgresql else "PRAGMA synchronous"
    # One connection on SQLite, so that the one the outbox used is the one looked at afterwards.
    store = SqlStore.open(store_url) if postgresql else SqlStore.open(store_url, poolclass=StaticPool)
    if postgresql:  # the test server commits without waiting for the disk: this database waits
        with store.engine.begin() as connection:
            name = connection.exec_driver_sql("SELECT current_database()").scalar()
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit TO on')
        store.engine.dispose()
    outbox = SqlOutbox(store.engine)
    during: list[str] = []

    class Watched:
        """The claim, looking first at the setting of the transaction it runs in."""

        def __init__(self, statement: Any, fail: bool) -> None:
            self.statement, self.fail = statement, fail

        def rows(self, cursor: Any, values: Any) -> Any:
            cursor.execute(query)
            during.append(str(cursor.fetchone()[0]))
            if self.fail:
                raise RuntimeError("the claim failed")
            return self.statement.rows(cursor, values)

    def after() -> str:
        with store.engine.connect() as connection:
            return str(connection.exec_driver_sql(query).scalar())

    claim = outbox._statements.claim
    try:
        for fail in (False, True):
            outbox._statements.claim = lambda limit, fail=fail: Watched(claim(limit), fail)  # type: ignore[method-assign]
            try:
                outbox.settle_and_claim([], [], "2026-12-06T10:00:00+00:00", now=0.0, limit=5, lease_seconds=60)
            except RuntimeError:
                assert fail
            assert after() == ("on" if postgresql else "2")  # FULL again, for the decisions
        assert during == ["off" if postgresql else "1"] * 2  # NORMAL within the round's transaction
        assert after() == ("on" if postgresql else "2")
    finally:
        store.close()
