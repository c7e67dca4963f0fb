"""A request waiting on a letter's reply: its clock stands still where the workflow says so."""

from __future__ import annotations

import datetime

import pytest

from localgov.correspondence import Correspondence, InvalidLetter
from localgov.requests import Engine
from localgov.testing.pki import TestPki
from tests.correspondence.support import PLANNER, TO_PLANNING, open_correspondence
from tests.requests.support import CHECKER, ENGINEER, INSPECTOR, STAFF, cairo_time, open_engine, submit_building_permit

D = datetime.date


@pytest.fixture
def engine(store_url: str) -> Engine:
    return open_engine(store_url, staff=[*STAFF, PLANNER])


@pytest.fixture
def letters(engine: Engine, localgov_pki: TestPki) -> Correspondence:
    return open_correspondence("", localgov_pki, engine=engine, audit_key=b"")


def test_a_review_waiting_on_a_letter_stops_its_clock_until_the_reply(engine: Engine, letters: Correspondence) -> None:
    # The permit workflow's technical review says letters_pause_clock; its document check does not.
    request = submit_building_permit(engine, at=cairo_time(2026, 4, 1))
    request = engine.act(request.id, "accept_documents", CHECKER, at=cairo_time(2026, 4, 1))
    assert request.state == "technical_review"
    due = request.due_date

    letter = letters.send(
        ENGINEER, TO_PLANNING, "استعلام مساحي", "نرجو إفادتنا بحدود القطعة", reply_within_days=3,
        request_id=request.id, at=cairo_time(2026, 4, 2),
    )  # fmt: skip
    waiting = engine.get(request.id)
    assert (waiting.letters_awaited, waiting.paused_since) == ((letter.id,), D(2026, 4, 2))
    last = engine.history(request.id)[-1]
    assert (last.action, last.role, last.from_state, last.to_state) == (
        "letter",
        "correspondence",
        "technical_review",
        "technical_review",
    )
    assert last.data["changes"]["letter"] == {"number": letter.id, "status": "awaited"}
    # While it waits, it is not overdue however late it gets.
    assert [o for o in engine.overdue(today=D(2026, 6, 30)) if o.request.id == request.id] == []

    letters.reply(letter.id, PLANNER, "الحدود مطابقة", at=cairo_time(2026, 4, 9))
    answered = engine.get(request.id)
    waited = engine.calendar.working_days_between(D(2026, 4, 2), D(2026, 4, 9))
    assert waited > 0
    assert answered.letters_awaited == () and answered.paused_since is None
    assert answered.due_date == engine.calendar.add_working_days(due, waited)
    assert engine.history(request.id)[-1].data["changes"] == {
        "letter": {"number": letter.id, "status": "answered"},
        "due_date": answered.due_date.isoformat(),
    }
    assert engine.audit() == {}


def test_leaving_the_state_resumes_the_clock_and_a_state_that_does_not_say_so_never_stops_it(
    engine: Engine, letters: Correspondence
) -> None:
    request = submit_building_permit(engine, at=cairo_time(2026, 4, 1))
    # In the document check (no letters_pause_clock) a letter is awaited but the clock runs on.
    letter = letters.send(
        ENGINEER, TO_PLANNING, "استعلام", "نص", reply_within_days=3, request_id=request.id, at=cairo_time(2026, 4, 1)
    )
    checking = engine.get(request.id)
    assert (checking.letters_awaited, checking.paused_since, checking.due_date) == (
        (letter.id,),
        None,
        request.due_date,
    )

    # Into the technical review, still waiting on the letter: the clock stops on entering.
    reviewing = engine.act(request.id, "accept_documents", CHECKER, at=cairo_time(2026, 4, 2))
    assert reviewing.paused_since == D(2026, 4, 2)
    # On to the inspection before the reply: the clock runs again, the days it stood still added.
    inspecting = engine.act(request.id, "complete_review", ENGINEER, at=cairo_time(2026, 4, 7))
    stood = engine.calendar.working_days_between(D(2026, 4, 2), D(2026, 4, 7))
    assert inspecting.paused_since is None and inspecting.letters_awaited == (letter.id,)
    assert inspecting.due_date == engine.calendar.add_working_days(request.due_date, stood)
    # The reply then only clears the wait: the inspection's clock was not stopped.
    letters.reply(letter.id, PLANNER, "تم", at=cairo_time(2026, 4, 8))
    after = engine.get(request.id)
    assert (after.letters_awaited, after.due_date) == ((), inspecting.due_date)
    engine.act(request.id, "record_inspection", INSPECTOR, at=cairo_time(2026, 4, 8))
    assert engine.audit() == {}


def test_a_letter_about_a_request_of_another_unit_or_none_is_refused(engine: Engine, letters: Correspondence) -> None:
    with pytest.raises(InvalidLetter, match="no request"):
        letters.send(ENGINEER, TO_PLANNING, "س", "ن", request_id="CZTN-2600999-0")
    request = submit_building_permit(engine)
    with pytest.raises(InvalidLetter, match="not of 'matareya'"):
        letters.send(PLANNER, TO_PLANNING, "س", "ن", request_id=request.id)


def test_the_reports_count_a_request_a_letter_holds_as_paused_not_overdue(
    engine: Engine, letters: Correspondence
) -> None:
    """Reports agree with Engine.overdue: a letter awaiting its reply stops the clock there too,
    and recording the wait is a fact of the history, not an employee's decision."""
    from localgov.reports import Filters, Period, ReportViewer
    from tests.reports.conftest import reports_over
    from tests.requests.support import APPROVER

    request = submit_building_permit(engine, at=cairo_time(2026, 4, 1))
    engine.act(request.id, "accept_documents", CHECKER, at=cairo_time(2026, 4, 1))
    late = cairo_time(2026, 6, 30)
    reports = reports_over(engine, clock=lambda: late)
    period = Period(D(2026, 4, 1), D(2026, 6, 30))
    assert reports.time_limits(period, Filters(unit="zeitoun")).total.overdue_now.count == 1

    letters.send(
        ENGINEER, TO_PLANNING, "استعلام مساحي", "نرجو إفادتنا بحدود القطعة", reply_within_days=3,
        request_id=request.id, at=cairo_time(2026, 4, 2),
    )  # fmt: skip
    assert reports.time_limits(period, Filters(unit="zeitoun")).total.overdue_now.count == 0
    employees = reports.employees(period, Filters(unit="zeitoun"), viewer=ReportViewer.staff(APPROVER))
    (wrote,) = [row for row in employees.rows if row.role == "correspondence"]
    # The engineer's letter is one action of theirs, but no decision to rate.
    assert (wrote.employee, wrote.actions, wrote.send_back_rate, wrote.rejection_rate) == (ENGINEER.id, 1, None, None)
