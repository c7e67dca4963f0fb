"""RFC 9162 Merkle tree hashing, and proofs generated from stored subtree hashes.

The tree is the one of RFC 9162 section 2.1 (RFC 6962 section 2.1 before it): a leaf hashes as
``SHA-256(0x00 || entry)``, an interior node as ``SHA-256(0x01 || left || right)`` (the prefixes
keep a leaf from being passed off as a node), a tree of n > 1 leaves splits at the largest power of
two below n, and the empty tree's hash is ``SHA-256("")``.

Every hash a proof needs is the Merkle Tree Hash of a range ``D[start:end]`` that is a node of that
tree, and every such range is a run of *complete* subtrees (sizes 2^a > 2^b > ...) folded right to
left. So a store that keeps the hash of each complete subtree, addressed by ``(level, index)``,
answers any proof with O(log n) reads and no hashing of leaves: :class:`HashReader` is that store's
contract, and the proof functions below ask it once, in one batch (one query for a database).
:class:`MemoryTree` is the in-memory store. Verification is in :mod:`localgov.transparency.verify`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

from localgov.transparency.errors import IndexOutOfRange, TreeSizeRegressed, WrongHashLength

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "HashReader",
    "MemoryTree",
    "NodeId",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_of",
    "tree_root",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the hash of the empty tree, SHA-256 of the empty string (RFC 9162 section 2.1.1)."""


def leaf_hash(entry: bytes) -> bytes:
    """The hash of a leaf: ``SHA-256(0x00 || entry)``."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class NodeId(NamedTuple):
    """A complete subtree: the ``2**level`` leaves from ``index * 2**level`` on.

    Level 0 is the leaves; ``(1, 3)`` is the node over leaves 6 and 7. This is also how the tiles
    of c2sp.org/tlog-tiles and a database table of node hashes address a stored hash.
    """

    level: int
    # The RFC's and the tiles spec's name for a node's position; it shadows tuple.index, which
    # nothing here calls.
    index: int  # type: ignore[assignment]


class HashReader(Protocol):
    """A store of complete-subtree hashes, the only thing proof generation needs.

    A database-backed log implements this over its table of node hashes; :class:`MemoryTree` and
    :class:`localgov.transparency.tiles.TileHashReader` implement it in memory and over tiles.
    """

    def node_hashes(self, nodes: Sequence[NodeId]) -> Sequence[bytes]:
        """The hash of each complete subtree asked for, in the order asked.

        The proof functions call this once per proof with O(log n) nodes, so an implementation can
        answer with one query. Raise :class:`IndexOutOfRange` for a subtree the store does not
        (yet) hold.
        """
        ...


def _split(size: int) -> int:
    """The largest power of two strictly below ``size`` (size >= 2): where RFC 9162 splits."""
    return 1 << ((size - 1).bit_length() - 1)


def _range_nodes(start: int, end: int) -> list[NodeId]:
    """The complete subtrees of ``D[start:end]``, left to right, largest first.

    Only valid for ranges that are nodes of the RFC tree (their start is aligned to a power of two
    at least their size), which is every range a root or a proof uses.
    """
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        nodes.append(NodeId(level, start >> level))
        start += 1 << level
    return nodes


def _fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from the hashes of its complete subtrees: right to left, as the RFC nests."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes make PATH(index, D[size]), from the leaf's sibling up."""
    path = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def _consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The ranges whose hashes make PROOF(size1, D[size2]) = SUBPROOF(size1, D[size2], true)."""
    proof = []
    start, end, remaining, whole = 0, size2, size1, True
    while remaining != end - start:
        k = _split(end - start)
        if remaining <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            start += k
            remaining -= k
            whole = False
    if not whole:  # the old tree is not a complete subtree of the new: its last node is needed
        proof.append((start, end))
    return proof[::-1]


def _hash_ranges(reader: HashReader, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    plans = [_range_nodes(start, end) for start, end in ranges]
    wanted = [node for plan in plans for node in plan]
    found = list(reader.node_hashes(wanted)) if wanted else []
    if len(found) != len(wanted):
        raise IndexOutOfRange(f"the hash store returned {len(found)} hashes for {len(wanted)} nodes")
    hashes, at = [], 0
    for plan in plans:
        hashes.append(_fold(found[at : at + len(plan)]))
        at += len(plan)
    return hashes


def tree_root(reader: HashReader, size: int) -> bytes:
    """MTH(D[size]) from stored hashes: at most log2(size) + 1 reads."""
    if size < 0:
        raise IndexOutOfRange(f"tree size {size} is negative")
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges(reader, [(0, size)])[0]


def inclusion_proof(reader: HashReader, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 section 2.1.3.1, from stored hashes."""
    if not 0 <= index < size:
        raise IndexOutOfRange(f"leaf index {index} is not in a tree of size {size}")
    return _hash_ranges(reader, _inclusion_ranges(index, size))


