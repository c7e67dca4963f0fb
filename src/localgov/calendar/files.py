"""Holiday files: one TOML file per year (national) or per governorate (local holidays).

A file has an optional ``year`` (every date must then fall in it), an optional ``governorate``
(ISO 3166-2:EG code, required for local files) and an array of ``[[holiday]]`` tables, each with
``date`` (a TOML date, unquoted), ``ar``, ``en`` and optionally ``provisional`` (default false).
Anything else is an error: a typo in a holiday file would silently move a deadline.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterable, Mapping
from importlib.resources.abc import Traversable
from pathlib import Path

import attrs

from localgov.calendar.errors import CalendarFileError
from localgov.calendar.working import NATIONWIDE, Holiday
from localgov.i18n import LocalizedText
from localgov.organisation.governorates import governorate_facts

__all__ = [
    "HolidayFile",
    "HolidaySource",
    "load_holiday_file",
    "load_holidays",
    "merge_holiday_files",
    "parse_holiday_toml",
]

HolidaySource = str | os.PathLike[str] | Traversable
"""A file path, or a packaged resource such as the bundled ``data/eg-2026.toml``."""

_TOP_LEVEL_KEYS = frozenset({"year", "governorate", "holiday"})
_HOLIDAY_KEYS = frozenset({"date", "ar", "en", "provisional"})


@attrs.frozen
class HolidayFile:
    """What one holiday file says."""

    source: str
    year: int | None
    governorate: str | None
    holidays: tuple[Holiday, ...]


def parse_holiday_toml(text: str, source: str) -> HolidayFile:
    """Read the text of a holiday file; ``source`` names it in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CalendarFileError(source, "(document)", f"not valid TOML: {error}") from None
    return _read_document(document, source)


def load_holiday_file(path: HolidaySource) -> HolidayFile:
    """Read one holiday file from disk or from the package."""
    resource = path if isinstance(path, Traversable) else Path(path)
    source = str(resource)
    try:
        raw = resource.read_bytes()
    except OSError as error:
        raise CalendarFileError(source, "(file)", f"cannot be read: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CalendarFileError(source, "(file)", f"is not UTF-8 text (byte {error.start})") from None
    return parse_holiday_toml(text, source)


def load_holidays(paths: Iterable[HolidaySource]) -> tuple[Holiday, ...]:
    """The holidays of several files, sorted by date. A date may appear only once across them."""
    return merge_holiday_files(load_holiday_file(path) for path in paths)


def merge_holiday_files(files: Iterable[HolidayFile]) -> tuple[Holiday, ...]:
    """The holidays of files already read, sorted by date; a date may appear only once."""
    seen: dict[dt.date, str] = {}
    holidays: list[Holiday] = []
    for loaded in files:
        for index, holiday in enumerate(loaded.holidays):
            if holiday.date in seen:
                raise CalendarFileError(
                    loaded.source,
                    f"holiday[{index}].date",
                    f"date already has a holiday in {seen[holiday.date]}",
                    holiday.date,
                )
            seen[holiday.date] = loaded.source
            holidays.append(holiday)
    return tuple(sorted(holidays, key=lambda h: h.date))


def _read_document(document: Mapping[str, object], source: str) -> HolidayFile:
    for key in document:
        if key not in _TOP_LEVEL_KEYS:
            raise CalendarFileError(source, key, f"unknown key (expected one of {sorted(_TOP_LEVEL_KEYS)})")
    year = _optional_year(document, source)
    governorate = _optional_governorate(document, source)
    entries = document.get("holiday")
    if not isinstance(entries, list):
        raise CalendarFileError(
            source,
            "holiday",
            "expected an array of [[holiday]] tables",
            entries if entries is not None else "(missing)",
        )
    holidays: list[Holiday] = []
    first_index_by_date: dict[dt.date, int] = {}
    for index, entry in enumerate(entries):
        holiday = _read_holiday(entry, f"holiday[{index}]", source, year, governorate or NATIONWIDE)
        if holiday.date in first_index_by_date:
            raise CalendarFileError(
                source,
                f"holiday[{index}].date",
                f"duplicate date (already holiday[{first_index_by_date[holiday.date]}])",
                holiday.date,
            )
        first_index_by_date[holiday.date] = index
        holidays.append(holiday)
    return HolidayFile(source, year, governorate, tuple(holidays))


def _optional_year(document: Mapping[str, object], source: str) -> int | None:
    if "year" not in document:
        return None
    year = document["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 9999:
        raise CalendarFileError(source, "year", "expected a year such as 2026", year)
    return year


def _optional_governorate(document: Mapping[str, object], source: str) -> str | None:
    if "governorate" not in document:
        return None
    code = document["governorate"]
    if not isinstance(code, str) or governorate_facts(code) is None:
        raise CalendarFileError(source, "governorate", 'expected an ISO 3166-2:EG governorate code such as "ALX"', code)
    return code


def _read_holiday(entry: object, path: str, source: str, year: int | None, scope: str) -> Holiday:
    if not isinstance(entry, dict):
        raise CalendarFileError(source, path, "expected a table with date, ar and en", entry)
    for key in entry:
        if key not in _HOLIDAY_KEYS:
            raise CalendarFileError(source, f"{path}.{key}", f"unknown key (expected one of {sorted(_HOLIDAY_KEYS)})")
    for required in ("date", "ar", "en"):
        if required not in entry:
            raise CalendarFileError(source, f"{path}.{required}", "missing")
    date = entry["date"]
    # tomllib gives datetime for date-times; datetime is a date subclass, so test the exact type.
    if type(date) is not dt.date:
        raise CalendarFileError(source, f"{path}.date", "expected a TOML date such as 2026-01-07, unquoted", date)
    if year is not None and date.year != year:
        raise CalendarFileError(source, f"{path}.date", f"date is not in the file's year {year}", date)
    names = {}
    for language in ("ar", "en"):
        name = entry[language]
        if not isinstance(name, str) or not name.strip():
            raise CalendarFileError(source, f"{path}.{language}", "expected a non-blank string", name)
        names[language] = name.strip()
    provisional = entry.get("provisional", False)
    if not isinstance(provisional, bool):
        raise CalendarFileError(source, f"{path}.provisional", "expected true or false", provisional)
    return Holiday(date, LocalizedText(names["ar"], names["en"]), provisional, scope)
