from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.calendar import (
    CalendarError,
    CalendarFileError,
    bundled_years,
    egypt_calendar,
    load_holiday_file,
    load_holidays,
    load_local_holidays,
    orthodox_easter,
    parse_holiday_toml,
    sham_el_nessim,
    with_local_holidays,
)

FIXED_DATE_HOLIDAYS = {
    (1, 7): "Coptic Christmas",
    (1, 25): "Revolution and Police Day",
    (4, 25): "Sinai Liberation Day",
    (5, 1): "Labour Day",
    (6, 30): "30 June Revolution",
    (7, 23): "23 July Revolution",
    (10, 6): "Armed Forces Day",
}
ISLAMIC = ("Eid al-Fitr", "Eid al-Adha", "Arafat Day", "Islamic New Year", "Prophet's Birthday")

VALID = """\
year = 2026

[[holiday]]
date = 2026-01-07
ar = "عيد الميلاد المجيد"
en = "Coptic Christmas"

[[holiday]]
date = 2026-03-20
ar = "عيد الفطر"
en = "Eid al-Fitr"
provisional = true
"""


def error_for(text: str) -> CalendarFileError:
    with pytest.raises(CalendarFileError) as caught:
        parse_holiday_toml(text, "test.toml")
    return caught.value


# --- the bundled files ------------------------------------------------------------------------


def test_three_years_are_bundled() -> None:
    assert {2025, 2026, 2027} <= set(bundled_years())


@pytest.mark.parametrize("year", bundled_years())
def test_bundled_file_has_every_public_holiday(year: int) -> None:
    holidays = egypt_calendar([year]).holidays
    assert all(h.date.year == year for h in holidays)
    assert all(h.name.ar.strip() and h.name.en.strip() for h in holidays)
    by_date = {h.date: h for h in holidays}
    for (month, day), english in FIXED_DATE_HOLIDAYS.items():
        fixed = by_date[dt.date(year, month, day)]
        assert fixed.name.en.startswith(english)
        assert not fixed.provisional
    sham = by_date[sham_el_nessim(year)]
    assert sham.name.en == "Sham El Nessim" and not sham.provisional
    for name in ISLAMIC:
        matching = [h for h in holidays if h.name.en.startswith(name)]
        assert matching, f"{name} missing from {year}"
        assert all(h.provisional for h in matching)
    eid_al_fitr = sorted(h.date for h in holidays if h.name.en.startswith("Eid al-Fitr"))
    assert len(eid_al_fitr) == 3 and (eid_al_fitr[-1] - eid_al_fitr[0]).days == 2
    arafat = next(h.date for h in holidays if h.name.en == "Arafat Day")
    eid_al_adha = sorted(h.date for h in holidays if h.name.en.startswith("Eid al-Adha"))
    assert eid_al_adha == [arafat + dt.timedelta(days=k) for k in (1, 2, 3)]
    provisional = {h.name.en for h in holidays if h.provisional}
    assert all(name.startswith(ISLAMIC) for name in provisional)


@pytest.mark.parametrize("year", bundled_years())
def test_bundled_file_header_explains_provisional(year: int) -> None:
    from importlib import resources

    text = (resources.files("localgov.calendar") / "data" / f"eg-{year}.toml").read_text("utf-8")
    header = text.split("\nyear =")[0]
    assert "provisional = true" in header and "moon" in header


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2023, dt.date(2023, 4, 16)),
        (2024, dt.date(2024, 5, 5)),
        (2025, dt.date(2025, 4, 20)),
        (2026, dt.date(2026, 4, 12)),
        (2027, dt.date(2027, 5, 2)),
    ],
)
def test_orthodox_easter_known_dates(year: int, easter: dt.date) -> None:
    assert orthodox_easter(year) == easter


@given(st.integers(min_value=1900, max_value=2099))
def test_orthodox_easter_is_a_sunday_in_its_window(year: int) -> None:
    easter = orthodox_easter(year)
    assert easter.weekday() == 6
    assert dt.date(year, 4, 4) <= easter <= dt.date(year, 5, 8)
    assert sham_el_nessim(year) == easter + dt.timedelta(days=1)