def consistency_proof(reader: HashReader, size1: int, size2: int) -> list[bytes]:
    """PROOF(size1, D[size2]) of RFC 9162 section 2.1.4.1, from stored hashes.

    Empty when ``size1`` is 0 or equals ``size2``: every tree extends the empty one and itself.
    """
    if size1 < 0:
        raise IndexOutOfRange(f"tree size {size1} is negative")
    if size2 < size1:
        raise TreeSizeRegressed(f"no consistency proof from size {size1} back to size {size2}")
    if size1 in (0, size2):
        return []
    return _hash_ranges(reader, _consistency_ranges(size1, size2))


class MemoryTree:
    """A Merkle tree in memory that keeps every complete subtree's hash, level by level.

    Appending is amortised O(1) hashes (each append completes one subtree per trailing one bit of
    the new size), and it implements :class:`HashReader`, so proofs cost O(log n) lookups.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        # _levels[level][index] is the hash of NodeId(level, index); level 0 holds the leaf hashes.
        self._levels: list[list[bytes]] = [[]]
        for hashed in leaf_hashes:
            self.append_leaf_hash(hashed)

    @property
    def size(self) -> int:
        """How many leaves the tree holds."""
        return len(self._levels[0])

    def append(self, entry: bytes) -> int:
        """Hash ``entry`` as a leaf and append it; return its index."""
        return self.append_leaf_hash(leaf_hash(entry))

    def append_leaf_hash(self, hashed: bytes) -> int:
        """Append an already hashed leaf; return its index."""
        if len(hashed) != HASH_SIZE:
            raise WrongHashLength(f"a leaf hash is {HASH_SIZE} bytes, not {len(hashed)}")
        index = self.size
        self._levels[0].append(bytes(hashed))
        level, position = 0, index
        while position & 1:  # a right child completed its parent: store the parent too
            row = self._levels[level]
            parent = node_hash(row[position - 1], row[position])
            level += 1
            if level == len(self._levels):
                self._levels.append([])
            self._levels[level].append(parent)
            position >>= 1
        return index

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        """The stored hash of each complete subtree (see :class:`HashReader`)."""
        found = []
        for level, index in nodes:
            if not (0 <= level < len(self._levels) and 0 <= index < len(self._levels[level])):
                raise IndexOutOfRange(f"no complete subtree ({level}, {index}) in a tree of size {self.size}")
            found.append(self._levels[level][index])
        return found

    def _size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise IndexOutOfRange(f"tree size {size} is beyond the {self.size} leaves held")
        return size

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all of them by default)."""
        return tree_root(self, self._size(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]) (the whole tree by default)."""
        return inclusion_proof(self, index, self._size(size))

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """PROOF(size1, D[size2]) (to the whole tree by default)."""
        return consistency_proof(self, size1, self._size(size2))


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of a list of leaf hashes, in O(n) hashes."""
    return MemoryTree(leaf_hashes).root()
