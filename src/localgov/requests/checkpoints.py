"""Audit checkpoints: every request's chain head at a moment, signed by the unit, kept elsewhere.

The hash chain and the record seal catch an edit made inside the database, but not a database
put back as it was: an older backup restored over the live one, or the newest requests deleted
together with their events and counters. Both leave a database that agrees with itself. A
checkpoint is a statement made outside it: for each request of a unit, how many events its
history had and the hash of the last, at a moment, in a Merkle tree (RFC 9162 hashing) whose
size and root the unit signs with its document-signing key (COSE_Sign1, verified with the same
trust list as its permits). Written to a file, another unit or the ministry, it is out of the
database operator's reach; :func:`compare` then finds, against any later database:

* a request the checkpoint holds that is gone (deleted);
* a history shorter than it was, or whose event at the checkpointed position is no longer the
  one checkpointed (rolled back, or rewritten from there on);
* a request submitted before the checkpoint that it does not hold (inserted after the fact).

:func:`compare_checkpoints` finds two checkpoints of one unit that cannot both be true (a fork).
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from localgov.pki import Credential
from localgov.requests.errors import RequestError
from localgov.requests.ports import Store
from localgov.tokens import TokenError, TrustList
from localgov.tokens.unit_statement import open_statement, sign_statement
from localgov.transparency import root_of
from localgov.transparency.merkle import leaf_hash

__all__ = [
    "CHECKPOINT_TYPE",
    "AuditCheckpoint",
    "ChainHead",
    "InvalidCheckpoint",
    "check_store",
    "compare",
    "compare_checkpoints",
    "take_checkpoint",
]

CHECKPOINT_TYPE = "localgov-audit-checkpoint"
_UNIT, _ISSUER, _MADE_AT, _SIZE, _ROOT, _HEADS = 2, 3, 4, 5, 6, 7


class InvalidCheckpoint(RequestError):
    """A checkpoint file is unreadable, not signed by a unit on the trust list, or not its unit's."""


#: Chain heads per leaf of a checkpoint's tree. A leaf hashes a bundle of heads, so making a
#: checkpoint hashes its bytes in large blocks instead of calling SHA-256 once per request.
HEADS_PER_LEAF = 256
_LINE = re.compile(r"([^\s]{1,64}) (0|[1-9][0-9]{0,9}) ([0-9a-f]{64})\n")


@attrs.frozen
class ChainHead:
    """Where one request's history stood: its number of events and the hash of the last."""

    request_id: str
    event_count: int
    head_hash: str

    @property
    def line(self) -> str:
        """The head as a checkpoint lists it: ``<request id> <event count> <head hash hex>\\n``."""
        return f"{self.request_id} {self.event_count} {self.head_hash}\n"


def heads_root(lines: Sequence[str]) -> bytes:
    """The RFC 9162 root over leaves of :data:`HEADS_PER_LEAF` consecutive head lines each."""
    return root_of(
        leaf_hash("".join(lines[start : start + HEADS_PER_LEAF]).encode())
        for start in range(0, len(lines), HEADS_PER_LEAF)
    )


@attrs.frozen
class AuditCheckpoint:
    """The chain heads of one unit's requests at ``made_at`` (as lines, by request id), and their root."""

    unit: str
    issuer: str
    made_at: datetime.datetime
    lines: tuple[str, ...] = attrs.field(repr=False)
    root: bytes = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "root", heads_root(self.lines))

    @property
    def size(self) -> int:
        """How many requests the checkpoint holds."""
        return len(self.lines)

    @property
    def heads(self) -> tuple[ChainHead, ...]:
        return tuple(_parse_line(line) for line in self.lines)

    @classmethod
    def of(cls, unit: str, issuer: str, made_at: datetime.datetime, heads: Iterable[ChainHead]) -> AuditCheckpoint:
        lines = sorted(head.line for head in heads)
        return cls(unit, issuer, made_at.replace(microsecond=0), tuple(lines))

    def sign(self, signer: Credential) -> bytes:
        """The checkpoint as a COSE_Sign1 file signed by the unit's key."""
        payload = {
            _UNIT: self.unit,
            _ISSUER: self.issuer,
            _MADE_AT: int(self.made_at.timestamp()),
            _SIZE: self.size,
            _ROOT: self.root,
            _HEADS: "".join(self.lines),
        }
        return sign_statement(CHECKPOINT_TYPE, payload, signer)

    @classmethod
    def load(cls, data: bytes, trust: TrustList, *, where: str = "checkpoint") -> AuditCheckpoint:
        """A checkpoint file, verified: signed by a unit on ``trust``, for that unit, whole."""
        try:
            signer, payload = open_statement(data, CHECKPOINT_TYPE, trust)
        except TokenError as error:
            raise InvalidCheckpoint(f"{where}: {error}") from None
        checkpoint = _read(payload, where)
        if signer.unit_code != checkpoint.issuer:
            raise InvalidCheckpoint(
                f"{where}: signed by the key of unit {signer.unit_code!r}, but it is the checkpoint of {checkpoint.issuer!r}"
            )
        if checkpoint.size != payload[_SIZE] or checkpoint.root != payload[_ROOT]:
            raise InvalidCheckpoint(f"{where}: its chain heads do not make the size and root it signs")
        return checkpoint


