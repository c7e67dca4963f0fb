"""The lifecycle hooks: ``request_event`` after each committed event, ``request_overdue`` on escalation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

import localgov
from localgov import Localgov
from localgov.requests.errors import Conflict, GuardFailed
from tests.requests.support import (
    ASSESSOR,
    CHECKER,
    CHECKER2,
    CLERK,
    ENGINEER,
    INSPECTOR,
    cairo_time,
    open_engine,
    submit_building_permit,
)

D = datetime.date


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[Any, Any]] = []
        self.overdue: list[tuple[Any, Any, int]] = []

    @localgov.hookimpl
    def request_event(self, request: Any, event: Any) -> None:
        self.events.append((request, event))

    @localgov.hookimpl
    def request_overdue(self, request: Any, due: Any, overdue_working_days: int) -> None:
        self.overdue.append((request, due, overdue_working_days))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def app(recorder: Recorder) -> Localgov:
    return Localgov(plugins=["cairo"], plugin_objects=[recorder])


def test_hook_request_event(app: Localgov, recorder: Recorder) -> None:
    engine = open_engine("sqlite://", app=app)
    request = submit_building_permit(engine)
    assert [(r.id, e.seq, e.action) for r, e in recorder.events] == [(request.id, 1, "submit")]
    assert recorder.events[0][0] == request

    for action, actor in [
        ("accept_documents", CHECKER),
        ("complete_review", ENGINEER),
        ("record_inspection", INSPECTOR),
        ("assess_fees", ASSESSOR),
    ]:
        request = engine.act(request.id, action, actor)
    assert [e.seq for _, e in recorder.events] == [1, 2, 3, 4, 5]
    assert recorder.events[-1][0] == request and recorder.events[-1][1].to_state == "awaiting_payment"

    # Refused actions record nothing and announce nothing.
    with pytest.raises(GuardFailed):
        engine.act(request.id, "confirm_payment", ASSESSOR)
    with pytest.raises(Conflict):
        engine.act(request.id, "withdraw", CLERK, expected_version=request.version - 1)
    assert len(recorder.events) == 5

    # A payment that settles the invoice is two events: the payment and the system's move.
    paid = engine.record_payment(request.id, amount=request.balance_due(), provider="fawry", reference="9")
    assert [(e.seq, e.action, e.actor) for _, e in recorder.events[5:]] == [
        (6, "payment", "system"),
        (7, "confirm_payment", "system"),
    ]
    assert all(r == paid for r, _ in recorder.events[5:])
    assert [e.hash for _, e in recorder.events] == [e.hash for e in engine.history(request.id)]
    engine.record_payment(request.id, amount=Decimal(1), provider="fawry", reference="9")  # a repeat
    assert len(recorder.events) == 7


def test_hook_request_overdue(app: Localgov, recorder: Recorder) -> None:
    engine = open_engine("sqlite://", app=app)
    # Wednesday 18 March 2026: document check due Thursday 19 March, the request Sunday 12 April.
    late = submit_building_permit(engine, at=cairo_time(2026, 3, 18))
    paused = submit_building_permit(engine, at=cairo_time(2026, 3, 18))
    engine.act(
        paused.id,
        "request_missing",
        CHECKER if paused.assigned_to == CHECKER.id else CHECKER2,
        comment="missing",
        at=cairo_time(2026, 3, 19),
    )
    withdrawn = submit_building_permit(engine, at=cairo_time(2026, 3, 18))
    engine.act(withdrawn.id, "withdraw", CLERK, at=cairo_time(2026, 3, 19))

    assert engine.overdue(today=D(2026, 3, 19)) == []
    assert recorder.overdue == []

    # Tuesday 24 March: the step is late by Monday and Tuesday (Fri, Sat and the Eid Sunday are off).
    found = engine.overdue(today=D(2026, 3, 24))
    assert [(o.request.id, o.scope, o.due, o.overdue_working_days) for o in found] == [
        (late.id, "state", D(2026, 3, 19), 2)
    ]
    assert [(r.id, due, days) for r, due, days in recorder.overdue] == [(late.id, D(2026, 3, 19), 2)]

    # Tuesday 14 April: the whole request is late too, by one working day (Sham El Nessim is off).
    recorder.overdue.clear()
    found = engine.overdue(today=D(2026, 4, 14))
    assert {(o.request.id, o.scope, o.due, o.overdue_working_days) for o in found} == {
        (late.id, "state", D(2026, 3, 19), 16),
        (late.id, "request", D(2026, 4, 12), 1),
    }
    assert sorted((r.id, due, days) for r, due, days in recorder.overdue) == sorted(
        [(late.id, D(2026, 3, 19), 16), (late.id, D(2026, 4, 12), 1)]
    )
