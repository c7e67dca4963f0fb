"""Tiles and entry bundles (c2sp.org/tlog-tiles): paths, bytes, and proofs recomputed from them."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.transparency import (
    TILE_HEIGHT,
    TILE_WIDTH,
    Checkpoint,
    EntryBundle,
    IndexOutOfRange,
    MalformedTile,
    MalformedTilePath,
    MemoryTree,
    MissingTile,
    NodeId,
    RootMismatch,
    Tile,
    TileError,
    TileHashReader,
    consistency_proof,
    decode_entry_bundle,
    encode_entry_bundle,
    hash_tile,
    inclusion_proof,
    leaf_hash,
    parse_tile_path,
    root_from_tiles,
    tile_at,
    tiles_for_size,
    tree_root,
    verify_consistency,
    verify_inclusion_from_tiles,
)
from tests.transparency.support import flip

ORIGIN = "log.example.gov.eg/permits"
U64 = 2**64 - 1


# -- paths --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(0, 1234067), "tile/0/x001/x234/067"),
        (Tile(0, 0), "tile/0/000"),
        (Tile(0, 7), "tile/0/007"),
        (Tile(1, 999), "tile/1/999"),
        (Tile(1, 1000), "tile/1/x001/000"),
        (Tile(2, 1_000_000), "tile/2/x001/x000/000"),
        (Tile(0, 1, 44), "tile/0/001.p/44"),
        (Tile(2, 5, 1), "tile/2/005.p/1"),
        (Tile(3, 1234067, 255), "tile/3/x001/x234/067.p/255"),
        (Tile(63, U64), "tile/63/x018/x446/x744/x073/x709/x551/615"),
        (EntryBundle(1234067), "tile/entries/x001/x234/067"),
        (EntryBundle(0), "tile/entries/000"),
        (EntryBundle(273, 112), "tile/entries/273.p/112"),
    ],
)
def test_tile_paths(tile: Tile | EntryBundle, path: str) -> None:
    assert tile.path == path
    assert parse_tile_path(path) == tile
    assert type(parse_tile_path(path)) is type(tile)


def test_a_full_tile_has_no_width_suffix() -> None:
    assert Tile(0, 3, TILE_WIDTH) == Tile(0, 3)
    assert Tile(0, 3, 256).path == "tile/0/003"
    assert TILE_WIDTH == 256 and TILE_HEIGHT == 8


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("tile/0", "is not tile/<L>/<N> or tile/entries/<N>"),
        ("tiles/0/000", "is not tile/<L>/<N>"),
        ("/tile/0/000", "is not tile/<L>/<N>"),
        ("", "is not tile/<L>/<N>"),
        ("tile/0/0", "the index is written x001/x234/067"),
        ("tile/0/0000", "the index is written"),
        ("tile/0/1234067", "the index is written"),
        ("tile/0/001/234/067", "the index is written"),
        ("tile/0/x001/x234/x067", "the index is written"),
        ("tile/0/x1/234", "the index is written"),
        ("tile/0/X001/234", "the index is written"),
        ("tile/0/x001/x234/067/", "the index is written"),
        ("tile//000", "the level is 0 to 63"),
        ("tile/0//000", "the index is written"),
        ("tile/0/+00", "the index is written"),
        ("tile/0/ 00", "the index is written"),
        ("tile/0/000\n", "the index is written"),
        ("tile/0/\u0660\u0660\u0660", "the index is written"),
        ("tile/0/x000/067", "the index has a leading group of zeroes"),
        ("tile/0/x000/x001/067", "leading group of zeroes"),
        ("tile/00/000", "the level is 0 to 63, no leading zeroes"),
        ("tile/01/000", "the level is 0 to 63"),
        ("tile/64/000", "the level is 0 to 63"),
        ("tile/100/000", "the level is 0 to 63"),
        ("tile/-1/000", "the level is 0 to 63"),
        ("tile/a/000", "the level is 0 to 63"),
        ("tile/entry/000", "the level is 0 to 63"),
        ("tile/0/000.p/0", "a partial tile is 1 to 255 wide"),
        ("tile/0/000.p/256", "a partial tile is 1 to 255 wide"),
        ("tile/0/000.p/007", "a partial tile is 1 to 255 wide"),
        ("tile/0/000.p/", "a partial tile is 1 to 255 wide"),
        ("tile/0/000.p/1000", "a partial tile is 1 to 255 wide"),
        ("tile/entries/000.p/256", "a partial tile is 1 to 255 wide"),
        ("tile/0/000.p", "the index is written"),
        ("tile/0/000.q/5", "the index is written"),
        ("tile/0/000.p/5/6", "the index is written"),
        ("tile/0/x001.p/5", "the index is written"),
        ("tile/entries/0", "the index is written"),
        ("tile/0/x018/x446/x744/x073/x709/x551/616", "tile index 18446744073709551616 is not a uint64"),
    ],
)
def test_malformed_tile_paths(path: str, reason: str) -> None:
    with pytest.raises(MalformedTilePath, match=reason):
        parse_tile_path(path)


@pytest.mark.parametrize(
    ("level", "index", "width", "reason"),
    [
        (64, 0, 256, "tile level 64 is not between 0 and 63"),
        (-1, 0, 256, "tile level -1"),
        (0, -1, 256, "tile index -1 is not a uint64"),
        (0, 2**64, 256, "tile index 18446744073709551616 is not a uint64"),
        (0, 0, 0, "a tile is 1 to 256 wide, not 0"),
        (0, 0, 257, "a tile is 1 to 256 wide, not 257"),
    ],
)
def test_tiles_that_do_not_exist(level: int, index: int, width: int, reason: str) -> None:
    with pytest.raises(MalformedTilePath, match=reason):
        Tile(level, index, width)


def test_entry_bundles_that_do_not_exist() -> None:
    with pytest.raises(MalformedTilePath, match="tile index -1"):
        EntryBundle(-1)
    with pytest.raises(MalformedTilePath, match="1 to 256 wide, not 0"):
        EntryBundle(0, 0)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 63), st.integers(0, U64), st.integers(1, 256), st.booleans())
def test_any_tile_path_round_trips(level: int, index: int, width: int, entries: bool) -> None:
    tile = EntryBundle(index, width) if entries else Tile(level, index, width)
    groups = tile.path.split("/")[2:]
    if width < 256:
        assert groups[-2:][1] == str(width) and groups[-2].endswith(".p")
        groups = [*groups[:-2], groups[-2][:-2]]
    assert all(g.startswith("x") and len(g) == 4 for g in groups[:-1]) and len(groups[-1]) == 3
    assert int("".join(g.lstrip("x") for g in groups)) == index
    assert parse_tile_path(tile.path) == tile


_segments = st.sampled_from(
    [
        "tile",
        "entries",
        "0",
        "1",
        "63",
        "64",
        "00",
        "000",
        "001",
        "067",
        "x001",
        "x000",
        "x234",
        "001.p",
        "000.p",
        "5",
        "255",
        "256",
        "",
        "x",
    ]
)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(_segments, min_size=1, max_size=6).map("/".join),
        st.lists(_segments, max_size=5).map(lambda s: "tile/" + "/".join(s)),
    )
)
def test_any_path_is_parsed_canonically_or_refused(path: str) -> None:
    try:
        parsed = parse_tile_path(path)
    except TileError as exc:
        assert isinstance(exc, MalformedTilePath)
        return
    assert parsed.path == path  # one spelling per tile


def test_a_tile_holds_the_hashes_of_its_level() -> None:
    assert Tile(0, 0, 3).nodes == [NodeId(0, 0), NodeId(0, 1), NodeId(0, 2)]
    assert Tile(1, 2, 2).nodes == [NodeId(8, 512), NodeId(8, 513)]
    assert len(Tile(2, 0).nodes) == 256
    assert Tile(2, 0).nodes[-1] == NodeId(16, 255)


# -- which tiles a tree has ---------------------------------------------------------------------


def _paths(size: int) -> list[str]:
    return [tile.path for tile in tiles_for_size(size)]


def test_tiles_for_small_sizes() -> None:
    assert _paths(0) == []
    assert _paths(1) == ["tile/0/000.p/1"]
    assert _paths(255) == ["tile/0/000.p/255"]
    assert _paths(256) == ["tile/0/000", "tile/1/000.p/1"]
    assert _paths(257) == ["tile/0/000", "tile/0/001.p/1", "tile/1/000.p/1"]
    assert _paths(512) == ["tile/0/000", "tile/0/001", "tile/1/000.p/2"]


def test_tiles_for_the_spec_example_of_70000() -> None:
    tiles = list(tiles_for_size(70_000))
    level0 = [t for t in tiles if t.level == 0]
    assert len(level0) == 274
    assert all(t.width == 256 for t in level0[:273]) and level0[273] == Tile(0, 273, 112)
    assert [t for t in tiles if t.level == 1] == [Tile(1, 0), Tile(1, 1, 17)]
    assert [t for t in tiles if t.level == 2] == [Tile(2, 0, 1)]
    assert len(tiles) == 277


def test_tiles_for_65536() -> None:
    tiles = list(tiles_for_size(65_536))
    assert len(tiles) == 256 + 1 + 1
    assert tiles[-2:] == [Tile(1, 0), Tile(2, 0, 1)]


def test_tile_at() -> None:
    assert tile_at(0, 0, 300) == Tile(0, 0)
    assert tile_at(0, 1, 300) == Tile(0, 1, 44)
    assert tile_at(1, 0, 300) == Tile(1, 0, 1)
    assert tile_at(1, 0, 65_536) == Tile(1, 0)
    for level, index, size in [(0, 2, 300), (0, 1, 256), (1, 0, 255), (2, 0, 65_535), (0, 0, 0)]:
        with pytest.raises(IndexOutOfRange, match=f"a tree of size {size} has no tile {index} at level {level}"):
            tile_at(level, index, size)


# -- tile bytes ---------------------------------------------------------------------------------


def _tree(size: int) -> MemoryTree:
    return MemoryTree(leaf_hash(i.to_bytes(4, "big")) for i in range(size))


@pytest.fixture(scope="module")
def tree300() -> MemoryTree:
    return _tree(300)


def test_hash_tile_bytes(tree300: MemoryTree) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(300)]
    full = hash_tile(tree300, Tile(0, 0))
    assert len(full) == 8192
    assert full == b"".join(leaves[:256])
    assert hash_tile(tree300, Tile(0, 1, 44)) == b"".join(leaves[256:])
    assert hash_tile(tree300, Tile(1, 0, 1)) == tree300.root(256)


def test_hash_tile_of_a_tile_the_tree_does_not_have(tree300: MemoryTree) -> None:
    with pytest.raises(IndexOutOfRange):
        hash_tile(tree300, Tile(0, 1))  # 256 wide, 44 there


class BadStore:
    def __init__(self, hashes: Sequence[bytes]) -> None:
        self.hashes = hashes

    def node_hashes(self, nodes: Sequence[NodeId]) -> Sequence[bytes]:
        return self.hashes


def test_hash_tile_refuses_a_store_that_answers_wrong() -> None:
    with pytest.raises(MalformedTile, match="the hash store gave a malformed tile/0/000.p/2"):
        hash_tile(BadStore([bytes(32)]), Tile(0, 0, 2))
    with pytest.raises(MalformedTile, match="malformed tile/0/000.p/2"):
        hash_tile(BadStore([bytes(32), bytes(31)]), Tile(0, 0, 2))


# -- proofs and roots from tiles ----------------------------------------------------------------


class Store:
    """Tiles served from a dict by path, counting fetches."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.fetched: list[str] = []

    def publish(self, tree: MemoryTree, size: int) -> None:
        for tile in tiles_for_size(size):
            self.files[tile.path] = hash_tile(tree, tile)

    def fetch(self, tile: Tile) -> bytes | None:
        self.fetched.append(tile.path)
        return self.files.get(tile.path)


