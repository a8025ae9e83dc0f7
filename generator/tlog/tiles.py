"""C2SP tlog-tiles: the static layout of the log's Merkle tree and entries.

Standard library only (bundled into the standalone ``verify.py``); no I/O.

c2sp.org/tlog-tiles: tiles of height 8 (256 hashes wide). The n-th tile at level l holds, for
i in 0..255, MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]), concatenated 32-byte hashes;
it is served at ``tile/<L>/<N>[.p/<W>]`` where N is written in zero-padded 3-digit path
elements, all but the last prefixed with ``x`` (1234067 → ``x001/x234/067``), and ``.p/<W>``
marks a partial tile of width W in 1..255. The partial tile at level l of a tree of size s has
floor(s / 256^l) mod 256 hashes. Entry bundles ``tile/entries/<N>[.p/<W>]`` hold the entries
of the level-0 tile, each prefixed by its length as a big-endian uint16.

>>> tile_path(0, 1234067)
'tile/0/x001/x234/067'
>>> tile_path(1, 5, 17), entries_path(0, 3)
('tile/1/005.p/17', 'tile/entries/000.p/3')
>>> parse_tile_path('tile/entries/x001/x234/067.p/8')
TileRef(level=-1, index=1234067, width=8)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .merkle import EMPTY_ROOT, HASH_SIZE, HashTree, node_hash

HEIGHT = 8  # c2sp.org/tlog-tiles: tiles are 8 levels high ...
WIDTH = 1 << HEIGHT  # ... and 256 hashes wide
ENTRIES = -1  # the "level" of entry bundles in TileRef
MAX_ENTRY = 0xFFFF  # a bundle entry's length is a uint16

_ELEMENT = re.compile(r"[0-9]{3}")


@dataclass(frozen=True, order=True)
class TileRef:
    level: int  # 0..63 for hash tiles; ENTRIES (-1) for an entry bundle
    index: int  # N, the tile's index within its level
    width: int = WIDTH  # 1..256; below 256 the tile is partial

    def path(self) -> str:
        if self.level == ENTRIES:
            return entries_path(self.index, self.width)
        return tile_path(self.level, self.index, self.width)


def _index_path(index: int) -> str:
    # "zero-padded 3-digit path elements. All but the last path element MUST begin with an x"
    elements = [f"{index % 1000:03d}"]
    index //= 1000
    while index > 0:
        elements.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(elements))


def _suffix(width: int) -> str:
    if not 1 <= width <= WIDTH:
        raise ValueError(f"tile width {width} outside 1..{WIDTH}")
    return "" if width == WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` (c2sp.org/tlog-tiles "Merkle Tree")."""
    if not 0 <= level <= 63 or index < 0:
        raise ValueError(f"no tile at level {level}, index {index}")
    return f"tile/{level}/{_index_path(index)}{_suffix(width)}"


def entries_path(index: int, width: int = WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]`` (c2sp.org/tlog-tiles "Log entries")."""
    if index < 0:
        raise ValueError(f"no entry bundle {index}")
    return f"tile/entries/{_index_path(index)}{_suffix(width)}"


def parse_tile_path(path: str) -> TileRef:
    """The tile a path names; ValueError unless the path is exactly the canonical one."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise ValueError(f"不是瓦片路径：{path!r}")
    level = ENTRIES if parts[1] == "entries" else None
    if level is None:
        if not re.fullmatch(r"0|[1-9][0-9]?", parts[1]):
            raise ValueError(f"瓦片层级不合规：{path!r}")
        level = int(parts[1])
    rest = parts[2:]
    width = WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        if not re.fullmatch(r"[1-9][0-9]{0,2}", rest[-1]):
            raise ValueError(f"部分瓦片宽度不合规：{path!r}")
        width = int(rest[-1])
        rest = rest[:-2] + [rest[-2][:-2]]
    index = 0
    for i, element in enumerate(rest):
        digits = element[1:] if i < len(rest) - 1 and element.startswith("x") else element
        if not _ELEMENT.fullmatch(digits):
            raise ValueError(f"瓦片编号不合规：{path!r}")
        index = index * 1000 + int(digits)
    try:
        ref = TileRef(level, index, width)
        canonical = ref.path()
    except ValueError:
        raise ValueError(f"瓦片路径不合规：{path!r}") from None
    if canonical != path:  # like tlog's ParseTilePath: re-format and compare
        raise ValueError(f"瓦片路径不是规范形式：{path!r}（应为 {canonical!r}）")
    return ref


