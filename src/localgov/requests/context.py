"""What every part of the engine reads: the definitions, the staff, the calendar and the clock.

Built once per engine and shared by its parts (intake, authorisation, assignment, moves, records,
views); nothing in it changes while the engine runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from localgov.calendar import WorkingCalendar
from localgov.catalogue import Catalogue
from localgov.clock import Clock
from localgov.organisation import Governorate, StaffMember
from localgov.requests.guards import Guard
from localgov.requests.model import Request
from localgov.requests.ports import SummaryRow
from localgov.requests.seal import RecordSeal
from localgov.requests.workflow import CompiledWorkflow, compile_workflows

__all__ = ["EngineContext"]


class EngineContext:
    __slots__ = (
        "_workflow_of_service",
        "audit_key",
        "calendar",
        "catalogue",
        "clock",
        "guards",
        "organisation",
        "records",
        "staff",
        "timezone",
        "workflows",
    )

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        organisation: Mapping[str, Governorate],
        calendar: WorkingCalendar,
        staff: Mapping[str, StaffMember],
        guards: Mapping[str, Guard],
        audit_key: bytes,
        clock: Clock,
        timezone: datetime.tzinfo,
    ) -> None:
        self.catalogue = catalogue
        self.organisation = organisation
        self.calendar = calendar
        self.staff = staff
        self.guards = guards
        self.audit_key = audit_key
        self.records = RecordSeal(audit_key)
        self.clock = clock
        self.timezone = timezone
        self.workflows: Mapping[str, CompiledWorkflow] = compile_workflows(catalogue)
        self._workflow_of_service = {code: s.workflow for code, s in catalogue.services.items()}

    def workflow_of(self, request: Request | SummaryRow) -> CompiledWorkflow:
        return self.workflows[self._workflow_of_service[request.service]]

    def today(self, at: datetime.datetime) -> datetime.date:
        """The date of ``at`` in the engine's timezone: the day a time limit counts from."""
        return at.astimezone(self.timezone).date()

    def state_due(self, days: int | None, today: datetime.date) -> datetime.date | None:
        """When a step with a time limit of ``days`` working days, begun ``today``, is due."""
        return self.calendar.add_working_days(today, days) if days else None
