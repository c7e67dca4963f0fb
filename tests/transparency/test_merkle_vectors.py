"""RFC 9162 tree hashing against the Certificate Transparency vectors and the RFC's own example."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest

from localgov.transparency import (
    EMPTY_ROOT,
    HASH_SIZE,
    IndexOutOfRange,
    MemoryTree,
    NodeId,
    TreeSizeRegressed,
    WrongHashLength,
    consistency_proof,
    consistency_proof_length,
    inclusion_proof,
    inclusion_proof_length,
    leaf_hash,
    node_hash,
    root_of,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from tests.transparency.support import (
    LEAVES,
    ROOTS,
    SHA256_EMPTY,
    rfc_leaf,
    rfc_mth,
    rfc_node,
    rfc_path,
    rfc_proof,
    sha256,
)


@pytest.fixture(scope="module")
def tree() -> MemoryTree:
    built = MemoryTree()
    for entry in LEAVES:
        built.append(entry)
    return built


# -- hashing ------------------------------------------------------------------------------------


def test_the_empty_tree_hashes_to_sha256_of_nothing() -> None:
    assert EMPTY_ROOT == SHA256_EMPTY == hashlib.sha256(b"").digest()
    assert MemoryTree().root() == EMPTY_ROOT
    assert MemoryTree().size == 0
    assert root_of([]) == EMPTY_ROOT
    assert tree_root(MemoryTree(), 0) == EMPTY_ROOT


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    assert HASH_SIZE == 32
    assert leaf_hash(b"abc") == sha256(b"\x00abc")
    left, right = leaf_hash(b"l"), leaf_hash(b"r")
    assert node_hash(left, right) == sha256(b"\x01" + left + right)
    assert node_hash(left, right) != node_hash(right, left)
    # The prefixes are what stop a node from posing as a leaf over the concatenated children.
    assert leaf_hash(left + right) != node_hash(left, right)
    assert leaf_hash(b"") != EMPTY_ROOT


def test_the_one_leaf_tree_is_the_leaf_hash() -> None:
    assert leaf_hash(LEAVES[0]) == ROOTS[1]
    assert MemoryTree([leaf_hash(LEAVES[0])]).root() == ROOTS[1]


@pytest.mark.parametrize("size", range(1, 9))
def test_the_reference_roots(tree: MemoryTree, size: int) -> None:
    leaves = [leaf_hash(entry) for entry in LEAVES[:size]]
    assert tree.root(size) == ROOTS[size]
    assert tree_root(tree, size) == ROOTS[size]
    assert root_of(leaves) == ROOTS[size]
    assert rfc_mth(leaves) == ROOTS[size]  # the transcription the other tests trust agrees too
    alone = MemoryTree()
    for entry in LEAVES[:size]:
        alone.append(entry)
    assert alone.size == size
    assert alone.root() == ROOTS[size]


def test_the_reference_roots_are_all_different(tree: MemoryTree) -> None:
    roots = [tree.root(size) for size in range(9)]
    assert len(set(roots)) == 9


@pytest.mark.parametrize("size", range(1, 70))
def test_roots_paths_and_proofs_follow_the_rfc_definitions(size: int) -> None:
    leaves = [leaf_hash(b"%d" % i) for i in range(size)]
    built = MemoryTree(leaves)
    assert built.root() == rfc_mth(leaves)
    for index in range(size):
        path = built.inclusion_proof(index)
        assert path == rfc_path(index, leaves), index
        assert len(path) == inclusion_proof_length(index, size)
    for old in range(1, size):
        proof = built.consistency_proof(old)
        assert proof == rfc_proof(old, leaves), old
        assert len(proof) == consistency_proof_length(old, size)


# -- RFC 9162 section 2.1.5: the seven-leaf example ------------------------------------------


class Example:
    """The named nodes of the RFC's figure, built from the vector leaves d0..d6."""

    def __init__(self) -> None:
        d = LEAVES[:7]
        self.a, self.b, self.c, self.d, self.e, self.f = (rfc_leaf(entry) for entry in d[:6])
        self.j = rfc_leaf(d[6])  # j has the single child d6
        self.g = rfc_node(self.a, self.b)
        self.h = rfc_node(self.c, self.d)
        self.i = rfc_node(self.e, self.f)
        self.k = rfc_node(self.g, self.h)
        self.l = rfc_node(self.i, self.j)
        self.root = rfc_node(self.k, self.l)
        self.hash0 = rfc_node(self.g, self.c)  # the tree of 3 leaves
        self.hash1 = self.k  # of 4
        self.hash2 = rfc_node(self.k, self.i)  # of 6


