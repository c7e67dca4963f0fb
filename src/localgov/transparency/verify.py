"""Verifying inclusion and consistency proofs exactly as RFC 9162 sections 2.1.3.2 and 2.1.4.2 say.

The loops below are the RFC's algorithms step for step (``fn``, ``sn``, ``fr``, ``sr`` are its
names). Before running them each input is checked on its own, so that a refusal names the fault: a
hash that is not 32 bytes, an index outside the tree, a tree that shrank, a proof with fewer or more
hashes than the tree's shape needs, and only then a recomputed root that differs (a forged hash).
The expected proof lengths are the closed forms of transparency-dev/merkle's ``proof`` package.

Proofs travel as bytes: the hashes concatenated, leaf side first (:func:`encode_proof`).
"""

from __future__ import annotations

from collections.abc import Sequence

from localgov.transparency.errors import (
    IndexOutOfRange,
    OverlongProof,
    RootMismatch,
    TreeSizeRegressed,
    TruncatedProof,
    WrongHashLength,
)
from localgov.transparency.merkle import EMPTY_ROOT, HASH_SIZE, node_hash

__all__ = [
    "MAX_PROOF_HASHES",
    "consistency_proof_length",
    "decode_proof",
    "encode_proof",
    "inclusion_proof_length",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]

# Tree sizes are uint64 (RFC 9162), so no proof is longer than 2 * 64 hashes; refusing more
# before decoding keeps a hostile proof from costing more than that.
MAX_PROOF_HASHES = 128
_MAX_SIZE = 2**64 - 1


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise WrongHashLength(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    for position, element in enumerate(proof):
        _check_hash(element, f"proof hash {position}")


def _check_size(size: int, what: str) -> None:
    if not 0 <= size <= _MAX_SIZE:
        raise IndexOutOfRange(f"{what} {size} is not a uint64")


def _check_length(got: int, want: int, what: str) -> None:
    if got < want:
        raise TruncatedProof(f"{what} has {got} hashes, the tree's shape needs {want}")
    if got > want:
        raise OverlongProof(f"{what} has {got} hashes, the tree's shape needs {want}")


def _decompose(index: int, size: int) -> tuple[int, int]:
    # inner: the levels where the path to the last leaf and the path to index still differ;
    # border: the left siblings above them, along the tree's right edge.
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def inclusion_proof_length(index: int, size: int) -> int:
    """How many hashes PATH(index, D[size]) has (for 0 <= index < size)."""
    if not 0 <= index < size:
        raise IndexOutOfRange(f"leaf index {index} is not in a tree of size {size}")
    inner, border = _decompose(index, size)
    return inner + border


def consistency_proof_length(size1: int, size2: int) -> int:
    """How many hashes PROOF(size1, D[size2]) has (0 when size1 is 0 or equals size2)."""
    if size1 < 0:
        raise IndexOutOfRange(f"tree size {size1} is negative")
    if size2 < size1:
        raise TreeSizeRegressed(f"no consistency proof from size {size1} back to size {size2}")
    if size1 in (0, size2):
        return 0
    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1  # the old tree's last complete subtree is 2^shift
    seed = 0 if size1 == 1 << shift else 1  # a power of two is its own seed: the old root
    return seed + inner - shift + border


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root the proof leads to from ``leaf`` (RFC 9162 section 2.1.3.2 steps 1 to 4)."""
    _check_hash(leaf, "the leaf hash")
    _check_proof_hashes(proof)
    _check_size(size, "tree size")
    # 1. leaf_index must be below tree_size.
    if not 0 <= index < size:
        raise IndexOutOfRange(f"leaf index {index} is not in a tree of size {size}")
    _check_length(len(proof), inclusion_proof_length(index, size), "the inclusion proof")
    # 2.-3.
    fn, sn, r = index, size - 1, leaf
    # 4.
    for p in proof:
        if sn == 0:
            raise OverlongProof("the inclusion proof continues above the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    # 5. (first half): the proof must have reached the root.
    if sn != 0:
        raise TruncatedProof("the inclusion proof stops below the root")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` is at ``index`` in the tree of ``size`` leaves whose hash is ``root``."""
    _check_hash(root, "the root hash")
    recomputed = root_from_inclusion_proof(leaf, index, size, proof)
    if recomputed != root:
        raise RootMismatch(
            f"the inclusion proof for leaf {index} in a tree of size {size} leads "
            f"to root {recomputed.hex()}, not {root.hex()}"
        )


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Check that the tree of ``size2`` leaves (``root2``) extends the one of ``size1`` (``root1``)."""
    _check_hash(root1, "the old root hash")
    _check_hash(root2, "the new root hash")
    _check_proof_hashes(proof)
    _check_size(size1, "old tree size")
    _check_size(size2, "new tree size")
    if size2 < size1:
        raise TreeSizeRegressed(f"the tree went back from size {size1} to size {size2}")
    _check_length(len(proof), consistency_proof_length(size1, size2), "the consistency proof")
    # The RFC defines proofs for 0 < size1 < size2 only; the two trivial cases are checked directly.
    if size1 == 0 and root1 != EMPTY_ROOT:  # also when size2 is 0: the empty tree has one root
        raise RootMismatch("the old root is not the empty tree's hash")
    if size1 == size2:
        if root1 != root2:
            raise RootMismatch(f"two different roots for the same tree size {size1}")
        return
    if size1 == 0:
        return
    # 1. (an empty path is refused by the length check above)  2.
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    # 3.-4.
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            raise OverlongProof("the consistency proof continues above the new root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    # 7.
    if sn != 0:
        raise TruncatedProof("the consistency proof stops below the new root")
    if fr != root1:
        raise RootMismatch(
            f"the consistency proof from size {size1} to {size2} leads to old root {fr.hex()}, not {root1.hex()}"
        )
    if sr != root2:
        raise RootMismatch(
            f"the consistency proof from size {size1} to {size2} leads to new root {sr.hex()}, not {root2.hex()}"
        )


def encode_proof(proof: Sequence[bytes]) -> bytes:
    """A proof as bytes: its hashes concatenated, in order."""
    _check_proof_hashes(proof)
    return b"".join(proof)


def decode_proof(data: bytes) -> list[bytes]:
    """The hashes of a proof encoded by :func:`encode_proof`."""
    if len(data) % HASH_SIZE:
        raise WrongHashLength(f"proof bytes are {len(data)} long, not a multiple of {HASH_SIZE}")
    if len(data) > MAX_PROOF_HASHES * HASH_SIZE:
        raise OverlongProof(f"a proof has at most {MAX_PROOF_HASHES} hashes, not {len(data) // HASH_SIZE}")
    return [bytes(data[at : at + HASH_SIZE]) for at in range(0, len(data), HASH_SIZE)]
