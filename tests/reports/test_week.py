"""The reports' figures against the hand-worked week of tests/reports/week.py.

Working days of the week: Sun 12, Tue 14, Wed 15, Thu 16 April 2026 (Mon 13 is Sham El Nessim).
"""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from localgov.calendar import Holiday, egypt_calendar
from localgov.i18n import LocalizedText
from localgov.reports import (
    Distribution,
    Filters,
    InvalidReportQuery,
    Period,
    ReportNotPermitted,
    Reports,
    ReportViewer,
    UnknownReport,
)
from localgov.requests import Engine
from localgov.requests.model import Request
from tests.reports.conftest import reports_over
from tests.reports.week import AS_OF, ENGINEER, ledger_order, write_ledger
from tests.requests.support import cairo, cairo_time

D = datetime.date
WEEK = Period(D(2026, 4, 12), D(2026, 4, 16))
HEAD = ReportViewer("head1", {"approver"}, "zeitoun")


def test_every_result_states_its_period_filters_and_moment(reports: Reports) -> None:
    result = reports.volume(WEEK, Filters(unit="zeitoun"))
    assert result.header.period == WEEK
    assert result.header.filters == Filters(unit="zeitoun")
    assert result.header.as_of == AS_OF
    assert result.header.today == D(2026, 4, 16)


def test_volume(reports: Reports) -> None:
    total = reports.volume(WEEK).total
    # A, B, C and D came in the week; E in March.
    assert (total.received, total.completed, total.rejected, total.withdrawn) == (4, 1, 1, 1)
    # Open at the end of Thursday: B (technical review) and E (document check).
    assert total.in_progress == 2
    # B waited Tue, Wed, Thu (3); E 16 working days to its due date on 12 April, then 3 more (19).
    assert total.backlog_age == Distribution(count=2, total=22, median=3, p90=19, maximum=19)


def test_volume_of_one_day_and_of_an_employee(reports: Reports) -> None:
    tuesday = reports.volume(Period(D(2026, 4, 14), D(2026, 4, 14))).total
    assert (tuesday.received, tuesday.completed, tuesday.in_progress) == (2, 0, 5)
    # The head of the unit acted on A (approved) and C (rejected).
    head = reports.volume(WEEK, Filters(employee="head1")).total
    assert (head.received, head.completed, head.rejected, head.in_progress) == (2, 1, 1, 0)
    assert reports.volume(WEEK, Filters(unit="heliopolis")).total.received == 0


def test_time_limits(reports: Reports) -> None:
    row = reports.time_limits(WEEK).total
    assert (row.completed, row.within_limit, row.share_within_limit) == (1, 1, 1.0)
    # A: Sun 12 to Thu 16 is 3 working days (the holiday does not count), less 1 paused for payment.
    assert row.taken == Distribution(count=1, total=2, median=2, p90=2, maximum=2)
    # E was due on Sunday 12 April: late by Tue 14, Wed 15 and Thu 16. B runs to 7 May.
    assert row.overdue_now == Distribution(count=1, total=3, median=3, p90=3, maximum=3)
    # Only completed requests count here: A never waited on its applicant (B did, and is still
    # open: its pause is in the states report).
    assert row.paused_for_applicant == Distribution(count=0, total=0, median=None, p90=None, maximum=None)
    # A waited on its payment from Wed 15 to Thu 16, across a part payment on Wednesday.
    assert row.paused_for_payment == Distribution(count=1, total=1, median=1, p90=1, maximum=1)


def test_the_due_dates_moved_by_the_paused_days(week: dict[str, Request]) -> None:
    # The engine's own view, which the figures rely on: B was paused 2 working days.
    assert week["C"].due_date == D(2026, 5, 6)
    assert week["B"].due_date == D(2026, 5, 7)


def test_states(reports: Reports) -> None:
    rows = {row.state: row for row in reports.states(WEEK).rows}
    # Stays at the document check ended in the week: A 1, B 0 and 1, C 1, D 2 working days.
    assert rows["document_check"].held == Distribution(count=5, total=5, median=1, p90=2, maximum=2)
    # B waited on the applicant from Sun 12 to Wed 15: Tue and Wed (Monday is a holiday).
    assert rows["awaiting_applicant"].held == Distribution(count=1, total=2, median=2, p90=2, maximum=2)
    assert rows["awaiting_payment"].held == Distribution(count=1, total=1, median=1, p90=1, maximum=1)
    holding = {state: row.holding_at_end for state, row in rows.items() if row.holding_at_end}
    assert holding == {"document_check": 1, "technical_review": 1, "issued": 1, "rejected": 1, "withdrawn": 1}


