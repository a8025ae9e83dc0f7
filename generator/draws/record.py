"""Reading the tool's own public draw record from a data folder: the log and the bundles.

Only ``data/log/`` and ``data/draws/`` are read here, never ``secrets/``. What of it may be
published as of a date is decided by ``generator.state``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..protocol.errors import ProtocolError
from ..protocol.snapshots import FILES, STORE, full_name, patch_base, patch_name
from ..tlog.entries import parse_log
from ..tlog.merkle import HashTree
from ..tlog.tiles import all_tiles, tiles_at_sizes
from ..tlog.verify_log import stored_records


@dataclass(frozen=True)
class DrawRecord:
    """The log's stored bytes, its parsed entries, the other log files and the task bundles."""

    log_bytes: bytes = b""
    entries: tuple[dict, ...] = ()
    log_files: Mapping[str, bytes] = field(default_factory=dict)  # "log/…" → bytes
    bundles: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict)  # task → name → bytes
    snapshots: Mapping[str, bytes] = field(default_factory=dict)  # store file name → bytes


def read_record(data_dir: str | Path) -> DrawRecord:
    root = Path(data_dir)
    log_dir = root / "log"
    log_files: dict[str, bytes] = {}
    if log_dir.is_dir():
        for path in sorted(log_dir.rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not any(p.startswith(".") for p in rel.parts):
                log_files[rel.as_posix()] = path.read_bytes()
    log_bytes = log_files.get("log/draws.jsonl", b"")
    entries = tuple(parse_log(log_bytes)) if log_bytes else ()
    bundles: dict[str, dict[str, bytes]] = {}
    draws = root / "draws"
    store = root / STORE
    if draws.is_dir():
        for folder in sorted(p for p in draws.iterdir() if p.is_dir() and p != store):
            bundles[folder.name] = {
                p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()
            }
    snapshots = {p.name: p.read_bytes() for p in sorted(store.iterdir()) if p.is_file()} if store.is_dir() else {}
    return DrawRecord(log_bytes, entries, log_files, bundles, snapshots)


def stored_inputs(record: DrawRecord, announce: Mapping | None, bundle: Mapping[str, bytes]
                  ) -> dict[str, tuple[str, int, tuple[str, ...]]]:
    """The task's inputs kept in the snapshot store rather than its own folder:
    {name: (sha256, rows, store file names: the full snapshot, or the patch then its base)}.
    A name the store lacks is left out (the task then shows and publishes without it)."""
    out: dict[str, tuple[str, int, tuple[str, ...]]] = {}
    inputs = (announce or {}).get("inputs") or {}
    for name in FILES:
        ref = inputs.get(name) or {}
        sha = ref.get("sha256")
        if name in bundle or not isinstance(sha, str):
            continue
        if full_name(sha) in record.snapshots:
            out[name] = (sha, int(ref.get("rows", 0)), (full_name(sha),))
        elif patch_name(sha) in record.snapshots:
            try:
                base = full_name(patch_base(record.snapshots[patch_name(sha)]))
            except ProtocolError:
                continue
            if base in record.snapshots:
                out[name] = (sha, int(ref.get("rows", 0)), (patch_name(sha), base))
    return out


def log_prefix_files(record: DrawRecord, size: int) -> dict[str, bytes]:
    """The published log files as they stood when the log had ``size`` entries.

    The log lines are a prefix; tiles are recomputed for that size (they are derived data);
    the checkpoint is the one signed at that size (``checkpoints/<size>``, kept for every size);
    later checkpoints and anchors of later entries are left out. Like the office's folder, the
    prefix serves the partial tiles and entry bundles of every size it keeps a checkpoint for
    (c2sp.org/tlog-tiles: a log MUST serve them for every checkpoint it published).
    """
    if size == len(record.entries):
        return dict(record.log_files)
    records = stored_records(record.log_bytes)[:size]
    out: dict[str, bytes] = {}
    if "log/key.pub" in record.log_files:
        out["log/key.pub"] = record.log_files["log/key.pub"]
    if size == 0:
        return out
    out["log/draws.jsonl"] = b"".join(r + b"\n" for r in records)
    tree = HashTree.from_records(records)
    for rel, data in all_tiles(tree, records).items():
        out["log/" + rel] = data
    kept_sizes = []
    for name, data in record.log_files.items():
        if name.startswith("log/checkpoints/"):
            kept = name.rsplit("/", 1)[1]
            if kept.isdigit() and int(kept) <= size:
                out[name] = data
                kept_sizes.append(int(kept))
        elif name.startswith("log/anchors/"):
            seq = name.rsplit("/", 1)[1].removesuffix(".json")
            if seq.isdigit() and int(seq) < size:
                out[name] = data
        elif name.startswith("log/") and not name.startswith("log/tile/") and name not in (
            "log/draws.jsonl", "log/checkpoint"
        ):
            out.setdefault(name, data)  # e.g. auditors.pub
    for rel, data in tiles_at_sizes(tree, records, kept_sizes).items():
        out.setdefault("log/" + rel, data)
    checkpoint = record.log_files.get(f"log/checkpoints/{size}")
    if checkpoint is not None:
        out["log/checkpoint"] = checkpoint
    return out
