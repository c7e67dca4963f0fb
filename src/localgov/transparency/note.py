"""The signed-note format of c2sp.org/signed-note: a text, a blank line, signature lines.

::

    <text, ending in a newline>
    <blank line>
    — <key name> base64(key ID (4 bytes, big-endian) || signature)
    ...

Parsing is strict so that a note has exactly one reading: valid UTF-8, no control character but
newline, the text separated from the signatures by the *last* blank line, at least one signature
line, each an em dash, a space, a valid key name, a space and canonical base64 of at least five
bytes. Verification follows the spec: signatures by unknown keys are ignored, a signature by a
known key (same name *and* key ID) must verify, and a note with no verified signature is refused.
The key types (Ed25519, and witness cosignatures) are in :mod:`localgov.transparency.keys`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from localgov.transparency.errors import (
    AmbiguousKey,
    InvalidNoteSignature,
    MalformedNote,
    TooManySignatures,
    UnknownKey,
)

__all__ = [
    "MAX_SIGNATURES",
    "Note",
    "NoteSignature",
    "Signer",
    "VerifiedNote",
    "Verifier",
    "is_valid_key_name",
    "key_id",
    "open_note",
    "sign_note",
]

# The spec asks verifiers to accept at least 16; the Go reference stops at 100. A witnessed
# checkpoint carries the log's signatures plus one per witness, far fewer than either.
MAX_SIGNATURES = 100
_PREFIX = "\u2014 "  # em dash, space


def is_valid_key_name(name: str) -> bool:
    """A key name is non-empty, with no Unicode space and no ``+`` (which ends it in a key string).

    It must also be encodable as UTF-8 (no lone surrogate), or no key ID or note could hold it.
    """
    return (
        bool(name)
        and "+" not in name
        and not any(ch.isspace() for ch in name)
        and all(ord(ch) >= 0x20 and not 0xD800 <= ord(ch) <= 0xDFFF for ch in name)
    )


def key_id(name: str, algorithm: int, public_key: bytes) -> int:
    """The spec's key ID: ``SHA-256(name || 0x0A || algorithm || public key)[:4]`` as a uint32."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([algorithm]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode_canonical(text: str) -> bytes:
    """Standard padded base64, refusing any other spelling of the same bytes."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise MalformedNote(f"not base64: {text[:40]!r}") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise MalformedNote(f"not canonical base64: {text[:40]!r}")
    return raw


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: who signed (name and key ID) and the signature bytes after the ID."""

    name: str
    key_id: int
    signature: bytes

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise MalformedNote(f"invalid key name {self.name!r}")
        if not 0 <= self.key_id < 2**32:
            raise MalformedNote(f"key ID {self.key_id} is not a uint32")
        if not self.signature:
            raise MalformedNote(f"empty signature by {self.name}")

    @property
    def line(self) -> str:
        """The signature line, with its newline."""
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_PREFIX}{self.name} {base64.b64encode(blob).decode('ascii')}\n"

    @classmethod
    def parse_line(cls, line: str) -> NoteSignature:
        """One signature line, without its newline."""
        if not line.startswith(_PREFIX):
            raise MalformedNote(f"a signature line starts with an em dash and a space: {line[:40]!r}")
        name, space, encoded = line[len(_PREFIX) :].partition(" ")
        if not space or not is_valid_key_name(name):
            raise MalformedNote(f"invalid key name in signature line {line[:60]!r}")
        raw = _b64decode_canonical(encoded)
        if len(raw) < 5:
            raise MalformedNote(f"signature by {name} is shorter than a key ID and one byte")
        return cls(name, int.from_bytes(raw[:4], "big"), raw[4:])


def _check_text(text: str, what: str) -> None:
    for ch in text:
        if ord(ch) < 0x20 and ch != "\n":
            raise MalformedNote(f"{what} contains control character {ch!r}")
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise MalformedNote(f"{what} is not valid UTF-8")


