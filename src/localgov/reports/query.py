"""What a report is asked for: a period of local dates and filters on where, what and who."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import attrs

from localgov.reports.errors import InvalidReportQuery

__all__ = ["FILTER_NAMES", "Filters", "Period"]


@attrs.frozen
class Period:
    """The days ``start`` to ``end``, both included, as dates where the citizens are (Cairo)."""

    start: datetime.date
    end: datetime.date

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidReportQuery(f"the period ends ({self.end}) before it starts ({self.start})")

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


#: The dimensions a report can be narrowed to, in the organisation's order, from the widest.
FILTER_NAMES = (
    "governorate",
    "zone",
    "unit",
    "service_point",
    "service",
    "channel",
    "department",
    "employee",
)


@attrs.frozen
class Filters:
    """Each set field narrows the report to that code; None means every one.

    ``employee`` keeps the requests the employee acted on (for request figures) and the
    employee's own actions (for employee figures).
    """

    governorate: str | None = None
    zone: str | None = None
    unit: str | None = None
    service_point: str | None = None
    service: str | None = None
    channel: str | None = None
    department: str | None = None
    employee: str | None = None

    def given(self) -> Mapping[str, str]:
        """The filters that are set, by name, in :data:`FILTER_NAMES` order."""
        return {name: value for name in FILTER_NAMES if (value := getattr(self, name)) is not None}
