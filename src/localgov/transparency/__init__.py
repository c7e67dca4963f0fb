"""A Certificate-Transparency-style log of issued permits: the pure core (issue #18, section 3).

Each issued permit becomes an entry of an append-only Merkle tree (RFC 9162); the log publishes
signed checkpoints (c2sp.org/tlog-checkpoint, in the signed-note format of c2sp.org/signed-note)
that independent witnesses cosign (c2sp.org/tlog-cosignature), and serves its tree as static tiles
(c2sp.org/tlog-tiles), so anyone can check offline that a permit was logged and that the log shows
everyone the same history. This package is the formats and the arithmetic, with no storage:

* :mod:`~localgov.transparency.merkle`: leaf and node hashes, roots, inclusion and consistency
  proofs generated from any :class:`HashReader` of stored subtree hashes; :class:`MemoryTree`.
* :mod:`~localgov.transparency.verify`: the RFC 9162 verification algorithms; proof bytes.
* :mod:`~localgov.transparency.note` and :mod:`~localgov.transparency.keys`: signed notes, key
  strings, Ed25519 signatures and witness cosignatures.
* :mod:`~localgov.transparency.checkpoint`: checkpoints, signed and verified.
* :mod:`~localgov.transparency.entries`: what a leaf says (a permit issued, a permit revoked).
* :mod:`~localgov.transparency.witness`: a witness that cosigns only checkpoints that extend the last.
* :mod:`~localgov.transparency.proof_file`: an inclusion proof with its checkpoint, as a file.
* :mod:`~localgov.transparency.tiles`: tile paths, tile bytes, proofs recomputed from tiles.

The formats as implemented are specified in ``docs/transparency-log.md``.
"""

from localgov.transparency.checkpoint import Checkpoint, SignedCheckpoint, VerifiedCheckpoint
from localgov.transparency.entries import (
    PERMIT_ENTRY,
    REVOCATION_ENTRY,
    PermitEntry,
    RevocationEntry,
    parse_entry,
    token_digest,
)
from localgov.transparency.errors import (
    AmbiguousKey,
    CheckpointError,
    IndexOutOfRange,
    InsufficientCosignatures,
    InvalidNoteSignature,
    MalformedCheckpoint,
    MalformedEntry,
    MalformedKey,
    MalformedNote,
    MalformedTile,
    MalformedTilePath,
    MissingTile,
    NoteError,
    OverlongProof,
    ProofError,
    RootMismatch,
    TileError,
    TooManySignatures,
    TransparencyError,
    TreeSizeRegressed,
    TruncatedProof,
    UnknownKey,
    WitnessAlarm,
    WrongHashLength,
    WrongOrigin,
)
from localgov.transparency.keys import (
    COSIGNATURE_V1,
    ED25519,
    CosignatureVerifier,
    Cosigner,
    Ed25519Signer,
    Ed25519Verifier,
    cosignature_timestamp,
    parse_signer_key,
    parse_verifier_key,
)
from localgov.transparency.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    HashReader,
    MemoryTree,
    NodeId,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    tree_root,
)
from localgov.transparency.note import (
    MAX_SIGNATURES,
    Note,
    NoteSignature,
    Signer,
    VerifiedNote,
    Verifier,
    key_id,
    open_note,
    sign_note,
)
from localgov.transparency.proof_file import PROOF_HEADER, InclusionProofFile
from localgov.transparency.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    EntryBundle,
    Tile,
    TileFetcher,
    TileHashReader,
    decode_entry_bundle,
    encode_entry_bundle,
    hash_tile,
    parse_tile_path,
    root_from_tiles,
    tile_at,
    tiles_for_size,
    verify_inclusion_from_tiles,
)
from localgov.transparency.verify import (
    consistency_proof_length,
    decode_proof,
    encode_proof,
    inclusion_proof_length,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from localgov.transparency.witness import Witness

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_SIGNATURES",
    "PERMIT_ENTRY",
    "PROOF_HEADER",
    "REVOCATION_ENTRY",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "AmbiguousKey",
    "Checkpoint",
    "CheckpointError",
    "CosignatureVerifier",
    "Cosigner",
    "Ed25519Signer",
    "Ed25519Verifier",
    "EntryBundle",
    "HashReader",
    "InclusionProofFile",
    "IndexOutOfRange",
    "InsufficientCosignatures",
    "InvalidNoteSignature",
    "MalformedCheckpoint",
    "MalformedEntry",
    "MalformedKey",
    "MalformedNote",
    "MalformedTile",
    "MalformedTilePath",
    "MemoryTree",
    "MissingTile",
    "NodeId",
    "Note",
    "NoteError",
    "NoteSignature",
    "OverlongProof",
    "PermitEntry",
    "ProofError",
    "RevocationEntry",
    "RootMismatch",
    "SignedCheckpoint",
    "Signer",
    "Tile",
    "TileError",
    "TileFetcher",
    "TileHashReader",
    "TooManySignatures",
    "TransparencyError",
    "TreeSizeRegressed",
    "TruncatedProof",
    "UnknownKey",
    "VerifiedCheckpoint",
    "VerifiedNote",
    "Verifier",
    "Witness",
    "WitnessAlarm",
    "WrongHashLength",
    "WrongOrigin",
    "consistency_proof",
    "consistency_proof_length",
    "cosignature_timestamp",
    "decode_entry_bundle",
    "decode_proof",
    "encode_entry_bundle",
    "encode_proof",
    "hash_tile",
    "inclusion_proof",
    "inclusion_proof_length",
    "key_id",
    "leaf_hash",
    "node_hash",
    "open_note",
    "parse_entry",
    "parse_signer_key",
    "parse_tile_path",
    "parse_verifier_key",
    "root_from_inclusion_proof",
    "root_from_tiles",
    "root_of",
    "sign_note",
    "tile_at",
    "tiles_for_size",
    "token_digest",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
    "verify_inclusion_from_tiles",
]
