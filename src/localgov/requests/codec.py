"""Requests to and from their stored records. Exact: money stays Decimal, dates stay dates.

Every decision reads a request's whole record and writes it back, so this is on the hot path of
the engine. msgspec writes the attrs model straight to JSON and reads it straight back (Decimal
as its decimal string, dates and times in ISO 8601), with no dictionary in between; it reads
records written in the same shapes by earlier releases (timestamps with ``+00:00`` or ``Z``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
import orjson

from localgov.requests.model import Request

__all__ = ["StoredRecord", "request_from_data", "request_to_data"]

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Request).decode


class StoredRecord(Mapping[str, Any]):
    """A request's record as JSON text; a read-only mapping, parsed only if read as one.

    Storage writes :attr:`json` as it is and may hand a record back the same way, so a
    decision's read and write never build the record's dictionary.
    """

    __slots__ = ("_parsed", "json")

    def __init__(self, json: str) -> None:
        self.json = json
        self._parsed: dict[str, Any] | None = None

    def _mapping(self) -> dict[str, Any]:
        if self._parsed is None:
            self._parsed = orjson.loads(self.json)
        return self._parsed

    def __getitem__(self, key: str) -> Any:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())

    def __repr__(self) -> str:
        return f"StoredRecord({self.json[:60]!r}...)"


def request_to_data(request: Request) -> StoredRecord:
    return StoredRecord(_encode(request).decode("utf-8"))


def request_from_data(data: Any) -> Request:
    """The request a stored record holds: a :class:`StoredRecord` or the mapping read from JSON."""
    if isinstance(data, StoredRecord):
        return _decode(data.json)
    return msgspec.convert(data, Request)
