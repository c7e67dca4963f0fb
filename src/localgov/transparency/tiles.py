"""The log as static files (c2sp.org/tlog-tiles): tiles of hashes and bundles of entries.

A tile is 256 consecutive hashes of one tile level (``tile/<L>/<N>``, 8,192 bytes; the rightmost
tile of a level is partial, ``tile/<L>/<N>.p/<W>`` with W below 256). At tile level L the hashes are
those of the complete subtrees of 256**L leaves, i.e. Merkle level 8·L, so a tile is the bottom of a
subtree of height 8 and every other hash is recomputed inside it. ``N`` is written in groups of
three digits, all but the last prefixed with ``x`` (1234067 is ``x001/x234/067``), so that a file
system can hold the tiles as files. Entry bundles (``tile/entries/<N>``) hold the entries
themselves, each prefixed with its length as a big-endian uint16.

:class:`TileHashReader` is a :class:`~localgov.transparency.merkle.HashReader` over tiles, so the
same proof code that serves from a database recomputes proofs and roots from downloaded tiles: an
offline client checks a permit's entry against a signed checkpoint with nothing but static files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from localgov.transparency.checkpoint import Checkpoint
from localgov.transparency.errors import (
    IndexOutOfRange,
    MalformedTile,
    MalformedTilePath,
    MissingTile,
)
from localgov.transparency.merkle import (
    HASH_SIZE,
    HashReader,
    NodeId,
    inclusion_proof,
    node_hash,
    tree_root,
)
from localgov.transparency.verify import verify_inclusion

__all__ = [
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "EntryBundle",
    "Tile",
    "TileFetcher",
    "TileHashReader",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "hash_tile",
    "parse_tile_path",
    "root_from_tiles",
    "tile_at",
    "tiles_for_size",
    "verify_inclusion_from_tiles",
]

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
_MAX_LEVEL = 63
_MAX_INDEX = 2**64 - 1
_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_GROUP = re.compile(r"[0-9]{3}")


def _encode_index(index: int) -> str:
    groups = []
    while True:
        index, group = divmod(index, 1000)
        groups.append(f"{group:03d}")
        if index == 0:
            break
    return "/".join(["x" + group for group in groups[:0:-1]] + [groups[0]])


def _check(index: int, width: int) -> None:
    if not 0 <= index <= _MAX_INDEX:
        raise MalformedTilePath(f"tile index {index} is not a uint64")
    if not 1 <= width <= TILE_WIDTH:
        raise MalformedTilePath(f"a tile is 1 to {TILE_WIDTH} wide, not {width}")


def _suffix(width: int) -> str:
    return "" if width == TILE_WIDTH else f".p/{width}"


@dataclass(frozen=True, slots=True)
class Tile:
    """Tile ``index`` of tile level ``level``, ``width`` hashes wide (256 unless partial)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not 0 <= self.level <= _MAX_LEVEL:
            raise MalformedTilePath(f"tile level {self.level} is not between 0 and {_MAX_LEVEL}")
        _check(self.index, self.width)

    @property
    def path(self) -> str:
        return f"tile/{self.level}/{_encode_index(self.index)}{_suffix(self.width)}"

    @property
    def nodes(self) -> list[NodeId]:
        """The complete subtrees whose hashes the tile holds, left to right."""
        first = self.index * TILE_WIDTH
        return [NodeId(self.level * TILE_HEIGHT, first + i) for i in range(self.width)]


@dataclass(frozen=True, slots=True)
class EntryBundle:
    """Entry bundle ``index``: the entries of level-0 tile ``index``, ``width`` of them."""

    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        _check(self.index, self.width)

    @property
    def path(self) -> str:
        return f"tile/entries/{_encode_index(self.index)}{_suffix(self.width)}"


def parse_tile_path(path: str) -> Tile | EntryBundle:
    """The tile or entry bundle a path names; only the canonical spelling is accepted."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise MalformedTilePath(f"{path[:80]!r} is not tile/<L>/<N> or tile/entries/<N>")
    kind, groups, width = parts[1], parts[2:], TILE_WIDTH
    if groups[-1:] and len(groups) >= 2 and groups[-2].endswith(".p"):
        if not _WIDTH.fullmatch(groups[-1]) or int(groups[-1]) >= TILE_WIDTH:
            raise MalformedTilePath(f"{path[:80]!r}: a partial tile is 1 to 255 wide")
        width = int(groups[-1])
        groups = [*groups[:-2], groups[-2][:-2]]
    *upper, last = groups
    if not _GROUP.fullmatch(last) or not all(g[:1] == "x" and _GROUP.fullmatch(g[1:]) for g in upper):
        raise MalformedTilePath(f"{path[:80]!r}: the index is written x001/x234/067")
    if upper and upper[0] == "x000":
        raise MalformedTilePath(f"{path[:80]!r}: the index has a leading group of zeroes")
    index = int("".join([g[1:] for g in upper] + [last]))
    if kind == "entries":
        return EntryBundle(index, width)
    if not _LEVEL.fullmatch(kind) or int(kind) > _MAX_LEVEL:
        raise MalformedTilePath(f"{path[:80]!r}: the level is 0 to {_MAX_LEVEL}, no leading zeroes")
    return Tile(int(kind), index, width)


def tile_at(level: int, index: int, size: int) -> Tile:
    """Tile ``index`` of ``level`` as it stands in a tree of ``size`` leaves (full or partial)."""
    hashes = size >> (TILE_HEIGHT * level)  # complete subtrees of 256**level leaves
    full, partial = divmod(hashes, TILE_WIDTH)
    if index < full:
        return Tile(level, index)
    if index == full and partial:
        return Tile(level, index, partial)
    raise IndexOutOfRange(f"a tree of size {size} has no tile {index} at level {level}")


def tiles_for_size(size: int) -> Iterator[Tile]:
    """Every tile of a tree of ``size`` leaves, level by level, left to right."""
    level = 0
    while size >> (TILE_HEIGHT * level):
        hashes = size >> (TILE_HEIGHT * level)
        for index in range(-(-hashes // TILE_WIDTH)):
            yield tile_at(level, index, size)
        level += 1


def hash_tile(reader: HashReader, tile: Tile) -> bytes:
    """The bytes of ``tile``: its hashes from the store, concatenated (one batched read)."""
    hashes = reader.node_hashes(tile.nodes)
    if len(hashes) != tile.width or any(len(h) != HASH_SIZE for h in hashes):
        raise MalformedTile(f"the hash store gave a malformed {tile.path}")
    return b"".join(hashes)


TileFetcher = Callable[[Tile], bytes | None]
"""Returns a tile's bytes (from a directory, a cache, HTTP), or None when it is not available."""


