"""How a catalogue or organisation file reports what is wrong with it.

Validation collects every problem it finds before it raises, so a governorate reviewing its files
sees all of them at once, each with the file, the path inside the file and the offending value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import attrs

from localgov.errors import LocalgovError

__all__ = ["CatalogueError", "Problem", "describe_value"]


def describe_value(value: object) -> str:
    """Show a value the way it is written in TOML, so the reader can find it in the file."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


@attrs.frozen
class Problem:
    """One thing wrong in one place of one file."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        location = f"{self.source}: {self.path}" if self.path else self.source
        return f"{location}: {self.message}"


class CatalogueError(LocalgovError):
    """A catalogue or organisation definition is invalid; :attr:`problems` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the catalogue"
        super().__init__("\n".join([heading, *(f"  {p}" for p in self.problems)]))
