"""What the working-day calendar refuses."""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = ["CalendarError", "CalendarFileError"]


class CalendarError(LocalgovError):
    """A calendar question that has no answer (a negative day count, a year without data)."""


class CalendarFileError(CalendarError):
    """A holiday file that cannot be read. Names the file, the key path and the offending value."""

    def __init__(self, source: str, key: str, problem: str, value: object = None) -> None:
        shown = "" if value is None else f" (value: {_shown(value)})"
        super().__init__(f"{source}: {key}: {problem}{shown}")
        self.source = source
        self.key = key
        self.problem = problem
        self.value = value


def _shown(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
