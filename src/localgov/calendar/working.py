"""Working days: which days count towards a service's time limit, and when a request is due.

The rule the whole library uses: a request submitted on day D with a limit of N working days is
due at the end of the N-th working day *after* D. D itself never counts, whether or not it is a
working day: with a Friday-Saturday weekend, requests filed on Thursday, Friday and Saturday all
start counting on Sunday and fall due on the same day.

Arithmetic is on day ordinals: weekend days are counted with whole-week arithmetic and holidays
with a binary search over a sorted tuple, so a due date costs O(log h) and not a day-by-day walk.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable

import attrs

from localgov.calendar.errors import CalendarError
from localgov.i18n import LocalizedText

__all__ = ["EGYPT_WEEKEND", "FRIDAY", "SATURDAY", "Holiday", "WorkingCalendar"]

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
EGYPT_WEEKEND: frozenset[int] = frozenset({FRIDAY, SATURDAY})
NATIONWIDE = "EG"


@attrs.frozen
class Holiday:
    """A day off. ``provisional`` marks dates that may still move (moon sighting)."""

    date: dt.date
    name: LocalizedText
    provisional: bool = False
    scope: str = NATIONWIDE
    """``"EG"`` for a public holiday, else the ISO 3166-2:EG code of the governorate it is for."""


def _weekend_days(value: Iterable[int]) -> frozenset[int]:
    return frozenset(value)


def _check_weekend(instance: object, attribute: object, weekend: frozenset[int]) -> None:
    if not weekend <= frozenset(range(7)):
        raise CalendarError(f"weekend days are weekday numbers 0 (Monday) to 6 (Sunday), got {sorted(weekend)}")
    if len(weekend) == 7:
        raise CalendarError("a week needs at least one working day")


def _sorted_holidays(value: Iterable[Holiday]) -> tuple[Holiday, ...]:
    return tuple(sorted(value, key=lambda h: (h.date, h.scope, h.name.en)))


def _years(value: Iterable[int]) -> frozenset[int]:
    return frozenset(value)


@attrs.frozen
class WorkingCalendar:
    """Weekend days plus holidays. Egypt's government week runs Sunday to Thursday."""

    weekend: frozenset[int] = attrs.field(default=EGYPT_WEEKEND, converter=_weekend_days, validator=_check_weekend)
    """Weekday numbers as :meth:`datetime.date.weekday` gives them (Friday is 4, Saturday 5)."""
    holidays: tuple[Holiday, ...] = attrs.field(default=(), converter=_sorted_holidays)
    covered_years: frozenset[int] = attrs.field(default=frozenset(), converter=_years)
    """The years whose public holidays are known; outside them only weekends are days off."""

    _holiday_dates: frozenset[dt.date] = attrs.field(init=False, repr=False, eq=False)
    # Ordinals of the holidays that fall on a weekday, sorted and unique: the only ones that
    # change a count (a holiday on a Friday costs nothing).
    _closed_weekday_ordinals: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    # _open_before[r]: how many of the weekdays 0..r-1 are working weekdays.
    _open_before: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    # _nth_open_weekday[k]: the weekday number of the (k+1)-th working weekday of a week.
    _nth_open_weekday: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)

    @_holiday_dates.default
    def _collect_holiday_dates(self) -> frozenset[dt.date]:
        return frozenset(h.date for h in self.holidays)

    @_closed_weekday_ordinals.default
    def _collect_closed_weekdays(self) -> tuple[int, ...]:
        return tuple(sorted({d.toordinal() for d in self._holiday_dates if d.weekday() not in self.weekend}))

    @_open_before.default
    def _count_open_weekdays(self) -> tuple[int, ...]:
        counts = [0]
        for weekday in range(7):
            counts.append(counts[-1] + (weekday not in self.weekend))
        return tuple(counts)

    @_nth_open_weekday.default
    def _list_open_weekdays(self) -> tuple[int, ...]:
        return tuple(weekday for weekday in range(7) if weekday not in self.weekend)

    # --- questions about one day -------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and day not in self._holiday_dates

    def holidays_on(self, day: dt.date) -> tuple[Holiday, ...]:
        """The holidays on ``day`` (a local and a public holiday can share a date)."""
        return tuple(h for h in self.holidays if h.date == day)

    def covers(self, day: dt.date) -> bool:
        """Whether the public holidays of ``day``'s year are known to this calendar."""
        return day.year in self.covered_years

    # --- counting ----------------------------------------------------------------------------

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The working days ``d`` with ``start < d <= end``; negative when ``end`` comes first.

        So ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n >= 0``.
        """
        if end < start:
            return -self._count(end.toordinal(), start.toordinal())
        return self._count(start.toordinal(), end.toordinal())

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself never counts).

        ``days == 0`` returns ``start`` unchanged. A request submitted on D with a limit of N
        working days is due at the end of ``add_working_days(D, N)``.
        """
        if days < 0:
            raise CalendarError(f"cannot add a negative number of working days ({days})")
        if days == 0:
            return start
        origin = start.toordinal()
        open_weekdays_before = self._open_weekdays_up_to(origin)
        holidays_passed = 0
        while True:
            # Smallest day that leaves `days + holidays_passed` working weekdays after `origin`;
            # if more holidays lie in that stretch than assumed, extend by the difference. Each
            # round moves forward, and stops once the stretch holds exactly the assumed holidays.
            candidate = self._day_with_open_weekday_count(open_weekdays_before + days + holidays_passed)
            holidays_in_stretch = self._closed_between(origin, candidate)
            if holidays_in_stretch == holidays_passed:
                return self._date(candidate)
            holidays_passed = holidays_in_stretch

    def next_working_day(self, day: dt.date, *, inclusive: bool = False) -> dt.date:
        """The first working day after ``day`` (``inclusive=True``: ``day`` itself if it works)."""
        if inclusive and self.is_working_day(day):
            return day
        return self.add_working_days(day, 1)

    # --- building ----------------------------------------------------------------------------

    def with_holidays(self, extra: Iterable[Holiday]) -> WorkingCalendar:
        """A calendar with ``extra`` holidays added (same weekend, same covered years)."""
        return attrs.evolve(self, holidays=(*self.holidays, *extra))

    # --- ordinal arithmetic ------------------------------------------------------------------

    def _count(self, after: int, up_to: int) -> int:
        return self._open_weekdays_up_to(up_to) - self._open_weekdays_up_to(after) - self._closed_between(after, up_to)

    def _open_weekdays_up_to(self, ordinal: int) -> int:
        """How many non-weekend days have an ordinal in ``1..ordinal`` (ordinal 1 is a Monday)."""
        weeks, rest = divmod(ordinal, 7)
        return weeks * self._open_before[7] + self._open_before[rest]

    def _day_with_open_weekday_count(self, count: int) -> int:
        """The smallest ordinal ``x`` with ``_open_weekdays_up_to(x) == count`` (a weekday)."""
        weeks, index = divmod(count - 1, self._open_before[7])
        return 7 * weeks + 1 + self._nth_open_weekday[index]

    def _closed_between(self, after: int, up_to: int) -> int:
        closed = self._closed_weekday_ordinals
        return bisect.bisect_right(closed, up_to) - bisect.bisect_right(closed, after)

    @staticmethod
    def _date(ordinal: int) -> dt.date:
        try:
            return dt.date.fromordinal(ordinal)
        except (ValueError, OverflowError):
            raise CalendarError("the result falls after 31 December 9999") from None
