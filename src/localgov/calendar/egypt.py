"""Egypt's working calendar from the bundled holiday files, plus governorate-local holidays."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib import resources
from importlib.resources.abc import Traversable

from localgov.calendar.errors import CalendarError, CalendarFileError
from localgov.calendar.files import (
    HolidaySource,
    load_holiday_file,
    load_holidays,
    merge_holiday_files,
)
from localgov.calendar.working import EGYPT_WEEKEND, Holiday, WorkingCalendar

__all__ = ["bundled_years", "egypt_calendar", "load_local_holidays", "with_local_holidays"]

_BUNDLED_FILE = re.compile(r"eg-(\d{4})\.toml")


def _data_folder() -> Traversable:
    return resources.files("localgov.calendar") / "data"


@functools.cache
def bundled_years() -> tuple[int, ...]:
    """The years for which a national holiday file ships with localgov."""
    years = (
        int(match.group(1)) for entry in _data_folder().iterdir() if (match := _BUNDLED_FILE.fullmatch(entry.name))
    )
    return tuple(sorted(years))


def egypt_calendar(years: Iterable[int] | None = None) -> WorkingCalendar:
    """Friday-Saturday weekend plus the public holidays of ``years`` (default: all bundled)."""
    wanted = tuple(sorted(set(bundled_years() if years is None else years)))
    return _egypt_calendar(wanted)


@functools.cache
def _egypt_calendar(years: tuple[int, ...]) -> WorkingCalendar:
    missing = [year for year in years if year not in bundled_years()]
    if missing:
        raise CalendarError(
            f"no bundled holiday file for {', '.join(map(str, missing))}; "
            f"bundled years: {', '.join(map(str, bundled_years()))}"
        )
    holidays = load_holidays(_data_folder() / f"eg-{year}.toml" for year in years)
    return WorkingCalendar(weekend=EGYPT_WEEKEND, holidays=holidays, covered_years=years)


def load_local_holidays(paths: Iterable[HolidaySource]) -> tuple[Holiday, ...]:
    """The holidays of governorate files; each must name its ``governorate``."""
    files = [load_holiday_file(path) for path in paths]
    for loaded in files:
        if loaded.governorate is None:
            raise CalendarFileError(
                loaded.source,
                "governorate",
                'a local holiday file must name its governorate (e.g. "ALX")',
            )
    return merge_holiday_files(files)


def with_local_holidays(calendar: WorkingCalendar, paths: Iterable[HolidaySource]) -> WorkingCalendar:
    """``calendar`` with the local holidays of ``paths`` merged in.

    A local holiday may fall on a public holiday (the day is off either way); two local holidays
    on one date are refused as a likely mistake.
    """
    return calendar.with_holidays(load_local_holidays(paths))