def tiles_for_size(size: int) -> list[TileRef]:
    """Every hash tile of a tree of ``size`` leaves: full ones, then the partial one per level."""
    refs: list[TileRef] = []
    level = 0
    while size >= WIDTH**level and size > 0:
        count = size // WIDTH**level  # complete 256^level-leaf subtrees at this level
        refs += [TileRef(level, n) for n in range(count // WIDTH)]
        if count % WIDTH:
            refs.append(TileRef(level, count // WIDTH, count % WIDTH))
        level += 1
    return refs


def bundles_for_size(size: int) -> list[TileRef]:
    """Every entry bundle of a log of ``size`` entries."""
    refs = [TileRef(ENTRIES, n) for n in range(size // WIDTH)]
    if size % WIDTH:
        refs.append(TileRef(ENTRIES, size // WIDTH, size % WIDTH))
    return refs


def tile_data(tree: HashTree, ref: TileRef) -> bytes:
    """The bytes of hash tile ``ref``: its hashes concatenated."""
    hashes = tree.level(HEIGHT * ref.level)  # stored hashes of 256^level-leaf subtrees
    start = ref.index * WIDTH
    if start + ref.width > len(hashes):
        raise ValueError(f"tile {ref.path()} is beyond a tree of size {tree.size}")
    return b"".join(hashes[start : start + ref.width])


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries, each prefixed by its length as a big-endian uint16."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY:
            raise ValueError(f"entry of {len(entry)} bytes does not fit a bundle")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    entries, pos = [], 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError("条目包在长度前缀处被截断")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + length > len(data):
            raise ValueError("条目包在条目中间被截断")
        entries.append(data[pos + 2 : pos + 2 + length])
        pos += 2 + length
    return entries


def bundle_data(records: Sequence[bytes], ref: TileRef) -> bytes:
    start = ref.index * WIDTH
    if start + ref.width > len(records):
        raise ValueError(f"bundle {ref.path()} is beyond a log of {len(records)} entries")
    return encode_bundle(records[start : start + ref.width])


def all_tiles(tree: HashTree, records: Sequence[bytes]) -> dict[str, bytes]:
    """Every hash tile and entry bundle of the log, path → bytes."""
    if tree.size != len(records):
        raise ValueError("tree and records differ in size")
    files = {ref.path(): tile_data(tree, ref) for ref in tiles_for_size(tree.size)}
    files.update({ref.path(): bundle_data(records, ref) for ref in bundles_for_size(tree.size)})
    return files


def tiles_at_sizes(tree: HashTree, records: Sequence[bytes], sizes: Iterable[int]) -> dict[str, bytes]:
    """Every hash tile and entry bundle of the trees of ``sizes`` leaves (each at most the size
    of ``tree``): what a log that published checkpoints at those sizes serves. The complete
    subtrees of a smaller tree are a prefix of the larger one's, so one tree gives them all."""
    files: dict[str, bytes] = {}
    for size in sorted(set(sizes)):
        if not 0 <= size <= tree.size:
            raise ValueError(f"no tree of size {size} within a tree of size {tree.size}")
        for ref in tiles_for_size(size):
            files.setdefault(ref.path(), tile_data(tree, ref))
        for ref in bundles_for_size(size):
            files.setdefault(ref.path(), bundle_data(records, ref))
    return files


def required_at_sizes(sizes: Iterable[int], have: Iterable[str]) -> list[str]:
    """The paths of tiles and entry bundles that trees of ``sizes`` need and ``have`` lacks.

    c2sp.org/tlog-tiles: "Logs MUST serve partial tiles corresponding to tree sizes for which a
    checkpoint was produced, but MAY delete any partial tile once the corresponding full tile is
    available"; entry bundles likewise. A partial tile whose full tile is served is not missing.
    """
    present = set(have)
    missing: set[str] = set()
    for size in set(sizes):
        for ref in tiles_for_size(size) + bundles_for_size(size):
            path = ref.path()
            if path in present:
                continue
            if ref.width < WIDTH and TileRef(ref.level, ref.index).path() in present:
                continue
            missing.add(path)
    return sorted(missing)


def _tile_hashes(tiles: Mapping[str, bytes], level: int, size: int, start: int, count: int) -> list[bytes]:
    """``count`` stored hashes of level ``level`` (256^level-leaf subtrees) from ``start``."""
    out: list[bytes] = []
    complete = size // WIDTH**level
    for i in range(start, start + count):
        n = i // WIDTH
        width = WIDTH if (n + 1) * WIDTH <= complete else complete % WIDTH
        path = tile_path(level, n, width)
        data = tiles.get(path)
        if data is None:
            raise ValueError(f"缺少瓦片 {path}")
        if len(data) != width * HASH_SIZE:
            raise ValueError(f"瓦片 {path} 长 {len(data)} 字节，应为 {width * HASH_SIZE}")
        j = i % WIDTH
        out.append(data[j * HASH_SIZE : (j + 1) * HASH_SIZE])
    return out


def root_from_tiles(tiles: Mapping[str, bytes], size: int) -> bytes:
    """The RFC 6962 root of a tree of ``size`` leaves, computed from its hash tiles only.

    ``tiles`` maps ``tile/...`` paths to bytes. The root is the fold, right to left, of the
    complete subtrees of the binary decomposition of ``size``; a subtree of 2^k leaves is
    hashed up from the 2^(k mod 8) stored hashes of level floor(k / 8) that span it.
    """
    if size == 0:
        return EMPTY_ROOT
    subtrees: list[bytes] = []
    lo = 0
    for k in reversed(range(size.bit_length())):
        if not size >> k & 1:
            continue
        level, sub = divmod(k, HEIGHT)
        hashes = _tile_hashes(tiles, level, size, lo // WIDTH**level, 1 << sub)
        while len(hashes) > 1:
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        subtrees.append(hashes[0])
        lo += 1 << k
    root = subtrees[-1]
    for h in reversed(subtrees[:-1]):
        root = node_hash(h, root)
    return root