def test_employees_for_the_head_of_the_unit(reports: Reports) -> None:
    result = reports.employees(WEEK, viewer=HEAD)
    assert result.working_days == 4
    assert result.header.filters.unit == "zeitoun"  # a unit's head sees that unit only
    rows = {row.employee: row for row in result.rows}
    clerk, checker, head = rows["clerk1"], rows["doc1"], rows["head1"]
    # Four submissions, B's resubmission and D's withdrawal over four working days.
    assert (clerk.actions, clerk.actions_per_working_day) == (6, 1.5)
    assert (checker.actions, checker.send_backs, checker.send_back_rate) == (3, 1, 33.33)
    assert checker.waiting == Distribution(count=5, total=5, median=1, p90=2, maximum=2)
    assert (head.actions, head.rejections, head.rejection_rate) == (2, 1, 50.0)
    assert head.peer_rejection_rate is None  # nobody else holds the approver role here
    assert "system" not in rows
    # clerk1's attempt on C's documents on Tuesday, not the one after the week.
    assert {row.employee: row.separation_refusals for row in result.rows} == {
        "clerk1": 1,
        "doc1": 0,
        "eng1": 0,
        "fee1": 0,
        "head1": 0,
        "insp1": 0,
        "iss1": 0,
    }
    only = reports.employees(WEEK, Filters(employee="doc1"), viewer=HEAD)
    assert [row.employee for row in only.rows] == ["doc1"]


@pytest.mark.parametrize(
    "viewer",
    [None, ReportViewer.staff(ENGINEER), ReportViewer("head9", {"approver"}, "heliopolis")],
    ids=["nobody", "an engineer", "another unit's head"],
)
def test_employees_are_for_their_supervisors_only(reports: Reports, viewer: ReportViewer | None) -> None:
    with pytest.raises(ReportNotPermitted):
        reports.employees(WEEK, Filters(unit="zeitoun"), viewer=viewer)


def test_ranking(reports: Reports) -> None:
    (zeitoun,) = reports.ranking(WEEK, minimum_completed=1).rows
    # L = 1/1; C = 1 completed / (1 + 2 open); S = 1 - 2 working days taken / 16 allowed.
    assert (zeitoun.within_limit_share, zeitoun.clearance, zeitoun.speed) == (1.0, 0.3333, 0.875)
    assert (zeitoun.rank, zeitoun.score) == (1, 77.5)  # 100 x (0.5 x 1 + 0.3 x 1/3 + 0.2 x 0.875)
    (unranked,) = reports.ranking(WEEK).rows  # one completed request is too few to rank
    assert (unranked.rank, unranked.score) == (None, 77.5)


def test_revenue_reconciled_with_the_ledger(week_engine: Engine, week: dict[str, Request]) -> None:
    a, e = week["A"], week["E"]
    assert a.invoice is not None
    rest = a.invoice.total - Decimal("100.00")  # paid through e-finance on Thursday
    syndicate = {"code": "engineers_syndicate", "description": "نقابة المهندسين", "amount": "70.50", "quantity": 2}
    fee = {"code": "building_permit_fee", "description": "رسم الترخيص", "quantity": 1}
    refunded = ledger_order("M-3", e.id, "fawry", [{**fee, "amount": "50.00"}], cairo_time(2026, 4, 16, 15))
    write_ledger(
        week_engine.store.engine,  # type: ignore[attr-defined]
        [
            ledger_order("M-1", a.id, "fawry", [{**fee, "amount": "100.00"}], cairo_time(2026, 4, 15, 12)),
            ledger_order("M-2", a.id, "efinance", [{**fee, "amount": str(rest - 141)}, syndicate], AS_OF),
            {**refunded, "refunded": "20.00"},
            ledger_order("M-4", e.id, "fawry", [{**fee, "amount": "9.00"}], cairo_time(2026, 4, 19)),  # after
        ],
    )
    result = reports_over(week_engine).revenue(WEEK)
    assert [(r.item, r.provider, r.orders, r.gross, r.refunded) for r in result.rows] == [
        ("building_permit_fee", "efinance", 1, rest - 141, Decimal("0.00")),
        ("building_permit_fee", "fawry", 2, Decimal("150.00"), Decimal("20.00")),
        ("engineers_syndicate", "efinance", 1, Decimal("141.00"), Decimal("0.00")),
    ]
    checks = {c.provider: (c.ledger, c.recorded_on_requests, c.difference) for c in result.reconciliation}
    # E's 50 pounds were credited by Fawry but never recorded on E: the difference shows it.
    assert checks == {
        "efinance": (rest, rest, Decimal("0.00")),
        "fawry": (Decimal("150.00"), Decimal("100.00"), Decimal("50.00")),
    }


