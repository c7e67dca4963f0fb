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

A checkpoint may be a *delta* on the one before it (what a :class:`~localgov.requests.checkpointer.
Checkpointer` writes after its first): its file names the SHA-256 of its predecessor's and
carries only the heads that changed since, with the size and root of them all, so that it still
commits to every head. :func:`load_checkpoints` reads a chain of them back to one that holds
every head, and finds a link that is missing or does not add up.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from localgov.pki import Credential
from localgov.requests.checkpoint_tree import HEADS_PER_LEAF, HeadTree, heads_root, request_of
from localgov.requests.errors import RequestError
from localgov.requests.ports import Store
from localgov.tokens import TokenError, TrustList
from localgov.tokens.unit_statement import open_statement, sign_statement

__all__ = [
    "CHECKPOINT_TYPE",
    "HEADS_PER_LEAF",
    "AuditCheckpoint",
    "ChainHead",
    "InvalidCheckpoint",
    "check_store",
    "compare",
    "compare_checkpoints",
    "heads_root",
    "load_checkpoints",
    "take_checkpoint",
]

CHECKPOINT_TYPE = "localgov-audit-checkpoint"
_UNIT, _ISSUER, _MADE_AT, _SIZE, _ROOT, _HEADS, _PREVIOUS = 2, 3, 4, 5, 6, 7, 8


class InvalidCheckpoint(RequestError):
    """A checkpoint file is unreadable, not signed by a unit on the trust list, or not its unit's."""


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


@attrs.frozen
class AuditCheckpoint:
    """The chain heads of one unit's requests at ``made_at`` (as lines, one per request), and their root.

    A checkpoint that ``previous`` names (by the SHA-256 of its signed file) is a *delta*: its file
    carries only the lines ``changed`` since that one, and the size and root of them all; it is
    read with its predecessors (:func:`load_checkpoints`). ``digest`` is the SHA-256 of its own
    signed file, once signed or loaded.
    """

    unit: str
    issuer: str
    made_at: datetime.datetime
    lines: tuple[str, ...] = attrs.field(repr=False)
    root: bytes = attrs.field(default=attrs.Factory(lambda self: heads_root(self.lines), takes_self=True), repr=False)
    previous: bytes | None = attrs.field(default=None, repr=False)
    changed: tuple[str, ...] | None = attrs.field(default=None, repr=False)
    digest: bytes | None = attrs.field(default=None, repr=False)

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
        """The checkpoint as a COSE_Sign1 file signed by the unit's key (a delta's, its changed lines)."""
        payload: dict[int, object] = {
            _UNIT: self.unit,
            _ISSUER: self.issuer,
            _MADE_AT: int(self.made_at.timestamp()),
            _SIZE: self.size,
            _ROOT: self.root,
        }
        if self.previous is None:
            payload[_HEADS] = "".join(self.lines)
        else:
            payload[_HEADS] = "".join(self.changed or ())
            payload[_PREVIOUS] = self.previous
        return sign_statement(CHECKPOINT_TYPE, payload, signer)

    @classmethod
    def load(cls, data: bytes, trust: TrustList, *, where: str = "checkpoint") -> AuditCheckpoint:
        """A checkpoint file that holds every head, verified: signed by a unit on ``trust``, for
        that unit, whole. A delta is refused: it needs its predecessors (:func:`load_checkpoints`)."""
        statement = _open(data, trust, where)
        if statement.previous is not None:
            raise InvalidCheckpoint(
                f"{where}: a checkpoint of the changes since {statement.previous.hex()}, "
                "to be read with its predecessors (load_checkpoints)"
            )
        return _whole(statement)[0]


@attrs.frozen
class _Statement:
    """A checkpoint file as signed: a delta's ``lines`` are its changed ones only."""

    where: str
    unit: str
    issuer: str
    made_at: datetime.datetime
    size: int
    root: bytes
    lines: tuple[str, ...]
    previous: bytes | None
    digest: bytes


def _open(data: bytes, trust: TrustList, where: str) -> _Statement:
    try:
        signer, payload = open_statement(data, CHECKPOINT_TYPE, trust)
    except TokenError as error:
        raise InvalidCheckpoint(f"{where}: {error}") from None
    statement = _read(payload, where, hashlib.sha256(data).digest())
    if signer.unit_code != statement.issuer:
        raise InvalidCheckpoint(
            f"{where}: signed by the key of unit {signer.unit_code!r}, but it is the checkpoint of {statement.issuer!r}"
        )
    return statement


