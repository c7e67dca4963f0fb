"""Request tracking numbers a citizen can read over the phone: ``ZTN-2600123-W``.

The three hyphen-separated parts are the issuing unit's code, the year (two digits) followed by
the unit's sequence number for that year (at least five digits), and one check character.
Only ``0-9``, ``A-Z`` and ``-`` are used, so the number fits QR alphanumeric mode.

Why not ISO/IEC 7064 MOD 37,36: its hybrid system catches every single substitution but misses
some adjacent transpositions (``0KHI`` and ``0KIH`` get the same check character). The check
character here is Damm's scheme over a totally anti-symmetric quasigroup of order 36, which
provably catches both kinds of error, including errors in the check character itself; see
docs/reference/tracking-numbers.md for the construction and the argument.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

from localgov.errors import LocalgovError
from localgov.i18n import LocalizedText, to_western_digits

__all__ = [
    "ALPHABET",
    "InvalidTrackingNumber",
    "TrackingNumber",
    "check_character",
]

ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUE = {character: value for value, character in enumerate(ALPHABET)}

UNIT_CODE_LENGTH = range(2, 11)
MIN_SEQUENCE_DIGITS = 5
MAX_SEQUENCE = 999_999_999
FIRST_YEAR, LAST_YEAR = 2000, 2099
_MAX_TEXT_LENGTH = 40  # longest valid number is 10 + 1 + 11 + 1 + 1 = 24 characters

_UNIT_CODE = re.compile(r"[A-Z][A-Z0-9]+")
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u200e\u200f\u061c\u2066\u2067\u2068\u2069\ufeff")


def _build_quasigroup() -> tuple[tuple[int, ...], ...]:
    """The operation table of the order-36 quasigroup behind the check character.

    Each symbol ``0..35`` is read as a pair ``(g, z)`` with ``g`` in GF(4) (``value // 9``,
    coded 0, 1, w, w^2 as 0..3 so that addition is XOR) and ``z`` in Z/9 (``value % 9``). The
    operation is ``s o x = a * (s - x)`` componentwise with ``a = w`` in GF(4) and ``a = 2`` in
    Z/9. Because ``a`` and ``1 - a`` are invertible in both, the quasigroup is totally
    anti-symmetric, and ``x o x = 0`` lets the check character be the final interim value.
    """
    times_w = (0, 2, 3, 1)
    return tuple(
        tuple(times_w[(s // 9) ^ (x // 9)] * 9 + (2 * (s % 9 - x % 9)) % 9 for x in range(36)) for s in range(36)
    )


_QUASIGROUP: Final = _build_quasigroup()


def _interim(symbols: str) -> int:
    state = 0
    for character in symbols:
        state = _QUASIGROUP[state][_VALUE[character]]
    return state


def check_character(payload: str) -> str:
    """The check character for ``payload`` (characters from :data:`ALPHABET` only).

    Appending it makes the whole string's interim value 0, which is what verification tests.
    """
    unknown = sorted(set(payload) - _VALUE.keys())
    if unknown:
        raise InvalidTrackingNumber(
            LocalizedText(
                f"حرف التحقق يُحسب لنص من 0-9 وA-Z فقط؛ وُجد {unknown!r}",
                f"a check character is computed over 0-9 and A-Z only; found {unknown!r}",
            ),
            problem="characters",
        )
    return ALPHABET[_interim(payload)]


class InvalidTrackingNumber(LocalgovError):
    """A text that is not a valid tracking number, or parts that cannot make one.

    ``problem`` names the failed rule (``"characters"``, ``"format"``, ``"unit"``, ``"year"``,
    ``"sequence"``, ``"check"``); ``message`` explains it in Arabic and English, and ``str()`` of
    the exception is the English text.
    """

    def __init__(self, message: LocalizedText, *, problem: str) -> None:
        super().__init__(message.en)
        self.message = message
        self.problem = problem


def _validate_unit_code(instance: object, attribute: object, unit_code: str) -> None:
    if len(unit_code) not in UNIT_CODE_LENGTH or not _UNIT_CODE.fullmatch(unit_code):
        raise InvalidTrackingNumber(
            LocalizedText(
                f"كود الوحدة {_shown(unit_code)} غير صالح: "
                "من 2 إلى 10 حروف لاتينية كبيرة أو أرقام، "
                "يبدأ بحرف، بلا شَرطة",
                f"unit code {_shown(unit_code)} is not valid: 2 to 10 capital letters or digits, "
                "starting with a letter, no hyphen",
            ),
            problem="unit",
        )


def _validate_year(instance: object, attribute: object, year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidTrackingNumber(
            LocalizedText(
                f"السنة {year} خارج الفترة {FIRST_YEAR}-{LAST_YEAR}",
                f"year {year} is outside {FIRST_YEAR}-{LAST_YEAR}",
            ),
            problem="year",
        )


def _validate_sequence(instance: object, attribute: object, sequence: int) -> None:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise InvalidTrackingNumber(
            LocalizedText(
                f"الرقم المسلسل {sequence} خارج النطاق 1-{MAX_SEQUENCE}",
                f"sequence number {sequence} is outside 1-{MAX_SEQUENCE}",
            ),
            problem="sequence",
        )


@attrs.frozen
class TrackingNumber:
    """One request's tracking number. ``str()`` gives the printed form, e.g. ``ZTN-2600123-W``."""

    unit_code: str = attrs.field(validator=_validate_unit_code)
    year: int = attrs.field(validator=_validate_year)
    sequence: int = attrs.field(validator=_validate_sequence)

    @classmethod
    def issue(cls, unit_code: str, year: int, sequence: int) -> TrackingNumber:
        """The tracking number of request ``sequence`` of ``year`` at unit ``unit_code``.

        The unit code is upper-cased; everything else must already be valid.
        """
        return cls(unit_code.upper(), year, sequence)

    @classmethod
    def parse(cls, text: str) -> TrackingNumber:
        """Read a tracking number typed or dictated by a person.

        Case-insensitive; Eastern Arabic digits and spaces anywhere are accepted; anything else
        that is not exactly the printed form is refused with :class:`InvalidTrackingNumber`.
        """
        normalised = _normalise(text)
        parts = normalised.split("-")
        if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 1:
            raise _format_error(text)
        unit_code, digits, check = parts
        year_digits, sequence_digits = digits[:2], digits[2:]
        if len(sequence_digits) < MIN_SEQUENCE_DIGITS or (
            len(sequence_digits) > MIN_SEQUENCE_DIGITS and sequence_digits[0] == "0"
        ):
            # Only the canonical zero padding is accepted: a number has one spelling.
            raise _format_error(text)
        number = cls(unit_code, FIRST_YEAR + int(year_digits), int(sequence_digits))
        if number.check_character != check:
            raise InvalidTrackingNumber(
                LocalizedText(
                    f"حرف التحقق في {_shown(text)} لا يطابق الرقم: غالبًا أُخطئ في كتابة الرقم أو قراءته",
                    f"check character mismatch in {_shown(text)}: the number was probably mistyped or misread",
                ),
                problem="check",
            )
        return number

    @property
    def check_character(self) -> str:
        return check_character(self._payload())

    def _payload(self) -> str:
        # The unit code's length leads the payload: moving the first hyphen one place
        # ("ZTN-26..." -> "ZTN2-6...") leaves the other characters in the same order, so without
        # it such a slip would keep the same check character.
        return ALPHABET[len(self.unit_code)] + self.unit_code + self._digits()

    def _digits(self) -> str:
        return f"{self.year % 100:02d}{self.sequence:0{MIN_SEQUENCE_DIGITS}d}"

    def __str__(self) -> str:
        return f"{self.unit_code}-{self._digits()}-{self.check_character}"


