"""The draw log on disk: verified reads and crash-safe, exclusive appends (PROTOCOL §8).

Writer module. ``LogStore(log_dir, key_path)`` owns ``<log_dir>/draws.jsonl`` and the files
derived from it (``tile/…``, ``checkpoint``, ``checkpoints/<size>``, ``key.pub``) and the
anchors (``anchors/<seq>.json``). The private key lives outside the published folder.

Write order (each file: temp file, fsync, rename, fsync the folder):

1. take the exclusive lock ``<log_dir>/.lock`` (a second writer fails at once);
2. read the log and refuse it unless every line is valid and it extends the last signed
   checkpoint (never repair a torn or edited line);
3. if a previous run died after step 4, first publish the derived files for the log as it is;
4. write the whole log plus the new line to a temp file and rename it over ``draws.jsonl``:
   this rename is the commit point, so a crash leaves the old log or the old log + one line;
5. rewrite the derived files: tiles, ``checkpoints/<size>``, then ``checkpoint``.

Derived files can always be recomputed from the log alone (``repair_derived``).
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import rfc8785

from ..fileio import write_atomic as _write_atomic
from ._jcs import dumps as jcs_dumps
from .anchors import KINDS, format_anchor
from .checks import Check
from .entries import ZERO_HASH, ChainState, LogError, format_time, make_entry, parse_log
from .merkle import HashTree
from .note import Checkpoint, NoteError, open_checkpoint, parse_key_file
from .signer import Signer, load_signer, verifier_key_file
from .tiles import ENTRIES, all_tiles, bundle_data, parse_tile_path, required_at_sizes, tile_data
from .verify_log import stored_records, verify_log

BUSY = "另一个 gongshi 进程正在写入抽取日志……请等它完成后再试（锁文件 {lock}）。"


class LogBusyError(LogError):
    """Another process holds the log's write lock."""


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    _write_atomic(path, data)


