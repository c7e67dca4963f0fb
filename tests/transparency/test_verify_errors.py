"""Each refusal of a proof names its one fault: the error class, and a message that says where."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import localgov.transparency.errors as errors_module
from localgov.errors import LocalgovError
from localgov.transparency import (
    EMPTY_ROOT,
    IndexOutOfRange,
    MemoryTree,
    OverlongProof,
    ProofError,
    RootMismatch,
    TransparencyError,
    TreeSizeRegressed,
    TruncatedProof,
    WrongHashLength,
    consistency_proof_length,
    decode_proof,
    encode_proof,
    inclusion_proof_length,
    leaf_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from localgov.transparency.verify import MAX_PROOF_HASHES
from tests.transparency.support import flip

U64 = 2**64 - 1


@pytest.fixture(scope="module")
def tree() -> MemoryTree:
    return MemoryTree(leaf_hash(b"entry %d" % i) for i in range(11))


def _leaf(i: int) -> bytes:
    return leaf_hash(b"entry %d" % i)


# -- the error classes --------------------------------------------------------------------------


def test_every_error_is_a_transparency_error_with_its_own_code() -> None:
    classes = [getattr(errors_module, name) for name in errors_module.__all__]
    assert all(issubclass(cls, TransparencyError) for cls in classes)
    assert issubclass(TransparencyError, LocalgovError)
    codes = [cls.code for cls in classes]
    assert len(set(codes)) == len(codes)
    for name in (
        "WrongHashLength",
        "IndexOutOfRange",
        "TreeSizeRegressed",
        "TruncatedProof",
        "OverlongProof",
        "RootMismatch",
    ):
        assert issubclass(getattr(errors_module, name), ProofError)
    assert WrongHashLength.code == "wrong_hash_length"
    assert RootMismatch.code == "root_mismatch"


# -- inclusion ----------------------------------------------------------------------------------


def test_a_good_inclusion_proof_verifies(tree: MemoryTree) -> None:
    proof = tree.inclusion_proof(6)
    assert root_from_inclusion_proof(_leaf(6), 6, 11, proof) == tree.root()
    verify_inclusion(_leaf(6), 6, 11, proof, tree.root())


@pytest.mark.parametrize("length", [0, 31, 33])
def test_inclusion_hashes_of_the_wrong_length(tree: MemoryTree, length: int) -> None:
    proof, root, bad = tree.inclusion_proof(6), tree.root(), b"\x00" * length
    with pytest.raises(WrongHashLength, match=f"the leaf hash is {length} bytes, not 32"):
        verify_inclusion(bad, 6, 11, proof, root)
    with pytest.raises(WrongHashLength, match=f"the root hash is {length} bytes, not 32"):
        verify_inclusion(_leaf(6), 6, 11, proof, bad)
    with pytest.raises(WrongHashLength, match=f"proof hash 2 is {length} bytes, not 32"):
        verify_inclusion(_leaf(6), 6, 11, [*proof[:2], bad, *proof[3:]], root)


@pytest.mark.parametrize(("index", "size"), [(11, 11), (12, 11), (-1, 11), (0, 0), (5, -3)])
def test_an_index_outside_the_tree(tree: MemoryTree, index: int, size: int) -> None:
    with pytest.raises(
        IndexOutOfRange,
        match=f"leaf index {index} is not in a tree of size {size}"
        if size >= 0
        else f"tree size {size} is not a uint64",
    ):
        verify_inclusion(_leaf(6), index, size, tree.inclusion_proof(6), tree.root())


def test_a_size_beyond_uint64(tree: MemoryTree) -> None:
    with pytest.raises(IndexOutOfRange, match=f"tree size {U64 + 1} is not a uint64"):
        verify_inclusion(_leaf(0), 0, U64 + 1, [], tree.root())
    # The largest legal size is accepted as far as the shape: a proof of 64 hashes is needed.
    with pytest.raises(TruncatedProof, match="has 0 hashes, the tree's shape needs 64"):
        verify_inclusion(_leaf(0), 0, U64, [], tree.root())


def test_a_truncated_inclusion_proof(tree: MemoryTree) -> None:
    proof = tree.inclusion_proof(6)
    assert len(proof) == 4
    with pytest.raises(TruncatedProof, match="the inclusion proof has 3 hashes, the tree's shape needs 4"):
        verify_inclusion(_leaf(6), 6, 11, proof[:-1], tree.root())
    with pytest.raises(TruncatedProof, match="has 0 hashes, the tree's shape needs 4"):
        verify_inclusion(_leaf(6), 6, 11, [], tree.root())


def test_an_overlong_inclusion_proof(tree: MemoryTree) -> None:
    proof = tree.inclusion_proof(6)
    with pytest.raises(OverlongProof, match="the inclusion proof has 5 hashes, the tree's shape needs 4"):
        verify_inclusion(_leaf(6), 6, 11, [*proof, proof[0]], tree.root())
    with pytest.raises(OverlongProof, match="has 1 hashes, the tree's shape needs 0"):
        verify_inclusion(_leaf(0), 0, 1, [_leaf(0)], _leaf(0))


def test_a_forged_inclusion_proof_names_both_roots(tree: MemoryTree) -> None:
    proof = tree.inclusion_proof(6)
    forged = [proof[0], flip(proof[1]), *proof[2:]]
    recomputed = root_from_inclusion_proof(_leaf(6), 6, 11, forged)
    assert recomputed != tree.root()
    with pytest.raises(
        RootMismatch,
        match=f"the inclusion proof for leaf 6 in a tree of size 11 "
        f"leads to root {recomputed.hex()}, not "
        f"{tree.root().hex()}",
    ):
        verify_inclusion(_leaf(6), 6, 11, forged, tree.root())
    with pytest.raises(RootMismatch):
        verify_inclusion(_leaf(6), 6, 11, proof, tree.root(10))  # a wrong (but real) root
    with pytest.raises(RootMismatch):
        verify_inclusion(_leaf(5), 6, 11, proof, tree.root())  # another leaf


def test_the_shape_is_refused_before_the_hashes_are_compared(tree: MemoryTree) -> None:
    proof = tree.inclusion_proof(6)
    forged_and_short = [flip(proof[0]), *proof[1:-1]]
    with pytest.raises(TruncatedProof):
        verify_inclusion(_leaf(6), 6, 11, forged_and_short, flip(tree.root()))
    with pytest.raises(IndexOutOfRange):
        verify_inclusion(_leaf(6), 11, 11, forged_and_short, tree.root())
    with pytest.raises(WrongHashLength):  # a malformed hash before anything else
        verify_inclusion(_leaf(6), 11, 11, [b"short"], tree.root())


@pytest.mark.parametrize(
    ("index", "size", "length"),
    [
        (0, 1, 0),
        (0, 2, 1),
        (1, 2, 1),
        (2, 3, 1),
        (0, 3, 2),
        (6, 7, 2),
        (4, 7, 3),
        (0, 8, 3),
        (7, 8, 3),
        (8, 9, 1),
        (0, 9, 4),
        (0, 2**32, 32),
        (U64 - 1, U64, 63),
        (0, U64, 64),
    ],
)
def test_inclusion_proof_lengths(index: int, size: int, length: int) -> None:
    assert inclusion_proof_length(index, size) == length


def test_inclusion_proof_length_of_a_leaf_outside_the_tree() -> None:
    with pytest.raises(IndexOutOfRange, match="leaf index 3 is not in a tree of size 3"):
        inclusion_proof_length(3, 3)
    with pytest.raises(IndexOutOfRange):
        inclusion_proof_length(-1, 3)


# -- consistency --------------------------------------------------------------------------------


def test_consistency_hashes_of_the_wrong_length(tree: MemoryTree) -> None:
    proof, old, new = tree.consistency_proof(6), tree.root(6), tree.root()
    with pytest.raises(WrongHashLength, match="the old root hash is 0 bytes, not 32"):
        verify_consistency(6, 11, proof, b"", new)
    with pytest.raises(WrongHashLength, match="the new root hash is 33 bytes, not 32"):
        verify_consistency(6, 11, proof, old, new + b"\x00")
    with pytest.raises(WrongHashLength, match="proof hash 0 is 31 bytes, not 32"):
        verify_consistency(6, 11, [proof[0][:31], *proof[1:]], old, new)


def test_consistency_sizes_beyond_uint64(tree: MemoryTree) -> None:
    root = tree.root()
    with pytest.raises(IndexOutOfRange, match="old tree size -1 is not a uint64"):
        verify_consistency(-1, 11, [], root, root)
    with pytest.raises(IndexOutOfRange, match=f"new tree size {U64 + 1} is not a uint64"):
        verify_consistency(1, U64 + 1, [], root, root)


def test_a_tree_that_shrank(tree: MemoryTree) -> None:
    with pytest.raises(TreeSizeRegressed, match="the tree went back from size 11 to size 6"):
        verify_consistency(11, 6, tree.consistency_proof(6), tree.root(), tree.root(6))
    with pytest.raises(TreeSizeRegressed, match="no consistency proof from size 7 back to size 2"):
        consistency_proof_length(7, 2)


def test_a_truncated_or_overlong_consistency_proof(tree: MemoryTree) -> None:
    proof, old, new = tree.consistency_proof(6), tree.root(6), tree.root()
    assert len(proof) == 4
    with pytest.raises(TruncatedProof, match="the consistency proof has 3 hashes, the tree's shape needs 4"):
        verify_consistency(6, 11, proof[:-1], old, new)
    with pytest.raises(OverlongProof, match="the consistency proof has 5 hashes, the tree's shape needs 4"):
        verify_consistency(6, 11, [*proof, proof[0]], old, new)
    with pytest.raises(OverlongProof, match="has 1 hashes, the tree's shape needs 0"):
        verify_consistency(11, 11, [new], new, new)
    with pytest.raises(OverlongProof, match="has 1 hashes, the tree's shape needs 0"):
        verify_consistency(0, 11, [new], EMPTY_ROOT, new)
    with pytest.raises(TruncatedProof, match="has 0 hashes, the tree's shape needs 4"):
        verify_consistency(6, 11, [], old, new)  # RFC step 1: an empty path fails


def test_a_forged_consistency_proof_names_the_root_that_differs(tree: MemoryTree) -> None:
    proof, old, new = tree.consistency_proof(6), tree.root(6), tree.root()
    with pytest.raises(
        RootMismatch, match=f"from size 6 to 11 leads to old root [0-9a-f]{{64}}, not {flip(old).hex()}"
    ):
        verify_consistency(6, 11, proof, flip(old), new)
    with pytest.raises(RootMismatch, match=f"from size 6 to 11 leads to new root {new.hex()}, not {flip(new).hex()}"):
        verify_consistency(6, 11, proof, old, flip(new))
    with pytest.raises(RootMismatch, match="leads to old root"):
        verify_consistency(6, 11, [flip(proof[0]), *proof[1:]], old, new)


def test_a_forged_old_root_of_a_power_of_two_shows_in_the_new_root(tree: MemoryTree) -> None:
    # For a power-of-two size the old root is the seed of the path, so a forged one can only
    # surface as a new root that differs.
    proof, new = tree.consistency_proof(8), tree.root()
    assert len(proof) == consistency_proof_length(8, 11) == 1
    with pytest.raises(RootMismatch, match="leads to new root"):
        verify_consistency(8, 11, proof, flip(tree.root(8)), new)


def test_trivial_consistency_still_checks_the_roots(tree: MemoryTree) -> None:
    root = tree.root()
    verify_consistency(11, 11, [], root, root)
    verify_consistency(0, 11, [], EMPTY_ROOT, root)
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(RootMismatch, match="two different roots for the same tree size 11"):
        verify_consistency(11, 11, [], root, flip(root))
    with pytest.raises(RootMismatch, match="the old root is not the empty tree's hash"):
        verify_consistency(0, 11, [], root, root)
    with pytest.raises(RootMismatch, match="the old root is not the empty tree's hash"):
        verify_consistency(0, 0, [], root, root)  # the empty tree has one root, whatever is claimed


@pytest.mark.parametrize(
    ("old", "new", "length"),
    [
        (0, 0, 0),
        (0, 7, 0),
        (7, 7, 0),
        (3, 7, 4),
        (4, 7, 1),
        (6, 7, 3),
        (1, 2, 1),
        (1, 8, 3),
        (2, 8, 2),
        (4, 8, 1),
        (5, 8, 4),
        (7, 8, 4),
        (8, 9, 1),
        (6, 11, 4),
        (1, 2**40, 40),
    ],
)
def test_consistency_proof_lengths(old: int, new: int, length: int) -> None:
    assert consistency_proof_length(old, new) == length


def test_consistency_proof_length_of_a_negative_size() -> None:
    with pytest.raises(IndexOutOfRange, match="tree size -1 is negative"):
        consistency_proof_length(-1, 5)


# -- proof bytes --------------------------------------------------------------------------------


def test_proof_bytes_round_trip(tree: MemoryTree) -> None:
    for index in range(11):
        proof = tree.inclusion_proof(index)
        data = encode_proof(proof)
        assert data == b"".join(proof)
        assert len(data) == 32 * len(proof)
        assert decode_proof(data) == proof
    assert encode_proof([]) == b""
    assert decode_proof(b"") == []
    decoded = decode_proof(bytearray(encode_proof(tree.consistency_proof(3))))
    assert decoded == tree.consistency_proof(3)
    assert all(type(h) is bytes for h in decoded)
    assert decode_proof(memoryview(b"\x07" * 64)) == [b"\x07" * 32] * 2


def test_encoding_a_proof_with_a_malformed_hash_is_refused(tree: MemoryTree) -> None:
    proof = tree.inclusion_proof(0)
    with pytest.raises(WrongHashLength, match="proof hash 1 is 20 bytes, not 32"):
        encode_proof([proof[0], b"\x00" * 20, *proof[2:]])


@pytest.mark.parametrize("length", [1, 31, 33, 63, 65, 32 * 128 + 1])
def test_proof_bytes_not_a_multiple_of_the_hash_size(length: int) -> None:
    with pytest.raises(WrongHashLength, match=f"proof bytes are {length} long, not a multiple of 32"):
        decode_proof(b"\x00" * length)


def test_proof_bytes_longer_than_any_uint64_tree_needs() -> None:
    assert MAX_PROOF_HASHES == 128
    assert len(decode_proof(b"\x00" * 32 * 128)) == 128
    with pytest.raises(OverlongProof, match="a proof has at most 128 hashes, not 129"):
        decode_proof(b"\x00" * 32 * 129)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.binary(min_size=4000, max_size=4300)))
def test_any_bytes_decode_or_raise_a_proof_error(data: bytes) -> None:
    try:
        decoded = decode_proof(data)
    except (WrongHashLength, OverlongProof):
        assert len(data) % 32 or len(data) > 128 * 32
        return
    assert encode_proof(decoded) == data
    assert all(len(h) == 32 for h in decoded)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), max_size=128))
def test_any_list_of_hashes_round_trips(hashes: list[bytes]) -> None:
    assert decode_proof(encode_proof(hashes)) == hashes
