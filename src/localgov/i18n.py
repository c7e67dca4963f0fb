"""Bilingual text and digit shapes.

Everything a citizen or an employee reads exists in Arabic and English. Numbers are shown with
Eastern Arabic digits (٠١٢٣٤٥٦٧٨٩) where users expect them, and every parser accepts them, since
Arabic keyboards and phones type them by default.
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "Language",
    "LocalizedText",
    "to_eastern_digits",
    "to_western_digits",
]

Language = Literal["ar", "en"]

_WESTERN = "0123456789"
_EASTERN = "٠١٢٣٤٥٦٧٨٩"
# Persian/Urdu digits (U+06F0..U+06F9) also turn up in input typed on some phones.
_PERSIAN = "۰۱۲۳۴۵۶۷۸۹"

_TO_WESTERN = str.maketrans(_EASTERN + _PERSIAN, _WESTERN * 2)
_TO_EASTERN = str.maketrans(_WESTERN, _EASTERN)


def to_western_digits(text: str) -> str:
    """Return ``text`` with Eastern Arabic and Persian digits replaced by ASCII digits."""
    return text.translate(_TO_WESTERN)


def to_eastern_digits(text: str) -> str:
    """Return ``text`` with ASCII digits replaced by Eastern Arabic digits."""
    return text.translate(_TO_EASTERN)


def _not_blank(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be blank")


@attrs.frozen
class LocalizedText:
    """A text in Arabic and English: the pair every user-facing name and description is."""

    ar: str = attrs.field(validator=_not_blank)
    en: str = attrs.field(validator=_not_blank)

    def __getitem__(self, language: Language) -> str:
        return self.ar if language == "ar" else self.en

    def bilingual(self, separator: str = " / ") -> str:
        """Both languages on one line, Arabic first (the order the seeds' forms use)."""
        return f"{self.ar}{separator}{self.en}"
