"""UPU S10 item identifiers: how a registered letter is named from the counter to the district.

Paper originals taken at a post office travel to the district by registered mail, and each item
carries an S10 identifier (UPU standard S10): two letters for the service (``RR``: registered),
an eight-digit serial number, a check digit, and the ISO 3166-1 country code of the posting
operator (``EG`` for Egypt Post)::

    RR 12345678 5 EG

The check digit weighs the serial's digits by 8, 6, 4, 2, 3, 5, 9, 7; it is 11 minus the sum modulo
11, with 10 written as 0 and 11 as 5. A mistyped check digit is always caught, and so is a mistyped
digit of the serial, but for one blind spot of the standard itself: 11 is written 5, as is 11 - 6,
so a slip that moves the weighted sum between remainders 0 and 6 keeps the check digit (00000000
and 90000000 both check 5). The tests count them (``tests/test_mail.py``).
"""

from __future__ import annotations

import re

import attrs

from localgov.errors import LocalgovError
from localgov.i18n import to_western_digits

__all__ = ["InvalidItemIdentifier", "S10Identifier", "s10_check_digit"]

_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_SHAPE = re.compile(r"([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})")
_SEPARATORS = re.compile(r"[\s\-.\u200e\u200f]")


class InvalidItemIdentifier(LocalgovError, ValueError):
    """Not an S10 item identifier, or one whose check digit is wrong (the text is named)."""


def s10_check_digit(serial: str) -> int:
    """The check digit of an eight-digit serial number."""
    if len(serial) != 8 or not (serial.isascii() and serial.isdigit()):
        raise InvalidItemIdentifier(f"an S10 serial number is eight digits, not {serial!r:.30}")
    remainder = 11 - sum(int(digit) * weight for digit, weight in zip(serial, _WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(remainder, remainder)


@attrs.frozen
class S10Identifier:
    """A registered item's identifier: service indicator, serial, check digit, country."""

    service: str
    serial: str
    check: int
    country: str

    @classmethod
    def parse(cls, text: str) -> S10Identifier:
        """Read ``RR123456785EG`` (spaces, dashes, lower case and Eastern Arabic digits accepted)."""
        if not isinstance(text, str) or len(text) > 40:
            raise InvalidItemIdentifier(f"expected an S10 item identifier such as RR123456785EG, got {text!r:.50}")
        compact = _SEPARATORS.sub("", to_western_digits(text)).upper()
        shape = _SHAPE.fullmatch(compact)
        if shape is None:
            raise InvalidItemIdentifier(
                f"{text!r} is not an S10 item identifier: two letters, eight digits, a check digit, two letters"
            )
        service, serial, check, country = shape.groups()
        expected = s10_check_digit(serial)
        if int(check) != expected:
            raise InvalidItemIdentifier(f"{text!r}: the check digit is {check}, but serial {serial} gives {expected}")
        return cls(service, serial, int(check), country)

    @classmethod
    def of(cls, service: str, serial: int, country: str = "EG") -> S10Identifier:
        """The identifier of ``serial`` (0 to 99,999,999) with its check digit."""
        if not 0 <= serial <= 99_999_999:
            raise InvalidItemIdentifier(f"an S10 serial number is 0 to 99999999, not {serial}")
        digits = f"{serial:08d}"
        return cls.parse(f"{service}{digits}{s10_check_digit(digits)}{country}")

    @property
    def registered(self) -> bool:
        """Whether the service indicator is one of registered mail (``R`` followed by a letter)."""
        return self.service.startswith("R")

    def __str__(self) -> str:
        return f"{self.service}{self.serial}{self.check}{self.country}"
