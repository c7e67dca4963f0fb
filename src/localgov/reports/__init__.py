"""Reports for decision makers: volumes, time limits, states, employees, revenue, the ranking.

Figures are SQL aggregates over a projection of the store's requests and events and of the
payment ledger (:mod:`localgov.reports.projection`), with working days resolved from the calendar
when a request changes, not when a report runs. See docs/reports.md for every definition.
"""

from localgov.reports.access import SUPERVISOR_ROLES, ReportViewer
from localgov.reports.errors import InvalidReportQuery, ReportError, ReportNotPermitted, UnknownReport
from localgov.reports.projection import Projector, Refreshed
from localgov.reports.query import FILTER_NAMES, Filters, Period
from localgov.reports.ranking import WEIGHTS
from localgov.reports.results import (
    Distribution,
    EmployeeRow,
    EmployeesReport,
    ProviderReconciliation,
    RankingReport,
    RankingRow,
    ReportHeader,
    ReportResult,
    RevenueReport,
    RevenueRow,
    StateRow,
    StatesReport,
    TimeLimitRow,
    TimeLimitsReport,
    VolumeReport,
    VolumeRow,
)
from localgov.reports.schema import REPORT_TABLES, migrate_reports
from localgov.reports.scope import GROUPINGS
from localgov.reports.service import REPORT_NAMES, Reports

__all__ = [
    "FILTER_NAMES",
    "GROUPINGS",
    "REPORT_NAMES",
    "REPORT_TABLES",
    "SUPERVISOR_ROLES",
    "WEIGHTS",
    "Distribution",
    "EmployeeRow",
    "EmployeesReport",
    "Filters",
    "InvalidReportQuery",
    "Period",
    "Projector",
    "ProviderReconciliation",
    "RankingReport",
    "RankingRow",
    "Refreshed",
    "ReportError",
    "ReportHeader",
    "ReportNotPermitted",
    "ReportResult",
    "ReportViewer",
    "Reports",
    "RevenueReport",
    "RevenueRow",
    "StateRow",
    "StatesReport",
    "TimeLimitRow",
    "TimeLimitsReport",
    "UnknownReport",
    "VolumeReport",
    "VolumeRow",
    "migrate_reports",
]
