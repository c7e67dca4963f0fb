from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localgov.errors import LocalgovError
from localgov.i18n import to_eastern_digits
from localgov.identity import (
    BORN_ABROAD_CODE,
    Gender,
    InvalidNationalId,
    NationalId,
    compose_national_id,
    compute_check_digit,
    parse_national_id,
)
from localgov.organisation.governorates import GOVERNORATES, GovernorateFacts

TODAY = dt.date(2026, 11, 23)
VALID_CODES = sorted({g.national_id_code for g in GOVERNORATES} | {BORN_ABROAD_CODE})
WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
governorate_codes = st.sampled_from(VALID_CODES)
sequences = st.integers(min_value=0, max_value=9999)


def parse(text: str) -> NationalId:
    return parse_national_id(text, today=TODAY)


def with_digit(number: str, index: int, digit: str) -> str:
    return number[:index] + digit + number[index + 1 :]


# --- components -------------------------------------------------------------------------------


@given(birth_dates, governorate_codes, sequences)
def test_every_composed_number_parses_back_to_its_parts(
    birth_date: dt.date, governorate_code: str, sequence: int
) -> None:
    number = compose_national_id(birth_date, governorate_code, sequence)
    parsed = parse(number)
    assert parsed.number == number
    assert parsed.birth_date == birth_date
    assert parsed.governorate_code == governorate_code
    assert parsed.sequence == f"{sequence:04d}"
    assert parsed.gender is (Gender.MALE if sequence % 2 else Gender.FEMALE)
    assert parsed.check_digit_valid
    assert parsed.warnings == ()


@given(
    birth_dates,
    governorate_codes,
    sequences,
    st.sampled_from([" ", "\t", "\n", "\u00a0", "\u200f"]),
)
def test_eastern_digits_and_surrounding_space_are_accepted(
    birth_date: dt.date, governorate_code: str, sequence: int, space: str
) -> None:
    number = compose_national_id(birth_date, governorate_code, sequence)
    parsed = parse(f"{space}{to_eastern_digits(number)}{space * 2}")
    assert parsed.number == number
    assert parsed.number.isascii()


def test_persian_digits_are_accepted() -> None:
    number = compose_national_id(dt.date(1985, 7, 14), "21", 37)
    persian = number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert parse(persian).number == number


@pytest.mark.parametrize("facts", GOVERNORATES, ids=lambda g: g.code)
def test_each_governorate_code_names_its_governorate(facts: GovernorateFacts) -> None:
    parsed = parse(compose_national_id(dt.date(1970, 3, 3), facts.national_id_code, 12))
    assert parsed.governorate == facts.name
    assert parsed.governorate_facts == facts
    assert not parsed.born_abroad


def test_code_88_means_born_abroad() -> None:
    parsed = parse(compose_national_id(dt.date(1999, 12, 31), "88", 5))
    assert parsed.born_abroad
    assert parsed.governorate_facts is None
    assert parsed.governorate.en == "born abroad"
    assert parsed.governorate.ar == "مواليد الخارج"


@pytest.mark.parametrize(("century", "year"), [("2", 1900), ("3", 2000)])
def test_century_digit_decides_the_century(century: str, year: int) -> None:
    parsed = parse(century + "000101" + "01" + "0001" + "0")
    assert parsed.birth_date == dt.date(year, 1, 1)


def test_gender_labels_are_bilingual() -> None:
    assert Gender.MALE.label.ar == "ذكر" and Gender.MALE.label.en == "male"
    assert Gender.FEMALE.label.ar == "أنثى" and Gender.FEMALE.label.en == "female"
    assert Gender("male") is Gender.MALE and str(Gender.FEMALE) == "female"


# --- check digit ------------------------------------------------------------------------------


def test_check_digit_worked_example() -> None:
    # 2·2 + 9·7 + 0·6 + 0·5 + 1·4 + 0·3 + 1·2 + 0·7 + 1·6 + 1·5 + 2·4 + 3·3 + 4·2 = 109;
    # 109 mod 11 = 10; 11 - 10 = 1.
    assert compute_check_digit("2900101011234") == 1


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_check_digit_follows_the_weighted_mod_11_rule(prefix: str) -> None:
    check = compute_check_digit(prefix)
    remainder = sum(int(d) * w for d, w in zip(prefix, WEIGHTS, strict=True)) % 11
    assert 0 <= check <= 9
    if remainder in (0, 1):  # 11 - r would be 11 or 10: both written as 0
        assert check == 0
    else:
        assert (remainder + check) % 11 == 0


def test_check_digit_accepts_eastern_digits() -> None:
    assert compute_check_digit(to_eastern_digits("2900101011234")) == compute_check_digit("2900101011234")


@pytest.mark.parametrize("prefix", ["", "290010101123", "29001010112345", "29001010112a4"])
def test_check_digit_needs_exactly_13_digits(prefix: str) -> None:
    with pytest.raises(InvalidNationalId) as caught:
        compute_check_digit(prefix)
    assert caught.value.problem == "component"


@given(birth_dates, governorate_codes, sequences, st.integers(min_value=1, max_value=9))
def test_wrong_check_digit_is_a_warning_not_a_rejection(
    birth_date: dt.date, governorate_code: str, sequence: int, shift: int
) -> None:
    good = compose_national_id(birth_date, governorate_code, sequence)
    bad = with_digit(good, 13, str((int(good[13]) + shift) % 10))
    parsed = parse(bad)
    assert not parsed.check_digit_valid
    assert len(parsed.warnings) == 1
    assert "check digit" in parsed.warnings[0]
    assert parsed.birth_date == birth_date
    assert parsed.governorate_code == governorate_code


# --- rejections -------------------------------------------------------------------------------


