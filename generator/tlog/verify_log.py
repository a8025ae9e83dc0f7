"""Verify the published draw log from its files alone (PROTOCOL §8, §10, §11, §13).

Standard library only (bundled into the standalone ``verify.py``); no I/O: the caller hands
the files as a mapping from site paths (``log/draws.jsonl``, ``log/checkpoint``,
``log/tile/…``, ``log/key.pub``, ``log/checkpoints/<size>``, ``log/anchors/<seq>.json``) to
bytes. Checks, each reported as a ``Check`` whether it passed or not:

- every stored line: fields, RFC 8785 form, entry hash, chain (``log.entries``);
- the checkpoint: signature by ``log/key.pub``, origin = key name, size = number of entries,
  root = RFC 6962 root of the lines (``log.checkpoint.*``);
- tiles and entry bundles equal to those computed from the lines, those of every kept
  checkpoint's tree size present (C2SP tlog-tiles), and the root recomputed from the tiles
  alone (``log.tiles``, ``log.tiles.root``);
- every kept checkpoint ``log/checkpoints/<size>`` signed and consistent with the current one
  by an RFC 6962 consistency proof, the current one among them (``log.checkpoints``);
- the older checkpoint a verifier kept, consistent with the current one (``log.since``);
- an anchor for every announce entry (``log.anchors``, ``log.anchors.proven``: see anchors.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .anchors import AnchorContext, anchor_checks, anchor_status
from .checks import Check, failed, passed
from .entries import parse_log_prefix
from .merkle import HashTree, check_tree, prove_tree
from .note import Checkpoint, NoteError, Verifier, open_checkpoint, parse_key_file
from .tiles import (
    ENTRIES,
    all_tiles,
    bundle_data,
    parse_tile_path,
    required_at_sizes,
    root_from_tiles,
    tile_data,
)

LOG = "log/draws.jsonl"
CHECKPOINT = "log/checkpoint"
KEY = "log/key.pub"
TILE_DIR = "log/tile/"
CHECKPOINTS_DIR = "log/checkpoints/"
_SIZE = re.compile(r"0|[1-9][0-9]*")
_LISTED = 5  # how many paths a failure names before "等"


def _names(paths: list[str]) -> str:
    shown = "、".join(paths[:_LISTED])
    return shown + (f" 等 {len(paths)} 个" if len(paths) > _LISTED else "")


def stored_records(data: bytes) -> list[bytes]:
    """The Merkle leaves: every complete stored line without its LF (PROTOCOL §8)."""
    lines = data.split(b"\n")
    lines.pop()  # after the last LF: b"" or a torn line, which is no leaf
    return lines


def _key(files: Mapping[str, bytes], checks: list[Check]) -> Verifier | None:
    data = files.get(KEY)
    if data is None:
        checks.append(failed("log.key", f"缺少 {KEY}（机关的日志验证公钥）"))
        return None
    try:
        verifier = parse_key_file(data)
    except NoteError as exc:
        checks.append(failed("log.key", f"{KEY}：{exc}"))
        return None
    checks.append(passed("log.key", f"{KEY}：验证公钥 {verifier.name}+{verifier.key_id.hex()}"))
    return verifier


def _entries(files: Mapping[str, bytes], checks: list[Check]) -> list[dict[str, Any]]:
    data = files.get(LOG)
    if data is None:
        checks.append(failed("log.entries", f"缺少 {LOG}"))
        return []
    entries, error = parse_log_prefix(data)
    if error:
        checks.append(failed("log.entries", f"{LOG} {error}"))
    else:
        checks.append(
            passed("log.entries", f"{LOG}：{len(entries)} 个条目的字段、规范形式、哈希与链接均正确")
        )
    return entries


def _checkpoint(
    files: Mapping[str, bytes], verifier: Verifier, tree: HashTree, checks: list[Check]
) -> Checkpoint | None:
    data = files.get(CHECKPOINT)
    if data is None:
        checks.append(failed("log.checkpoint.signature", f"缺少 {CHECKPOINT}"))
        return None
    try:
        checkpoint = open_checkpoint(data, verifier)
    except NoteError as exc:
        checks.append(failed("log.checkpoint.signature", f"{CHECKPOINT}：{exc}"))
        return None
    checks.append(passed("log.checkpoint.signature", f"{CHECKPOINT}：签名有效，来源 {checkpoint.origin}"))
    n = tree.size
    if checkpoint.size > n:
        checks.append(failed(
            "log.checkpoint.size",
            f"{CHECKPOINT} 记录 {checkpoint.size} 个条目，{LOG} 只有 {n} 个完整行（日志被截断或删行）",
        ))
        return checkpoint
    if checkpoint.size < n:
        checks.append(failed(
            "log.checkpoint.size",
            f"{CHECKPOINT} 只覆盖 {checkpoint.size} 个条目，{LOG} 有 {n} 个"
            f"（seq {checkpoint.size} 起未签入检查点）",
        ))
    else:
        checks.append(passed("log.checkpoint.size", f"{CHECKPOINT} 覆盖全部 {n} 个条目"))
    root = tree.root(checkpoint.size)
    if root != checkpoint.root:
        checks.append(failed(
            "log.checkpoint.root",
            f"{LOG} 前 {checkpoint.size} 行的默克尔根 {root.hex()} 与 {CHECKPOINT} 的根 "
            f"{checkpoint.root.hex()} 不同（日志行被改动）",
        ))
    else:
        checks.append(passed("log.checkpoint.root", f"默克尔根与 {CHECKPOINT} 一致"))
    return checkpoint


def _tiles(
    files: Mapping[str, bytes], tree: HashTree, records: list[bytes],
    checkpoint: Checkpoint | None, checks: list[Check],
) -> None:
    published = {p[len("log/") :]: d for p, d in files.items() if p.startswith(TILE_DIR)}
    expected = all_tiles(tree, records)
    missing = sorted(p for p in expected if p not in published)
    older = [s for s in kept_sizes(files) if s < tree.size]
    missing += [p for p in required_at_sizes(older, published) if p not in missing]
    differ = sorted(p for p in expected if p in published and published[p] != expected[p])
    bad: list[str] = []
    for path, data in published.items():
        if path in expected:
            continue
        try:  # an older tree's partial tile: it must still agree with the entries
            ref = parse_tile_path(path)
            want = bundle_data(records, ref) if ref.level == ENTRIES else tile_data(tree, ref)
        except ValueError:
            bad.append("log/" + path)
            continue
        if data != want:
            differ.append(path)
    problems = []
    if missing:
        problems.append(
            "缺少 " + _names(["log/" + p for p in missing])
            + "（C2SP tlog-tiles：发布过检查点的每个树大小，其部分瓦片和条目包都须提供）"
        )
    if differ:
        problems.append("与日志条目不符：" + _names(["log/" + p for p in sorted(differ)]))
    if bad:
        problems.append("路径不合规或超出日志：" + _names(sorted(bad)))
    if problems:
        checks.append(failed("log.tiles", "瓦片：" + "；".join(problems)))
    else:
        checks.append(passed("log.tiles", f"{len(published)} 个瓦片与条目包均与日志条目一致"))
    if checkpoint is None:
        return
    try:
        root = root_from_tiles(published, checkpoint.size)
    except ValueError as exc:
        checks.append(failed("log.tiles.root", f"无法仅凭瓦片算出默克尔根：{exc}"))
        return
    if root != checkpoint.root:
        checks.append(failed(
            "log.tiles.root", f"由瓦片算出的默克尔根 {root.hex()} 与 {CHECKPOINT} 不同"
        ))
    else:
        checks.append(passed("log.tiles.root", f"仅凭瓦片算出的默克尔根与 {CHECKPOINT} 一致"))


def kept_sizes(files: Mapping[str, bytes]) -> list[int]:
    """The tree sizes of the kept checkpoints ``log/checkpoints/<size>`` (names that are sizes)."""
    names = (p[len(CHECKPOINTS_DIR) :] for p in files if p.startswith(CHECKPOINTS_DIR))
    return sorted(int(n) for n in names if _SIZE.fullmatch(n))


def _consistent(
    label: str, data: bytes, verifier: Verifier, tree: HashTree, current: Checkpoint
) -> tuple[Checkpoint | None, str | None]:
    """Open an older checkpoint and check it against ``current`` with a consistency proof."""
    try:
        old = open_checkpoint(data, verifier)
    except NoteError as exc:
        return None, f"{label}：{exc}"
    if old.size > current.size:
        return old, (
            f"{label} 记录 {old.size} 个条目，多于当前检查点的 {current.size} 个（日志被回滚或截断）"
        )
    proof = prove_tree(tree, old.size, current.size)
    if not check_tree(proof, old.size, old.root, current.size, current.root):
        return old, (
            f"{label}（{old.size} 个条目）与当前检查点不一致：前 {old.size} 行已被改写"
        )
    return old, None


def _kept_checkpoints(
    files: Mapping[str, bytes], verifier: Verifier, tree: HashTree, current: Checkpoint,
    checks: list[Check],
) -> None:
    kept = sorted(
        (p for p in files if p.startswith(CHECKPOINTS_DIR)),
        key=lambda p: (len(p), p),
    )
    problems = []
    for path in kept:
        name = path[len(CHECKPOINTS_DIR) :]
        if not _SIZE.fullmatch(name):
            problems.append(f"{path}：文件名应为树大小")
            continue
        old, problem = _consistent(path, files[path], verifier, tree, current)
        if problem:
            problems.append(problem)
        elif old is not None and old.size != int(name):
            problems.append(f"{path} 的树大小为 {old.size}，与文件名不符")
    current_copy = f"{CHECKPOINTS_DIR}{current.size}"
    if files.get(current_copy) != files.get(CHECKPOINT):
        problems.append(f"{current_copy} 缺失或与 {CHECKPOINT} 不同（每个发布过的检查点都应保留）")
    if problems:
        checks.append(failed("log.checkpoints", "；".join(problems)))
    else:
        checks.append(passed(
            "log.checkpoints", f"保留的 {len(kept)} 个检查点均有效，且与当前检查点一致（一致性证明）"
        ))


def _anchors(files: Mapping[str, bytes], entries: list[dict[str, Any]], checks: list[Check],
             require: bool) -> None:
    ctx = AnchorContext(files)
    for entry in entries:
        if entry["type"] == "announce":
            checks += anchor_checks(anchor_status(files, entry, ctx), require)


def verify_log(files: Mapping[str, bytes], since_checkpoint: bytes | None = None,
               anchors: bool = True, require_anchors: bool = False) -> list[Check]:
    """Every check of the published log; failures name the seq, entry or file.

    ``anchors``: also the anchor checks of every announce entry (``verify.py`` makes them per
    task instead); ``require_anchors``: an announcement time not proven from outside fails."""
    checks: list[Check] = []
    verifier = _key(files, checks)
    entries = _entries(files, checks)
    records = stored_records(files.get(LOG, b""))
    tree = HashTree.from_records(records)
    checkpoint = _checkpoint(files, verifier, tree, checks) if verifier else None
    _tiles(files, tree, records, checkpoint, checks)
    if verifier and checkpoint and checkpoint.size <= tree.size:
        _kept_checkpoints(files, verifier, tree, checkpoint, checks)
        if since_checkpoint is not None:
            _, problem = _consistent("给定的旧检查点", since_checkpoint, verifier, tree, checkpoint)
            if problem:
                checks.append(failed("log.since", problem))
            else:
                checks.append(passed("log.since", "给定的旧检查点与当前检查点一致：日志只增不改"))
    elif since_checkpoint is not None:
        checks.append(failed("log.since", "当前检查点无效，无法检查给定的旧检查点"))
    if anchors:
        _anchors(files, entries, checks, require_anchors)
    return checks
