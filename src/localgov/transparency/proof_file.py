"""An inclusion proof that travels with a permit: index, proof hashes and the signed checkpoint.

The layout is that of c2sp.org/tlog-proof, so the proof of a permit can sit beside it in a file, a
web page or a message and be checked offline with nothing but the log's public key::

    c2sp.org/tlog-proof@v1
    index 41
    <base64 of each proof hash, leaf side first, one per line>
    <blank line>
    <the signed checkpoint (a note) the proof leads to>

The entry itself is not in the file: a verifier recomputes it from what it holds (a permit's
entry from its token, :func:`localgov.permits.log_entry`), so the file cannot vouch for anything
but the entry it was made for.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence

import attrs

from localgov.transparency.checkpoint import SignedCheckpoint, VerifiedCheckpoint
from localgov.transparency.errors import MalformedCheckpoint
from localgov.transparency.merkle import HASH_SIZE, leaf_hash
from localgov.transparency.note import Verifier
from localgov.transparency.verify import MAX_PROOF_HASHES, verify_inclusion

__all__ = ["PROOF_HEADER", "InclusionProofFile"]

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"index (0|[1-9][0-9]{0,19})")


@attrs.frozen
class InclusionProofFile:
    """Entry ``index`` of the tree a signed checkpoint commits to, and the hashes that show it."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: SignedCheckpoint

    def __str__(self) -> str:
        hashes = "".join(base64.b64encode(h).decode("ascii") + "\n" for h in self.proof)
        return f"{PROOF_HEADER}\nindex {self.index}\n{hashes}\n{self.checkpoint}"

    @classmethod
    def parse(cls, text: str | bytes) -> InclusionProofFile:
        """Read a proof file; :class:`MalformedCheckpoint` names the first line that is wrong."""
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedCheckpoint("a proof file is UTF-8 text") from None
        head, separator, note = text.partition("\n\n")
        if not separator:
            raise MalformedCheckpoint("a proof file has a blank line before its checkpoint")
        lines = head.split("\n")
        if lines[0] != PROOF_HEADER:
            raise MalformedCheckpoint(f"a proof file starts with {PROOF_HEADER!r}, not {lines[0][:60]!r}")
        if len(lines) < 2 or not _INDEX.fullmatch(lines[1]):
            raise MalformedCheckpoint("the second line of a proof file is 'index N'")
        if len(lines) - 2 > MAX_PROOF_HASHES:
            raise MalformedCheckpoint(f"a proof has at most {MAX_PROOF_HASHES} hashes, this file has {len(lines) - 2}")
        return cls(
            int(lines[1][6:]),
            tuple(_hash(line, n) for n, line in enumerate(lines[2:], 3)),
            SignedCheckpoint.parse(note),
        )

    def verify(
        self,
        entry: bytes,
        log_keys: Iterable[Verifier],
        *,
        origin: str,
        witness_keys: Sequence[Verifier] = (),
        quorum: int = 0,
    ) -> VerifiedCheckpoint:
        """Check the checkpoint's signatures, then that ``entry`` is at :attr:`index` of its tree.

        Raises the error that names the fault: an unknown or bad signature, another log, a proof
        cut short or too long, or a root that the entry and proof do not lead to.
        """
        verified = self.checkpoint.verify(log_keys, origin=origin, witness_keys=witness_keys, quorum=quorum)
        head = verified.checkpoint
        verify_inclusion(leaf_hash(entry), self.index, head.size, self.proof, head.root_hash)
        return verified


def _hash(line: str, number: int) -> bytes:
    try:
        value = base64.b64decode(line.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise MalformedCheckpoint(f"line {number} of the proof file is not base64") from None
    if len(value) != HASH_SIZE or base64.b64encode(value).decode("ascii") != line:
        raise MalformedCheckpoint(f"line {number} of the proof file is not the base64 of a {HASH_SIZE}-byte hash")
    return value
