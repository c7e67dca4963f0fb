"""Tampering done directly in the database is found by ``verify_history`` and ``audit()``, and named."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from localgov.requests import Engine
from localgov.requests.history import chain_hash, genesis_hash
from localgov.requests.model import Request
from localgov.storage import schema
from localgov.tracking import TrackingNumber
from tests.requests.support import (
    CHECKER,
    CLERK,
    ENGINEER,
    INSPECTOR,
    submit_building_permit,
)

EVENTS = schema.events
REQUESTS = schema.requests


def with_history(engine: Engine) -> Request:
    """A request with six events: submit, send back, resubmit, accept, review, inspect."""
    request = submit_building_permit(engine)
    request = engine.act(request.id, "request_missing", CHECKER, comment="البطاقة منتهية")
    request = engine.act(request.id, "resubmit", CLERK)
    request = engine.act(request.id, "accept_documents", CHECKER)
    request = engine.act(request.id, "complete_review", ENGINEER)
    request = engine.act(request.id, "record_inspection", INSPECTOR)
    assert request.event_count == 6
    return request


def database(engine: Engine) -> sa.Engine:
    return engine.store.engine  # type: ignore[attr-defined, no-any-return]


def execute(engine: Engine, *statements: Any) -> None:
    with database(engine).begin() as connection:
        for statement in statements:
            connection.execute(statement)


def event_row(engine: Engine, request_id: str, seq: int) -> dict[str, Any]:
    with database(engine).connect() as connection:
        row = connection.execute(sa.select(EVENTS).where(EVENTS.c.request_id == request_id, EVENTS.c.seq == seq))
        return dict(row.mappings().one())


def where(request_id: str, seq: int) -> Any:
    return sa.and_(EVENTS.c.request_id == request_id, EVENTS.c.seq == seq)


def rehash(key: bytes, row: dict[str, Any]) -> str:
    return chain_hash(
        key,
        request_id=row["request_id"],
        at=row["at"],
        actor=row["actor"],
        role=row["role"],
        action=row["action"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        data=row["data"],
        prev_hash=row["prev_hash"],
    )


def named(findings: list[str], *patterns: str) -> None:
    """Each pattern matches one of the findings."""
    for pattern in patterns:
        assert any(re.search(pattern, f) for f in findings), (pattern, findings)


def test_an_untampered_history_verifies(engine: Engine) -> None:
    request = with_history(engine)
    other = submit_building_permit(engine)
    assert engine.verify_history(request.id) == []
    assert engine.verify_history(other.id) == []
    assert engine.audit() == {}


@pytest.mark.parametrize(
    "change",
    [
        lambda row: {"data": {**row["data"], "comment": "كل المستندات سليمة"}},
        lambda row: {"actor": "eng1"},
        lambda row: {"at": "2026-01-01T09:00:00+02:00"},
        lambda row: {"to_state": "approval"},
    ],
    ids=["data", "actor", "time", "state"],
)
def test_an_edited_event(engine: Engine, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    request = with_history(engine)
    execute(
        engine,
        EVENTS.update().where(where(request.id, 2)).values(**change(event_row(engine, request.id, 2))),
    )
    findings = engine.verify_history(request.id)
    named(findings, r"^event 2 \(request_missing\) was edited")
    assert not any(re.search(r"event [13456]\b.*edited", f) for f in findings)
    assert engine.audit() == {request.id: findings}


def test_an_event_deleted_from_the_middle(engine: Engine) -> None:
    request = with_history(engine)
    execute(engine, EVENTS.delete().where(where(request.id, 3)))
    findings = engine.verify_history(request.id)
    named(findings, r"^event 3 is missing \(deleted\)")
    assert engine.audit() == {request.id: findings}


def test_the_last_event_deleted(engine: Engine) -> None:
    request = with_history(engine)
    execute(engine, EVENTS.delete().where(where(request.id, 6)))
    findings = engine.verify_history(request.id)
    named(findings, r"last recorded event is missing.*expects 6 events, 5 are stored")
    assert request.id in engine.audit()


def test_the_last_event_deleted_and_the_request_columns_rewound(engine: Engine) -> None:
    request = with_history(engine)
    fifth = event_row(engine, request.id, 5)
    execute(
        engine,
        EVENTS.delete().where(where(request.id, 6)),
        REQUESTS.update()
        .where(REQUESTS.c.id == request.id)
        .values(head_hash=fifth["hash"], event_count=5, state=fifth["to_state"]),
    )
    assert engine.get(request.id).event_count == 6  # the record itself still says six
    named(engine.verify_history(request.id), r"event 6|6 events")


def test_two_events_swapped(engine: Engine) -> None:
    request = with_history(engine)
    # Through a free number: (request_id, seq) is the primary key.
    execute(
        engine,
        EVENTS.update().where(where(request.id, 3)).values(seq=99),
        EVENTS.update().where(where(request.id, 4)).values(seq=3),
        EVENTS.update().where(where(request.id, 99)).values(seq=4),
    )
    findings = engine.verify_history(request.id)
    named(findings, r"events 3 and 4 are out of order \(reordered\)")
    assert not any("edited" in f for f in findings)
    assert engine.audit() == {request.id: findings}


def test_an_event_inserted_at_the_end(engine: Engine) -> None:
    request = with_history(engine)
    last = event_row(engine, request.id, 6)
    forged = {
        **last,
        "seq": 7,
        "action": "approve",
        "actor": "head1",
        "role": "approver",
        "from_state": "fee_assessment",
        "to_state": "issuing",
        "data": {},
        "prev_hash": last["hash"],
    }
    forged["hash"] = rehash(b"", forged)  # a well-formed event, chained correctly
    execute(engine, EVENTS.insert().values(**forged))
    findings = engine.verify_history(request.id)
    named(findings, r"events after 6 were not recorded by localgov \(inserted\)")
    assert request.id in engine.audit()


def test_an_event_inserted_in_the_middle(engine: Engine) -> None:
    request = with_history(engine)
    # Make room after event 3 by moving 4..6 up one, then slip a forged event 4 in.
    for seq in (6, 5, 4):
        execute(engine, EVENTS.update().where(where(request.id, seq)).values(seq=seq + 1))
    third = event_row(engine, request.id, 3)
    forged = {
        **third,
        "seq": 4,
        "action": "request_missing",
        "actor": "doc1",
        "role": "document_checker",
        "data": {"comment": "forged"},
        "prev_hash": third["hash"],
    }
    forged["hash"] = rehash(b"", forged)
    execute(engine, EVENTS.insert().values(**forged))
    findings = engine.verify_history(request.id)
    named(findings, r"event 5 .*(not where its chain puts it|inserted)|event 4 .*inserted")
    assert request.id in engine.audit()


def test_a_duplicated_event(engine: Engine) -> None:
    """An event copied under another request's number is found on both sides."""
    request = with_history(engine)
    other = submit_building_permit(engine)
    copied = {**event_row(engine, request.id, 2), "request_id": other.id, "seq": 2}
    execute(engine, EVENTS.insert().values(**copied))
    findings = engine.verify_history(other.id)
    assert findings != []
    named(findings, r"event 2")
    assert engine.verify_history(request.id) == []