class LogStore:
    """The draw log folder (``data/log``) and the office's signing key file."""

    def __init__(self, log_dir: Path, key_path: Path) -> None:
        self.dir = Path(log_dir)
        self.key_path = Path(key_path)
        self.log_path = self.dir / "draws.jsonl"
        self.checkpoint_path = self.dir / "checkpoint"
        self.key_pub_path = self.dir / "key.pub"
        self.lock_path = self.dir / ".lock"
        self._lock_depth = 0
        self._lock_fd: int | None = None

    # --- locking ---------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive write lock (re-entrant within this object); fail fast if busy."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise LogBusyError(BUSY.format(lock=self.lock_path)) from None
            raise
        self._lock_fd, self._lock_depth = fd, 1
        try:
            self._remove_stale_temps()
            yield
        finally:
            self._lock_depth, self._lock_fd = 0, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _remove_stale_temps(self) -> None:
        # Temp files of a writer that was killed; only ever removed under the lock.
        for tmp in self.dir.rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)

    # --- reading ---------------------------------------------------------------------------

    def _read_log(self) -> bytes:
        try:
            return self.log_path.read_bytes()
        except FileNotFoundError:
            return b""

    def _signed_checkpoint(self) -> Checkpoint | None:
        """The last signed checkpoint, verified with ``key.pub``; None when none exists yet."""
        try:
            data = self.checkpoint_path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            verifier = parse_key_file(self.key_pub_path.read_bytes())
            return open_checkpoint(data, verifier)
        except (FileNotFoundError, NoteError) as exc:
            raise LogError(f"抽取日志的检查点 {self.checkpoint_path} 无法验证：{exc}") from None

    def _verified(self) -> tuple[bytes, list[dict[str, Any]]]:
        data = self._read_log()
        try:
            entries = parse_log(data)
        except LogError as exc:
            raise LogError(
                f"抽取日志 {self.log_path} 已损坏，拒绝继续（不会自动修复）：{exc}",
                line=exc.line, seq=exc.seq,
            ) from None
        checkpoint = self._signed_checkpoint()
        if checkpoint is not None:
            n = len(entries)
            if checkpoint.size > n:
                raise LogError(
                    f"抽取日志 {self.log_path} 只有 {n} 个条目，少于已签名检查点的 "
                    f"{checkpoint.size} 个：日志被截断或删行，拒绝继续"
                )
            tree = HashTree.from_records(stored_records(data))
            if tree.root(checkpoint.size) != checkpoint.root:
                raise LogError(
                    f"抽取日志 {self.log_path} 的前 {checkpoint.size} 个条目与已签名检查点不一致："
                    "已发布的条目被改动，拒绝继续"
                )
        return data, entries

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, after checking lines, chain and the last signed checkpoint."""
        return self._verified()[1]

    def published_files(self) -> dict[str, bytes]:
        """The files under the log folder as the site publishes them: ``log/…`` → bytes."""
        files: dict[str, bytes] = {}
        if self.dir.is_dir():
            for path in sorted(self.dir.rglob("*")):
                rel = path.relative_to(self.dir)
                if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                    files["log/" + rel.as_posix()] = path.read_bytes()
        return files

    def verify(self, since_checkpoint: bytes | None = None) -> list[Check]:
        return verify_log(self.published_files(), since_checkpoint)

    # --- writing ---------------------------------------------------------------------------

    def _signer(self) -> Signer:
        signer = load_signer(self.key_path)
        want = verifier_key_file(signer)
        try:
            have = self.key_pub_path.read_bytes()
        except FileNotFoundError:
            return signer
        if have != want:
            raise LogError(
                f"{self.key_pub_path} 中的公钥与签名私钥 {self.key_path} 不匹配，拒绝签名"
            )
        return signer

    def _write_derived(self, data: bytes, signer: Signer) -> None:
        records = stored_records(data)
        tree = HashTree.from_records(records)
        if not data and not self.log_path.exists():
            _write_atomic(self.log_path, b"")  # the log is always published, even empty (§11)
        _write_if_changed(self.key_pub_path, verifier_key_file(signer))
        for rel, content in all_tiles(tree, records).items():
            _write_if_changed(self.dir / rel, content)
            partials = self.dir / (rel + ".p")
            if partials.is_dir():  # c2sp.org/tlog-tiles: partial tiles MAY go once full
                shutil.rmtree(partials)
        note = signer.sign_checkpoint(Checkpoint(signer.name, tree.size, tree.root()))
        _write_if_changed(self.dir / "checkpoints" / str(tree.size), note)
        _write_if_changed(self.checkpoint_path, note)

    def _write_older_tiles(self, data: bytes) -> None:
        """The tiles and bundles missing for any kept checkpoint's size (c2sp.org/tlog-tiles:
        a log MUST serve the partial tiles of every size it produced a checkpoint for)."""
        records = stored_records(data)
        tree = HashTree.from_records(records)
        folder = self.dir / "checkpoints"
        sizes = [int(p.name) for p in folder.iterdir() if p.name.isdigit()] if folder.is_dir() else []
        sizes = [s for s in sizes if s <= tree.size]
        tile_dir = self.dir / "tile"
        have = [p.relative_to(self.dir).as_posix() for p in tile_dir.rglob("*")
                if p.is_file()] if tile_dir.is_dir() else []
        for rel in required_at_sizes(sizes, have):
            ref = parse_tile_path(rel)
            content = bundle_data(records, ref) if ref.level == ENTRIES else tile_data(tree, ref)
            _write_if_changed(self.dir / rel, content)

    def _needs_derived(self, data: bytes, n: int) -> bool:
        checkpoint = self._signed_checkpoint()
        return (checkpoint is None and n > 0) or (checkpoint is not None and checkpoint.size != n)

    def repair_derived(self) -> None:
        """Recompute tiles, checkpoint and key.pub from the (verified) log; never touch lines."""
        with self.locked():
            signer = self._signer()
            data, _ = self._verified()
            self._write_older_tiles(data)
            self._write_derived(data, signer)

    def append(
        self, entry_fields: Mapping[str, Any], clock: Callable[[], datetime] | None = None,
        finalize: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Append one entry; fills ``seq``, ``time``, ``prev`` and ``hash`` and returns it.

        ``time`` comes from the system clock (UTC); only tests and the demo generator inject
        ``clock`` (PROTOCOL §8). ``finalize``, called under the lock with the entry before
        hashing (fields plus ``seq``, ``time`` and ``prev``), returns it with fields that depend
        on those (the ``audit`` entry's signature); it may not change ``seq``, ``time``, ``prev``.
        """
        with self.locked():
            signer = self._signer()
            data, entries = self._verified()
            if self._needs_derived(data, len(entries)):
                self._write_derived(data, signer)  # a previous append died after its commit
            now = clock() if clock is not None else datetime.now(UTC)
            prev = entries[-1]["hash"] if entries else ZERO_HASH
            seq, stamp = len(entries), format_time(now)
            if finalize is not None:
                draft = {**entry_fields, "seq": seq, "time": stamp, "prev": prev}
                done = dict(finalize(dict(draft)))
                if any(done.get(k) != draft[k] for k in ("seq", "time", "prev")) or "hash" in done:
                    raise LogError("finalize 不得改动 seq、time、prev，也不得填写 hash", seq=seq)
                entry_fields = {k: v for k, v in done.items() if k not in ("seq", "time", "prev")}
            entry = make_entry(entry_fields, seq, stamp, prev)
            state = ChainState()
            for old in entries:
                state.add(old)
            problem = state.problem(entry)
            if problem:
                raise LogError(f"新条目（seq {entry['seq']}）不能追加：{problem}", seq=entry["seq"])
            line = rfc8785.dumps(entry)
            if line != jcs_dumps(entry):  # two RFC 8785 implementations must agree
                raise AssertionError("rfc8785 and the stdlib JCS disagree on a log entry")
            _write_atomic(self.log_path, data + line + b"\n")  # the commit point
            self._write_derived(data + line + b"\n", signer)
            return entry

    def record_anchor(self, seq: int, kind: str, ref: str, time: datetime | str) -> None:
        """Record the external anchor of entry ``seq`` in ``anchors/<seq>.json``."""
        if kind not in KINDS:
            raise LogError(f"锚定方式应为 {'、'.join(KINDS)} 之一，实为 {kind!r}")
        stamp = format_time(time) if isinstance(time, datetime) else time
        with self.locked():
            entries = self.entries()
            if not 0 <= seq < len(entries):
                raise LogError(f"抽取日志没有 seq {seq} 的条目，无法记录锚定", seq=seq)
            try:
                data = format_anchor(seq, kind, ref, stamp)
            except ValueError as exc:
                raise LogError(f"seq {seq} 的锚定记录不合规：{exc}", seq=seq) from None
            path = self.dir / "anchors" / f"{seq}.json"
            if path.exists() and path.read_bytes() != data:
                raise LogError(f"seq {seq} 已有不同的锚定记录 {path}，不会覆盖", seq=seq)
            _write_if_changed(path, data)


def init_key(key_path: Path, name: str) -> Signer:
    """Create the office's log signing key (mode 0600); refuses to replace an existing one."""
    from .signer import generate_signer, write_key_file

    if key_path.exists():
        raise LogError(f"日志签名私钥 {key_path} 已存在，不会覆盖")
    signer = generate_signer(name)
    write_key_file(key_path, signer)
    return signer
