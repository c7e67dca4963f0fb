"""The listing's parameters are untrusted text: each is understood or refused by name, never a crash."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localgov.clock import EGYPT
from localgov.web.api.paging import DEFAULT_WINDOW, decode_cursor, encode_cursor, listing_window
from localgov.web.problems import InvalidInput

NOW = datetime.datetime(2026, 12, 6, 10, 0, tzinfo=datetime.UTC)
_part = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=64)


@given(submitted_at=_part, request_id=_part)
def test_a_cursor_gives_back_the_position_it_was_made_from(submitted_at: str, request_id: str) -> None:
    assert decode_cursor(encode_cursor(submitted_at, request_id)) == (submitted_at, request_id)


@given(st.text(max_size=300))
def test_any_text_is_a_position_or_refused_naming_page(cursor: str) -> None:
    try:
        position = decode_cursor(cursor)
    except InvalidInput as refused:
        assert list(refused.fields) == ["page"]
    else:
        assert all(isinstance(part, str) and part for part in position)


@given(st.text(max_size=60), st.text(max_size=60))
def test_any_dates_are_a_window_or_refused_naming_the_date(start: str, end: str) -> None:
    try:
        window = listing_window(start or None, end or None, now=NOW)
    except InvalidInput as refused:
        assert set(refused.fields) <= {"start_date", "end_date"} and refused.fields
    else:
        assert window.start <= window.end and window.start.tzinfo is NOW.tzinfo


def test_dates_are_read_in_the_deployment_zone_and_given_back_in_the_clock_s() -> None:
    window = listing_window("2026-12-01T08:00:00", "2026-12-02T08:00:00+02:00", now=NOW.astimezone(EGYPT))
    assert window.start.isoformat() == "2026-12-01T08:00:00+02:00"
    utc = listing_window("2026-12-01T08:00:00+02:00", None, now=NOW)
    assert utc.start.isoformat() == "2026-12-01T06:00:00+00:00" and utc.end == NOW


def test_no_dates_mean_the_past_ninety_days() -> None:
    window = listing_window(None, None, now=NOW)
    assert (window.start, window.end) == (NOW - DEFAULT_WINDOW, NOW)
    with pytest.raises(InvalidInput, match="start_date"):
        listing_window("2026-12-07", "2026-12-06", now=NOW)