def problem_of(text: str) -> InvalidNationalId:
    with pytest.raises(InvalidNationalId) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize("text", ["", "   ", "2900101011234", "290010101123411", "2" * 30])
def test_wrong_length_is_rejected(text: str) -> None:
    error = problem_of(text)
    assert error.problem == "length"
    assert f"has {len(text.strip())}" in str(error)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("2900101-0112341", "-"),
        ("29001 010112341", " "),
        ("2900101011234X", "X"),
        ("٢٩٠٠١٠١٠١١٢٣٤a", "a"),
        ("+29001010112341", "+"),
        ("2900101011234\u00b9", "\u00b9"),  # superscript one: str.isdigit() says yes, we say no
    ],
)
def test_non_digits_are_rejected_and_named(text: str, bad: str) -> None:
    error = problem_of(text)
    assert error.problem == "characters"
    assert repr(bad) in str(error)


@pytest.mark.parametrize("century", ["0", "1", "4", "5", "9"])
def test_century_digit_other_than_2_or_3_is_rejected(century: str) -> None:
    error = problem_of(with_digit(compose_national_id(dt.date(1990, 1, 1), "01", 1), 0, century))
    assert error.problem == "century"
    assert repr(century) in str(error)


@pytest.mark.parametrize(
    "date_digits",
    ["900230", "901301", "900001", "900100", "000229", "910229", "900431"],
)
def test_impossible_dates_are_rejected(date_digits: str) -> None:
    number = "2" + date_digits + "01" + "0001" + "0"
    error = problem_of(number)
    assert error.problem == "date"
    assert repr(date_digits) in str(error)


def test_leap_day_2000_is_a_real_date() -> None:
    assert parse(compose_national_id(dt.date(2000, 2, 29), "02", 3)).birth_date == dt.date(2000, 2, 29)


def test_birth_date_today_is_accepted_and_tomorrow_is_rejected() -> None:
    assert parse(compose_national_id(TODAY, "01", 1)).birth_date == TODAY
    error = problem_of(compose_national_id(TODAY + dt.timedelta(days=1), "01", 1))
    assert error.problem == "future"
    assert (TODAY + dt.timedelta(days=1)).isoformat() in str(error)


def test_today_defaults_to_the_real_date() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(InvalidNationalId):
        parse_national_id(compose_national_id(tomorrow, "01", 1))


@pytest.mark.parametrize("code", [f"{n:02d}" for n in range(100) if f"{n:02d}" not in VALID_CODES])
def test_unknown_governorate_codes_are_rejected(code: str) -> None:
    number = "2900101" + code + "00011"
    error = problem_of(number)
    assert error.problem == "governorate"
    assert repr(code) in str(error)


def test_errors_explain_themselves_in_arabic_too() -> None:
    error = problem_of("123")
    assert error.message.en == str(error)
    assert "الرقم القومي" in error.message.ar


def test_hostile_input_is_quoted_briefly() -> None:
    error = problem_of("x" * 10_000)
    assert len(str(error)) < 200


def test_long_inner_whitespace_is_handled_in_linear_time() -> None:
    # A regex trimming both ends went quadratic here (minutes for this input).
    error = problem_of("1" + " " * 200_000 + "x")
    assert error.problem == "characters"


@given(st.text())
def test_arbitrary_text_raises_only_invalid_national_id(text: str) -> None:
    try:
        parsed = parse(text)
    except InvalidNationalId as error:
        assert isinstance(error, LocalgovError)
        assert str(error)
    else:
        assert len(parsed.number) == 14 and parsed.number.isascii() and parsed.number.isdigit()


@given(st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩ ", min_size=12, max_size=16))
def test_digit_soup_raises_only_invalid_national_id(text: str) -> None:
    try:
        parsed = parse(text)
    except InvalidNationalId:
        return
    assert parsed.birth_date <= TODAY
    assert parsed.governorate_code in VALID_CODES


# --- masking ----------------------------------------------------------------------------------


@given(birth_dates, governorate_codes, sequences)
def test_masked_keeps_only_birth_year_and_last_four(birth_date: dt.date, governorate_code: str, sequence: int) -> None:
    parsed = parse(compose_national_id(birth_date, governorate_code, sequence))
    masked = parsed.masked()
    assert len(masked) == 14
    assert masked[:3] == parsed.number[:3]
    assert masked[3:10] == "*" * 7
    assert masked[10:] == parsed.number[10:]
    assert parsed.masked("•")[3:10] == "•" * 7


def test_mask_must_be_one_character() -> None:
    parsed = parse(compose_national_id(dt.date(1990, 1, 1), "01", 1))
    with pytest.raises(ValueError):
        parsed.masked("**")


# --- composing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "code", "sequence", "named"),
    [
        (dt.date(1899, 12, 31), "01", 1, "1899"),
        (dt.date(2100, 1, 1), "01", 1, "2100"),
        (dt.date(1990, 1, 1), "20", 1, "'20'"),
        (dt.date(1990, 1, 1), "01", 10000, "10000"),
        (dt.date(1990, 1, 1), "01", -1, "-1"),
    ],
)
def test_compose_refuses_impossible_parts(birth_date: dt.date, code: str, sequence: int, named: str) -> None:
    with pytest.raises(InvalidNationalId) as caught:
        compose_national_id(birth_date, code, sequence)
    assert named in str(caught.value)


@given(birth_dates, governorate_codes, sequences)
def test_composed_numbers_are_14_digits_with_the_computed_check(
    birth_date: dt.date, governorate_code: str, sequence: int
) -> None:
    number = compose_national_id(birth_date, governorate_code, sequence)
    assert len(number) == 14 and number.isascii() and number.isdigit()
    assert int(number[13]) == compute_check_digit(number[:13])
