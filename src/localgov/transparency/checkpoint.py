"""Checkpoints (c2sp.org/tlog-checkpoint): the signed statement of a log's size and root hash.

::

    <origin>                      the log's identity, e.g. log.example.gov.eg/permits
    <tree size>                   ASCII decimal, no leading zeroes ("0" for the empty tree)
    <root hash>                   standard base64 of the 32-byte RFC 9162 root
    [<extension line>...]         optional, non-empty, opaque (not auditable: avoid)

is the text of a signed note (:mod:`localgov.transparency.note`) signed by the log's key, whose
name should be the origin, and cosigned by witnesses. A client trusts a checkpoint only for the
origin it expects, with the log's signature, and with as many trusted witness cosignatures as its
policy asks: together these stop a log from showing different trees to different people.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from localgov.transparency.errors import (
    InsufficientCosignatures,
    MalformedCheckpoint,
    UnknownKey,
    WrongOrigin,
)
from localgov.transparency.merkle import HASH_SIZE
from localgov.transparency.note import Note, NoteSignature, Signer, Verifier, open_note, sign_note

__all__ = ["Checkpoint", "SignedCheckpoint", "VerifiedCheckpoint"]

_SIZE = re.compile(r"0|[1-9][0-9]*")
_MAX_SIZE = 2**64 - 1  # tree sizes are uint64 (RFC 9162)


def _check_line(line: str, what: str) -> None:
    if not line:
        raise MalformedCheckpoint(f"the {what} line is empty")
    if any(ord(ch) < 0x20 for ch in line):
        raise MalformedCheckpoint(f"the {what} line contains a control character or newline")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's origin, tree size and root hash, plus any extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if not 0 <= self.size <= _MAX_SIZE:
            raise MalformedCheckpoint(f"tree size {self.size} is not a uint64")
        if len(self.root_hash) != HASH_SIZE:
            raise MalformedCheckpoint(f"the root hash is {HASH_SIZE} bytes, not {len(self.root_hash)}")
        for extension in self.extensions:
            _check_line(extension, "extension")

    @property
    def text(self) -> str:
        """The note text: every line ending in a newline."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        return "".join(f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions))

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """The checkpoint a note text holds, refusing any deviation from the format."""
        if not text.endswith("\n"):
            raise MalformedCheckpoint("a checkpoint's text ends with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedCheckpoint(f"a checkpoint has at least 3 lines, not {len(lines)}")
        origin, size, root, *extensions = lines
        if not _SIZE.fullmatch(size):
            raise MalformedCheckpoint(f"tree size {size[:40]!r} is not a decimal without leading zeroes")
        try:
            root_hash = base64.b64decode(root.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error) as exc:
            raise MalformedCheckpoint(f"the root hash {root[:60]!r} is not base64") from exc
        if base64.b64encode(root_hash).decode("ascii") != root:
            raise MalformedCheckpoint(f"the root hash {root[:60]!r} is not canonical base64")
        return cls(origin, int(size), root_hash, tuple(extensions))

    def sign(self, signers: Sequence[Signer]) -> SignedCheckpoint:
        """This checkpoint, signed by the log's key (and any others)."""
        return SignedCheckpoint(self, sign_note(self.text, signers))


@dataclass(frozen=True, slots=True)
class VerifiedCheckpoint:
    """A checkpoint the log signed, with the trusted witness cosignatures that verified."""

    checkpoint: Checkpoint
    log_signatures: tuple[NoteSignature, ...]
    cosignatures: tuple[NoteSignature, ...]


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint and the note that carries its signatures. ``str()`` is the signed note."""

    checkpoint: Checkpoint
    note: Note

    def __post_init__(self) -> None:
        if self.note.text != self.checkpoint.text:
            raise MalformedCheckpoint("the note's text is not the checkpoint's")

    def __str__(self) -> str:
        return str(self.note)

    @classmethod
    def parse(cls, message: str | bytes) -> SignedCheckpoint:
        """A signed checkpoint from its text (nothing is verified yet: see :meth:`verify`)."""
        note = Note.parse(message)
        return cls(Checkpoint.parse(note.text), note)

    def add_signatures(self, signers: Sequence[Signer]) -> SignedCheckpoint:
        """This checkpoint with more signatures, e.g. a witness's cosignature."""
        return SignedCheckpoint(self.checkpoint, sign_note(self.note.text, signers, self.note.signatures))

    def verify(
        self, log_keys: Iterable[Verifier], *, origin: str, witness_keys: Iterable[Verifier] = (), quorum: int = 0
    ) -> VerifiedCheckpoint:
        """Check the origin, a signature by one of ``log_keys``, and ``quorum`` witness cosignatures.

        Signatures by other keys are ignored, as the signed-note spec requires; one that claims a
        trusted key and fails refuses the whole checkpoint.
        """
        if self.checkpoint.origin != origin:
            raise WrongOrigin(f"the checkpoint is for log {self.checkpoint.origin!r}, not {origin!r}")
        logs, witnesses = list(log_keys), list(witness_keys)
        try:
            opened = open_note(self.note, [*logs, *witnesses])
        except UnknownKey as exc:
            raise UnknownKey(f"the checkpoint of {origin} is signed by no trusted key") from exc
        log_ids = {(key.name, key.key_id) for key in logs}
        by_log = tuple(s for s in opened.verified if (s.name, s.key_id) in log_ids)
        if not by_log:
            raise UnknownKey(f"the checkpoint of {origin} is not signed by the log's key")
        cosigned = tuple(s for s in opened.verified if (s.name, s.key_id) not in log_ids)
        if len(cosigned) < quorum:
            raise InsufficientCosignatures(
                f"{len(cosigned)} trusted witnesses cosigned the checkpoint of {origin}, the policy asks for {quorum}"
            )
        return VerifiedCheckpoint(self.checkpoint, by_log, cosigned)
