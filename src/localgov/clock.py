"""One clock and one timezone for the whole library.

Every moment localgov records is timezone-aware UTC, taken from a clock that is passed in (so tests
and replays can fix it); every date a citizen reads (a due date, an issue date, the last day a
permit is valid) is that moment's date in the deployment's timezone, Egypt's unless told otherwise.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

__all__ = ["EGYPT", "Clock", "local_date", "utcnow"]

# Egypt's civil time, with its daylight-saving rules (restored in 2023), from the tz database.
EGYPT = ZoneInfo("Africa/Cairo")

Clock = Callable[[], datetime.datetime]
"""A function returning the current moment, timezone-aware."""


def utcnow() -> datetime.datetime:
    """The current moment in UTC: the default :data:`Clock`."""
    return datetime.datetime.now(datetime.UTC)


def local_date(at: datetime.datetime, timezone: datetime.tzinfo = EGYPT) -> datetime.date:
    """The calendar date of ``at`` where the citizen is."""
    return at.astimezone(timezone).date()
