"""Requests to and from their stored records. Exact: money stays Decimal, dates stay dates.

Every decision reads a request's whole record and writes it back, so this is on the hot path of
the engine. msgspec writes the attrs model straight to JSON and reads it straight back (Decimal
as its decimal string, dates and times in ISO 8601), with no dictionary in between; it reads
records written in the same shapes by earlier releases (timestamps with ``+00:00`` or ``Z``).

Each record starts with the format of its shape, ``{"format":1,...}``. When the model changes in
a way a record of the old shape cannot be read as, :data:`RECORD_FORMAT` goes up by one and a
step from the old format is added to :data:`UPGRADES`: a database written today still opens,
and each of its records is upgraded as it is read (and stored in the new format at its next
write). Records from before the format was written count as format 1. A record in a format newer
than this release knows is refused with :class:`UnreadableRecord`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import msgspec
import orjson

from localgov.requests.errors import UnreadableRecord
from localgov.requests.model import Request

__all__ = [
    "RECORD_FORMAT",
    "UPGRADES",
    "RecordCodec",
    "SealCheck",
    "StoredRecord",
    "request_from_data",
    "request_to_data",
]

#: The format of the record shape this release writes.
RECORD_FORMAT = 1

#: ``UPGRADES[n]`` turns a record of format ``n`` into one of format ``n + 1``.
#: Append a step when RECORD_FORMAT goes up; never edit one that has shipped.
UPGRADES: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


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


#: Checks a record's seal: given the record's body (the JSON the seal covers) and the seal
#: found before it (None when there is none); raises when they do not match.
SealCheck = Callable[[bytes, "str | None"], None]

_HEADER = re.compile(r'\{"format":([0-9]{1,6}),(?:"seal":"([0-9a-f]{64})",)?')
_SEAL_KEY = '"seal":"'


class RecordCodec:
    """Requests to records of format ``current`` and back, upgrading older records as they are read.

    A record is ``{"format":N,"seal":"<hex>",...}``: its format, then (when the writer seals
    records, as the engine does) the seal over the rest, then the request's fields. The seal
    covers the body exactly as written: ``{`` followed by what comes after the seal.
    """

    def __init__(
        self,
        current: int = RECORD_FORMAT,
        upgrades: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = UPGRADES,
    ) -> None:
        missing = [n for n in range(1, current) if n not in upgrades]
        if missing:
            raise ValueError(f"no upgrade step from record format {missing[0]} to {missing[0] + 1}")
        self.current = current
        self._upgrades = upgrades
        self._encode = msgspec.json.Encoder().encode
        self._decode = msgspec.json.Decoder(Request).decode
        # The format is written first, so a current record is known by its first bytes and
        # decoded straight into the model: the hot path pays one prefix test.
        self._prefix = f'{{"format":{current},'
        self._prefix_bytes = self._prefix.encode("ascii")
        self._sealed_prefix = self._prefix + _SEAL_KEY

    def encode(self, request: Request, seal: Callable[[bytes], str] | None = None) -> StoredRecord:
        """The record of ``request``; sealed with ``seal(body)`` when one is given."""
        body = self._encode(request)
        if seal is None:
            return StoredRecord((self._prefix_bytes + body[1:]).decode("utf-8"))
        header = f'{self._sealed_prefix}{seal(body)}",'.encode("ascii")
        return StoredRecord((header + body[1:]).decode("utf-8"))

    def decode(self, data: Any, check: SealCheck | None = None) -> Request:
        """The request a stored record holds: a :class:`StoredRecord` or the mapping read from JSON.

        With ``check``, the record's seal is checked before anything is read from it.
        """
        if not isinstance(data, StoredRecord):
            if check is None:
                return msgspec.convert(self.upgrade(data), Request)
            # A store that hands back parsed JSON: orjson writes it back as msgspec wrote it.
            data = StoredRecord(orjson.dumps(data).decode("utf-8"))
        text = data.json
        start = len(self._sealed_prefix)
        if text.startswith(self._sealed_prefix) and text[start + 64 : start + 66] == '",':
            body = "{" + text[start + 66 :]
            if check is not None:
                check(body.encode("utf-8"), text[start : start + 64])
            return self._decode(body)
        found, seal, body = self.split(text)
        if found is not None and found > self.current:
            # A newer release may seal differently: say that it is newer, not that it is forged.
            self.upgrade({"format": found, "id": orjson.loads(body).get("id", "?")})
        if check is not None:
            check(body.encode("utf-8"), seal)
        if found == self.current:
            return self._decode(body)
        record = orjson.loads(body)
        if found is not None:
            record["format"] = found
        return msgspec.convert(self.upgrade(record), Request)

    @staticmethod
    def split(text: str) -> tuple[int | None, str | None, str]:
        """A record's format (None if it names none), its seal (None if unsealed) and its body."""
        header = _HEADER.match(text)
        if header is None:
            return None, None, text
        return int(header[1]), header[2], "{" + text[header.end() :]

    def upgrade(self, record: Mapping[str, Any]) -> Mapping[str, Any]:
        """``record`` brought to the current format by the steps in between."""
        found = record.get("format", 1)
        if type(found) is not int or found < 1:
            raise UnreadableRecord(f"request {record.get('id', '?')}: record format {found!r} is not a format number")
        if found > self.current:
            raise UnreadableRecord(
                f"request {record.get('id', '?')}: its record is in format {found}, newer than the "
                f"{self.current} this localgov reads; upgrade localgov"
            )
        if found == self.current:
            return record
        upgraded = dict(record)
        for step in range(found, self.current):
            upgraded = self._upgrades[step](upgraded)
            upgraded["format"] = step + 1
        return upgraded


_CODEC = RecordCodec()


def request_to_data(request: Request, seal: Callable[[bytes], str] | None = None) -> StoredRecord:
    """The record of ``request``, in the current format (sealed with ``seal`` when given)."""
    return _CODEC.encode(request, seal)


def request_from_data(data: Any, check: SealCheck | None = None) -> Request:
    """The request a stored record holds: a :class:`StoredRecord` or the mapping read from JSON."""
    return _CODEC.decode(data, check)
