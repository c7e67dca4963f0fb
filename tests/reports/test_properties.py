"""Properties of the figures over random histories played through the real engine (SQLite).

Any split of a figure adds up to the unsplit figure; at the end of any day, every request
submitted by then is in exactly one state.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localgov.reports import GROUPINGS, Period, Reports
from localgov.reports.schema import report_steps
from localgov.requests import Engine
from localgov.requests.model import Citizen
from tests.reports.conftest import reports_over
from tests.reports.week import ENGINEER, WEEK_STAFF
from tests.requests.support import (
    APPLICANT_ID,
    APPROVER,
    ASSESSOR,
    CHECKER,
    CLERK,
    INSPECTOR,
    ISSUER,
    cairo_time,
    open_engine,
    pdfs,
    submit_building_permit,
)

# Sunday 15 March 2026: the three weeks that follow cross the Eid al-Fitr holidays (20-22 March).
START = datetime.date(2026, 3, 15)
DAYS = 21
COMMENT = "بيان ناقص"

# What may be done in each state of the permit workflow, and by whom.
MOVES: dict[str, list[tuple[str, object]]] = {
    "document_check": [("accept_documents", CHECKER), ("request_missing", CHECKER), ("reject", APPROVER)],
    "technical_review": [("complete_review", ENGINEER), ("request_missing", ENGINEER), ("reject", APPROVER)],
    "field_inspection": [("record_inspection", INSPECTOR), ("request_missing", INSPECTOR), ("reject", APPROVER)],
    "fee_assessment": [("assess_fees", ASSESSOR)],
    "awaiting_payment": [("pay", None)],
    "awaiting_applicant": [("resubmit", CLERK)],
    "approval": [("approve", APPROVER), ("reject", APPROVER)],
    "issuing": [("issue", ISSUER)],
}
OPEN_STATES = [*MOVES]

request_plans = st.lists(
    st.tuples(
        st.integers(0, DAYS - 1),  # the day it is submitted
        st.sampled_from(["front_desk", "portal"]),
        st.lists(st.tuples(st.integers(0, 9), st.integers(0, 3)), max_size=9),  # (move, days later)
    ),
    min_size=1,
    max_size=6,
)


@contextmanager
def engine_in(folder: str) -> Iterator[Engine]:
    engine = open_engine(f"sqlite:///{Path(folder) / 'lg.sqlite3'}", staff=WEEK_STAFF)
    try:
        yield engine
    finally:
        engine.store.close()  # type: ignore[attr-defined]


def play(engine: Engine, plans: list[tuple[int, str, list[tuple[int, int]]]]) -> list[datetime.date]:
    """Play the plans; return each request's submission day."""
    submitted = []
    for day, channel, moves in plans:
        when = START + datetime.timedelta(days=day)
        at = cairo_time(when.year, when.month, when.day, 9)
        if channel == "portal":
            request = submit_building_permit(
                engine, channel="portal", service_point=None, actor=Citizen(APPLICANT_ID), at=at
            )
        else:
            request = submit_building_permit(engine, at=at)
        submitted.append(when)
        for choice, later in moves:
            if request.closed:
                break
            at += datetime.timedelta(days=later, minutes=5)
            options = MOVES[request.state]
            action, actor = options[choice % len(options)]
            if action == "pay":
                request = engine.record_payment(
                    request.id, amount=request.balance_due(), provider="fawry", reference=f"F-{request.id}", at=at
                )
            elif action == "resubmit":
                request = engine.act(request.id, action, actor, documents=pdfs("ownership_proof"), at=at)  # type: ignore[arg-type]
            elif action in ("request_missing", "reject"):
                request = engine.act(request.id, action, actor, comment=COMMENT, at=at)  # type: ignore[arg-type]
            else:
                request = engine.act(request.id, action, actor, at=at)  # type: ignore[arg-type]
    return submitted


def _periods() -> st.SearchStrategy[Period]:
    days = st.integers(0, DAYS + 10)
    return st.tuples(days, days).map(
        lambda pair: Period(START + datetime.timedelta(days=min(pair)), START + datetime.timedelta(days=max(pair)))
    )


PROPERTY_SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@PROPERTY_SETTINGS
@given(plans=request_plans, period=_periods(), by=st.sampled_from(GROUPINGS))
def test_the_parts_of_any_split_add_up_to_the_whole(
    plans: list[tuple[int, str, list[tuple[int, int]]]], period: Period, by: str
) -> None:
    with tempfile.TemporaryDirectory() as folder, engine_in(folder) as engine:
        submitted = play(engine, plans)
        reports: Reports = reports_over(engine)
        volume, split = reports.volume(period), reports.volume(period, by=by)
        assert volume.total.received == sum(period.start <= day <= period.end for day in submitted)
        for name in ("received", "completed", "rejected", "withdrawn", "in_progress"):
            assert sum(getattr(row, name) for row in split.rows) == getattr(volume.total, name)
        assert split.total == volume.total
        limits, limits_split = reports.time_limits(period), reports.time_limits(period, by=by)
        for name in ("taken", "overdue_now", "paused_for_applicant", "paused_for_payment"):
            whole = getattr(limits.total, name)
            assert sum(getattr(row, name).count for row in limits_split.rows) == whole.count
            assert sum(getattr(row, name).total for row in limits_split.rows) == whole.total
        assert sum(row.within_limit for row in limits_split.rows) == limits.total.within_limit
        assert limits_split.total == limits.total


@PROPERTY_SETTINGS
@given(plans=request_plans, day=st.integers(-1, DAYS + 10))
def test_every_request_is_in_exactly_one_state_at_the_end_of_any_day(
    plans: list[tuple[int, str, list[tuple[int, int]]]], day: int
) -> None:
    moment = START + datetime.timedelta(days=day)
    with tempfile.TemporaryDirectory() as folder, engine_in(folder) as engine:
        submitted = play(engine, plans)
        reports = reports_over(engine)
        states = reports.states(Period(moment, moment))
        by_then = sum(when <= moment for when in submitted)
        assert sum(row.holding_at_end for row in states.rows) == by_then
        s = report_steps
        holding = (
            sa.select(s.c.request_id, sa.func.count().label("n"))
            .where(
                s.c.opens_stay.is_(True),
                s.c.on_date <= moment,
                sa.or_(s.c.left_on.is_(None), s.c.left_on > moment),
            )
            .group_by(s.c.request_id)
        )
        with reports.engine.connect() as connection:
            counts = [row.n for row in connection.execute(holding)]
        assert counts == [1] * by_then