def test_every_tampering_at_once_is_named(engine: Engine) -> None:
    edited, deleted, swapped = with_history(engine), with_history(engine), with_history(engine)
    untouched = with_history(engine)
    execute(
        engine,
        EVENTS.update().where(where(edited.id, 5)).values(actor="head1"),
        EVENTS.delete().where(where(deleted.id, 2)),
        EVENTS.update().where(where(swapped.id, 5)).values(seq=99),
        EVENTS.update().where(where(swapped.id, 6)).values(seq=5),
        EVENTS.update().where(where(swapped.id, 99)).values(seq=6),
    )
    audit = engine.audit()
    assert set(audit) == {edited.id, deleted.id, swapped.id}
    named(audit[edited.id], r"^event 5 \(complete_review\) was edited")
    named(audit[deleted.id], r"^event 2 is missing")
    named(audit[swapped.id], r"events 5 and 6 are out of order")
    assert untouched.id not in audit


def test_a_deleted_request_shows_as_a_missing_tracking_number(engine: Engine) -> None:
    first, middle, last = (submit_building_permit(engine) for _ in range(3))
    execute(
        engine,
        EVENTS.delete().where(EVENTS.c.request_id == middle.id),
        REQUESTS.delete().where(REQUESTS.c.id == middle.id),
    )
    audit = engine.audit()
    assert list(audit) == [middle.id]
    named(audit[middle.id], r"request is missing.*deleted")
    assert TrackingNumber.parse(middle.id).sequence == 2
    assert {first.id, last.id}.isdisjoint(audit)


def test_the_newest_request_deleted_shows_as_missing(engine: Engine) -> None:
    submit_building_permit(engine)
    newest = submit_building_permit(engine)
    execute(
        engine,
        EVENTS.delete().where(EVENTS.c.request_id == newest.id),
        REQUESTS.delete().where(REQUESTS.c.id == newest.id),
    )
    assert newest.id in engine.audit()


def test_an_edited_tracking_number_is_reported(engine: Engine) -> None:
    request = submit_building_permit(engine)
    forged = request.id[:-1] + ("X" if request.id[-1] != "X" else "Y")
    execute(
        engine,
        EVENTS.delete().where(EVENTS.c.request_id == request.id),
        REQUESTS.update().where(REQUESTS.c.id == request.id).values(id=forged),
    )
    audit = engine.audit()
    named(audit[forged], r"tracking number is not valid")


KEY = b"audit key kept outside the database"


def test_a_keyed_history_rehashed_without_the_key_does_not_verify(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(audit_key=KEY)
    request = with_history(engine)
    assert engine.verify_history(request.id) == []
    # The forger edits event 4 and recomputes its hash and every later one, and the request's
    # head: a perfect job, except that they do not hold the key.
    rows = [event_row(engine, request.id, seq) for seq in range(1, 7)]
    rows[3]["actor"] = "doc2"
    statements = []
    for index in range(3, 6):
        rows[index]["prev_hash"] = rows[index - 1]["hash"]
        rows[index]["hash"] = rehash(b"", rows[index])
        statements.append(
            EVENTS.update()
            .where(where(request.id, index + 1))
            .values(
                actor=rows[index]["actor"],
                prev_hash=rows[index]["prev_hash"],
                hash=rows[index]["hash"],
            )
        )
    statements.append(REQUESTS.update().where(REQUESTS.c.id == request.id).values(head_hash=rows[5]["hash"]))
    execute(engine, *statements)
    findings = engine.verify_history(request.id)
    named(findings, r"^event 4 .*edited", r"^event 5 .*edited", r"^event 6 .*edited")
    assert not any(f.startswith(("event 1 ", "event 2 ", "event 3 ")) for f in findings)
    assert request.id in engine.audit()


def test_the_key_is_part_of_the_chain(make_engine: Callable[..., Engine]) -> None:
    keyed = make_engine(audit_key=KEY)
    request = submit_building_permit(keyed)
    assert keyed.verify_history(request.id) == []
    named(make_engine(audit_key=b"another key").verify_history(request.id), r"^event 1 .*edited")
    first = event_row(keyed, request.id, 1)
    assert first["prev_hash"] == genesis_hash(request.id)
