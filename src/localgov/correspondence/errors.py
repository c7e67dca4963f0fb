"""The refusals of the correspondence system: each names the letter, the field or the person."""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = [
    "CorrespondenceError",
    "InvalidLetter",
    "InvalidLetterSignature",
    "LetterConflict",
    "LetterKeyReused",
    "LetterNotAllowed",
    "UnknownLetter",
]


class CorrespondenceError(LocalgovError):
    """A letter could not be sent, read or moved on."""


class InvalidLetter(CorrespondenceError):
    """A letter's content is not acceptable (empty subject, unknown unit, reply-by in the past...)."""


class UnknownLetter(CorrespondenceError):
    """No letter has this number, or the caller may not know that it exists."""

    def __init__(self, letter_id: str) -> None:
        super().__init__(f"no letter {letter_id!r} / لا يوجد خطاب بهذا الرقم")
        self.letter_id = letter_id


class LetterNotAllowed(CorrespondenceError):
    """The employee may not do this with the letter (not of the receiving department, say)."""


class LetterConflict(CorrespondenceError):
    """The letter changed while the step was being decided: read it again."""


class InvalidLetterSignature(CorrespondenceError):
    """A letter's CMS signature does not verify over its canonical form."""


class LetterKeyReused(CorrespondenceError):
    """An idempotency key already sent a different letter."""