def _whole(statement: _Statement) -> tuple[AuditCheckpoint, HeadTree]:
    """A checkpoint that holds every head, with its tree, checked against the size and root it signs."""
    try:
        tree = HeadTree(statement.lines)
    except ValueError:
        raise InvalidCheckpoint(f"{statement.where}: it lists a request twice") from None
    if len(tree) != statement.size or tree.root() != statement.root:
        raise InvalidCheckpoint(f"{statement.where}: its chain heads do not make the size and root it signs")
    checkpoint = AuditCheckpoint(
        statement.unit, statement.issuer, statement.made_at, statement.lines, statement.root, digest=statement.digest
    )
    return checkpoint, tree


def _parse_line(line: str) -> ChainHead:
    match = _LINE.fullmatch(line)
    if match is None:
        raise InvalidCheckpoint(f"a checkpoint's chain head is 'REQUEST COUNT HASH', not {line[:100]!r}")
    return ChainHead(match[1], int(match[2]), match[3])


def _read(payload: Mapping[Any, Any], where: str, digest: bytes) -> _Statement:
    try:
        text, unit, issuer, made_at = payload[_HEADS], payload[_UNIT], payload[_ISSUER], payload[_MADE_AT]
        size, root, previous = payload[_SIZE], payload[_ROOT], payload.get(_PREVIOUS)
        if not (isinstance(text, str) and isinstance(unit, str) and isinstance(issuer, str) and type(made_at) is int):
            raise TypeError(payload)
        if (
            type(size) is not int
            or not isinstance(root, bytes)
            or not (previous is None or isinstance(previous, bytes))
        ):
            raise TypeError(payload)
        moment = datetime.datetime.fromtimestamp(made_at, datetime.UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        raise InvalidCheckpoint(f"{where}: not the payload of an audit checkpoint") from None
    lines = tuple(text.splitlines(keepends=True))
    if lines and not lines[-1].endswith("\n"):
        raise InvalidCheckpoint(f"{where}: its chain heads do not end in a newline")
    wrong = next((line for line in lines if _LINE.fullmatch(line) is None), None)
    if wrong is not None:
        raise InvalidCheckpoint(f"{where}: a chain head is 'REQUEST COUNT HASH', not {wrong[:100]!r}")
    return _Statement(where, unit, issuer, moment, size, root, lines, previous, digest)


def load_checkpoints(files: Iterable[tuple[str, bytes]], trust: TrustList) -> tuple[list[AuditCheckpoint], list[str]]:
    """Checkpoint files (``(where, data)``: a name for messages, and the bytes), each verified and
    a delta applied to its predecessors': the checkpoints, each with every head, and the findings.

    A delta whose predecessor is not among ``files`` (missing, or another file in its place: the
    SHA-256 it names is not that file's), whose heads on its predecessor's do not make the size
    and root it signs, or that is not of its predecessor's unit, is a finding, and so is every
    delta built on it; none of them is returned. A file that does not verify at all raises
    :class:`InvalidCheckpoint`, as :meth:`AuditCheckpoint.load` does.
    """
    statements = [_open(data, trust, where) for where, data in files]
    by_digest = {statement.digest: statement for statement in statements}
    resolved: dict[bytes, tuple[AuditCheckpoint, HeadTree] | str] = {}
    findings: list[str] = []
    for statement in statements:
        _resolve(statement, by_digest, resolved, findings)
    checkpoints, seen = [], set()
    for statement in statements:
        found = resolved[statement.digest]
        if not isinstance(found, str) and statement.digest not in seen:
            seen.add(statement.digest)
            checkpoints.append(found[0])
    return checkpoints, findings


def _resolve(
    statement: _Statement,
    by_digest: Mapping[bytes, _Statement],
    resolved: dict[bytes, tuple[AuditCheckpoint, HeadTree] | str],
    findings: list[str],
) -> None:
    # Back to a checkpoint with every head or one already resolved, then forward: iteratively, as
    # an hourly checkpointer's chain is thousands long.
    chain = [statement]
    while chain[-1].digest not in resolved and chain[-1].previous is not None:
        before = by_digest.get(chain[-1].previous)
        if before is None:
            resolved[chain[-1].digest] = problem = (
                f"{chain[-1].where}: the checkpoint of {chain[-1].made_at.isoformat()} is of the changes since "
                f"checkpoint {chain[-1].previous.hex()}, which is not among those given: it cannot be checked"
            )
            findings.append(problem)
            break
        chain.append(before)
    for current in reversed(chain):
        if current.digest in resolved:
            continue
        if current.previous is None:
            resolved[current.digest] = _whole(current)
            continue
        found = resolved[current.previous]
        result = (
            f"{current.where}: it builds on a checkpoint that cannot be checked"
            if isinstance(found, str)
            else _apply(current, *found)
        )
        resolved[current.digest] = result
        if isinstance(result, str):
            findings.append(result)


def _apply(delta: _Statement, before: AuditCheckpoint, tree: HeadTree) -> tuple[AuditCheckpoint, HeadTree] | str:
    """The checkpoint ``delta`` makes of its predecessor's heads, or what is wrong with it."""
    if (delta.unit, delta.issuer) != (before.unit, before.issuer) or delta.made_at < before.made_at:
        return (
            f"{delta.where}: it names as its predecessor a checkpoint of {before.unit} "
            f"({before.issuer}) of {before.made_at.isoformat()}, which it cannot follow"
        )
    after, _ = tree.changed(delta.lines)
    if len(after) != delta.size or after.root() != delta.root:
        return f"{delta.where}: its chain heads on its predecessor's do not make the size and root it signs"
    checkpoint = AuditCheckpoint(
        delta.unit,
        delta.issuer,
        delta.made_at,
        tuple(after.lines),
        delta.root,
        previous=delta.previous,
        changed=delta.lines,
        digest=delta.digest,
    )
    return checkpoint, after


def _fields(line: str) -> tuple[str, int, str]:
    """A head line's request id, event count and head hash (its form checked when it was read)."""
    request_id, count, head_hash = line.split(" ")
    return request_id, int(count), head_hash[:-1]


def compare(
    checkpoint: AuditCheckpoint,
    current: Mapping[str, ChainHead],
    submitted_at: Mapping[str, datetime.datetime],
    event_hash: Mapping[tuple[str, int], str],
    *,
    extended: set[str] | None = None,
) -> list[str]:
    """What the database of today shows against ``checkpoint``: one finding per request.

    ``current`` is every request of the unit as stored now, ``submitted_at`` when each was
    submitted, and ``event_hash`` the stored hash of each ``(request, seq)`` the checkpoint
    names where the history has grown since. ``extended`` holds head lines the database was
    already found to extend, and gains this checkpoint's: a chain of checkpoints shares most of
    its lines, and each is then checked once.
    """
    when = checkpoint.made_at.isoformat()
    findings = []
    held = set()
    good = set() if extended is None else extended
    for line in checkpoint.lines:
        if line in good:
            held.add(request_of(line))
            continue
        request_id, count, head_hash = _fields(line)
        held.add(request_id)
        now = current.get(request_id)
        if now is None:
            findings.append(f"{request_id}: in the checkpoint of {when} with {count} events, gone now (deleted)")
        elif now.event_count < count:
            findings.append(
                f"{request_id}: had {count} events at the checkpoint of {when}, has {now.event_count} now (rolled back)"
            )
        elif (now.head_hash if now.event_count == count else event_hash.get((request_id, count))) != head_hash:
            findings.append(
                f"{request_id}: its event {count} is not the one the checkpoint of {when} holds "
                "(the history was rewritten from there)"
            )
        else:
            good.add(line)
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
        first, second = older.made_at.isoformat(), newer.made_at.isoformat()
        for before, after in _differing(older.lines, newer.lines):
            request_id, count, head_hash = _fields(before)
            if after is None:
                findings.append(f"{request_id}: in the checkpoint of {first}, not in the later one of {second} (fork)")
                continue
            _, later_count, later_hash = _fields(after)
            if later_count < count or (later_count == count and later_hash != head_hash):
                findings.append(f"{request_id}: the checkpoints of {first} and {second} disagree on its history (fork)")
    return findings


def _differing(older: Sequence[str], newer: Sequence[str]) -> list[tuple[str, str | None]]:
    """Each line of ``older`` that ``newer`` does not hold as it is, with ``newer``'s line of
    that request (None: it has none)."""
    # A delta keeps its predecessor's order, and two full reads list requests in the index's
    # order: mostly the lines stand side by side, and only those that differ are looked at.
    pairs = [(before, after) for before, after in zip(older, newer, strict=False) if before != after]
    if len(newer) >= len(older) and all(request_of(before) == request_of(after) for before, after in pairs):
        return list(pairs)
    later = {request_of(line): line for line in newer}
    return [(line, later.get(request_of(line))) for line in older if later.get(request_of(line)) != line]


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
        mine = sorted((checkpoint for checkpoint in checkpoints if checkpoint.unit == unit), key=lambda c: c.made_at)
        grown = set()
        for line in {line for checkpoint in mine for line in checkpoint.lines}:
            request_id, count, _ = _fields(line)
            now = current.get(request_id)
            if now is not None and now.event_count > count:
                grown.add((request_id, count))
        hashes = store.event_hashes(sorted(grown))
        extended: set[str] = set()
        for checkpoint in mine:
            findings += compare(checkpoint, current, submitted, hashes, extended=extended)
    return findings


def _moment(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