class TileHashReader:
    """The hashes of a tree of ``size`` leaves, recomputed from its tiles (a :class:`HashReader`).

    Tiles are fetched as needed and kept; a partial tile that is gone is read from the full tile
    that replaced it, as the spec allows.
    """

    def __init__(self, size: int, fetch: TileFetcher) -> None:
        self.size = size
        self._fetch = fetch
        self._tiles: dict[tuple[int, int], bytes] = {}

    def _tile(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._tiles:
            tile = tile_at(level, index, self.size)
            data = self._fetch(tile)
            if data is None and tile.width < TILE_WIDTH:
                full_tile = Tile(level, index)
                full = self._fetch(full_tile)
                if full is not None and len(full) != TILE_WIDTH * HASH_SIZE:
                    raise MalformedTile(f"{full_tile.path} is {len(full)} bytes, not {TILE_WIDTH * HASH_SIZE}")
                data = None if full is None else full[: tile.width * HASH_SIZE]
            if data is None:
                raise MissingTile(f"{tile.path} is not available")
            if len(data) != tile.width * HASH_SIZE:
                raise MalformedTile(f"{tile.path} is {len(data)} bytes, not {tile.width * HASH_SIZE}")
            self._tiles[key] = bytes(data)
        return self._tiles[key]

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        found = []
        for level, index in nodes:
            tile_level, height = divmod(level, TILE_HEIGHT)
            first, count = index << height, 1 << height
            if (index + 1) << level > self.size:
                raise IndexOutOfRange(f"no complete subtree ({level}, {index}) in a tree of size {self.size}")
            data = self._tile(tile_level, first // TILE_WIDTH)
            at = (first % TILE_WIDTH) * HASH_SIZE
            row = [data[i : i + HASH_SIZE] for i in range(at, at + count * HASH_SIZE, HASH_SIZE)]
            while len(row) > 1:  # the levels inside the tile, rebuilt by hashing pairs
                row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
            found.append(row[0])
        return found


def root_from_tiles(fetch: TileFetcher, size: int) -> bytes:
    """The root of the tree of ``size`` leaves, from its tiles (compare with a checkpoint's)."""
    return tree_root(TileHashReader(size, fetch), size)


def verify_inclusion_from_tiles(fetch: TileFetcher, checkpoint: Checkpoint, index: int, leaf: bytes) -> None:
    """Check that ``leaf`` (a leaf hash) is entry ``index`` of the checkpointed tree, from tiles.

    The tiles need not be trusted: the proof built from them must lead to the checkpoint's root,
    which the caller has verified (:meth:`SignedCheckpoint.verify`).
    """
    reader = TileHashReader(checkpoint.size, fetch)
    proof = inclusion_proof(reader, index, checkpoint.size)
    verify_inclusion(leaf, index, checkpoint.size, proof, checkpoint.root_hash)


def encode_entry_bundle(entries: Iterable[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length then its bytes (at most 256)."""
    batch = list(entries)
    if len(batch) > TILE_WIDTH:
        raise MalformedTile(f"an entry bundle holds at most {TILE_WIDTH} entries, not {len(batch)}")
    out = bytearray()
    for entry in batch:
        if len(entry) > 0xFFFF:
            raise MalformedTile(f"an entry in a bundle is at most 65535 bytes, not {len(entry)}")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_entry_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """The entries of a bundle; with ``width``, refuse a bundle with another number of entries."""
    entries, at = [], 0
    while at < len(data):
        if at + 2 > len(data):
            raise MalformedTile("an entry bundle ends inside a length prefix")
        length = int.from_bytes(data[at : at + 2], "big")
        if at + 2 + length > len(data):
            raise MalformedTile("an entry bundle ends inside an entry")
        entries.append(bytes(data[at + 2 : at + 2 + length]))
        at += 2 + length
        if len(entries) > TILE_WIDTH:
            raise MalformedTile(f"an entry bundle holds at most {TILE_WIDTH} entries")
    if width is not None and len(entries) != width:
        raise MalformedTile(f"the entry bundle holds {len(entries)} entries, not {width}")
    return entries