def test_a_refresh_projects_only_what_changed(week_engine: Engine, week: dict[str, Request]) -> None:
    reports = reports_over(week_engine)
    assert reports.refresh().requests == 5  # the first refresh projects every request
    assert reports.refresh().requests == 0
    week_engine.act(week["B"].id, "complete_review", ENGINEER, at=cairo_time(2026, 4, 16, 18))
    assert reports.refresh().requests == 1
    holding = {row.state: row.holding_at_end for row in reports.states(WEEK).rows}
    assert (holding["technical_review"], holding["field_inspection"]) == (0, 1)


def test_a_holiday_announced_late_rebuilds_the_projection(week_engine: Engine, week: dict[str, Request]) -> None:
    reports_over(week_engine).refresh()
    app = cairo()
    tuesday_off = egypt_calendar().with_holidays([Holiday(D(2026, 4, 14), LocalizedText("عطلة", "A day off"))])
    later = Reports(
        week_engine.store.engine,  # type: ignore[attr-defined]
        catalogue=app.catalogue,
        organisation=app.organisation,
        calendar=tuesday_off,
        clock=lambda: AS_OF,
    )
    assert later.refresh().rebuilt
    # A now took Wed 15 and Thu 16 (2), less the paused Thursday: 1 working day.
    assert later.time_limits(WEEK).total.taken.total == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.volume(WEEK, Filters(unit="atlantis")), "unknown unit 'atlantis'"),
        (lambda r: r.volume(WEEK, by="colour"), "cannot group by 'colour'"),
        (lambda r: r.run("weather", WEEK), "no report named 'weather'"),
        (lambda r: r.run("states", WEEK, by="unit"), "has no grouping"),
    ],
)
def test_bad_questions_are_refused_with_a_reason(reports: Reports, call: object, message: str) -> None:
    with pytest.raises((InvalidReportQuery, UnknownReport), match=message):
        call(reports)  # type: ignore[operator]


def test_a_period_must_not_end_before_it_starts() -> None:
    with pytest.raises(InvalidReportQuery, match="ends"):
        Period(D(2026, 4, 16), D(2026, 4, 12))


def test_refreshes_at_once_take_turns(week_engine: Engine, week: dict[str, Request]) -> None:
    # Two report services (two processes' worth: each its own lock) refreshing the same database.
    first, second = reports_over(week_engine), reports_over(week_engine)
    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(r.refresh) for r in (first, second)]
        projected = sorted(future.result().requests for future in done)
    # Neither failed. On PostgreSQL the second waited and found nothing left to do; on SQLite the
    # two may both re-project a request (each batch replaces its rows in one write transaction).
    assert projected[-1] == 5
    if week_engine.store.engine.dialect.name == "postgresql":  # type: ignore[attr-defined]
        assert projected == [0, 5]
    total = first.volume(WEEK).total
    assert (total.received, total.completed, total.in_progress) == (4, 1, 2)


def test_a_refund_or_originals_after_issue_is_a_record_not_a_decision() -> None:
    from localgov.app import Localgov
    from localgov.reports.meaning import Meanings

    meanings = Meanings.of(Localgov(plugins=["cairo"]).catalogue)
    final = "issued"
    assert meanings.step_kind("shop_licence_renewal", 9, "approve_and_issue", "approval", final) == "complete"
    for action in ("refund", "originals"):
        assert meanings.step_kind("shop_licence_renewal", 10, action, final, final) == "record"
