"""A witness: cosigns a log's checkpoints only while each one extends the last it cosigned.

A log operator could show one tree to the ministry and another to a citizen, or quietly drop the
newest entries and sign a smaller tree. A witness remembers the last checkpoint it cosigned and,
for each new one, checks the log's signature and a consistency proof from the old tree to the
new. It cosigns (c2sp.org/tlog-cosignature) only what extends what it saw; anything else is a
:class:`WitnessAlarm`. A client that asks for a quorum of witnesses' cosignatures then knows it
sees the same log as everyone those witnesses serve.
"""

from __future__ import annotations

from collections.abc import Sequence

from localgov.transparency.checkpoint import Checkpoint, SignedCheckpoint
from localgov.transparency.errors import ProofError, WitnessAlarm
from localgov.transparency.keys import Cosigner
from localgov.transparency.note import Verifier
from localgov.transparency.verify import verify_consistency

__all__ = ["Witness"]


class Witness:
    """One witness of one log: its cosigning key and the last checkpoint it cosigned."""

    def __init__(self, cosigner: Cosigner, log_key: Verifier, *, origin: str, last: Checkpoint | None = None) -> None:
        self.cosigner = cosigner
        self.log_key = log_key
        self.origin = origin
        self.last = last

    def observe(self, signed: SignedCheckpoint, proof: Sequence[bytes]) -> SignedCheckpoint:
        """Cosign ``signed`` if it extends the last checkpoint (``proof`` shows how); else raise.

        Raises the verification error (unknown key, wrong origin) for a checkpoint the log did not
        sign, and :class:`WitnessAlarm` for one it signed that does not extend the last: the log
        rolled back or forked, which the witness must report, not skip.
        """
        new = signed.verify([self.log_key], origin=self.origin).checkpoint
        old = self.last
        if old is not None:
            if new.size < old.size:
                raise WitnessAlarm(
                    f"{self.origin}: the log signed a tree of {new.size} entries after one of {old.size}: it rolled back"
                )
            try:
                verify_consistency(old.size, new.size, proof, old.root_hash, new.root_hash)
            except ProofError as error:
                raise WitnessAlarm(
                    f"{self.origin}: the tree of {new.size} entries does not extend the one of {old.size} "
                    f"this witness cosigned ({error}): the log forked"
                ) from error
        self.last = new
        return signed.add_signatures([self.cosigner])
