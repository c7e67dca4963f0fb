"""Due dates per step and overall, in working days; overdue detection skips paused requests."""

from __future__ import annotations

import datetime

from localgov.requests import Engine
from tests.requests.support import CHECKER, CHECKER2, ENGINEER, cairo_time, submit_building_permit

D = datetime.date


def test_each_step_has_its_own_limit(engine: Engine) -> None:
    # Thursday 29 January 2026; technical review has 5 working days from Sunday 1 February.
    request = submit_building_permit(engine, at=cairo_time(2026, 1, 29))
    assert request.state_due_date == D(2026, 2, 1)  # one working day: Fri and Sat are off
    checker = CHECKER2 if request.assigned_to == CHECKER2.id else CHECKER
    request = engine.act(request.id, "accept_documents", checker, at=cairo_time(2026, 2, 1))
    assert request.state_due_date == D(2026, 2, 8)
    found = engine.overdue(today=D(2026, 2, 9))
    assert [(o.request.id, o.scope, o.due, o.overdue_working_days) for o in found] == [
        (request.id, "state", D(2026, 2, 8), 1)
    ]
    assert engine.overdue(today=D(2026, 2, 8)) == []  # due at the end of the day


def test_paused_requests_are_never_overdue(engine: Engine) -> None:
    request = submit_building_permit(engine, at=cairo_time(2026, 1, 29))
    checker = CHECKER2 if request.assigned_to == CHECKER2.id else CHECKER
    engine.act(request.id, "accept_documents", checker, at=cairo_time(2026, 2, 1))
    engine.act(
        request.id,
        "request_missing",
        ENGINEER,
        comment="لوحة الواجهات ناقصة",
        at=cairo_time(2026, 2, 2),
    )
    assert engine.overdue(today=D(2026, 12, 31)) == []


def test_the_time_zone_is_cairo(engine: Engine) -> None:
    # 23:30 UTC on Wednesday 28 January is already Thursday 29 January in Cairo.
    late_evening = datetime.datetime(2026, 1, 28, 23, 30, tzinfo=datetime.UTC)
    request = submit_building_permit(engine, at=late_evening)
    assert request.state_due_date == D(2026, 2, 1)
