"""The seal that binds a stored request record to the audit key and so to its history.

The engine decides from a request's record, and every page, report and permit is made from it;
the hash chain covers the events, not the record. So each record is sealed as it is written: an
HMAC-SHA256, under the same audit key as the chain, of the record's body exactly as written. The
body holds the chain's head hash and event count, so a sealed record is bound to one point of
its history. Someone who can write the database but does not hold the key cannot change a field
of a record (an applicant's national ID, a fee) without breaking its seal; the engine refuses to
act on, show or issue from such a record, and ``audit verify`` reports it.

As with the chain, an empty key still reveals an edit made without recomputing the seal, but
not one made by someone who knows the algorithm: keep the key outside the database.
"""

from __future__ import annotations

import hmac

from localgov.requests.codec import StoredRecord, request_from_data, request_to_data
from localgov.requests.errors import TamperedRecord
from localgov.requests.model import Request
from localgov.requests.ports import RequestRow

__all__ = ["RecordSeal"]

# Domain separation: a record's seal can never be mistaken for an event's chain hash.
_CONTEXT = b"localgov/record/v1\n"


class RecordSeal:
    """Seals records as they are written and checks each one as it is read."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def seal(self, body: bytes) -> str:
        return hmac.digest(self._key, _CONTEXT + body, "sha256").hex()

    def matches(self, body: bytes, seal: str | None) -> bool:
        return seal is not None and hmac.compare_digest(self.seal(body), seal)

    def encode(self, request: Request) -> StoredRecord:
        """The sealed record of ``request``."""
        return request_to_data(request, self.seal)

    def read(self, row: RequestRow) -> Request:
        """The request ``row`` holds; :class:`TamperedRecord` if its record is not as localgov sealed it."""

        def check(body: bytes, seal: str | None) -> None:
            if seal is None:
                raise TamperedRecord(
                    f"request {row.id}: its stored record carries no seal (written outside localgov, or "
                    "by a release before records were sealed); nothing was done with it"
                )
            if not self.matches(body, seal):
                raise TamperedRecord(
                    f"request {row.id}: its stored record does not match its seal, so it was changed "
                    "outside localgov; nothing was done with it (run `localgov audit verify` for the fields)"
                )

        request = request_from_data(row.data, check)
        if request.id != row.id:
            # A genuine record copied over another request's: its seal holds, its id gives it away.
            raise TamperedRecord(
                f"request {row.id}: its stored record is that of request {request.id}; nothing was done with it"
            )
        return request
