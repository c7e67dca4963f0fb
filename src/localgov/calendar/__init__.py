"""Working days and holidays: when a request is due.

``egypt_calendar()`` gives the Friday-Saturday weekend with the bundled public holidays;
``WorkingCalendar.add_working_days(submitted_on, limit)`` gives the due date.
"""

from localgov.calendar.computus import orthodox_easter, sham_el_nessim
from localgov.calendar.egypt import (
    bundled_years,
    egypt_calendar,
    load_local_holidays,
    with_local_holidays,
)
from localgov.calendar.errors import CalendarError, CalendarFileError
from localgov.calendar.files import (
    HolidayFile,
    HolidaySource,
    load_holiday_file,
    load_holidays,
    merge_holiday_files,
    parse_holiday_toml,
)
from localgov.calendar.working import EGYPT_WEEKEND, FRIDAY, SATURDAY, Holiday, WorkingCalendar

__all__ = [
    "EGYPT_WEEKEND",
    "FRIDAY",
    "SATURDAY",
    "CalendarError",
    "CalendarFileError",
    "Holiday",
    "HolidayFile",
    "HolidaySource",
    "WorkingCalendar",
    "bundled_years",
    "egypt_calendar",
    "load_holiday_file",
    "load_holidays",
    "load_local_holidays",
    "merge_holiday_files",
    "orthodox_easter",
    "parse_holiday_toml",
    "sham_el_nessim",
    "with_local_holidays",
]
