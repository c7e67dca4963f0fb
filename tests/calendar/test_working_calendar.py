from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.calendar import (
    EGYPT_WEEKEND,
    FRIDAY,
    SATURDAY,
    CalendarError,
    Holiday,
    WorkingCalendar,
)
from localgov.i18n import LocalizedText

NAME = LocalizedText("عطلة", "holiday")
WINDOW_START, WINDOW_END = dt.date(2024, 1, 1), dt.date(2028, 12, 31)


def holiday(day: dt.date, scope: str = "EG") -> Holiday:
    return Holiday(day, NAME, scope=scope)


def walk_forward(calendar: WorkingCalendar, start: dt.date, days: int) -> dt.date:
    """The obvious day-by-day definition, as the oracle for the arithmetic."""
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += calendar.is_working_day(day)
    return day


def count_by_walking(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> int:
    step = 1 if end >= start else -1
    low, high = min(start, end), max(start, end)
    total = sum(calendar.is_working_day(low + dt.timedelta(days=offset)) for offset in range(1, (high - low).days + 1))
    return step * total


window_dates = st.dates(min_value=WINDOW_START, max_value=WINDOW_END)
weekends = st.frozensets(st.integers(min_value=0, max_value=6), max_size=6)
calendars = st.builds(
    WorkingCalendar,
    weekend=weekends,
    holidays=st.lists(window_dates.map(holiday), max_size=60),
)
egyptian_calendars = st.builds(
    WorkingCalendar,
    holidays=st.lists(window_dates.map(holiday), max_size=60),
)


# --- against the day-by-day oracle ------------------------------------------------------------


@settings(max_examples=200)
@given(calendars, window_dates, st.integers(min_value=0, max_value=400))
def test_add_working_days_matches_walking(calendar: WorkingCalendar, start: dt.date, days: int) -> None:
    assert calendar.add_working_days(start, days) == walk_forward(calendar, start, days)


@settings(max_examples=200)
@given(calendars, window_dates, window_dates)
def test_working_days_between_matches_walking(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> None:
    assert calendar.working_days_between(start, end) == count_by_walking(calendar, start, end)


# --- consistency ------------------------------------------------------------------------------


@given(calendars, window_dates, st.integers(min_value=0, max_value=5_000))
def test_counting_back_the_added_days(calendar: WorkingCalendar, start: dt.date, days: int) -> None:
    due = calendar.add_working_days(start, days)
    assert calendar.working_days_between(start, due) == days
    if days:
        assert due > start
        assert calendar.is_working_day(due)
        # ...and it is the first day reaching that count.
        assert calendar.working_days_between(start, due - dt.timedelta(days=1)) == days - 1


@given(calendars, window_dates, window_dates)
def test_adding_the_counted_days_reaches_the_last_working_day_up_to_end(
    calendar: WorkingCalendar, start: dt.date, end: dt.date
) -> None:
    if end < start:
        start, end = end, start
    reached = calendar.add_working_days(start, calendar.working_days_between(start, end))
    assert start <= reached <= end
    assert calendar.working_days_between(reached, end) == 0


@given(calendars, window_dates, window_dates, window_dates)
def test_counts_add_up_and_reverse(calendar: WorkingCalendar, a: dt.date, b: dt.date, c: dt.date) -> None:
    assert calendar.working_days_between(a, b) == -calendar.working_days_between(b, a)
    assert calendar.working_days_between(a, b) + calendar.working_days_between(b, c) == (
        calendar.working_days_between(a, c)
    )


@given(calendars, window_dates, st.integers(min_value=0, max_value=300))
def test_one_more_day_is_the_next_working_day(calendar: WorkingCalendar, start: dt.date, days: int) -> None:
    assert calendar.add_working_days(start, days + 1) == calendar.next_working_day(
        calendar.add_working_days(start, days)
    )


@given(egyptian_calendars, window_dates, st.integers(min_value=1, max_value=60))
def test_thursday_friday_and_saturday_submissions_fall_due_together(
    calendar: WorkingCalendar, day: dt.date, days: int
) -> None:
    thursday = day + dt.timedelta(days=(3 - day.weekday()) % 7)
    due = {calendar.add_working_days(thursday + dt.timedelta(days=k), days) for k in range(3)}
    assert len(due) == 1


# --- rules and edges --------------------------------------------------------------------------


def test_worked_example_over_eid() -> None:
    # Submitted Wednesday 18 March 2026; Thursday 19 counts; Friday and Saturday are the weekend;
    # Sunday 22 is a holiday; Monday 23 to Thursday 26 are working days 2 to 5.
    calendar = WorkingCalendar(holidays=[holiday(dt.date(2026, 3, 22))])
    assert calendar.add_working_days(dt.date(2026, 3, 18), 5) == dt.date(2026, 3, 26)


def test_zero_days_returns_the_start_even_on_a_day_off() -> None:
    friday = dt.date(2026, 1, 2)
    assert not WorkingCalendar().is_working_day(friday)
    assert WorkingCalendar().add_working_days(friday, 0) == friday


def test_negative_days_are_refused() -> None:
    with pytest.raises(CalendarError, match="-1"):
        WorkingCalendar().add_working_days(dt.date(2026, 1, 1), -1)


def test_next_working_day_inclusive_and_exclusive() -> None:
    calendar = WorkingCalendar()
    sunday, thursday, friday = dt.date(2026, 1, 4), dt.date(2026, 1, 1), dt.date(2026, 1, 2)
    assert calendar.next_working_day(sunday, inclusive=True) == sunday
    assert calendar.next_working_day(sunday) == sunday + dt.timedelta(days=1)
    assert calendar.next_working_day(thursday) == sunday
    assert calendar.next_working_day(friday, inclusive=True) == sunday


def test_egypt_weekend_is_friday_and_saturday() -> None:
    assert {FRIDAY, SATURDAY} == EGYPT_WEEKEND
    week = [dt.date(2026, 1, 4) + dt.timedelta(days=k) for k in range(7)]  # Sunday..Saturday
    assert [WorkingCalendar().is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_a_holiday_on_the_weekend_changes_nothing() -> None:
    plain = WorkingCalendar()
    with_friday_holiday = WorkingCalendar(holidays=[holiday(dt.date(2026, 1, 2))])
    start = dt.date(2025, 12, 30)
    for days in range(10):
        assert plain.add_working_days(start, days) == with_friday_holiday.add_working_days(start, days)


def test_holidays_on_lists_every_holiday_of_a_date() -> None:
    day = dt.date(2026, 7, 23)
    calendar = WorkingCalendar(holidays=[holiday(day), holiday(day, scope="ALX"), holiday(dt.date(2026, 7, 26))])
    assert {h.scope for h in calendar.holidays_on(day)} == {"EG", "ALX"}
    assert calendar.holidays_on(dt.date(2026, 7, 24)) == ()
    assert not calendar.is_working_day(day)


def test_with_holidays_adds_and_keeps_the_rest() -> None:
    calendar = WorkingCalendar(covered_years={2026})
    extended = calendar.with_holidays([holiday(dt.date(2026, 7, 26), scope="ALX")])
    assert not extended.is_working_day(dt.date(2026, 7, 26))
    assert calendar.is_working_day(dt.date(2026, 7, 26))
    assert extended.covered_years == {2026}
    assert extended.weekend == calendar.weekend


def test_holidays_are_kept_sorted() -> None:
    days = [dt.date(2026, 5, 1), dt.date(2026, 1, 7), dt.date(2026, 3, 20)]
    assert [h.date for h in WorkingCalendar(holidays=[holiday(d) for d in days]).holidays] == sorted(days)


def test_covers_only_the_loaded_years() -> None:
    calendar = WorkingCalendar(covered_years={2026})
    assert calendar.covers(dt.date(2026, 12, 31))
    assert not calendar.covers(dt.date(2027, 1, 1))


@pytest.mark.parametrize("weekend", [set(range(7)), {7}, {-1}])
def test_impossible_weekends_are_refused(weekend: set[int]) -> None:
    with pytest.raises(CalendarError):
        WorkingCalendar(weekend=weekend)


def test_no_weekend_at_all_is_allowed() -> None:
    calendar = WorkingCalendar(weekend=set())
    assert calendar.add_working_days(dt.date(2026, 1, 1), 7) == dt.date(2026, 1, 8)


def test_running_off_the_end_of_time_is_a_calendar_error() -> None:
    with pytest.raises(CalendarError, match="9999"):
        WorkingCalendar().add_working_days(dt.date(9999, 12, 28), 10)


def test_large_counts_agree_with_walking() -> None:
    calendar = WorkingCalendar(
        holidays=[holiday(dt.date(2025, 1, 1) + dt.timedelta(days=k)) for k in range(0, 3000, 11)]
    )
    start = dt.date(2025, 1, 1)
    assert calendar.add_working_days(start, 20_000) == walk_forward(calendar, start, 20_000)
