"""What the correspondence service needs of storage: one write transaction, and reads.

:class:`localgov.storage.SqlLetterStore` implements these for SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import NamedTuple, Protocol

from localgov.correspondence.model import Letter, LetterEvent, RegisterEntry

__all__ = ["BookRow", "LetterStore", "LetterTransaction"]


class BookRow(NamedTuple):
    """A book's counter for one year: the last number given, the hash and time of its last line, its seal."""

    book: str
    year: int
    last: int
    head: str
    seal: str
    last_at: str


class LetterTransaction(Protocol):
    """Everything written in it commits together, or nothing does."""

    def take_number(self, book: str, year: int) -> BookRow:
        """The book's next number (``last`` of the row returned), locked until the transaction ends;
        ``head`` is still the hash of the line before it (empty for the year's first line)."""

    def close_book(self, book: str, year: int, head: str, seal: str, at: str) -> None:
        """Set the head, seal and time of the book's counter after its new line."""

    def get_letter(self, letter_id: str) -> Letter | None: ...

    def insert_letter(self, letter: Letter) -> None: ...

    def update_letter(self, letter: Letter, expected_version: int) -> None:
        """Write ``letter`` if it is still at ``expected_version``; else raise ``LetterConflict``."""

    def append_event(self, event: LetterEvent) -> None: ...

    def add_entry(self, entry: RegisterEntry) -> None: ...

    def put_attachment(self, sha256: str, content: bytes, media_type: str) -> None:
        """Store a file once by its hash (the same file twice is kept once)."""

    def claim_key(self, key: str, fingerprint: str, letter_id: str) -> bool:
        """Record that ``key`` sent ``letter_id``; False (and nothing written) if the key is taken."""


class LetterStore(Protocol):
    def transaction(self) -> AbstractContextManager[LetterTransaction]: ...

    def get_letter(self, letter_id: str) -> Letter | None: ...

    def letters(self, *, unit: str | None = None) -> list[Letter]:
        """Letters sent from or to ``unit`` (every letter when None), oldest first."""

    def letter_ids(self) -> list[str]:
        """The numbers of every stored letter, and of every letter some event or book line names."""

    def events(self, letter_id: str) -> list[LetterEvent]: ...

    def entries(self, book: str, year: int | None = None) -> list[RegisterEntry]:
        """A book's lines in number order (of one year, or of all)."""

    def books(self) -> Sequence[BookRow]: ...

    def attachment(self, sha256: str) -> tuple[bytes, str] | None:
        """A stored file and its media type."""

    def letter_for_key(self, key: str) -> tuple[str, str] | None:
        """The fingerprint and letter number an idempotency key was claimed with."""
