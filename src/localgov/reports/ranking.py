"""The excellence award's ranking of technology centers (one per local unit), on a published score.

    score = 100 x (0.5 x L + 0.3 x C + 0.2 x S)

L (time limits met): the share of requests completed in the period within their legal limit.
C (clearance): completed / (completed + still open at the end of the period): throughput against
the load. S (speed, the citizen's waiting): 1 - working days taken / legal working days, summed
over the completed requests, floored at 0 (completing in half the limit scores 0.5).
A unit with fewer than ``minimum_completed`` completed requests is listed but not ranked: a
handful of requests would make its score noise.
"""

from __future__ import annotations

import attrs
import sqlalchemy as sa

from localgov.reports.meaning import COMPLETED
from localgov.reports.results import RankingReport, RankingRow, ReportHeader
from localgov.reports.schema import report_requests
from localgov.reports.scope import request_scope

__all__ = ["WEIGHTS", "ranking_report"]

r = report_requests

#: Weights of L, C and S in the score.
WEIGHTS = (0.5, 0.3, 0.2)


def ranking_report(connection: sa.Connection, header: ReportHeader, minimum_completed: int) -> RankingReport:
    period, scope = header.period, request_scope(header.filters)
    done = sa.and_(r.c.outcome == COMPLETED, r.c.closed_on.between(period.start, period.end))
    still_open = sa.and_(r.c.submitted_on <= period.end, sa.or_(r.c.closed_on.is_(None), r.c.closed_on > period.end))
    found = connection.execute(
        sa.select(
            r.c.unit,
            sa.func.sum(sa.case((done, 1), else_=0)).label("completed"),
            sa.func.sum(sa.case((sa.and_(done, r.c.within_limit.is_(True)), 1), else_=0)).label("within"),
            sa.func.sum(sa.case((done, r.c.taken_wd), else_=0)).label("taken"),
            sa.func.sum(sa.case((done, r.c.limit_days), else_=0)).label("limit"),
            sa.func.sum(sa.case((still_open, 1), else_=0)).label("open"),
        )
        .where(r.c.submitted_on <= period.end, sa.or_(r.c.closed_on.is_(None), r.c.closed_on >= period.start), *scope)
        .group_by(r.c.unit)
    ).all()
    scored = []
    for row in found:
        completed, opened = int(row.completed or 0), int(row.open or 0)
        if completed == 0:
            scored.append(RankingRow(row.unit, None, None, None, None, None, 0))
            continue
        within = int(row.within or 0) / completed
        clearance = completed / (completed + opened)
        limit = int(row.limit or 0)
        speed = max(0.0, 1 - int(row.taken or 0) / limit) if limit else 1.0
        score = round(100 * (WEIGHTS[0] * within + WEIGHTS[1] * clearance + WEIGHTS[2] * speed), 2)
        scored.append(
            RankingRow(row.unit, None, score, round(within, 4), round(clearance, 4), round(speed, 4), completed)
        )
    ranked = sorted(
        (row for row in scored if row.score is not None and row.completed >= minimum_completed),
        key=lambda row: (-(row.score or 0.0), row.unit),
    )
    rows = [attrs.evolve(row, rank=place) for place, row in enumerate(ranked, start=1)]
    rows += sorted((row for row in scored if row not in ranked), key=lambda row: row.unit)
    return RankingReport(header, minimum_completed, tuple(rows))