BOUNDARY_SIZES = [1, 2, 3, 255, 256, 257, 511, 512, 513, 1000, 65_535, 65_536, 65_537]


@pytest.fixture(scope="module")
def big() -> MemoryTree:
    return _tree(65_537)


@pytest.fixture(scope="module")
def store(big: MemoryTree) -> Store:
    published = Store()
    for size in BOUNDARY_SIZES:
        published.publish(big, size)
    return published


@pytest.mark.parametrize("size", BOUNDARY_SIZES)
def test_roots_and_proofs_from_tiles_equal_the_tree(big: MemoryTree, store: Store, size: int) -> None:
    root = big.root(size)
    assert root_from_tiles(store.fetch, size) == root
    reader = TileHashReader(size, store.fetch)
    assert tree_root(reader, size) == root
    rng = random.Random(size)
    indexes = {0, size - 1, size // 2, min(255, size - 1), min(256, size - 1)}
    indexes |= {rng.randrange(size) for _ in range(20)}
    checkpoint = Checkpoint(ORIGIN, size, root)
    for index in sorted(indexes):
        assert inclusion_proof(reader, index, size) == big.inclusion_proof(index, size), index
        verify_inclusion_from_tiles(store.fetch, checkpoint, index, leaf_hash(index.to_bytes(4, "big")))
    for old in sorted({1, 255, 256, 257, size // 3, size - 1, size} & set(range(1, size + 1))):
        proof = consistency_proof(reader, old, size)
        assert proof == big.consistency_proof(old, size), old
        verify_consistency(old, size, proof, big.root(old), root)


def test_root_of_the_empty_tree_needs_no_tile() -> None:
    fetched: list[Tile] = []
    assert root_from_tiles(lambda tile: fetched.append(tile), 0) == MemoryTree().root()
    assert fetched == []


def test_tiles_are_fetched_once(big: MemoryTree, store: Store) -> None:
    store.fetched.clear()
    reader = TileHashReader(65_537, store.fetch)
    for index in range(0, 65_537, 997):
        inclusion_proof(reader, index, 65_537)
    assert len(store.fetched) == len(set(store.fetched))
    assert "tile/2/000.p/1" not in store.fetched  # above level 1 nothing was needed
    assert set(store.fetched) <= {tile.path for tile in tiles_for_size(65_537)}


def test_a_partial_tile_that_is_gone_is_read_from_the_full_tile(tree300: MemoryTree) -> None:
    grown = _tree(512)
    store = Store()
    store.publish(grown, 300)
    store.publish(grown, 512)
    del store.files["tile/0/001.p/44"]  # allowed once tile/0/001 is there (c2sp.org/tlog-tiles)
    assert root_from_tiles(store.fetch, 300) == tree300.root()
    assert "tile/0/001.p/44" in store.fetched and "tile/0/001" in store.fetched
    verify_inclusion_from_tiles(
        store.fetch, Checkpoint(ORIGIN, 300, tree300.root()), 299, leaf_hash((299).to_bytes(4, "big"))
    )


def test_a_missing_tile(tree300: MemoryTree) -> None:
    store = Store()
    store.publish(tree300, 300)
    checkpoint = Checkpoint(ORIGIN, 300, tree300.root())
    del store.files["tile/0/000"]
    with pytest.raises(MissingTile, match="tile/0/000 is not available"):
        verify_inclusion_from_tiles(store.fetch, checkpoint, 10, leaf_hash((10).to_bytes(4, "big")))
    assert root_from_tiles(store.fetch, 300) == tree300.root()  # the root needs no level-0 tile 0
    for path in ("tile/0/001.p/44", "tile/1/000.p/1"):
        store.publish(tree300, 300)
        del store.files[path]
        with pytest.raises(MissingTile, match=f"{path} is not available"):
            root_from_tiles(store.fetch, 300)


@pytest.mark.parametrize(
    ("path", "length"), [("tile/0/000", 8191), ("tile/0/000", 8224), ("tile/0/001.p/44", 100), ("tile/0/001.p/44", 0)]
)
def test_a_tile_of_the_wrong_length(tree300: MemoryTree, path: str, length: int) -> None:
    store = Store()
    store.publish(tree300, 300)
    store.files[path] = (store.files[path] * 2)[:length]
    index = 10 if path == "tile/0/000" else 299
    with pytest.raises(MalformedTile, match=f"{path} is {length} bytes, not {8192 if '.p' not in path else 44 * 32}"):
        verify_inclusion_from_tiles(
            store.fetch, Checkpoint(ORIGIN, 300, tree300.root()), index, leaf_hash(index.to_bytes(4, "big"))
        )


@pytest.mark.parametrize("length", [8191, 8224, 1408])
def test_a_full_tile_standing_in_for_a_partial_one_must_be_full(length: int) -> None:
    store, grown = Store(), _tree(512)
    store.publish(grown, 300)
    store.publish(grown, 512)
    del store.files["tile/0/001.p/44"]
    store.files["tile/0/001"] = (store.files["tile/0/001"] * 2)[:length]
    with pytest.raises(MalformedTile, match=f"tile/0/001 is {length} bytes, not 8192"):
        root_from_tiles(store.fetch, 300)


def test_forged_tiles_do_not_verify(tree300: MemoryTree) -> None:
    store = Store()
    store.publish(tree300, 300)
    checkpoint = Checkpoint(ORIGIN, 300, tree300.root())
    leaf = leaf_hash((10).to_bytes(4, "big"))
    verify_inclusion_from_tiles(store.fetch, checkpoint, 10, leaf)
    store.files["tile/0/000"] = flip(store.files["tile/0/000"], 11 * 32)  # leaf 10's sibling
    with pytest.raises(RootMismatch):
        verify_inclusion_from_tiles(store.fetch, checkpoint, 10, leaf)
    store.publish(tree300, 300)
    store.files["tile/1/000.p/1"] = flip(store.files["tile/1/000.p/1"])
    assert root_from_tiles(store.fetch, 300) != tree300.root()
    with pytest.raises(RootMismatch):
        verify_inclusion_from_tiles(store.fetch, checkpoint, 299, leaf_hash((299).to_bytes(4, "big")))


def test_inclusion_from_tiles_refuses_what_is_not_there(tree300: MemoryTree) -> None:
    store = Store()
    store.publish(tree300, 300)
    checkpoint = Checkpoint(ORIGIN, 300, tree300.root())
    with pytest.raises(RootMismatch):
        verify_inclusion_from_tiles(store.fetch, checkpoint, 10, leaf_hash(b"never logged"))
    with pytest.raises(RootMismatch):  # the right leaf at the wrong index
        verify_inclusion_from_tiles(store.fetch, checkpoint, 11, leaf_hash((10).to_bytes(4, "big")))
    with pytest.raises(IndexOutOfRange, match="leaf index 300 is not in a tree of size 300"):
        verify_inclusion_from_tiles(store.fetch, checkpoint, 300, leaf_hash(b"x"))
    with pytest.raises(RootMismatch):  # a checkpoint whose root is not this tree's
        verify_inclusion_from_tiles(
            store.fetch, Checkpoint(ORIGIN, 300, tree300.root(299)), 10, leaf_hash((10).to_bytes(4, "big"))
        )


def test_a_tile_reader_holds_only_complete_subtrees_of_its_size(tree300: MemoryTree) -> None:
    store = Store()
    store.publish(tree300, 300)
    reader = TileHashReader(300, store.fetch)
    assert reader.node_hashes([NodeId(2, 74)]) == tree300.node_hashes([NodeId(2, 74)])  # 296..299
    assert reader.node_hashes([NodeId(8, 0)]) == [tree300.root(256)]
    for node in (NodeId(0, 300), NodeId(3, 37), NodeId(8, 1), NodeId(9, 0)):
        with pytest.raises(
            IndexOutOfRange,
            match=rf"no complete subtree \({node.level}, "
            rf"{node.index}\) in a tree of size 300",
        ):
            reader.node_hashes([node])


# -- entry bundles ------------------------------------------------------------------------------


def test_entry_bundle_bytes() -> None:
    entries = [b"", b"a", b"\x00" * 300]
    data = encode_entry_bundle(entries)
    assert data == b"\x00\x00" + b"\x00\x01a" + b"\x01\x2c" + b"\x00" * 300
    assert decode_entry_bundle(data) == entries
    assert decode_entry_bundle(data, width=3) == entries
    assert encode_entry_bundle([]) == b"" and decode_entry_bundle(b"") == []
    assert decode_entry_bundle(encode_entry_bundle([b"\xff" * 65_535])) == [b"\xff" * 65_535]


def test_a_bundle_hashes_to_its_level_0_tile(tree300: MemoryTree) -> None:
    entries = [i.to_bytes(4, "big") for i in range(256, 300)]
    bundle = encode_entry_bundle(entries)
    assert EntryBundle(1, len(entries)).path == "tile/entries/001.p/44"
    hashed = b"".join(leaf_hash(entry) for entry in decode_entry_bundle(bundle, width=44))
    assert hashed == hash_tile(tree300, Tile(0, 1, 44))


@pytest.mark.parametrize(
    ("data", "width", "reason"),
    [
        (b"\x00", None, "an entry bundle ends inside a length prefix"),
        (b"\x00\x01a\x00", None, "ends inside a length prefix"),
        (b"\x00\x05abc", None, "an entry bundle ends inside an entry"),
        (b"\x00\x05abcd", None, "ends inside an entry"),
        (b"\x00\x01a\x00\x02b", None, "ends inside an entry"),
        (b"\xff\xff", None, "ends inside an entry"),
        (b"\x00\x00" * 257, None, "an entry bundle holds at most 256 entries"),
        (b"\x00\x01a\x00\x01b", 3, "the entry bundle holds 2 entries, not 3"),
        (b"\x00\x01a\x00\x01b", 1, "holds 2 entries, not 1"),
        (b"", 1, "holds 0 entries, not 1"),
    ],
)
def test_malformed_entry_bundles(data: bytes, width: int | None, reason: str) -> None:
    with pytest.raises(MalformedTile, match=reason):
        decode_entry_bundle(data, width)


def test_entries_a_bundle_cannot_hold() -> None:
    with pytest.raises(MalformedTile, match="an entry in a bundle is at most 65535 bytes, not 65536"):
        encode_entry_bundle([b"x", b"\x00" * 65_536])
    assert len(decode_entry_bundle(encode_entry_bundle([b""] * 256))) == 256
    with pytest.raises(MalformedTile, match="an entry bundle holds at most 256 entries, not 257"):
        encode_entry_bundle([b""] * 257)
    with pytest.raises(MalformedTile, match="at most 256 entries, not 300"):
        encode_entry_bundle(iter([b"x"] * 300))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_decode_exactly_or_raise_malformed_tile(data: bytes) -> None:
    try:
        entries = decode_entry_bundle(data)
    except TileError as exc:
        assert isinstance(exc, MalformedTile)
        return
    assert encode_entry_bundle(entries) == data


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=256))
def test_any_bundle_round_trips(entries: list[bytes]) -> None:
    assert decode_entry_bundle(encode_entry_bundle(entries), width=len(entries)) == entries