def _parse_line(line: str) -> ChainHead:
    match = _LINE.fullmatch(line)
    if match is None:
        raise InvalidCheckpoint(f"a checkpoint's chain head is 'REQUEST COUNT HASH', not {line[:100]!r}")
    return ChainHead(match[1], int(match[2]), match[3])


def _read(payload: Mapping[Any, Any], where: str) -> AuditCheckpoint:
    try:
        text, unit, issuer, made_at = payload[_HEADS], payload[_UNIT], payload[_ISSUER], payload[_MADE_AT]
        if not (isinstance(text, str) and isinstance(unit, str) and isinstance(issuer, str) and type(made_at) is int):
            raise TypeError(payload)
        moment = datetime.datetime.fromtimestamp(made_at, datetime.UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        raise InvalidCheckpoint(f"{where}: not the payload of an audit checkpoint") from None
    lines = tuple(text.splitlines(keepends=True))
    if lines and not lines[-1].endswith("\n"):
        raise InvalidCheckpoint(f"{where}: its chain heads do not end in a newline")
    return AuditCheckpoint(unit, issuer, moment, lines)


def compare(
    checkpoint: AuditCheckpoint,
    current: Mapping[str, ChainHead],
    submitted_at: Mapping[str, datetime.datetime],
    event_hash: Mapping[tuple[str, int], str],
) -> list[str]:
    """What the database of today shows against ``checkpoint``: one finding per request.

    ``current`` is every request of the unit as stored now, ``submitted_at`` when each was
    submitted, and ``event_hash`` the stored hash of each ``(request, seq)`` the checkpoint
    names where the history has grown since.
    """
    when = checkpoint.made_at.isoformat()
    findings = []
    held = set()
    for head in checkpoint.heads:
        held.add(head.request_id)
        now = current.get(head.request_id)
        if now is None:
            findings.append(
                f"{head.request_id}: in the checkpoint of {when} with {head.event_count} events, gone now (deleted)"
            )
        elif now.event_count < head.event_count:
            findings.append(
                f"{head.request_id}: had {head.event_count} events at the checkpoint of {when}, has {now.event_count} "
                "now (rolled back)"
            )
        elif (
            now.head_hash
            if now.event_count == head.event_count
            else event_hash.get((head.request_id, head.event_count))
        ) != head.head_hash:
            findings.append(
                f"{head.request_id}: its event {head.event_count} is not the one the checkpoint of {when} holds "
                "(the history was rewritten from there)"
            )
    for request_id in sorted(current.keys() - held):
        submitted = submitted_at.get(request_id)
        if submitted is not None and submitted < checkpoint.made_at:
            findings.append(
                f"{request_id}: submitted {submitted.isoformat()}, before the checkpoint of {when}, but not in it "
                "(inserted after the fact)"
            )
    return findings


def compare_checkpoints(checkpoints: Sequence[AuditCheckpoint]) -> list[str]:
    """Findings between checkpoints of one unit: each must extend the ones before it."""
    ordered = sorted(checkpoints, key=lambda c: c.made_at)
    findings = []
    for older, newer in itertools.pairwise(ordered):
        if older.unit != newer.unit:
            findings.append(f"checkpoints of units {older.unit} and {newer.unit} cannot be compared")
            continue
        later = {head.request_id: head for head in newer.heads}
        first, second = older.made_at.isoformat(), newer.made_at.isoformat()
        for head in older.heads:
            found = later.get(head.request_id)
            if found is None:
                findings.append(
                    f"{head.request_id}: in the checkpoint of {first}, not in the later one of {second} (fork)"
                )
            elif found.event_count < head.event_count or (
                found.event_count == head.event_count and found.head_hash != head.head_hash
            ):
                findings.append(
                    f"{head.request_id}: the checkpoints of {first} and {second} disagree on its history (fork)"
                )
    return findings


def take_checkpoint(store: Store, unit: str, issuer: str, made_at: datetime.datetime) -> AuditCheckpoint:
    """The chain heads of ``unit``'s requests as ``store`` holds them now (sign it with :meth:`AuditCheckpoint.sign`)."""
    return AuditCheckpoint(unit, issuer, made_at.replace(microsecond=0), tuple(store.chain_head_lines(unit)))


def check_store(store: Store, checkpoints: Sequence[AuditCheckpoint]) -> list[str]:
    """Every finding of ``store`` against ``checkpoints`` and of the checkpoints against each other."""
    findings = compare_checkpoints(checkpoints)
    for unit in sorted({checkpoint.unit for checkpoint in checkpoints}):
        rows = store.chain_heads(unit)
        current = {row.id: ChainHead(row.id, row.event_count, row.head_hash) for row in rows}
        submitted = {row.id: _moment(row.submitted_at) for row in rows}
        mine = [checkpoint for checkpoint in checkpoints if checkpoint.unit == unit]
        grown = [
            (head.request_id, head.event_count)
            for checkpoint in mine
            for head in checkpoint.heads
            if head.request_id in current and current[head.request_id].event_count > head.event_count
        ]
        hashes = store.event_hashes(grown)
        for checkpoint in sorted(mine, key=lambda c: c.made_at):
            findings += compare(checkpoint, current, submitted, hashes)
    return findings


def _moment(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
