"""The reports, by name, over one database: :class:`Reports`."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from localgov.calendar import WorkingCalendar
from localgov.catalogue import Catalogue
from localgov.clock import EGYPT, Clock, utcnow
from localgov.organisation import Governorate
from localgov.reports.access import SUPERVISOR_ROLES, ReportViewer, employee_scope
from localgov.reports.errors import InvalidReportQuery, UnknownReport
from localgov.reports.flow import states_report, time_limits_report, volume_report
from localgov.reports.meaning import Meanings
from localgov.reports.money import revenue_report
from localgov.reports.people import employees_report
from localgov.reports.projection import Projector, Refreshed
from localgov.reports.query import Filters, Period
from localgov.reports.ranking import ranking_report
from localgov.reports.results import (
    EmployeesReport,
    RankingReport,
    ReportHeader,
    ReportResult,
    RevenueReport,
    StatesReport,
    TimeLimitsReport,
    VolumeReport,
)
from localgov.reports.workdays import WorkdayIndex

__all__ = ["REPORT_NAMES", "Reports"]

#: No filter: every governorate, unit, service, channel and employee.
EVERYTHING = Filters()

#: Every report :meth:`Reports.run` knows, by name.
REPORT_NAMES = ("volume", "time-limits", "states", "employees", "revenue", "ranking")


class Reports:
    """Reports for decision makers over the store's database (and its payment ledger).

    >>> reports = Reports(store.engine, catalogue=app.catalogue, organisation=app.organisation,
    ...                   calendar=egypt_calendar())
    >>> reports.time_limits(Period(date(2026, 1, 1), date(2026, 12, 31)), Filters(unit="zeitoun"))

    ``max_age`` says how old the projection may be for a report to use it as it is: zero (the
    default) brings it up to date before each report; five minutes lets the reports of five minutes
    share one refresh; ``None`` never refreshes here, for a deployment whose refresher runs on a
    schedule (``localgov refresh-reports --every 60``). The header of every result says which
    moment its data stands at.
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        catalogue: Catalogue,
        organisation: Mapping[str, Governorate],
        calendar: WorkingCalendar,
        timezone: datetime.tzinfo = EGYPT,
        clock: Clock = utcnow,
        supervisor_roles: frozenset[str] = SUPERVISOR_ROLES,
        max_age: datetime.timedelta | None = datetime.timedelta(0),
    ) -> None:
        self.engine = engine
        self._catalogue = catalogue
        self._organisation = organisation
        self._timezone = timezone
        self._index = WorkdayIndex(calendar)
        self._supervisors = supervisor_roles
        self._max_age = max_age
        self.projector = Projector(
            engine,
            meanings=Meanings.of(catalogue),
            organisation=organisation,
            calendar=calendar,
            timezone=timezone,
            clock=clock,
        )

    @classmethod
    def for_engine(
        cls, lifecycle_engine: Any, *, catalogue: Catalogue, organisation: Mapping[str, Governorate], **options: Any
    ) -> Reports:
        """The reports over a lifecycle :class:`~localgov.requests.Engine`'s SQL store, with its calendar
        and timezone (so working days count as the engine's time limits do)."""
        database = getattr(getattr(lifecycle_engine, "store", None), "engine", None)
        if not isinstance(database, sa.Engine):
            raise TypeError("the engine's store is not an SQL store: pass the SQLAlchemy engine to Reports")
        return cls(
            database,
            catalogue=catalogue,
            organisation=organisation,
            calendar=lifecycle_engine.calendar,
            timezone=lifecycle_engine.timezone,
            clock=lifecycle_engine.now,
            **options,
        )

    def refresh(self, *, max_age: datetime.timedelta | None = None) -> Refreshed:
        """Bring the projection up to date with the store and the ledger (unless it caught up
        less than ``max_age`` ago)."""
        return self.projector.refresh(max_age=max_age)

    # --- the reports -----------------------------------------------------------------------

    def volume(self, period: Period, filters: Filters = EVERYTHING, *, by: str | None = None) -> VolumeReport:
        header = self._header("volume", period, filters, by)
        with self.engine.connect() as connection:
            return volume_report(connection, header, self._index)

    def time_limits(self, period: Period, filters: Filters = EVERYTHING, *, by: str | None = None) -> TimeLimitsReport:
        header = self._header("time-limits", period, filters, by)
        with self.engine.connect() as connection:
            return time_limits_report(connection, header, self._index)

    def states(self, period: Period, filters: Filters = EVERYTHING) -> StatesReport:
        header = self._header("states", period, filters, None)
        with self.engine.connect() as connection:
            return states_report(connection, header)

    def employees(
        self, period: Period, filters: Filters = EVERYTHING, *, viewer: ReportViewer | None
    ) -> EmployeesReport:
        """Each employee's figures: only for a ``viewer`` holding a supervisor role."""
        scoped = employee_scope(viewer, filters, self._supervisors)
        header = self._header("employees", period, scoped, None)
        with self.engine.connect() as connection:
            return employees_report(connection, header, self._index, self._timezone)

    def revenue(self, period: Period, filters: Filters = EVERYTHING) -> RevenueReport:
        header = self._header("revenue", period, filters, None)
        with self.engine.connect() as connection:
            return revenue_report(connection, header)

    def ranking(self, period: Period, filters: Filters = EVERYTHING, *, minimum_completed: int = 30) -> RankingReport:
        header = self._header("ranking", period, filters, None)
        with self.engine.connect() as connection:
            return ranking_report(connection, header, minimum_completed)

    def run(
        self,
        name: str,
        period: Period,
        filters: Filters = EVERYTHING,
        *,
        by: str | None = None,
        viewer: ReportViewer | None = None,
    ) -> ReportResult:
        """The report called ``name`` (one of :data:`REPORT_NAMES`)."""
        if name == "volume":
            return self.volume(period, filters, by=by)
        if name == "time-limits":
            return self.time_limits(period, filters, by=by)
        if by is not None:
            raise InvalidReportQuery(f"the {name} report has no grouping (only volume and time-limits do)")
        if name == "states":
            return self.states(period, filters)
        if name == "employees":
            return self.employees(period, filters, viewer=viewer)
        if name == "revenue":
            return self.revenue(period, filters)
        if name == "ranking":
            return self.ranking(period, filters)
        raise UnknownReport(f"no report named {name!r} (reports: {', '.join(REPORT_NAMES)})")

    # --- the header ------------------------------------------------------------------------

    def _header(self, name: str, period: Period, filters: Filters, by: str | None) -> ReportHeader:
        self._check(filters)
        as_of = self.projector.as_of() if self._max_age is None else self.refresh(max_age=self._max_age).as_of
        if as_of is None:  # never projected: whatever the policy, a report needs a first refresh
            as_of = self.refresh().as_of
        return ReportHeader(name, period, filters, by, as_of, as_of.astimezone(self._timezone).date())

    def _check(self, filters: Filters) -> None:
        """Refuse codes that name nothing, so a typo reads as an error, not as zero requests."""
        organisation, catalogue = self._organisation, self._catalogue
        governorates = list(organisation.values())
        if filters.governorate is not None:
            if filters.governorate not in organisation:
                raise InvalidReportQuery(f"unknown governorate {filters.governorate!r}")
            governorates = [organisation[filters.governorate]]
        known = {
            "zone": {code for g in governorates for code in g.zones},
            "unit": {code for g in governorates for code in g.units},
            "service_point": {code for g in governorates for code in g.service_points},
            "service": set(catalogue.services),
            "channel": set(catalogue.channels),
            "department": set(catalogue.departments),
        }
        for name, codes in known.items():
            value = getattr(filters, name)
            if value is not None and value not in codes:
                raise InvalidReportQuery(f"unknown {name.replace('_', ' ')} {value!r}")
