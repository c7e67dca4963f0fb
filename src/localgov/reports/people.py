"""Employees' figures: what each did, how long requests waited with them, against their peers.

Only for supervisors (:mod:`localgov.reports.access`). A decision is any action other than a
submission, a system-recorded payment or a recorded fact (a refund, originals sent or received); send-backs (to the applicant) and rejections are rated
per 100 decisions, and each employee is set beside everyone else with the same role in scope.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import attrs
import sqlalchemy as sa

from localgov.clock import EGYPT
from localgov.reports.results import Distribution, EmployeeRow, EmployeesReport, ReportHeader
from localgov.reports.schema import report_requests, report_steps
from localgov.reports.scope import histograms, request_scope
from localgov.reports.workdays import WorkdayIndex
from localgov.storage.schema import refusals

__all__ = ["employees_report"]

r, s = report_requests, report_steps
# Not people: the engine's own steps and citizens acting on the portal.
_NOT_STAFF = ("system", "applicant")


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def _refusals(
    connection: sa.Connection, header: ReportHeader, timezone: datetime.tzinfo, scope: list[sa.ColumnElement[bool]]
) -> dict[str, int]:
    """Separation-of-duties refusals per employee in the period (the store's log of them)."""
    period = header.period

    def utc(day: datetime.date) -> str:
        return datetime.datetime.combine(day, datetime.time(), timezone).astimezone(datetime.UTC).isoformat()

    f = refusals
    rows = connection.execute(
        sa.select(f.c.actor, sa.func.count().label("n"))
        .select_from(f.join(r, r.c.request_id == f.c.request_id))
        .where(f.c.at >= utc(period.start), f.c.at < utc(period.end + datetime.timedelta(days=1)), *scope)
        .group_by(f.c.actor)
    )
    return {row.actor: int(row.n) for row in rows}


def employees_report(
    connection: sa.Connection, header: ReportHeader, index: WorkdayIndex, timezone: datetime.tzinfo = EGYPT
) -> EmployeesReport:
    period = header.period
    # The peers' figures need everyone in scope, so the employee filter applies to the rows last.
    scope = request_scope(attrs.evolve(header.filters, employee=None))
    joined = s.join(r, r.c.request_id == s.c.request_id)
    decision = s.c.kind.not_in(("submit", "payment", "record"))
    counts = connection.execute(
        sa.select(
            s.c.actor,
            s.c.role,
            sa.func.count().label("actions"),
            sa.func.sum(sa.case((decision, 1), else_=0)).label("decisions"),
            sa.func.sum(sa.case((s.c.kind == "send_back", 1), else_=0)).label("send_backs"),
            sa.func.sum(sa.case((s.c.kind == "reject", 1), else_=0)).label("rejections"),
        )
        .select_from(joined)
        .where(s.c.on_date.between(period.start, period.end), s.c.role.not_in(_NOT_STAFF), *scope)
        .group_by(s.c.actor, s.c.role)
    ).all()
    waiting = histograms(
        connection.execute(
            sa.select(s.c.holder.label("grp"), s.c.held_wd.label("value"), sa.func.count().label("n"))
            .select_from(joined)
            .where(s.c.holder.is_not(None), s.c.left_on.between(period.start, period.end), *scope)
            .group_by(s.c.holder, s.c.held_wd)
        )
    )
    refused = _refusals(connection, header, timezone, scope)
    by_role: dict[str, list[Any]] = defaultdict(list)
    for row in counts:
        by_role[row.role].append(row)
    working_days = index.working_days(period.start, period.end)
    rows = []
    for row in counts:
        if header.filters.employee is not None and row.actor != header.filters.employee:
            continue
        peers = [p for p in by_role[row.role] if p.actor != row.actor]
        peer_decisions = sum(int(p.decisions) for p in peers)
        rows.append(
            EmployeeRow(
                employee=row.actor,
                role=row.role,
                actions=int(row.actions),
                actions_per_working_day=round(int(row.actions) / working_days, 2) if working_days else 0.0,
                waiting=_waiting(waiting, row.actor),
                send_backs=int(row.send_backs),
                rejections=int(row.rejections),
                send_back_rate=_rate(int(row.send_backs), int(row.decisions)),
                peer_send_back_rate=_rate(sum(int(p.send_backs) for p in peers), peer_decisions),
                rejection_rate=_rate(int(row.rejections), int(row.decisions)),
                peer_rejection_rate=_rate(sum(int(p.rejections) for p in peers), peer_decisions),
                separation_refusals=refused.get(row.actor, 0),
            )
        )
    rows.sort(key=lambda row: (row.employee, row.role))
    return EmployeesReport(header, working_days, tuple(rows))


def _waiting(found: Mapping[Any, dict[int, int]], employee: str) -> Distribution:
    return Distribution.of(found.get(employee, {}))
