"""Snapshots stored once (PROTOCOL §11, site page §18): content-addressed canonical inputs.

A task's ``directory.csv``, ``roster.csv`` and ``experts.csv`` are committed by their SHA-256 in
the ``announce`` entry (``inputs[name].sha256``). Instead of a copy in every task's folder, the
bytes are stored once under :data:`STORE` (``draws/snapshots.d/``), named by that hash:

- ``<sha256>.csv``: the canonical bytes themselves (a *full* snapshot);
- ``<sha256>.patch``: the rows in which the snapshot differs from a full snapshot (its *base*,
  named by hash in the patch), so that a directory that changed in a few rows costs those rows.

A patch is UTF-8 text, one LF after every line::

    gongshi-snapshot-patch 1
    base <sha256 of the base, 64 lowercase hex>
    -<first column value>          a row of the base that is not in the snapshot
    +<whole canonical row>         a row of the snapshot not in the base, or replacing the
                                   base's row with the same first column

Lines after the two header lines are sorted by first column (bytes), one line per first column.
To obtain the snapshot: take the base's lines (its header line first), drop the rows named by
``-``, put each ``+`` row in place of the base row with its first column (or add it), write the
header line and the rows sorted by first column, each followed by LF. The result's SHA-256 must
equal the hash the patch is named by and the announce entry commits to; the bytes are then
checked like any canonical file. A base is always a full snapshot (no chains of patches).

Standard library only, no I/O: callers pass a function reading a store file by name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable

from .errors import ProtocolError

STORE = "draws/snapshots.d"  # under the site (or data folder) root; a name no task id can have
FILES = ("directory.csv", "roster.csv", "experts.csv")  # the inputs stored by hash
MAGIC = b"gongshi-snapshot-patch 1\n"
_HEX64 = re.compile(rb"[0-9a-f]{64}")

Reader = Callable[[str], bytes | None]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def full_name(sha: str) -> str:
    return f"{sha}.csv"


def patch_name(sha: str) -> str:
    return f"{sha}.patch"


def _fail(msg: str, name: str = "") -> ProtocolError:
    return ProtocolError("snapshot", msg, file=name or None)


def _rows(data: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    """(header line, {first column: whole line}) of canonical bytes (lines without LF)."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        raise _fail("快照为空")
    return lines[0], {line.split(b",", 1)[0]: line for line in lines[1:]}


def make_patch(base: bytes, base_sha: str, new: bytes) -> bytes:
    """The patch turning canonical ``base`` into canonical ``new`` (same header)."""
    head_a, a = _rows(base)
    head_b, b = _rows(new)
    if head_a != head_b:
        raise _fail("快照表头不同，不能作为增量")
    out = [MAGIC, b"base " + base_sha.encode("ascii") + b"\n"]
    for key in sorted(a.keys() | b.keys()):
        old, cur = a.get(key), b.get(key)
        if cur is None:
            out.append(b"-" + key + b"\n")
        elif old != cur:
            out.append(b"+" + cur + b"\n")
    return b"".join(out)


def patch_base(patch: bytes, name: str = "") -> str:
    """The base's hash named in ``patch``."""
    if not patch.startswith(MAGIC):
        raise _fail("不是快照增量文件（第一行应为 gongshi-snapshot-patch 1）", name)
    line = patch[len(MAGIC):].split(b"\n", 1)[0]
    if not line.startswith(b"base ") or _HEX64.fullmatch(line[5:]) is None:
        raise _fail("第二行应为 base 加 64 位小写十六进制哈希", name)
    return line[5:].decode("ascii")


def apply_patch(patch: bytes, base: bytes, name: str = "") -> bytes:
    """The snapshot's bytes from its patch and the base's bytes (see the module docstring)."""
    patch_base(patch, name)
    if not patch.endswith(b"\n"):
        raise _fail("增量文件须以换行符 LF 结尾", name)
    head, rows = _rows(base)
    body = patch[len(MAGIC):].split(b"\n")[1:-1]
    prev: bytes | None = None
    for n, line in enumerate(body, start=3):
        op, row = line[:1], line[1:]
        key = row.split(b",", 1)[0]
        if prev is not None and key <= prev:
            raise _fail(f"第 {n} 行：首列未按字节升序排列或重复", name)
        prev = key
        if op == b"-":
            if key != row or rows.pop(key, None) is None:
                raise _fail(f"第 {n} 行：要删除的行 {key.decode('utf-8', 'replace')!r} 不在基础快照中", name)
        elif op == b"+" and row:
            rows[key] = row
        else:
            raise _fail(f"第 {n} 行应以 + 或 - 开头", name)
    return head + b"\n" + b"".join(rows[k] + b"\n" for k in sorted(rows))


def resolve(read: Reader, sha: str, cache: dict | None = None) -> tuple[bytes, list[str]] | None:
    """The bytes of the snapshot named ``sha`` and the store files they came from, or None when
    the store holds neither ``<sha>.csv`` nor ``<sha>.patch``. The bytes are not checked
    against ``sha`` here: the caller compares them with the announce entry's hash.
    ``cache``: snapshots already obtained, {hash: (bytes, files)}, shared by many tasks."""
    cache = {} if cache is None else cache
    if sha in cache:
        return cache[sha]
    data = read(full_name(sha))
    if data is not None:
        cache[sha] = (data, [full_name(sha)])
        return cache[sha]
    patch = read(patch_name(sha))
    if patch is None:
        return None
    base_sha = patch_base(patch, patch_name(sha))
    cached = cache.get(base_sha)  # a base is a full snapshot, never a patch
    base = cached[0] if cached is not None and cached[1] == [full_name(base_sha)] else read(full_name(base_sha))
    if base is None:
        raise _fail(f"增量文件的基础快照 {full_name(base_sha)} 不存在", patch_name(sha))
    cache.setdefault(base_sha, (base, [full_name(base_sha)]))
    cache[sha] = (apply_patch(patch, base, patch_name(sha)), [patch_name(sha), full_name(base_sha)])
    return cache[sha]


def choose(new: bytes, bases: Iterable[tuple[str, bytes]], max_fraction: float = 0.5) -> tuple[str, bytes]:
    """How to store ``new``: ``(file name, bytes)`` — a patch against the first of ``bases``
    (full snapshots, most recent first) with the same header when it is at most
    ``max_fraction`` of the full size, else the full bytes."""
    sha = sha256_hex(new)
    head = new.split(b"\n", 1)[0]
    for base_sha, base in bases:
        if base.split(b"\n", 1)[0] != head:
            continue
        patch = make_patch(base, base_sha, new)
        if len(patch) <= max_fraction * len(new):
            return patch_name(sha), patch
        break
    return full_name(sha), new
