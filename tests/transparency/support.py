"""Vectors and reference definitions shared by the transparency tests.

The ``rfc_*`` functions are RFC 9162 section 2.1 transcribed literally (recursive, quadratic),
independent of :mod:`localgov.transparency.merkle`, which computes the same values from stored
subtree hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

# The Certificate Transparency reference leaves (RFC 6962 test data, also transparency-dev/merkle).
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]

ROOTS = {
    size: bytes.fromhex(root)
    for size, root in {
        1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    }.items()
}

SHA256_EMPTY = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc_leaf(entry: bytes) -> bytes:
    return sha256(b"\x00" + entry)


def rfc_node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def _k(n: int) -> int:
    """The largest power of two strictly below n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def rfc_mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes (RFC 9162 section 2.1.1)."""
    if not leaves:
        return SHA256_EMPTY
    if len(leaves) == 1:
        return leaves[0]
    k = _k(len(leaves))
    return rfc_node(rfc_mth(leaves[:k]), rfc_mth(leaves[k:]))


def rfc_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) over leaf hashes (RFC 9162 section 2.1.3.1)."""
    if len(leaves) == 1:
        return []
    k = _k(len(leaves))
    if m < k:
        return rfc_path(m, leaves[:k]) + [rfc_mth(leaves[k:])]
    return rfc_path(m - k, leaves[k:]) + [rfc_mth(leaves[:k])]


def _subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [rfc_mth(leaves)]
    k = _k(n)
    if m <= k:
        return _subproof(m, leaves[:k], whole) + [rfc_mth(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [rfc_mth(leaves[:k])]


def rfc_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) over leaf hashes (RFC 9162 section 2.1.4.1), for 0 < m < n."""
    return _subproof(m, leaves, True)


def flip(value: bytes, at: int = 0) -> bytes:
    """``value`` with one bit of byte ``at`` inverted."""
    return value[:at] + bytes([value[at] ^ 0x01]) + value[at + 1 :]
