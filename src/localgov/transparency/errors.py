"""Why the transparency log refused a proof, a note, a checkpoint or a tile.

Every refusal names one fault, so a monitor, a witness or a ministry's offline verifier can tell a
forged hash (:class:`RootMismatch`) from a proof cut short in transit (:class:`TruncatedProof`)
without parsing messages. Each class carries a stable machine ``code`` for logs and APIs; the
message says where (which size, which line, which key).
"""

from __future__ import annotations

from typing import ClassVar

from localgov.errors import LocalgovError

__all__ = [
    "AmbiguousKey",
    "CheckpointError",
    "IndexOutOfRange",
    "InsufficientCosignatures",
    "InvalidNoteSignature",
    "MalformedCheckpoint",
    "MalformedEntry",
    "MalformedKey",
    "MalformedNote",
    "MalformedTile",
    "MalformedTilePath",
    "MissingTile",
    "NoteError",
    "OverlongProof",
    "ProofError",
    "RootMismatch",
    "TileError",
    "TooManySignatures",
    "TransparencyError",
    "TreeSizeRegressed",
    "TruncatedProof",
    "UnknownKey",
    "WitnessAlarm",
    "WrongHashLength",
    "WrongOrigin",
]


class TransparencyError(LocalgovError):
    """The transparency log refused something. ``code`` names the reason."""

    code: ClassVar[str] = "transparency_error"


# -- Merkle proofs ------------------------------------------------------------------------------


class ProofError(TransparencyError):
    """An inclusion or consistency proof, or its inputs, did not hold."""

    code = "proof_error"


class WrongHashLength(ProofError):
    """A hash (leaf, root or proof element) is not 32 bytes, or proof bytes are not a multiple of 32."""

    code = "wrong_hash_length"


class IndexOutOfRange(ProofError):
    """A leaf index is not below the tree size (or a subtree lies beyond the tree)."""

    code = "index_out_of_range"


class TreeSizeRegressed(ProofError):
    """A consistency proof was asked from a larger tree to a smaller one: logs only grow."""

    code = "tree_size_regressed"


class TruncatedProof(ProofError):
    """The proof has fewer hashes than the shape of the tree requires."""

    code = "truncated_proof"


class OverlongProof(ProofError):
    """The proof has more hashes than the shape of the tree allows."""

    code = "overlong_proof"


class RootMismatch(ProofError):
    """The proof is well formed but recomputes another root: a hash in it, or the root, is forged."""

    code = "root_mismatch"


# -- signed notes -------------------------------------------------------------------------------


class NoteError(TransparencyError):
    """A signed note, a signature line or a key was refused."""

    code = "note_error"


class MalformedNote(NoteError):
    """The note breaks the signed-note grammar (newlines, control characters, base64, key names)."""

    code = "malformed_note"


class TooManySignatures(NoteError):
    """The note carries more signature lines than a verifier agrees to look at."""

    code = "too_many_signatures"


class MalformedKey(NoteError):
    """A verifier or signer key string is malformed, names an unknown algorithm or a wrong key ID."""

    code = "malformed_key"


class AmbiguousKey(NoteError):
    """Two trusted keys share both a name and a key ID, so a signature line cannot pick one."""

    code = "ambiguous_key"


class UnknownKey(NoteError):
    """No signature on the note is by a trusted key: the text must be ignored."""

    code = "unknown_key"


class InvalidNoteSignature(NoteError):
    """A signature by a trusted key (name and key ID match) does not verify."""

    code = "invalid_note_signature"


# -- checkpoints --------------------------------------------------------------------------------


class CheckpointError(TransparencyError):
    """A checkpoint was refused."""

    code = "checkpoint_error"


class MalformedCheckpoint(CheckpointError):
    """The checkpoint body breaks the tlog-checkpoint grammar (origin, size, root hash, extensions)."""

    code = "malformed_checkpoint"


class WrongOrigin(CheckpointError):
    """The checkpoint is for another log than the one expected."""

    code = "wrong_origin"


class InsufficientCosignatures(CheckpointError):
    """Fewer trusted witnesses cosigned the checkpoint than the policy requires."""

    code = "insufficient_cosignatures"


# -- tiles --------------------------------------------------------------------------------------


class TileError(TransparencyError):
    """A tile, a tile path or an entry bundle was refused."""

    code = "tile_error"


class MalformedTilePath(TileError):
    """The path is not a canonical ``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``."""

    code = "malformed_tile_path"


class MalformedTile(TileError):
    """Tile or entry-bundle bytes do not have the length or layout their path says."""

    code = "malformed_tile"


class MissingTile(TileError):
    """A tile needed to compute a proof or a root was not available."""

    code = "missing_tile"


# -- entries and witnesses ----------------------------------------------------------------------


class MalformedEntry(TransparencyError):
    """A log entry is not a permit or revocation entry as ``docs/transparency-log.md`` defines it."""

    code = "malformed_entry"


class WitnessAlarm(TransparencyError):
    """The log showed a witness a head that does not extend the last one it cosigned: a fork or a rollback."""

    code = "witness_alarm"
