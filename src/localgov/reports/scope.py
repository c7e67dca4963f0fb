"""Filters and groupings as SQL over the projection (SQLAlchemy Core, any dialect)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from localgov.reports.errors import InvalidReportQuery
from localgov.reports.query import FILTER_NAMES, Filters
from localgov.reports.schema import report_requests, report_steps

__all__ = ["GROUPINGS", "group_column", "histograms", "request_scope"]

#: What rows can be grouped by: every filter dimension but the employee (see the employee report).
GROUPINGS = tuple(name for name in FILTER_NAMES if name != "employee")


def request_scope(filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``lg_report_requests`` keeping the requests ``filters`` select."""
    r = report_requests
    conditions: list[sa.ColumnElement[bool]] = [
        r.c[name] == value for name, value in filters.given().items() if name != "employee"
    ]
    if filters.employee is not None:
        s = sa.alias(report_steps, "acted")
        acted = sa.select(s.c.request_id).where(s.c.request_id == r.c.request_id, s.c.actor == filters.employee)
        conditions.append(acted.exists())
    return conditions


def group_column(by: str | None) -> sa.ColumnElement[Any]:
    """The column rows are grouped by, labelled ``grp``; a constant NULL for a single total."""
    if by is None:
        return sa.null().label("grp")
    if by not in GROUPINGS:
        raise InvalidReportQuery(f"cannot group by {by!r} (one of: {', '.join(GROUPINGS)})")
    return report_requests.c[by].label("grp")


def histograms(rows: Iterable[Any], key: str = "grp") -> Mapping[Any, dict[int, int]]:
    """``(grp, value, n)`` rows as one histogram per group, and the all-groups one under ``...``."""
    found: dict[Any, dict[int, int]] = defaultdict(dict)
    for row in rows:
        group, value, count = getattr(row, key), int(row.value), int(row.n)
        found[group][value] = found[group].get(value, 0) + count
        found[...][value] = found[...].get(value, 0) + count
    return found
