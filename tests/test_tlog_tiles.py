"""C2SP tlog-tiles: paths, tile sets, bundles and roots recomputed from tiles."""

from __future__ import annotations

import pytest

from generator.tlog.merkle import HashTree
from generator.tlog.tiles import (
    ENTRIES,
    TileRef,
    all_tiles,
    bundles_for_size,
    decode_bundle,
    encode_bundle,
    entries_path,
    parse_tile_path,
    root_from_tiles,
    tile_path,
    tiles_for_size,
)


@pytest.mark.parametrize(
    ("ref", "path"),
    [
        (TileRef(0, 1234067), "tile/0/x001/x234/067"),  # the spec's example
        (TileRef(0, 0), "tile/0/000"),
        (TileRef(0, 999), "tile/0/999"),
        (TileRef(0, 1000), "tile/0/x001/000"),
        (TileRef(2, 5, 1), "tile/2/005.p/1"),
        (TileRef(1, 1234067, 255), "tile/1/x001/x234/067.p/255"),
        (TileRef(ENTRIES, 1234067), "tile/entries/x001/x234/067"),
        (TileRef(ENTRIES, 3, 17), "tile/entries/003.p/17"),
    ],
)
def test_paths_round_trip(ref, path):
    assert ref.path() == path
    assert parse_tile_path(path) == ref


@pytest.mark.parametrize(
    "path",
    ["tile/0/1", "tile/0/0001", "tile/00/000", "tile/0/x000/001", "tile/0/001/234",
     "tile/0/000.p/256", "tile/0/000.p/0", "tile/0/000.p/01", "tile/64/000", "tile/0/x001",
     "tiles/0/000", "tile/entries/000.p/", "tile/0/000.p"],
)
def test_non_canonical_paths_refused(path):
    with pytest.raises(ValueError):
        parse_tile_path(path)


def test_spec_example_size_70000():
    # c2sp.org/tlog-tiles: 273 full level-0 tiles, a partial of width 112, one full level-1
    # tile, a partial level-1 tile of width 17, a partial level-2 tile of width 1.
    refs = tiles_for_size(70000)
    assert len([r for r in refs if r.level == 0 and r.width == 256]) == 273
    assert refs[273:] == [TileRef(0, 273, 112), TileRef(1, 0), TileRef(1, 1, 17), TileRef(2, 0, 1)]
    assert tiles_for_size(256) == [TileRef(0, 0), TileRef(1, 0, 1)]
    assert tiles_for_size(0) == []
    assert bundles_for_size(257) == [TileRef(ENTRIES, 0), TileRef(ENTRIES, 1, 1)]
    assert entries_path(0, 3) == "tile/entries/000.p/3"
    assert tile_path(0, 0, 256) == "tile/0/000"


def test_bundle_encoding():
    data = encode_bundle([b"", b"ab", b"x" * 300])
    assert data[:6] == b"\x00\x00\x00\x02ab"
    assert data[6:8] == b"\x01\x2c"
    assert decode_bundle(data) == [b"", b"ab", b"x" * 300]
    with pytest.raises(ValueError):
        decode_bundle(data[:-1])
    with pytest.raises(ValueError):
        encode_bundle([b"x" * 65536])


@pytest.mark.parametrize("size", [0, 1, 2, 7, 255, 256, 257, 511, 512, 513, 1000, 65536, 65537])
def test_root_from_tiles_matches_tree(size):
    records = [b"%d" % i for i in range(size)]
    tree = HashTree.from_records(records)
    files = all_tiles(tree, records)
    assert root_from_tiles(files, size) == tree.root()
    for ref in bundles_for_size(size):
        start = ref.index * 256
        assert decode_bundle(files[ref.path()]) == records[start : start + ref.width]
    if size:  # a tile's hash flipped changes the recomputed root
        path = tiles_for_size(size)[-1].path()  # the top level's tile is always used
        bad = dict(files)
        bad[path] = bytes([files[path][0] ^ 1]) + files[path][1:]
        assert root_from_tiles(bad, size) != tree.root()


def test_root_from_tiles_names_missing_tile():
    records = [b"%d" % i for i in range(300)]
    files = all_tiles(HashTree.from_records(records), records)
    del files["tile/0/001.p/44"]
    with pytest.raises(ValueError, match="tile/0/001.p/44"):
        root_from_tiles(files, 300)
