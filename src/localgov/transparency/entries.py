"""What a leaf of the permit log says: a permit issued, or a permit revoked.

To the Merkle tree an entry is opaque bytes; to a monitor reading the log it must say what was
issued, by whom and when, and a verifier holding a permit's token must be able to tell that an
entry is that token's. So an entry is a few lines of UTF-8 text, one ``name value`` per line, in a
fixed order, with a first line naming the entry type and version::

    localgov/permit/v1                      localgov/revocation/v1
    issuer CAI-ZTN                          kid 1f2e3d4c5b6a7988
    number 2026/000042                      permit 8c2d...e1 (the revocation hash, hex)
    kind building                           at 2026-12-07T10:00:00Z
    issued 2026-12-07T09:30:00Z
    token 3a7b...90 (SHA-256 of the token text, hex)

The token's hash binds the entry to exactly one signed token; the revocation's ``permit`` line is
the same hash a revocation list carries for it, so a monitor can join the two without the log
holding the permit's personal data.
"""

from __future__ import annotations

import datetime
import hashlib
import re

import attrs

from localgov.transparency.errors import MalformedEntry

__all__ = ["PERMIT_ENTRY", "REVOCATION_ENTRY", "PermitEntry", "RevocationEntry", "parse_entry", "token_digest"]

PERMIT_ENTRY = "localgov/permit/v1"
REVOCATION_ENTRY = "localgov/revocation/v1"
_HEX = re.compile(r"[0-9a-f]+")
_VALUE = re.compile(r"[^\s\x00-\x1f\x7f]+")


def token_digest(token: str) -> bytes:
    """The SHA-256 of a token's text, as a permit entry names it."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def _moment(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("log entry times must be timezone-aware")
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(name: str, value: str) -> str:
    if not _VALUE.fullmatch(value):
        raise MalformedEntry(f"{name} {value!r}: a value is one word of printable text")
    return value


@attrs.frozen
class PermitEntry:
    """A permit issued: its issuer, number, kind, issue time and the hash of its token."""

    issuer: str
    number: str
    kind: str
    issued_at: datetime.datetime
    token_sha256: bytes

    @classmethod
    def of_token(cls, token: str, *, issuer: str, number: str, kind: str, issued_at: datetime.datetime) -> PermitEntry:
        return cls(issuer, number, kind, issued_at.replace(microsecond=0), token_digest(token))

    def matches(self, token: str) -> bool:
        """Whether this entry is the entry of ``token``."""
        return self.token_sha256 == token_digest(token)

    def encode(self) -> bytes:
        lines = (
            PERMIT_ENTRY,
            f"issuer {_value('issuer', self.issuer)}",
            f"number {_value('number', self.number)}",
            f"kind {_value('kind', self.kind)}",
            f"issued {_moment(self.issued_at)}",
            f"token {self.token_sha256.hex()}",
        )
        return ("\n".join(lines) + "\n").encode("utf-8")


@attrs.frozen
class RevocationEntry:
    """A permit revoked: the signer's key id and the permit's revocation hash, and when."""

    kid: bytes
    permit_hash: bytes
    revoked_at: datetime.datetime

    def encode(self) -> bytes:
        lines = (
            REVOCATION_ENTRY,
            f"kid {self.kid.hex()}",
            f"permit {self.permit_hash.hex()}",
            f"at {_moment(self.revoked_at)}",
        )
        return ("\n".join(lines) + "\n").encode("utf-8")


def _fields(text: str, names: tuple[str, ...], what: str) -> dict[str, str]:
    lines = text.split("\n")
    if lines[-1] != "" or len(lines) != len(names) + 2:
        raise MalformedEntry(f"a {what} entry is {len(names) + 1} lines, each ending in a newline")
    found = {}
    for expected, line in zip(names, lines[1:-1], strict=True):
        name, _, value = line.partition(" ")
        if name != expected or not _VALUE.fullmatch(value):
            raise MalformedEntry(f"{what} entry: expected the line {expected!r} VALUE, found {line[:60]!r}")
        found[name] = value
    return found


def _hex(value: str, name: str, size: int | None = None) -> bytes:
    if not _HEX.fullmatch(value) or len(value) % 2 or (size is not None and len(value) != 2 * size):
        length = f"{size} bytes of " if size else ""
        raise MalformedEntry(f"{name} {value[:70]!r} is not {length}lowercase hex")
    return bytes.fromhex(value)


_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def _time(value: str, name: str) -> datetime.datetime:
    # strptime alone would take "2026-1-5T...": one spelling per moment keeps one reading per entry.
    if not _TIME.fullmatch(value):
        raise MalformedEntry(f"{name} {value!r} is not a UTC time YYYY-MM-DDTHH:MM:SSZ")
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        raise MalformedEntry(f"{name} {value!r} is not a UTC time YYYY-MM-DDTHH:MM:SSZ") from None


def parse_entry(data: bytes) -> PermitEntry | RevocationEntry:
    """The entry ``data`` encodes; :class:`MalformedEntry` for anything else."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedEntry("a log entry is UTF-8 text") from None
    kind = text.partition("\n")[0]
    if kind == PERMIT_ENTRY:
        fields = _fields(text, ("issuer", "number", "kind", "issued", "token"), "permit")
        return PermitEntry(
            fields["issuer"],
            fields["number"],
            fields["kind"],
            _time(fields["issued"], "issued"),
            _hex(fields["token"], "token", 32),
        )
    if kind == REVOCATION_ENTRY:
        fields = _fields(text, ("kid", "permit", "at"), "revocation")
        return RevocationEntry(
            _hex(fields["kid"], "kid"), _hex(fields["permit"], "permit", 32), _time(fields["at"], "at")
        )
    raise MalformedEntry(f"the first line {kind[:60]!r} names no entry type localgov knows")
