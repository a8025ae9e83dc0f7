"""The snapshot store of a data folder: ``data/draws/snapshots.d/`` (``protocol.snapshots``).

``commit`` stores each canonical input once, by its SHA-256: nothing is written when the store
already holds it (an unchanged directory, roster or experts list), a patch against the latest
full snapshot of the same file when that is at most half the size, the full bytes otherwise.
Readers obtain a task's input bytes from its own folder (the layout before the store: old
bundles keep their per-task copies) or from the store by the announce entry's hash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..fileio import write_atomic
from ..protocol import snapshots as snap


def store_dir(data_dir: Path) -> Path:
    return Path(data_dir) / snap.STORE


def reader(data_dir: Path) -> snap.Reader:
    folder = store_dir(data_dir)

    def read(name: str) -> bytes | None:
        path = folder / name
        return path.read_bytes() if path.is_file() else None

    return read


def _latest_full(data_dir: Path, entries: Sequence[Mapping], name: str) -> list[tuple[str, bytes]]:
    """The full snapshot of ``name`` most recently used by an announce entry (a patch's base
    counts as used), as the one candidate base."""
    read = reader(data_dir)
    for e in reversed(entries):
        if e.get("type") != "announce":
            continue
        sha = (e.get("inputs") or {}).get(name, {}).get("sha256")
        if not sha:
            continue
        data = read(snap.full_name(sha))
        if data is not None:
            return [(sha, data)]
        patch = read(snap.patch_name(sha))
        if patch is not None:
            base = snap.patch_base(patch)
            data = read(snap.full_name(base))
            if data is not None:
                return [(base, data)]
    return []


def store(data_dir: Path, entries: Sequence[Mapping], name: str, data: bytes) -> str:
    """Store ``data`` (canonical ``name``) once; returns the store file that holds it."""
    sha = snap.sha256_hex(data)
    folder = store_dir(data_dir)
    for stored in (snap.full_name(sha), snap.patch_name(sha)):
        if (folder / stored).is_file():
            return stored
    file_name, content = snap.choose(data, _latest_full(data_dir, entries, name))
    write_atomic(folder / file_name, content)
    return file_name


def task_inputs(data_dir: Path, announce: Mapping | None, public: Mapping[str, bytes],
                cache: dict | None = None) -> dict[str, bytes]:
    """The task's stored inputs its own folder lacks, from the store by the announce entry's
    hashes: {name: bytes}. A name the store cannot give, or gives with another hash, is left
    out (the caller reports it)."""
    out: dict[str, bytes] = {}
    inputs = (announce or {}).get("inputs") or {}
    read = reader(data_dir)
    for name in snap.FILES:
        sha = (inputs.get(name) or {}).get("sha256")
        if name in public or not isinstance(sha, str):
            continue
        if sha in _CHECKED:  # speed only: bytes obtained and checked against sha before
            out[name] = _CHECKED[sha]
            continue
        got = snap.resolve(read, sha, cache)
        if got is not None and snap.sha256_hex(got[0]) == sha:
            out[name] = got[0]
            _CHECKED[sha] = got[0]
            while len(_CHECKED) > 4:
                del _CHECKED[next(iter(_CHECKED))]
    return out


_CHECKED: dict[str, bytes] = {}  # snapshots whose bytes matched their hash, by hash (newest last)