@pytest.fixture(scope="module")
def rfc() -> Example:
    return Example()


def test_the_example_tree_is_the_vector_tree(tree: MemoryTree, rfc: Example) -> None:
    assert rfc.root == ROOTS[7] == tree.root(7)
    assert rfc.hash0 == ROOTS[3] == tree.root(3)
    assert rfc.hash1 == ROOTS[4] == tree.root(4)
    assert rfc.hash2 == ROOTS[6] == tree.root(6)


@pytest.mark.parametrize(("index", "names"), [(0, "bhl"), (3, "cgl"), (4, "fjk"), (6, "ik")])
def test_the_example_inclusion_proofs(tree: MemoryTree, rfc: Example, index: int, names: str) -> None:
    expected = [getattr(rfc, name) for name in names]
    assert tree.inclusion_proof(index, 7) == expected
    assert inclusion_proof(tree, index, 7) == expected
    assert inclusion_proof_length(index, 7) == len(names)
    verify_inclusion(leaf_hash(LEAVES[index]), index, 7, expected, rfc.root)


@pytest.mark.parametrize(
    ("size", "names", "old_root"),
    [
        (3, "cdgl", "hash0"),
        (4, "l", "hash1"),
        (6, "ijk", "hash2"),
    ],
)
def test_the_example_consistency_proofs(tree: MemoryTree, rfc: Example, size: int, names: str, old_root: str) -> None:
    expected = [getattr(rfc, name) for name in names]
    assert tree.consistency_proof(size, 7) == expected
    assert consistency_proof(tree, size, 7) == expected
    assert consistency_proof_length(size, 7) == len(names)
    verify_consistency(size, 7, expected, getattr(rfc, old_root), rfc.root)


def test_trivial_consistency_proofs_are_empty(tree: MemoryTree) -> None:
    for size in range(9):
        assert tree.consistency_proof(0, size) == []
        assert tree.consistency_proof(size, size) == []
        assert consistency_proof_length(0, size) == 0
        assert consistency_proof_length(size, size) == 0
        verify_consistency(0, size, [], EMPTY_ROOT, tree.root(size))
        verify_consistency(size, size, [], tree.root(size), tree.root(size))


# -- MemoryTree and the HashReader contract -----------------------------------------------------


class CountingReader:
    """A HashReader that records every batch it is asked for."""

    def __init__(self, inner: MemoryTree) -> None:
        self.inner = inner
        self.calls: list[list[NodeId]] = []

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        self.calls.append(list(nodes))
        return self.inner.node_hashes(nodes)


def test_proofs_read_the_store_once_with_logarithmic_nodes() -> None:
    big = MemoryTree(leaf_hash(b"%d" % i) for i in range(1000))
    reader = CountingReader(big)
    assert tree_root(reader, 1000) == big.root()
    assert reader.calls == [
        [NodeId(9, 0), NodeId(8, 2), NodeId(7, 6), NodeId(6, 14), NodeId(5, 30), NodeId(3, 124)]
    ]  # 1000 = 512 + 256 + 128 + 64 + 32 + 8
    for index, size in [(0, 1000), (999, 1000), (517, 777), (0, 2)]:
        reader.calls.clear()
        assert inclusion_proof(reader, index, size) == big.inclusion_proof(index, size)
        assert len(reader.calls) == 1
        assert len(reader.calls[0]) <= 2 * size.bit_length()
    for old, new in [(1, 1000), (999, 1000), (500, 777), (512, 1000)]:
        reader.calls.clear()
        assert consistency_proof(reader, old, new) == big.consistency_proof(old, new)
        assert len(reader.calls) == 1
        assert len(reader.calls[0]) <= 2 * new.bit_length()
    reader.calls.clear()
    assert consistency_proof(reader, 0, 1000) == []
    assert consistency_proof(reader, 1000, 1000) == []
    assert inclusion_proof(reader, 0, 1) == []
    assert reader.calls == []  # nothing to read, nothing asked


def test_node_ids_address_complete_subtrees(tree: MemoryTree) -> None:
    assert tree.node_hashes([NodeId(0, 5)]) == [leaf_hash(LEAVES[5])]
    assert tree.node_hashes([NodeId(1, 3)]) == [node_hash(leaf_hash(LEAVES[6]), leaf_hash(LEAVES[7]))]
    assert tree.node_hashes([NodeId(3, 0), NodeId(2, 1)]) == [
        ROOTS[8],
        rfc_mth([leaf_hash(entry) for entry in LEAVES[4:8]]),
    ]


