"""A checkpoint's chain heads as a Merkle tree that follows a few changes without rehashing it all.

The tree's leaves are bundles of :data:`HEADS_PER_LEAF` consecutive head lines. A head that
changes changes its bundle's leaf only; a request not held yet is added at the end. So the next
checkpoint after a thousand changes among a million heads hashes a thousand bundles at most and
4,000 leaf hashes up to the root, rather than 81 MB of lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from localgov.transparency import root_of
from localgov.transparency.merkle import leaf_hash

__all__ = ["HEADS_PER_LEAF", "HeadTree", "heads_root"]

#: Chain heads per leaf of a checkpoint's tree. A leaf hashes a bundle of heads, so making a
#: checkpoint hashes its bytes in large blocks instead of calling SHA-256 once per request.
HEADS_PER_LEAF = 256


def heads_root(lines: Sequence[str]) -> bytes:
    """The RFC 9162 root over leaves of :data:`HEADS_PER_LEAF` consecutive head lines each."""
    return root_of(_bundle_hash(lines, start) for start in range(0, len(lines), HEADS_PER_LEAF))


def _bundle_hash(lines: Sequence[str], start: int) -> bytes:
    return leaf_hash("".join(lines[start : start + HEADS_PER_LEAF]).encode())


def request_of(line: str) -> str:
    """The request id a head line starts with."""
    return line[: line.find(" ")]


class HeadTree:
    """Head lines, each request's place among them, and their leaves' hashes.

    :meth:`changed` makes a new tree and leaves this one as it was, so a checkpoint that fails
    to be written changes nothing. Trees made from one another share the index of places, which
    only grows: a place a discarded tree gave is checked against the line before it is used.
    """

    __slots__ = ("_leaves", "_places", "lines")

    def __init__(
        self, lines: Sequence[str], *, _places: dict[str, int] | None = None, _leaves: list[bytes] | None = None
    ) -> None:
        self.lines = list(lines)
        if _places is None:
            _places = dict(zip(map(request_of, self.lines), range(len(self.lines)), strict=True))
            if len(_places) != len(self.lines):
                raise ValueError("a checkpoint holds each request once")
        self._places = _places
        if _leaves is None:
            _leaves = [_bundle_hash(self.lines, start) for start in range(0, len(self.lines), HEADS_PER_LEAF)]
        self._leaves = _leaves

    def __len__(self) -> int:
        return len(self.lines)

    def root(self) -> bytes:
        return root_of(self._leaves)

    def changed(self, lines: Iterable[str]) -> tuple[HeadTree, list[str]]:
        """A tree where each of ``lines`` takes its request's place (a new request's is at the
        end), and those of ``lines`` that changed anything, in order."""
        new, changed, dirty = list(self.lines), [], set()
        places = self._places
        for line in lines:
            request_id = request_of(line)
            place = places.get(request_id)
            if place is None or place >= len(new) or request_of(new[place]) != request_id:
                place = len(new)
                new.append(line)
                places[request_id] = place
            elif new[place] == line:
                continue
            else:
                new[place] = line
            changed.append(line)
            dirty.add(place // HEADS_PER_LEAF)
        leaves = self._leaves[:]
        for bundle in sorted(dirty):
            hashed = _bundle_hash(new, bundle * HEADS_PER_LEAF)
            if bundle < len(leaves):
                leaves[bundle] = hashed
            else:
                leaves.append(hashed)
        return HeadTree(new, _places=places, _leaves=leaves), changed