@dataclass(frozen=True, slots=True)
class Note:
    """A note's text and its signature lines, in order. ``str(note)`` is the signed note."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def __post_init__(self) -> None:
        _check_text(self.text, "the note text")
        if not self.text.endswith("\n"):
            raise MalformedNote("the note text must end with a newline")
        if not self.signatures:
            raise MalformedNote("a signed note has at least one signature line")
        if len(self.signatures) > MAX_SIGNATURES:
            raise TooManySignatures(f"{len(self.signatures)} signature lines, at most {MAX_SIGNATURES} are read")

    def __str__(self) -> str:
        return self.text + "\n" + "".join(signature.line for signature in self.signatures)

    @classmethod
    def parse(cls, message: str | bytes) -> Note:
        """Parse a signed note, refusing every deviation from the grammar (nothing is verified)."""
        if isinstance(message, bytes):
            try:
                message = message.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MalformedNote("the note is not valid UTF-8") from exc
        _check_text(message, "the note")
        split = message.rfind("\n\n")
        if split < 0:
            raise MalformedNote("no blank line separates the text from the signatures")
        text, block = message[: split + 1], message[split + 2 :]
        if not block:
            raise MalformedNote("a signed note has at least one signature line")
        if not block.endswith("\n"):
            raise MalformedNote("the last signature line must end with a newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise TooManySignatures(f"{len(lines)} signature lines, at most {MAX_SIGNATURES} are read")
        return cls(text, tuple(NoteSignature.parse_line(line) for line in lines))


class Verifier(Protocol):
    """A public key that verifies note signatures (see :mod:`localgov.transparency.keys`)."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (the bytes after the key ID) signs the note ``text``."""
        ...


class Signer(Protocol):
    """A private key that signs note texts."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, text: bytes) -> bytes:
        """The signature of the note ``text`` (without the key ID)."""
        ...


@dataclass(frozen=True, slots=True)
class VerifiedNote:
    """A note whose text a trusted key vouched for; ``verified`` are the signatures that checked."""

    text: str
    verified: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...]
    note: Note

    def signed_by(self, verifier: Verifier) -> bool:
        """Whether ``verifier``'s key signed (and verified) the note."""
        return any((s.name, s.key_id) == (verifier.name, verifier.key_id) for s in self.verified)


def _index(verifiers: Iterable[Verifier]) -> dict[tuple[str, int], Verifier]:
    known: dict[tuple[str, int], Verifier] = {}
    for verifier in verifiers:
        identity = (verifier.name, verifier.key_id)
        if identity in known and known[identity] != verifier:
            raise AmbiguousKey(f"two trusted keys are named {verifier.name}+{verifier.key_id:08x}")
        known[identity] = verifier
    return known


def open_note(message: str | bytes | Note, verifiers: Iterable[Verifier]) -> VerifiedNote:
    """Parse and verify a signed note against the trusted ``verifiers``.

    Raises :class:`InvalidNoteSignature` if a trusted key's signature fails (the whole note is then
    suspect), :class:`UnknownKey` if no trusted key signed it.
    """
    note = message if isinstance(message, Note) else Note.parse(message)
    known = _index(verifiers)
    text = note.text.encode()
    verified: list[NoteSignature] = []
    unverified: list[NoteSignature] = []
    for signature in note.signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            if signature not in unverified:
                unverified.append(signature)
            continue
        if any((s.name, s.key_id) == (signature.name, signature.key_id) for s in verified):
            continue  # a second line by the same key adds nothing
        if not verifier.verify(text, signature.signature):
            raise InvalidNoteSignature(f"the signature by {signature.name}+{signature.key_id:08x} does not verify")
        verified.append(signature)
    if not verified:
        names = ", ".join(f"{s.name}+{s.key_id:08x}" for s in note.signatures)
        raise UnknownKey(f"no signature by a trusted key (signed by {names})")
    return VerifiedNote(note.text, tuple(verified), tuple(unverified), note)


def sign_note(text: str, signers: Sequence[Signer], existing: Iterable[NoteSignature] = ()) -> Note:
    """Sign ``text`` with each signer, after the ``existing`` signatures not replaced by a signer."""
    _check_text(text, "the note text")
    if not text.endswith("\n"):
        raise MalformedNote("the note text must end with a newline")
    raw = text.encode()
    mine = {(signer.name, signer.key_id) for signer in signers}
    kept = [s for s in existing if (s.name, s.key_id) not in mine]
    new = [NoteSignature(signer.name, signer.key_id, signer.sign(raw)) for signer in signers]
    return Note(text, tuple(kept + new))
