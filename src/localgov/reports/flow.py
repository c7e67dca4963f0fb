"""Requests' flow: how many came and went, how long they took, where they waited.

Each figure is one or two GROUP BY queries over the projection. Medians and 90th percentiles come
from exact histograms of working days (a few hundred distinct values at most), never from the
rows themselves, so no dialect needs a percentile function and nothing per request reaches Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from localgov.reports.meaning import COMPLETED, REJECTED, WITHDRAWN
from localgov.reports.query import Period
from localgov.reports.results import (
    Distribution,
    ReportHeader,
    StateRow,
    StatesReport,
    TimeLimitRow,
    TimeLimitsReport,
    VolumeReport,
    VolumeRow,
)
from localgov.reports.schema import report_requests, report_steps
from localgov.reports.scope import group_column, histograms, request_scope
from localgov.reports.workdays import WorkdayIndex

__all__ = ["states_report", "time_limits_report", "volume_report"]

r, s = report_requests, report_steps


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _open_at_end(period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(r.c.submitted_on <= period.end, sa.or_(r.c.closed_on.is_(None), r.c.closed_on > period.end))


def _distribution(found: Mapping[Any, dict[int, int]], group: Any) -> Distribution:
    return Distribution.of(found.get(group, {}))


def volume_report(connection: sa.Connection, header: ReportHeader, index: WorkdayIndex) -> VolumeReport:
    period, scope = header.period, request_scope(header.filters)
    grp, keys = group_column(header.by)
    closed_in = r.c.closed_on.between(period.start, period.end)
    # Every request a figure can count was submitted by the end and not closed before the start.
    relevant = [r.c.submitted_on <= period.end, sa.or_(r.c.closed_on.is_(None), r.c.closed_on >= period.start)]
    counts = (
        sa.select(
            grp,
            _count_if(r.c.submitted_on.between(period.start, period.end)).label("received"),
            _count_if(sa.and_(closed_in, r.c.outcome == COMPLETED)).label("completed"),
            _count_if(sa.and_(closed_in, r.c.outcome == REJECTED)).label("rejected"),
            _count_if(sa.and_(closed_in, r.c.outcome == WITHDRAWN)).label("withdrawn"),
            _count_if(_open_at_end(period)).label("in_progress"),
        )
        .where(*relevant, *scope)
        .group_by(*keys)
    )
    end = index(period.end)
    ages = histograms(
        connection.execute(
            sa.select(grp, r.c.submitted_wd.label("value"), sa.func.count().label("n"))
            .where(_open_at_end(period), *scope)
            .group_by(*keys, r.c.submitted_wd)
        ),
        value=lambda submitted: end - submitted,
    )
    rows = []
    for row in connection.execute(counts):
        rows.append(
            VolumeRow(
                row.grp,
                int(row.received or 0),
                int(row.completed or 0),
                int(row.rejected or 0),
                int(row.withdrawn or 0),
                int(row.in_progress or 0),
                _distribution(ages, row.grp),
            )
        )
    rows.sort(key=lambda row: (row.group is None, row.group or ""))
    total = VolumeRow(
        None,
        received=sum(row.received for row in rows),
        completed=sum(row.completed for row in rows),
        rejected=sum(row.rejected for row in rows),
        withdrawn=sum(row.withdrawn for row in rows),
        in_progress=sum(row.in_progress for row in rows),
        backlog_age=_distribution(ages, ...),
    )
    return VolumeReport(header, tuple(rows) if header.by else (), total)


def time_limits_report(connection: sa.Connection, header: ReportHeader, index: WorkdayIndex) -> TimeLimitsReport:
    period, scope = header.period, request_scope(header.filters)
    grp, keys = group_column(header.by)
    completed_in = [r.c.outcome == COMPLETED, r.c.closed_on.between(period.start, period.end)]
    # One scan of the completed requests gives every figure about them: the few thousand distinct
    # combinations of (taken, within, paused) are split into histograms here.
    figures = (r.c.taken_wd, r.c.within_limit, r.c.paused_applicant_wd, r.c.paused_payment_wd)
    completions = connection.execute(
        sa.select(grp, *figures, sa.func.count().label("n")).where(*completed_in, *scope).group_by(*keys, *figures)
    ).all()
    within: dict[Any, int] = {}
    for row in completions:
        if row.within_limit:
            within[row.grp] = within.get(row.grp, 0) + int(row.n)
            within[...] = within.get(..., 0) + int(row.n)
    taken_by = histograms(completions, column="taken_wd")
    today = header.today
    today_wd = index(today)
    overdue = histograms(
        connection.execute(
            sa.select(grp, r.c.due_wd.label("value"), sa.func.count().label("n"))
            .where(r.c.outcome.is_(None), r.c.paused.is_(False), r.c.due_date < today, *scope)
            .group_by(*keys, r.c.due_wd)
        ),
        value=lambda due: today_wd - due,
    )
    # Paused days are kept per request by the projection, so these come from the same scan, never
    # from the steps (a year holds seven to ten times as many steps as requests).
    by_applicant = histograms((c for c in completions if c.paused_applicant_wd), column="paused_applicant_wd")
    by_payment = histograms((c for c in completions if c.paused_payment_wd), column="paused_payment_wd")
    groups = {row.grp for row in completions} | set(overdue) | set(by_applicant) | set(by_payment)
    groups.discard(...)

    def row_of(group: Any) -> TimeLimitRow:
        return TimeLimitRow(
            None if group is ... else group,
            _distribution(taken_by, group).count,
            within.get(group, 0),
            _distribution(taken_by, group),
            _distribution(overdue, group),
            _distribution(by_applicant, group),
            _distribution(by_payment, group),
        )

    rows = tuple(row_of(g) for g in sorted(groups, key=lambda g: (g is None, g or ""))) if header.by else ()
    return TimeLimitsReport(header, rows, row_of(...))


def states_report(connection: sa.Connection, header: ReportHeader) -> StatesReport:
    period, scope = header.period, request_scope(header.filters)
    joined = s.join(r, r.c.request_id == s.c.request_id)
    held = s.c.held_wd.label("value")
    stays = histograms(
        connection.execute(
            sa.select(s.c.state.label("grp"), held, sa.func.count().label("n"))
            .select_from(joined)
            .where(s.c.left_on.between(period.start, period.end), *scope)
            .group_by(s.c.state, held)
        )
    )
    holding = {
        row.state: int(row.n)
        for row in connection.execute(
            sa.select(s.c.state, sa.func.count().label("n"))
            .select_from(joined)
            .where(
                s.c.opens_stay.is_(True),
                s.c.on_date <= period.end,
                sa.or_(s.c.left_on.is_(None), s.c.left_on > period.end),
                *scope,
            )
            .group_by(s.c.state)
        )
    }
    names = sorted((set(stays) - {...}) | set(holding))
    rows = tuple(StateRow(name, _distribution(stays, name), holding.get(name, 0)) for name in names)
    return StatesReport(header, rows)
