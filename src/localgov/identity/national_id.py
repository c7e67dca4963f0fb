"""The Egyptian national ID number (الرقم القومي): 14 digits, ``C YYMMDD GG SSSS X``.

``C`` is the century of birth (2: 1900s, 3: 2000s), ``YYMMDD`` the birth date, ``GG`` the
governorate of birth (88: born abroad), ``SSSS`` a registration serial whose last digit is odd for
men and even for women, and ``X`` a check digit.

The check-digit algorithm is not published by the Civil Status Organization. The weighted mod-11
scheme below is the one in common use; because it is unofficial, a mismatch is reported as a warning
and never makes a number invalid. Everything else that is structurally wrong is refused with
:class:`InvalidNationalId`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import attrs

from localgov.errors import LocalgovError
from localgov.i18n import LocalizedText, to_western_digits
from localgov.organisation.governorates import GOVERNORATES, GovernorateFacts

__all__ = [
    "BORN_ABROAD_CODE",
    "Gender",
    "InvalidNationalId",
    "NationalId",
    "compose_national_id",
    "compute_check_digit",
    "parse_national_id",
]

NATIONAL_ID_LENGTH = 14
BORN_ABROAD_CODE = "88"
_BORN_ABROAD = LocalizedText("مواليد الخارج", "born abroad")

_CENTURY_BY_DIGIT = {"2": 1900, "3": 2000}
_DIGIT_BY_CENTURY = {century: digit for digit, century in _CENTURY_BY_DIGIT.items()}

# Weights of the commonly used (unofficial) check-digit scheme, one per leading digit.
_CHECK_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

_ASCII_DIGITS = frozenset("0123456789")
_GOVERNORATE_BY_NID_CODE: dict[str, GovernorateFacts] = {g.national_id_code: g for g in GOVERNORATES}

# Text pasted from Arabic documents often carries invisible direction marks at its ends.
_EDGE_MARKS = frozenset("\u200b\u200e\u200f\u061c\ufeff")


class InvalidNationalId(LocalgovError):
    """A text that cannot be an Egyptian national ID number.

    ``problem`` names the rule that failed (``"characters"``, ``"length"``, ``"century"``,
    ``"date"``, ``"future"``, ``"governorate"``, ``"component"``) so callers can react without
    parsing messages; ``message`` holds the explanation in Arabic and English, and ``str()`` of the
    exception is the English one.
    """

    def __init__(self, message: LocalizedText, *, problem: str) -> None:
        super().__init__(message.en)
        self.message = message
        self.problem = problem


class Gender(StrEnum):
    """The gender the 13th digit records (odd: male, even: female)."""

    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> LocalizedText:
        return LocalizedText("ذكر", "male") if self is Gender.MALE else LocalizedText("أنثى", "female")


@attrs.frozen
class NationalId:
    """A parsed national ID number. Build it with :func:`parse_national_id`."""

    number: str
    """The 14 ASCII digits."""
    birth_date: dt.date
    governorate_code: str
    """The two-digit governorate-of-birth code as written in the number (``"88"``: born abroad)."""
    governorate: LocalizedText
    gender: Gender
    sequence: str
    """Digits 10-13, the birth-registration serial; its last digit carries the gender."""
    check_digit_valid: bool
    warnings: tuple[str, ...] = ()

    @property
    def born_abroad(self) -> bool:
        return self.governorate_code == BORN_ABROAD_CODE

    @property
    def governorate_facts(self) -> GovernorateFacts | None:
        """The governorate of birth, or ``None`` for people born abroad."""
        return _GOVERNORATE_BY_NID_CODE.get(self.governorate_code)

    def masked(self, mask: str = "*") -> str:
        """The number with everything but the birth year and the last four digits hidden.

        Enough for a clerk to match a record against the card in front of them
        (``"290*******4567"``), too little to reuse the number elsewhere.
        """
        if len(mask) != 1:
            raise ValueError("mask must be a single character")
        return self.number[:3] + mask * 7 + self.number[-4:]


def compute_check_digit(first_13_digits: str) -> int:
    """The check digit of the common (unofficial) scheme for the first 13 digits of a number.

    Weights 2,7,6,5,4,3,2,7,6,5,4,3,2; ``r = sum mod 11``; check ``11 - r``, where 10 and 11
    become 0.
    """
    digits = to_western_digits(first_13_digits)
    if len(digits) != NATIONAL_ID_LENGTH - 1 or not set(digits) <= _ASCII_DIGITS:
        raise InvalidNationalId(
            LocalizedText(
                f"حساب رقم التحقق يحتاج إلى أول 13 رقمًا من الرقم القومي، وليس {_shown(first_13_digits)}",
                "the check digit is computed from the first 13 digits of a national ID, "
                f"not from {_shown(first_13_digits)}",
            ),
            problem="component",
        )
    remainder = sum(int(d) * w for d, w in zip(digits, _CHECK_WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    return 0 if check >= 10 else check


def compose_national_id(birth_date: dt.date, governorate_code: str, sequence: int) -> str:
    """Build a structurally valid number (with its check digit) from its parts.

    Meant for test data and demonstrations; ``sequence`` is 0-9999 and its last digit decides the
    gender (odd: male).
    """
    century_digit = _DIGIT_BY_CENTURY.get(birth_date.year // 100 * 100)
    problems: list[tuple[str, str]] = []
    if century_digit is None:
        problems.append(
            (
                f"سنة الميلاد {birth_date.year} خارج الفترة 1900-2099",
                f"birth year {birth_date.year} is outside 1900-2099",
            )
        )
    if governorate_code != BORN_ABROAD_CODE and governorate_code not in _GOVERNORATE_BY_NID_CODE:
        problems.append(
            (
                f"كود المحافظة {governorate_code!r} غير معروف",
                f"unknown governorate code {governorate_code!r}",
            )
        )
    if not 0 <= sequence <= 9999:
        problems.append((f"المسلسل {sequence} خارج النطاق 0-9999", f"sequence {sequence} is outside 0-9999"))
    if problems:
        raise InvalidNationalId(
            LocalizedText("؛ ".join(ar for ar, _ in problems), "; ".join(en for _, en in problems)),
            problem="component",
        )
    assert century_digit is not None  # a missing century was reported as a problem above
    first_13 = f"{century_digit}{birth_date:%y%m%d}{governorate_code}{sequence:04d}"
    return first_13 + str(compute_check_digit(first_13))


def parse_national_id(text: str, *, today: dt.date | None = None) -> NationalId:
    """Parse and validate a national ID number typed by a person.

    Accepts Western, Eastern Arabic and Persian digits and surrounding whitespace; nothing else is
    tolerated. ``today`` (default: the machine's local date) bounds the birth date. Raises
    :class:`InvalidNationalId` naming the first rule the text breaks.
    """
    number = to_western_digits(_trim(text))
    _check_characters(text, number)
    if len(number) != NATIONAL_ID_LENGTH:
        raise InvalidNationalId(
            LocalizedText(
                f"الرقم القومي مكوّن من 14 رقمًا، والرقم {_shown(number)} مكوّن من {len(number)}",
                f"a national ID has 14 digits; {_shown(number)} has {len(number)}",
            ),
            problem="length",
        )
    birth_date = _birth_date(number, today or dt.date.today())
    governorate_code = number[7:9]
    governorate = _governorate_name(governorate_code)
    sequence = number[9:13]
    gender = Gender.MALE if int(number[12]) % 2 else Gender.FEMALE

    expected_check = compute_check_digit(number[:13])
    check_digit_valid = expected_check == int(number[13])
    warnings: tuple[str, ...] = ()
    if not check_digit_valid:
        warnings = (
            (
                f"check digit is {number[13]} but the common algorithm gives {expected_check}; "
                "the algorithm is unofficial, so compare the number with the card before "
                "relying on it"
            ),
        )
    return NationalId(
        number=number,
        birth_date=birth_date,
        governorate_code=governorate_code,
        governorate=governorate,
        gender=gender,
        sequence=sequence,
        check_digit_valid=check_digit_valid,
        warnings=warnings,
    )


def _check_characters(original: str, number: str) -> None:
    for position, character in enumerate(number, start=1):
        if character not in _ASCII_DIGITS:
            raise InvalidNationalId(
                LocalizedText(
                    f"الرقم القومي يتكون من أرقام فقط؛ وُجد {character!r} في الموضع {position} من {_shown(original)}",
                    f"a national ID contains only digits; found {character!r} at position "
                    f"{position} of {_shown(original)}",
                ),
                problem="characters",
            )


def _birth_date(number: str, today: dt.date) -> dt.date:
    century = _CENTURY_BY_DIGIT.get(number[0])
    if century is None:
        raise InvalidNationalId(
            LocalizedText(
                f"الرقم الأول من الرقم القومي هو 2 (مواليد 1900-1999) أو 3 (مواليد 2000-2099)، وليس {number[0]!r}",
                f"the first digit of a national ID is 2 (born 1900-1999) or 3 (born 2000-2099), not {number[0]!r}",
            ),
            problem="century",
        )
    year, month, day = century + int(number[1:3]), int(number[3:5]), int(number[5:7])
    try:
        birth_date = dt.date(year, month, day)
    except ValueError:
        raise InvalidNationalId(
            LocalizedText(
                f"الأرقام من 2 إلى 7 ({number[1:7]!r}) لا تمثل تاريخ ميلاد صحيحًا (سنة {year}، شهر {month}، يوم {day})",
                f"digits 2-7 ({number[1:7]!r}) are not a real birth date (year {year}, month {month}, day {day})",
            ),
            problem="date",
        ) from None
    if birth_date > today:
        raise InvalidNationalId(
            LocalizedText(
                f"تاريخ الميلاد {birth_date.isoformat()} (الأرقام 1-7: {number[:7]!r}) في المستقبل",
                f"birth date {birth_date.isoformat()} (digits 1-7: {number[:7]!r}) is in the future",
            ),
            problem="future",
        )
    return birth_date


def _governorate_name(code: str) -> LocalizedText:
    if code == BORN_ABROAD_CODE:
        return _BORN_ABROAD
    facts = _GOVERNORATE_BY_NID_CODE.get(code)
    if facts is None:
        raise InvalidNationalId(
            LocalizedText(
                f"الرقمان 8 و9 ({code!r}) ليسا كود محافظة معروفًا",
                f"digits 8-9 ({code!r}) are not a known governorate code",
            ),
            problem="governorate",
        )
    return facts.name


def _trim(text: str) -> str:
    """``text`` without whitespace and direction marks at either end (linear, unlike a regex)."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or text[start] in _EDGE_MARKS):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE_MARKS):
        end -= 1
    return text[start:end]


def _shown(value: str, limit: int = 40) -> str:
    """``repr`` of user input, cut short so hostile input cannot flood logs."""
    return repr(value if len(value) <= limit else value[:limit] + "…")
