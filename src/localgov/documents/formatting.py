"""How the documents write dates, amounts and numbers, in Western or Eastern Arabic digits."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

import attrs

from localgov.documents.bidi import isolate_ltr
from localgov.i18n import LocalizedText, to_eastern_digits

__all__ = ["Digits", "Formatter"]

Digits = Literal["western", "eastern"]

_MONTHS_AR = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Arabic thousands and decimal separators, used with Eastern digits.
_THOUSANDS_AR, _DECIMAL_AR = "\u066c", "\u066b"


@attrs.frozen
class Formatter:
    """Dates, amounts and counts for the Arabic and English sides of a document.

    Identifiers (tracking and permit numbers, access codes, links) always keep Western digits:
    people type them into the portal, an SMS or a verifier. Texts the applicant wrote (a name, an
    address) are printed as written.
    """

    digits: Digits = "eastern"

    def number(self, text: str) -> str:
        return to_eastern_digits(text) if self.digits == "eastern" else text

    def date(self, day: datetime.date) -> LocalizedText:
        arabic = f"{self.number(str(day.day))} {_MONTHS_AR[day.month - 1]} {self.number(str(day.year))}"
        return LocalizedText(arabic, f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}")

    def amount(self, value: Decimal) -> LocalizedText:
        western = f"{value:,.2f}"
        if self.digits == "eastern":
            arabic = to_eastern_digits(western.replace(",", _THOUSANDS_AR).replace(".", _DECIMAL_AR)) + " جنيه"
        else:
            arabic = isolate_ltr(f"{western} EGP")
        return LocalizedText(arabic, f"EGP {western}")

    def quantity(self, value: str, unit: LocalizedText | None = None) -> LocalizedText:
        if unit is None:
            return LocalizedText(self.number(value), value)
        return LocalizedText(f"{self.number(value)} {unit.ar}", f"{value} {unit.en}")