@pytest.mark.parametrize("node", [NodeId(0, 8), NodeId(1, 4), NodeId(3, 1), NodeId(4, 0), NodeId(0, -1), NodeId(-1, 0)])
def test_a_subtree_the_tree_does_not_hold_is_out_of_range(tree: MemoryTree, node: NodeId) -> None:
    with pytest.raises(
        IndexOutOfRange,
        match=rf"no complete subtree \({node.level}, {node.index}\) "
        "in a tree of size 8",
    ):
        tree.node_hashes([node])


def test_a_partial_subtree_is_not_stored() -> None:
    seven = MemoryTree(leaf_hash(entry) for entry in LEAVES[:7])
    with pytest.raises(IndexOutOfRange):
        seven.node_hashes([NodeId(1, 3)])  # leaves 6 and 7: only 6 is there
    with pytest.raises(IndexOutOfRange):
        seven.node_hashes([NodeId(3, 0)])


def test_append_returns_the_index_and_stores_a_copy() -> None:
    built = MemoryTree()
    assert built.append(b"zero") == 0
    mutable = bytearray(leaf_hash(b"one"))
    assert built.append_leaf_hash(mutable) == 1
    mutable[0] ^= 0xFF
    assert built.size == 2
    assert built.root() == node_hash(leaf_hash(b"zero"), leaf_hash(b"one"))
    assert built.node_hashes([NodeId(0, 1)]) == [leaf_hash(b"one")]


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_a_leaf_hash_of_the_wrong_length_is_refused(length: int) -> None:
    built = MemoryTree()
    with pytest.raises(WrongHashLength, match=f"a leaf hash is 32 bytes, not {length}"):
        built.append_leaf_hash(b"\x00" * length)
    assert built.size == 0
    with pytest.raises(WrongHashLength):
        MemoryTree([leaf_hash(b"fine"), b"\x00" * length])


def test_sizes_beyond_the_tree_are_refused(tree: MemoryTree) -> None:
    with pytest.raises(IndexOutOfRange, match="tree size 9 is beyond the 8 leaves held"):
        tree.root(9)
    with pytest.raises(IndexOutOfRange, match="tree size -1 is beyond the 8 leaves held"):
        tree.root(-1)
    with pytest.raises(IndexOutOfRange, match="tree size 9 is beyond"):
        tree.inclusion_proof(0, 9)
    with pytest.raises(IndexOutOfRange, match="tree size 9 is beyond"):
        tree.consistency_proof(1, 9)
    with pytest.raises(IndexOutOfRange, match="tree size -1 is negative"):
        tree_root(tree, -1)
    with pytest.raises(IndexOutOfRange):  # the reader does not hold the subtrees a size 9 needs
        tree_root(tree, 9)


@pytest.mark.parametrize(("index", "size"), [(8, 8), (9, 8), (-1, 8), (0, 0)])
def test_an_inclusion_proof_for_a_leaf_outside_the_tree_is_refused(tree: MemoryTree, index: int, size: int) -> None:
    with pytest.raises(IndexOutOfRange, match=f"leaf index {index} is not in a tree of size {size}"):
        inclusion_proof(tree, index, size)


def test_a_consistency_proof_backwards_or_from_a_negative_size_is_refused(tree: MemoryTree) -> None:
    with pytest.raises(TreeSizeRegressed, match="no consistency proof from size 5 back to size 3"):
        consistency_proof(tree, 5, 3)
    with pytest.raises(TreeSizeRegressed, match="from size 8 back to size 7"):
        tree.consistency_proof(8, 7)
    with pytest.raises(TreeSizeRegressed):
        tree.consistency_proof(9)  # beyond the tree, to the whole tree
    with pytest.raises(IndexOutOfRange, match="tree size -1 is negative"):
        consistency_proof(tree, -1, 3)


class ShortReader:
    """A store that answers fewer hashes than asked: a broken database query."""

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        return [EMPTY_ROOT] * (len(nodes) - 1)


def test_a_store_that_answers_short_is_refused() -> None:
    with pytest.raises(IndexOutOfRange, match="the hash store returned 2 hashes for 3 nodes"):
        tree_root(ShortReader(), 7)
    with pytest.raises(IndexOutOfRange, match="returned 0 hashes for 1 nodes"):
        inclusion_proof(ShortReader(), 0, 2)