def test_egypt_calendar_covers_the_requested_years_only() -> None:
    calendar = egypt_calendar([2026])
    assert calendar.covered_years == {2026}
    assert not calendar.is_working_day(dt.date(2026, 1, 7))
    assert calendar.is_working_day(dt.date(2025, 1, 7))  # 2025's holidays were not asked for
    assert egypt_calendar().covered_years == set(bundled_years())


def test_egypt_calendar_refuses_years_without_data() -> None:
    with pytest.raises(CalendarError, match="2031"):
        egypt_calendar([2026, 2031])


# --- local holidays ---------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ALEXANDRIA = """\
governorate = "ALX"

[[holiday]]
date = 2026-07-26
ar = "العيد القومي لمحافظة الإسكندرية"
en = "Alexandria National Day"
"""


def test_local_holidays_are_merged_in(tmp_path: Path) -> None:
    path = write(tmp_path, "alx.toml", ALEXANDRIA)
    national = egypt_calendar([2026])
    local = with_local_holidays(national, [path])
    day = dt.date(2026, 7, 26)  # a Sunday
    assert national.is_working_day(day)
    assert not local.is_working_day(day)
    assert [h.scope for h in local.holidays_on(day)] == ["ALX"]
    assert local.working_days_between(dt.date(2026, 7, 23), dt.date(2026, 7, 31)) == (
        national.working_days_between(dt.date(2026, 7, 23), dt.date(2026, 7, 31)) - 1
    )


def test_a_local_holiday_may_share_a_public_holidays_date(tmp_path: Path) -> None:
    path = write(tmp_path, "alx.toml", ALEXANDRIA.replace("2026-07-26", "2026-07-23"))
    local = with_local_holidays(egypt_calendar([2026]), [path])
    assert {h.scope for h in local.holidays_on(dt.date(2026, 7, 23))} == {"EG", "ALX"}


def test_local_file_must_name_its_governorate(tmp_path: Path) -> None:
    path = write(tmp_path, "nowhere.toml", ALEXANDRIA.replace('governorate = "ALX"\n', ""))
    with pytest.raises(CalendarFileError) as caught:
        load_local_holidays([path])
    assert caught.value.key == "governorate"
    assert "nowhere.toml" in str(caught.value)


def test_two_local_files_may_not_claim_one_date(tmp_path: Path) -> None:
    first = write(tmp_path, "a.toml", ALEXANDRIA)
    second = write(tmp_path, "b.toml", ALEXANDRIA.replace("ALX", "GZ"))
    with pytest.raises(CalendarFileError) as caught:
        load_local_holidays([first, second])
    assert "b.toml" in str(caught.value) and "a.toml" in str(caught.value)
    assert caught.value.key == "holiday[0].date"


# --- loader errors ----------------------------------------------------------------------------


def test_valid_file_parses() -> None:
    loaded = parse_holiday_toml(VALID, "test.toml")
    assert loaded.year == 2026 and loaded.governorate is None
    assert [h.date for h in loaded.holidays] == [dt.date(2026, 1, 7), dt.date(2026, 3, 20)]
    assert [h.provisional for h in loaded.holidays] == [False, True]
    assert loaded.holidays[0].name.ar == "عيد الميلاد المجيد"
    assert all(h.scope == "EG" for h in loaded.holidays)


@pytest.mark.parametrize(
    ("text", "key", "shown"),
    [
        (VALID.replace("2026-03-20", '"2026-03-20"'), "holiday[1].date", "'2026-03-20'"),
        (VALID.replace("2026-03-20", "2026-03-20T10:00:00"), "holiday[1].date", "10, 0"),
        (VALID.replace("2026-03-20", "2027-03-20"), "holiday[1].date", "2027"),
        (VALID.replace("2026-03-20", "2026-01-07"), "holiday[1].date", "2026, 1, 7"),
        (VALID.replace("provisional = true", "provisional = 1"), "holiday[1].provisional", "1"),
        (VALID.replace("provisional = true", "provsional = true"), "holiday[1].provsional", None),
        (VALID.replace('en = "Coptic Christmas"', 'en = "  "'), "holiday[0].en", "'  '"),
        (VALID.replace('en = "Coptic Christmas"', "en = 7"), "holiday[0].en", "7"),
        (VALID.replace('en = "Coptic Christmas"\n', ""), "holiday[0].en", None),
        (VALID.replace("year = 2026", "year = 26.5"), "year", "26.5"),
        (VALID.replace("year = 2026", "year = true"), "year", "True"),
        (VALID.replace("year = 2026", 'governorate = "XX"'), "governorate", "'XX'"),
        (VALID.replace("year = 2026", "yeer = 2026"), "yeer", None),
        ("year = 2026\n", "holiday", "(missing)"),
        ("year = 2026\nholiday = 5\n", "holiday", "5"),
        ("year = 2026\nholiday = [1, 2]\n", "holiday[0]", "1"),
    ],
)
def test_loader_errors_name_the_key_and_value(text: str, key: str, shown: str | None) -> None:
    error = error_for(text)
    assert error.key == key
    assert str(error).startswith(f"test.toml: {key}: ")
    if shown is not None:
        assert shown in str(error)


def test_impossible_date_is_a_toml_error_naming_the_file() -> None:
    error = error_for(VALID.replace("2026-03-20", "2026-02-30"))
    assert error.key == "(document)"
    assert "test.toml" in str(error)


def test_duplicate_dates_across_files_name_both(tmp_path: Path) -> None:
    first = write(tmp_path, "eg-a.toml", VALID)
    second = write(tmp_path, "eg-b.toml", VALID.replace("2026-03-20", "2026-04-13"))
    with pytest.raises(CalendarFileError) as caught:
        load_holidays([first, second])
    assert "eg-b.toml" in str(caught.value) and "eg-a.toml" in str(caught.value)


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError, match="cannot be read"):
        load_holiday_file(tmp_path / "absent.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"year = 2026\n\xff\xfe")
    with pytest.raises(CalendarFileError, match="UTF-8"):
        load_holiday_file(binary)


def test_string_paths_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "eg.toml", VALID)
    assert len(load_holidays([str(path)])) == 2


@given(st.text())
def test_arbitrary_text_raises_only_calendar_file_error(text: str) -> None:
    try:
        parse_holiday_toml(text, "fuzz.toml")
    except CalendarFileError as error:
        assert str(error).startswith("fuzz.toml: ")


toml_values = st.sampled_from(
    [
        '"text"',
        '""',
        "1",
        "-3",
        "2.5",
        "true",
        "false",
        "[]",
        "[1, 2]",
        "{}",
        "{ a = 1 }",
        "2026-01-07",
        "2025-12-31",
        "2026-01-07T08:00:00",
        "2026-01-07T08:00:00Z",
        "08:00:00",
        '"2026-01-07"',
        "inf",
        "nan",
        "[[]]",
        '"\\u0000"',
    ]
)
fields = st.sampled_from(["date", "ar", "en", "provisional"])


@settings(max_examples=200)
@given(fields, toml_values)
def test_any_value_in_any_field_is_loaded_or_refused_with_its_path(field: str, value: str) -> None:
    lines = VALID.splitlines()
    # Replace the field in the second [[holiday]] table, or add it if that table lacks it.
    second_table = [i for i, line in enumerate(lines) if line == "[[holiday]]"][1]
    for index in range(second_table + 1, len(lines)):
        if lines[index].startswith(f"{field} ="):
            lines[index] = f"{field} = {value}"
            break
    else:
        lines.append(f"{field} = {value}")
    try:
        loaded = parse_holiday_toml("\n".join(lines) + "\n", "fuzz.toml")
    except CalendarFileError as error:
        assert error.key == f"holiday[1].{field}"
        assert str(error).startswith(f"fuzz.toml: holiday[1].{field}: ")
    else:
        assert len(loaded.holidays) == 2


@given(
    st.from_regex(r"[a-z_]{1,12}", fullmatch=True).filter(lambda key: key not in {"date", "ar", "en", "provisional"})
)
def test_unknown_keys_in_a_holiday_are_refused(key: str) -> None:
    error = error_for(VALID + f"{key} = 1\n")
    assert error.key == f"holiday[1].{key}"
    assert "unknown key" in str(error)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.dates(),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
        max_leaves=12,
    )
)
def test_arbitrary_documents_raise_only_calendar_file_error(document: object) -> None:
    from localgov.calendar.files import _read_document

    try:
        _read_document({"year": 2026, "holiday": document}, "fuzz.toml")
    except CalendarFileError as error:
        assert error.key.startswith("holiday")
