"""Roots and proofs against an independent implementation, pymerkle, for every small tree shape.

pymerkle's ``prove_inclusion(index + 1, size)`` path is the leaf's own hash followed by the RFC 9162
PATH, so ``path[1:]`` must equal ours. Its consistency proofs have a format of their own, so they
are compared both ways: our proof verifies against pymerkle's roots, and pymerkle accepts its proof
for the roots we compute.
"""

from __future__ import annotations

import random

import pymerkle
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from localgov.transparency import (
    EMPTY_ROOT,
    IndexOutOfRange,
    MemoryTree,
    OverlongProof,
    ProofError,
    RootMismatch,
    TruncatedProof,
    consistency_proof_length,
    inclusion_proof_length,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.transparency.support import flip

SMALL = 256


def _entry(i: int) -> bytes:
    return b"" if i == 0 else b"permit %d" % i + bytes(i % 7)  # distinct, of varied lengths


class Pair:
    """The same entries in our MemoryTree and in pymerkle's InmemoryTree."""

    def __init__(self, count: int) -> None:
        self.ours = MemoryTree()
        self.theirs = pymerkle.InmemoryTree(algorithm="sha256")
        self.entries = [_entry(i) for i in range(count)]
        for entry in self.entries:
            self.ours.append(entry)
            self.theirs.append_entry(entry)

    def their_root(self, size: int) -> bytes:
        return EMPTY_ROOT if size == 0 else bytes(self.theirs.get_root(size))

    def their_path(self, index: int, size: int) -> list[bytes]:
        path = self.theirs.prove_inclusion(index + 1, size).serialize()["path"]
        assert bytes.fromhex(path[0]) == leaf_hash(self.entries[index])
        return [bytes.fromhex(h) for h in path[1:]]


@pytest.fixture(scope="module")
def small() -> Pair:
    return Pair(SMALL)


@pytest.fixture(scope="module")
def small_roots(small: Pair) -> list[bytes]:
    return [small.their_root(size) for size in range(SMALL + 1)]


def test_every_prefix_root_while_growing() -> None:
    ours, theirs = MemoryTree(), pymerkle.InmemoryTree(algorithm="sha256")
    seen = set()
    for i in range(SMALL):
        assert ours.append(_entry(i)) == i
        theirs.append_entry(_entry(i))
        root = ours.root()
        assert root == bytes(theirs.get_root(i + 1)), i + 1
        seen.add(root)
    assert len(seen) == SMALL


def test_every_prefix_root_of_the_full_tree(small: Pair, small_roots: list[bytes]) -> None:
    for size in range(SMALL + 1):
        assert small.ours.root(size) == small_roots[size], size


def test_every_inclusion_proof(small: Pair, small_roots: list[bytes]) -> None:
    checked = 0
    for size in range(1, SMALL + 1):
        for index in range(size):
            proof = small.ours.inclusion_proof(index, size)
            assert proof == small.their_path(index, size), (index, size)
            assert inclusion_proof_length(index, size) == len(proof)
            verify_inclusion(leaf_hash(small.entries[index]), index, size, proof, small_roots[size])
            checked += 1
    assert checked == SMALL * (SMALL + 1) // 2


def test_every_consistency_proof(small: Pair, small_roots: list[bytes]) -> None:
    checked = 0
    for new in range(1, SMALL + 1):
        for old in range(new + 1):
            proof = small.ours.consistency_proof(old, new)
            assert consistency_proof_length(old, new) == len(proof)
            verify_consistency(old, new, proof, small_roots[old], small_roots[new])
            if old:
                theirs = small.theirs.prove_consistency(old, new)
                pymerkle.verify_consistency(small.ours.root(old), small.ours.root(new), theirs)
            checked += 1
    assert checked == SMALL * (SMALL + 3) // 2


def test_the_oracle_refuses_what_it_should(small: Pair) -> None:
    """pymerkle is a real check: it refuses its own proof against roots that do not match."""
    proof = small.theirs.prove_consistency(5, 9)
    with pytest.raises(pymerkle.InvalidProof):
        pymerkle.verify_consistency(small.ours.root(5), small.ours.root(10), proof)
    with pytest.raises(pymerkle.InvalidProof):
        pymerkle.verify_consistency(small.ours.root(6), small.ours.root(9), proof)
    with pytest.raises(pymerkle.InvalidProof):
        pymerkle.verify_consistency(small.ours.root(5), flip(small.ours.root(9)), proof)
    assert small.their_path(3, 9) != small.their_path(3, 10)


# -- large trees, sampled ---------------------------------------------------------------------


def _sample(size: int, rng: random.Random, count: int) -> list[int]:
    edges = {0, 1, size - 2, size - 1, size // 2}
    for power in range(size.bit_length()):
        edges |= {(1 << power) - 1, 1 << power, (1 << power) + 1}
    picked = {i for i in edges if 0 <= i < size} | {rng.randrange(size) for _ in range(count)}
    return sorted(picked)


@pytest.fixture(scope="module", params=[10_000, 100_003])
def large(request: pytest.FixtureRequest) -> Pair:
    return Pair(request.param)


def test_large_trees_sampled(large: Pair) -> None:
    size = large.ours.size
    rng = random.Random(size)
    for index in _sample(size, rng, 60):
        proof = large.ours.inclusion_proof(index)
        assert proof == large.their_path(index, size), index
        verify_inclusion(leaf_hash(large.entries[index]), index, size, proof, large.their_root(size))
    sizes = _sample(size + 1, rng, 30)
    top = 1 << (size.bit_length() - 1)
    for new in sorted({*rng.sample(sizes, 8), top - 1, top, top + 1, size}):
        assert large.ours.root(new) == large.their_root(new), new
        for old in sizes:
            if old > new:
                continue
            proof = large.ours.consistency_proof(old, new)
            verify_consistency(old, new, proof, large.their_root(old), large.their_root(new))
            if old:
                pymerkle.verify_consistency(
                    large.ours.root(old), large.ours.root(new), large.theirs.prove_consistency(old, new)
                )
        for index in _sample(new, rng, 5) if new else []:
            assert large.ours.inclusion_proof(index, new) == large.their_path(index, new)


# -- properties: random entries, any tampering refused ----------------------------------------


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Unique entries: with two equal leaves a proof for one legitimately proves the other's position.
entries = st.lists(st.binary(max_size=40), min_size=1, max_size=90, unique=True)


def _expected_inclusion_failure(index: int, size: int, proof_length: int) -> type[ProofError]:
    if not 0 <= index < size:
        return IndexOutOfRange
    want = inclusion_proof_length(index, size)
    if proof_length < want:
        return TruncatedProof
    if proof_length > want:
        return OverlongProof
    return RootMismatch


@PROPERTY
@given(entries, st.data())
def test_random_trees_agree_with_pymerkle(leaves: list[bytes], data: st.DataObject) -> None:
    ours, theirs = MemoryTree(), pymerkle.InmemoryTree(algorithm="sha256")
    for entry in leaves:
        ours.append(entry)
        theirs.append_entry(entry)
    size = data.draw(st.integers(1, len(leaves)), "size")
    index = data.draw(st.integers(0, size - 1), "index")
    old = data.draw(st.integers(1, size), "old")
    assert ours.root(size) == bytes(theirs.get_root(size))
    path = theirs.prove_inclusion(index + 1, size).serialize()["path"]
    assert ours.inclusion_proof(index, size) == [bytes.fromhex(h) for h in path[1:]]
    proof = ours.consistency_proof(old, size)
    verify_consistency(old, size, proof, bytes(theirs.get_root(old)), bytes(theirs.get_root(size)))
    pymerkle.verify_consistency(ours.root(old), ours.root(size), theirs.prove_consistency(old, size))


@PROPERTY
@given(entries, st.data())
def test_tampered_inclusion_proofs_are_refused(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MemoryTree()
    for entry in leaves:
        tree.append(entry)
    size = data.draw(st.integers(1, len(leaves)), "size")
    index = data.draw(st.integers(0, size - 1), "index")
    leaf, proof, root = leaf_hash(leaves[index]), tree.inclusion_proof(index, size), tree.root(size)
    verify_inclusion(leaf, index, size, proof, root)

    with pytest.raises(RootMismatch):
        verify_inclusion(leaf, index, size, proof, flip(root, data.draw(st.integers(0, 31))))
    with pytest.raises(RootMismatch):
        verify_inclusion(flip(leaf, data.draw(st.integers(0, 31))), index, size, proof, root)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1), "hash")
        forged = [*proof[:at], flip(proof[at], data.draw(st.integers(0, 31))), *proof[at + 1 :]]
        with pytest.raises(RootMismatch):
            verify_inclusion(leaf, index, size, forged, root)
        with pytest.raises(TruncatedProof):
            verify_inclusion(leaf, index, size, proof[:at] + proof[at + 1 :], root)
    with pytest.raises(OverlongProof):
        verify_inclusion(leaf, index, size, [*proof, root], root)

    other = data.draw(st.integers(-2, size + 2).filter(lambda i: i != index), "other index")
    with pytest.raises(_expected_inclusion_failure(other, size, len(proof))):
        verify_inclusion(leaf, other, size, proof, root)

    # A size goes with its root (a checkpoint signs both): claim another size, with its real root.
    claimed = data.draw(st.integers(0, len(leaves)).filter(lambda s: s != size), "other size")
    claimed_root = tree.root(claimed)
    with pytest.raises(_expected_inclusion_failure(index, claimed, len(proof))):
        verify_inclusion(leaf, index, claimed, proof, claimed_root)


@PROPERTY
@given(entries, st.data())
def test_tampered_consistency_proofs_are_refused(leaves: list[bytes], data: st.DataObject) -> None:
    tree = MemoryTree()
    for entry in leaves:
        tree.append(entry)
    new = data.draw(st.integers(1, len(leaves)), "new")
    old = data.draw(st.integers(1, new), "old")
    proof, root1, root2 = tree.consistency_proof(old, new), tree.root(old), tree.root(new)
    verify_consistency(old, new, proof, root1, root2)

    with pytest.raises(RootMismatch):
        verify_consistency(old, new, proof, flip(root1, data.draw(st.integers(0, 31))), root2)
    with pytest.raises(RootMismatch):
        verify_consistency(old, new, proof, root1, flip(root2, data.draw(st.integers(0, 31))))
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1), "hash")
        forged = [*proof[:at], flip(proof[at], data.draw(st.integers(0, 31))), *proof[at + 1 :]]
        with pytest.raises(RootMismatch):
            verify_consistency(old, new, forged, root1, root2)
        with pytest.raises(TruncatedProof):
            verify_consistency(old, new, proof[:at] + proof[at + 1 :], root1, root2)
    with pytest.raises(OverlongProof):
        verify_consistency(old, new, [*proof, root2], root1, root2)

    # Claim other sizes, each with its real root: the proof must not carry over.
    claimed_old = data.draw(st.integers(1, new), "claimed old")
    claimed_new = data.draw(st.integers(claimed_old, len(leaves)), "claimed new")
    assume((claimed_old, claimed_new) != (old, new))
    assume(proof != tree.consistency_proof(claimed_old, claimed_new))
    with pytest.raises(ProofError) as refused:
        verify_consistency(claimed_old, claimed_new, proof, tree.root(claimed_old), tree.root(claimed_new))
    want = consistency_proof_length(claimed_old, claimed_new)
    expected = TruncatedProof if len(proof) < want else OverlongProof if len(proof) > want else RootMismatch
    assert type(refused.value) is expected


def test_an_inclusion_proof_binds_the_size_only_through_its_root() -> None:
    """RFC 9162 behaviour the docs warn about: take size and root from one verified checkpoint.

    The proof of leaf 0 in a tree of 5 recomputes the same root for any claimed size whose proof
    has 3 hashes (5 to 8), because leaf 0's path only ever hashes from the left.
    """
    tree = MemoryTree(leaf_hash(b"%d" % i) for i in range(8))
    proof, root = tree.inclusion_proof(0, 5), tree.root(5)
    for claimed in (5, 6, 7, 8):
        verify_inclusion(leaf_hash(b"0"), 0, claimed, proof, root)
    with pytest.raises(TruncatedProof):
        verify_inclusion(leaf_hash(b"0"), 0, 9, proof, root)
    with pytest.raises(RootMismatch):
        verify_inclusion(leaf_hash(b"0"), 0, 8, proof, tree.root(8))
