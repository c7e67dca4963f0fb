"""Reports for decision makers under ``/api/v1/reports/{name}``, for employees with an API key.

The figures are those of ``localgov report`` (docs/reports.md), as the same JSON. Request figures
are counts and working days, open to any employee; an employee's figures go only to a supervisor
(the caller's roles, through :class:`~localgov.reports.ReportViewer`), for the supervisor's unit.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from litestar import Router, get
from litestar.di import NamedDependency, Provide
from litestar.params import PathParameter, QueryParameter

from localgov.organisation import StaffMember
from localgov.reports import REPORT_NAMES, Filters, Period, ReportViewer
from localgov.reports.tables import result_data
from localgov.web.api.auth import required_staff
from localgov.web.api.responses import problems
from localgov.web.context import WebContext

__all__ = ["reports_router"]

Name = Annotated[str, PathParameter(description=f"One of: {', '.join(REPORT_NAMES)}", max_length=32)]
Code = Annotated[str | None, QueryParameter(max_length=64)]
From = Annotated[datetime.date | None, QueryParameter(name="from", description="First day, YYYY-MM-DD (Cairo)")]
To = Annotated[datetime.date | None, QueryParameter(name="to", description="Last day, included, YYYY-MM-DD")]


def _run(context: WebContext, name: str, period: Period, filters: Filters, by: str | None, staff: StaffMember) -> Any:
    result = context.reports.run(name, period, filters, by=by, viewer=ReportViewer.staff(staff))
    return result_data(result)


@get(
    "/reports/{name:str}",
    summary="A report for decision makers",
    description="Volume, time limits, states, employees (supervisors only), revenue or the ranking of centers, "
    "for a period and filters; every answer states its period, filters and the moment of its data.",
    responses=problems(400, 401, 403, 404),
)
async def report(
    context: NamedDependency[WebContext],
    staff: NamedDependency[StaffMember],
    name: Name,
    start: From = None,
    end: To = None,
    governorate: Code = None,
    zone: Code = None,
    unit: Code = None,
    service_point: Code = None,
    service: Code = None,
    channel: Code = None,
    department: Code = None,
    employee: Code = None,
    by: Code = None,
) -> dict[str, Any]:
    today = context.engine.today()
    period = Period(start or today.replace(day=1), end or today)
    filters = Filters(governorate, zone, unit, service_point, service, channel, department, employee)
    # A refresh and aggregates: database work, on a worker thread.
    return await anyio.to_thread.run_sync(partial(_run, context, name, period, filters, by, staff))


def reports_router() -> Router:
    return Router("/api/v1", route_handlers=[report], dependencies={"staff": Provide(required_staff)}, tags=["reports"])
