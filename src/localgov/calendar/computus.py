"""The date of Orthodox (Coptic) Easter, on which Sham El Nessim depends.

Sham El Nessim is the Monday after the Coptic Orthodox Easter, which follows the Julian calendar.
The holiday files record the date; this function lets tests and whoever prepares next year's file
check it.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["orthodox_easter", "sham_el_nessim"]


def orthodox_easter(year: int) -> dt.date:
    """Orthodox Easter Sunday of ``year`` as a Gregorian date (Meeus' Julian computus)."""
    a, b, c = year % 4, year % 7, year % 19
    d = (19 * c + 15) % 30
    e = (2 * a + 4 * b - d + 34) % 7
    month, day = divmod(d + e + 114, 31)
    julian_to_gregorian = year // 100 - year // 400 - 2  # 13 days from 1900 to 2099
    return dt.date(year, month, day + 1) + dt.timedelta(days=julian_to_gregorian)


def sham_el_nessim(year: int) -> dt.date:
    """The Monday after Orthodox Easter."""
    return orthodox_easter(year) + dt.timedelta(days=1)
