"""Open311 listing: the window of dates and the page a client asks for.

GeoReport v2 lists by ``start_date`` and ``end_date`` (W3C date-times) and says a query with
neither covers the past 90 days; it has no paging, so pages are an extension in the manner of
RFC 8288: each full page answers with ``Link: <...&page=CURSOR>; rel="next"``. The cursor is the
last row's (submitted_at, id), base64url-encoded: it positions a list and reveals nothing the page
did not show; a forged one can only move the caller within their own unit's list.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json

import attrs

from localgov.requests import RequestQuery
from localgov.web.problems import InvalidInput

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_WINDOW",
    "MAX_PAGE_SIZE",
    "ListingWindow",
    "decode_cursor",
    "encode_cursor",
    "listing_window",
    "page_query",
]

#: GeoReport v2: "the default query should be for the past 90 days".
DEFAULT_WINDOW = datetime.timedelta(days=90)
DEFAULT_PAGE_SIZE = 100
#: GeoReport v2 lets a server cap its answer; 1000 is the figure the specification suggests.
MAX_PAGE_SIZE = 1000
_CURSOR_MAX = 400  # characters: two parts of at most 64 ASCII characters, escaped and encoded


@attrs.frozen
class ListingWindow:
    """The first and last moments of submission a list covers, in the recording timezone."""

    start: datetime.datetime
    end: datetime.datetime


def listing_window(start_date: str | None, end_date: str | None, *, now: datetime.datetime) -> ListingWindow:
    """The window a client's dates name; 90 days up to ``now`` when they name none.

    A date-time without an offset is read in ``now``'s timezone (the deployment's). Both ends are
    given back in ``now``'s timezone, so they compare with recorded times as text.
    """
    zone = now.tzinfo
    end = _moment("end_date", end_date, zone) if end_date else now
    start = _moment("start_date", start_date, zone) if start_date else end - DEFAULT_WINDOW
    if start > end:
        raise InvalidInput({"start_date": f"{start_date!r} is after end_date {end.isoformat()!r}"})
    return ListingWindow(start, end)


def _moment(field: str, text: str, zone: datetime.tzinfo | None) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput({field: f"{text!r} is not a W3C date-time such as 2026-12-06T09:30:00+02:00"}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def encode_cursor(submitted_at: str, request_id: str) -> str:
    """The cursor for the page after a row."""
    raw = json.dumps([submitted_at, request_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """(submitted_at, id) from a cursor; :class:`InvalidInput` naming ``page`` if it is not one."""
    refused = InvalidInput({"page": "not a page cursor of this service (take it from the Link header)"})
    if len(cursor) > _CURSOR_MAX:
        raise refused
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError):
        raise refused from None
    if not (
        isinstance(position, list)
        and len(position) == 2
        and all(isinstance(part, str) and 0 < len(part) <= 64 for part in position)
    ):
        raise refused
    return position[0], position[1]


def page_query(
    unit: str,
    window: ListingWindow,
    *,
    limit: int,
    cursor: str | None,
    service: str | None = None,
    closed: bool | None = None,
    ids: frozenset[str] | None = None,
) -> RequestQuery:
    """The store's query for one page of a unit's list."""
    return RequestQuery(
        unit=unit,
        service=service,
        closed=closed,
        ids=ids,
        submitted_from=window.start.isoformat(),
        submitted_until=window.end.isoformat(),
        after=decode_cursor(cursor) if cursor else None,
        limit=limit,
    )