def _normalise(text: str) -> str:
    compact = "".join(to_western_digits(text).translate(_INVISIBLE).split())
    if len(compact) > _MAX_TEXT_LENGTH:
        raise _format_error(text)
    for position, character in enumerate(compact, start=1):
        # Checked before upper-casing: some non-ASCII letters upper-case to ASCII ones.
        if not character.isascii() or not (character.isalnum() or character == "-"):
            raise InvalidTrackingNumber(
                LocalizedText(
                    f"رقم المتابعة يتكون من حروف لاتينية وأرقام وشَرطات فقط؛ وُجد {character!r} "
                    f"في الموضع {position} من {_shown(text)}",
                    "a tracking number contains only Latin letters, digits and hyphens; found "
                    f"{character!r} at position {position} of {_shown(text)}",
                ),
                problem="characters",
            )
    return compact.upper()


def _format_error(text: str) -> InvalidTrackingNumber:
    return InvalidTrackingNumber(
        LocalizedText(
            f"{_shown(text)} ليس على شكل رقم المتابعة: كود الوحدة-السنة والمسلسل-حرف التحقق، مثل ZTN-2600123-W",
            f"{_shown(text)} is not shaped like a tracking number: UNIT-YYNNNNN-C, e.g. ZTN-2600123-W",
        ),
        problem="format",
    )


def _shown(value: str, limit: int = 40) -> str:
    """``repr`` of user input, cut short so hostile input cannot flood logs."""
    return repr(value if len(value) <= limit else value[:limit] + "…")
