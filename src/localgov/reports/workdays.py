"""Working-day indexes: a day's count of working days since a fixed origin.

``index(b) - index(a)`` equals ``WorkingCalendar.working_days_between(a, b)``, so a figure over a
million rows subtracts two integers per row in SQL instead of walking the calendar. The indexes
are computed when a row enters the projection; a calendar that changes later (a holiday announced
after the fact) changes the :func:`calendar_fingerprint`, and the projection rebuilds itself.
"""

from __future__ import annotations

import datetime
import hashlib

from localgov.calendar import WorkingCalendar

__all__ = ["ORIGIN", "WorkdayIndex", "calendar_fingerprint"]

#: Day 0 of every index; requests before it would get negative indexes, which still subtract right.
ORIGIN = datetime.date(2000, 1, 1)


class WorkdayIndex:
    """Memoised indexes over one calendar (a year of requests touches a few hundred dates)."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self._known: dict[datetime.date, int] = {}

    def __call__(self, day: datetime.date) -> int:
        found = self._known.get(day)
        if found is None:
            found = self._known[day] = self.calendar.working_days_between(ORIGIN, day)
        return found

    def working_days(self, start: datetime.date, end: datetime.date) -> int:
        """The working days of ``start..end``, both included."""
        return self(end) - self(start - datetime.timedelta(days=1))


def calendar_fingerprint(calendar: WorkingCalendar) -> str:
    """A short digest of the weekend and the holiday dates: what the indexes depend on."""
    text = ",".join(str(day) for day in sorted(calendar.weekend)) + ";"
    text += ",".join(sorted({holiday.date.isoformat() for holiday in calendar.holidays}))
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:32]
