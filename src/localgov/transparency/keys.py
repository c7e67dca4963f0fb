"""The keys that sign notes: Ed25519 (type 0x01) and witness cosignatures (type 0x04).

A verifier key is the text ``<name>+<key ID, 8 lowercase hex digits>+base64(<type> || <public
key>)``, the form golang.org/x/mod/sumdb/note reads and c2sp.org/signed-note calls a vkey; a signer
key is ``PRIVATE+KEY+<name>+<key ID>+base64(0x01 || <32-byte Ed25519 seed>)``, the Go form, so keys
move between localgov and the Go tools (a witness, a monitor) unchanged.

* Type 0x01 signs the note text itself with Ed25519 (RFC 8032): the log signs its checkpoints so.
* Type 0x04 is the timestamped cosignature of c2sp.org/tlog-cosignature: a witness signs
  ``"cosignature/v1\\ntime <T>\\n" || <checkpoint text>`` and the signature is
  ``uint64 T (big-endian) || Ed25519 signature``, the statement "as of T, this is the largest
  consistent tree I have seen for this log".
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from localgov.transparency.errors import MalformedKey
from localgov.transparency.note import is_valid_key_name, key_id

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "CosignatureVerifier",
    "Cosigner",
    "Ed25519Signer",
    "Ed25519Verifier",
    "cosignature_timestamp",
    "cosigned_message",
    "parse_signer_key",
    "parse_verifier_key",
]

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
_KEY_ID = re.compile(r"[0-9a-f]{8}")
_MAX_TIMESTAMP = 2**63 - 1  # the cosignature spec's bound on the u64 timestamp


def _check_name(name: str) -> None:
    if not is_valid_key_name(name):
        raise MalformedKey(f"invalid key name {name!r}: non-empty, no spaces, no '+'")


def _vkey(name: str, algorithm: int, public_key: bytes) -> str:
    blob = base64.b64encode(bytes([algorithm]) + public_key).decode("ascii")
    return f"{name}+{key_id(name, algorithm, public_key):08x}+{blob}"


def _public_key(raw: bytes) -> Ed25519PublicKey:
    if len(raw) != 32:
        raise MalformedKey(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True, slots=True)
class Ed25519Verifier:
    """An Ed25519 public key (type 0x01) that verifies signatures over the note text."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)
    algorithm = ED25519

    def __post_init__(self) -> None:
        _check_name(self.name)
        _public_key(self.public_key)
        object.__setattr__(self, "key_id", key_id(self.name, self.algorithm, self.public_key))

    @property
    def vkey(self) -> str:
        """The verifier key string."""
        return _vkey(self.name, self.algorithm, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            _public_key(self.public_key).verify(signature, text)
        except InvalidSignature:
            return False
        return True


def cosigned_message(text: bytes, timestamp: int) -> bytes:
    """What a v1 cosignature signs: the header line, the time line, then the checkpoint text."""
    return b"cosignature/v1\ntime %d\n" % timestamp + text


def cosignature_timestamp(signature: bytes) -> int:
    """The POSIX time a v1 cosignature (the bytes after the key ID) was made at."""
    if len(signature) != 8 + 64:
        raise MalformedKey(f"a v1 cosignature is 72 bytes, not {len(signature)}")
    return int.from_bytes(signature[:8], "big")


@dataclass(frozen=True, slots=True)
class CosignatureVerifier:
    """A witness's Ed25519 public key (type 0x04) that verifies timestamped v1 cosignatures."""

    name: str
    public_key: bytes
    key_id: int = field(init=False)
    algorithm = COSIGNATURE_V1

    def __post_init__(self) -> None:
        _check_name(self.name)
        _public_key(self.public_key)
        object.__setattr__(self, "key_id", key_id(self.name, self.algorithm, self.public_key))

    @property
    def vkey(self) -> str:
        """The verifier key string."""
        return _vkey(self.name, self.algorithm, self.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + 64:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > _MAX_TIMESTAMP or len(text.split(b"\n")) < 4:  # three lines, then ""
            return False
        try:
            _public_key(self.public_key).verify(signature[8:], cosigned_message(text, timestamp))
        except InvalidSignature:
            return False
        return True


def _seed_of(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes_raw()


class Ed25519Signer:
    """An Ed25519 private key that signs note texts as type 0x01 (how the log signs checkpoints)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self._private_key = private_key
        self.verifier = Ed25519Verifier(name, private_key.public_key().public_bytes_raw())

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Ed25519Signer:
        """The signer for a 32-byte RFC 8032 seed."""
        if len(seed) != 32:
            raise MalformedKey(f"an Ed25519 seed is 32 bytes, not {len(seed)}")
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def generate(cls, name: str) -> Ed25519Signer:
        """A new random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def key_id(self) -> int:
        return self.verifier.key_id

    @property
    def skey(self) -> str:
        """The signer key string (secret: it holds the seed)."""
        blob = base64.b64encode(bytes([ED25519]) + _seed_of(self._private_key)).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{blob}"

    def sign(self, text: bytes) -> bytes:
        return self._private_key.sign(text)


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class Cosigner:
    """A witness's Ed25519 private key that cosigns checkpoints as type 0x04.

    ``clock`` returns the current moment (a :data:`localgov.clock.Clock`); tests and replays fix it.
    """

    def __init__(
        self, name: str, private_key: Ed25519PrivateKey, clock: Callable[[], datetime.datetime] = _utcnow
    ) -> None:
        _check_name(name)
        self._private_key = private_key
        self._clock = clock
        self.verifier = CosignatureVerifier(name, private_key.public_key().public_bytes_raw())

    @classmethod
    def from_seed(cls, name: str, seed: bytes, clock: Callable[[], datetime.datetime] = _utcnow) -> Cosigner:
        if len(seed) != 32:
            raise MalformedKey(f"an Ed25519 seed is 32 bytes, not {len(seed)}")
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed), clock)

    @classmethod
    def from_signer(cls, signer: Ed25519Signer, clock: Callable[[], datetime.datetime] = _utcnow) -> Cosigner:
        """The cosigner with the same name and key as ``signer`` (a witness keeps one key string)."""
        return cls(signer.name, signer._private_key, clock)

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def key_id(self) -> int:
        return self.verifier.key_id

    def sign(self, text: bytes) -> bytes:
        return self.sign_at(text, int(self._clock().timestamp()))

    def sign_at(self, text: bytes, timestamp: int) -> bytes:
        """The cosignature of the checkpoint ``text`` as of the POSIX time ``timestamp``."""
        if not 0 <= timestamp <= _MAX_TIMESTAMP:
            raise MalformedKey(f"a cosignature timestamp is below 2^63, not {timestamp}")
        signature = self._private_key.sign(cosigned_message(text, timestamp))
        return timestamp.to_bytes(8, "big") + signature


def _decode(blob: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(blob.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise MalformedKey(f"the {what} is not base64") from exc
    if not raw or base64.b64encode(raw).decode("ascii") != blob:
        raise MalformedKey(f"the {what} is not canonical, non-empty base64")
    return raw


def parse_verifier_key(vkey: str) -> Ed25519Verifier | CosignatureVerifier:
    """The verifier a key string names, after checking its key ID."""
    name, _, rest = vkey.partition("+")
    hex_id, _, blob = rest.partition("+")
    _check_name(name)
    if not _KEY_ID.fullmatch(hex_id):
        raise MalformedKey(f"the key ID of {name} is 8 lowercase hex digits, not {hex_id!r}")
    raw = _decode(blob, f"key of {name}")
    algorithm, public_key = raw[0], raw[1:]
    verifier: Ed25519Verifier | CosignatureVerifier
    if algorithm == ED25519:
        verifier = Ed25519Verifier(name, public_key)
    elif algorithm == COSIGNATURE_V1:
        verifier = CosignatureVerifier(name, public_key)
    else:
        raise MalformedKey(f"key {name} has unsupported signature type 0x{algorithm:02x}")
    if verifier.key_id != int(hex_id, 16):
        raise MalformedKey(f"key {name} says key ID {hex_id}, its key hashes to {verifier.key_id:08x}")
    return verifier


def parse_signer_key(skey: str) -> Ed25519Signer:
    """The signer a ``PRIVATE+KEY+...`` string holds, after checking its key ID."""
    marker, _, rest = skey.partition("+KEY+")
    if marker != "PRIVATE":
        raise MalformedKey("a signer key starts with PRIVATE+KEY+")
    name, _, rest = rest.partition("+")
    hex_id, _, blob = rest.partition("+")
    _check_name(name)
    if not _KEY_ID.fullmatch(hex_id):
        raise MalformedKey(f"the key ID of {name} is 8 lowercase hex digits, not {hex_id!r}")
    raw = _decode(blob, f"signer key of {name}")
    if raw[0] != ED25519:
        raise MalformedKey(f"signer key {name} has unsupported signature type 0x{raw[0]:02x}")
    signer = Ed25519Signer.from_seed(name, raw[1:])
    if signer.key_id != int(hex_id, 16):
        raise MalformedKey(f"signer key {name} says key ID {hex_id}, its key hashes to {signer.key_id:08x}")
    return signer
