"""Filters and groupings as SQL over the projection (SQLAlchemy Core, any dialect)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
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


def group_column(by: str | None) -> tuple[sa.ColumnElement[Any], list[sa.ColumnElement[Any]]]:
    """The column rows are grouped by, labelled ``grp``, and what to GROUP BY for it: a constant
    NULL and nothing for a single total (PostgreSQL refuses ``GROUP BY NULL``)."""
    if by is None:
        return sa.null().label("grp"), []
    if by not in GROUPINGS:
        raise InvalidReportQuery(f"cannot group by {by!r} (one of: {', '.join(GROUPINGS)})")
    return report_requests.c[by].label("grp"), [report_requests.c[by]]


def histograms(
    rows: Iterable[Any], key: str = "grp", value: Callable[[int], int] = lambda v: v, column: str = "value"
) -> Mapping[Any, dict[int, int]]:
    """``(grp, value, n)`` rows as one histogram per group, and the all-groups one under ``...``
    (``column`` names the value's column when it is not ``value``).

    ``value`` maps what SQL grouped on to the figure: queries group on a stored column (a
    working-day index) and the subtraction from "today" happens here, since a bound parameter in
    a GROUP BY expression is not the same expression as in the SELECT list to PostgreSQL.
    """
    found: dict[Any, dict[int, int]] = defaultdict(dict)
    for row in rows:
        group, count = getattr(row, key), int(row.n)
        value_of = value(int(getattr(row, column)))
        found[group][value_of] = found[group].get(value_of, 0) + count
        found[...][value_of] = found[...].get(value_of, 0) + count
    return found
