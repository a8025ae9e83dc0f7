"""The log store: append/verify round trip, locking, tamper detection, crash safety."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.tlog.entries import LogError, parse_log
from generator.tlog.signer import Signer, write_key_file
from generator.tlog.store import LogBusyError, LogStore

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests/vectors/tlog/entries.json").read_text(encoding="utf-8"))
FIELDS = [v["fields"] for v in GOLDEN]
NAME = "gongshi.example.gov.cn/draws"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 3, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(hours=1)
        return self.now


@pytest.fixture
def store(tmp_path) -> LogStore:
    write_key_file(tmp_path / "secrets" / "log.key", Signer(NAME, bytes(range(32))))
    return LogStore(tmp_path / "data" / "log", tmp_path / "secrets" / "log.key")


def _fill(store: LogStore, count: int = len(FIELDS)) -> list[dict]:
    clock = Clock()
    return [store.append(FIELDS[i], clock=clock) for i in range(count)]


def _errors(checks):
    return [c for c in checks if not c.ok and c.severity == "error"]


def test_append_fills_chain_fields_and_round_trips(store):
    entries = _fill(store)
    assert [e["seq"] for e in entries] == list(range(len(FIELDS)))
    assert entries[0]["prev"] == "0" * 64 and entries[1]["prev"] == entries[0]["hash"]
    assert entries[0]["time"] == "2024-03-01T01:00:00Z"
    assert store.entries() == entries
    assert parse_log(store.log_path.read_bytes()) == entries
    checks = store.verify()
    assert _errors(checks) == []
    warnings = [c.detail for c in checks if not c.ok]
    assert len(warnings) == 3 and "seq 0" in warnings[0]  # three announces, no anchors yet
    names = {c.name for c in checks if c.ok}
    assert {"log.entries", "log.checkpoint.signature", "log.checkpoint.root", "log.tiles",
            "log.tiles.root", "log.checkpoints", "log.key"} <= names
    files = store.published_files()
    assert files["log/key.pub"] == (Signer(NAME, bytes(range(32))).verifier.text() + "\n").encode()
    assert sorted(p for p in files if p.startswith("log/checkpoints/")) == sorted(
        f"log/checkpoints/{n}" for n in range(1, len(FIELDS) + 1))
    assert not any(".lock" in p for p in files)


def test_system_clock_is_default(store):
    before = datetime.now(UTC).replace(microsecond=0)
    entry = store.append(FIELDS[0])
    assert before <= datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_anchors(store):
    _fill(store)
    store.record_anchor(0, "notice", "https://www.gsxt.gov.cn/notice/1",
                        datetime(2024, 3, 1, 2, tzinfo=UTC))
    store.record_anchor(5, "rfc3161", "MIIB", "2024-03-01T00:00:00Z")
    store.record_anchor(9, "notice", "https://example.gov.cn/9", "2024-03-09T12:30:00Z")
    checks = store.verify()
    # notices are recorded but prove no time offline; a token that is not one is an error
    anchors = [c for c in checks if c.name == "log.anchors"]
    assert [c.severity for c in anchors if not c.ok] == ["warning", "error", "warning"]
    assert "公告时间未经外部证明" in anchors[0].detail and "人工核对" in anchors[0].detail
    assert "log/anchors/5.json" in anchors[1].detail
    assert all(c.ok for c in checks if c.name != "log.anchors")
    with pytest.raises(LogError, match="不会覆盖"):
        store.record_anchor(0, "notice", "https://other", "2024-03-01T02:00:00Z")
    with pytest.raises(LogError, match="锚定方式"):
        store.record_anchor(0, "email", "x", "2024-03-01T02:00:00Z")
    with pytest.raises(LogError, match="seq 99"):
        store.record_anchor(99, "notice", "x", "2024-03-01T02:00:00Z")


def test_late_anchor_is_an_error(store):
    _fill(store, 1)  # the first source is scheduled 2024-03-05T21:15:00+08:00
    store.record_anchor(0, "notice", "https://x", "2024-03-04T14:00:00Z")
    late = [c for c in store.verify() if c.name == "log.anchors"][0]
    assert not late.ok and "晚于首个随机源开奖前 24 小时" in late.detail


def test_bad_entries_are_refused_without_writing(store):
    _fill(store, 2)
    before = store.log_path.read_bytes()
    with pytest.raises(LogError, match="字段 reason"):
        store.append({"type": "reassign", "task": "T2024-01", "reason": "x", "count": 1,
                      "selection_sha256": "0" * 64})
    with pytest.raises(LogError, match="已有 draw"):
        store.append(FIELDS[1], clock=lambda: datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(LogError, match="时间不得倒退"):
        store.append(FIELDS[2], clock=lambda: datetime(2020, 1, 1, tzinfo=UTC))
    assert store.log_path.read_bytes() == before


def test_since_checkpoint(store):
    _fill(store, 4)
    old = store.checkpoint_path.read_bytes()
    clock = Clock()
    clock.now = datetime(2024, 6, 1, tzinfo=UTC)
    for f in FIELDS[4:]:
        store.append(f, clock=clock)
    checks = store.verify(since_checkpoint=old)
    since = [c for c in checks if c.name == "log.since"]
    assert since and since[0].ok
    # A checkpoint for a different history, validly signed, is caught.
    from generator.tlog.note import Checkpoint
    forged = Signer(NAME, bytes(range(32))).sign_checkpoint(Checkpoint(NAME, 4, bytes(32)))
    since = [c for c in store.verify(since_checkpoint=forged) if c.name == "log.since"][0]
    assert not since.ok and "前 4 行已被改写" in since.detail


def _rewrite(store: LogStore, transform) -> None:
    lines = store.log_path.read_bytes().split(b"\n")[:-1]
    store.log_path.write_bytes(transform(lines))


def _join(lines):
    return b"".join(line + b"\n" for line in lines)


@pytest.mark.parametrize(
    ("transform", "store_message", "verify_message"),
    [
        (lambda ls: _join(ls)[:-7], "第 11 行不完整", "第 11 行不完整"),
        (lambda ls: _join(ls[:3] + [ls[3].replace(b'"code":"9', b'"code":"8')] + ls[4:]),
         "第 4 行（seq 3）：hash 应为", "第 4 行（seq 3）：hash 应为"),
        (lambda ls: _join(ls[:5] + ls[6:]), "第 6 行（seq 6）", "seq 应为 5"),
        (lambda ls: _join(ls[:4] + [ls[5], ls[4]] + ls[6:]), "第 5 行（seq 5）", "seq 应为 4"),
        (lambda ls: _join(ls[:4] + [ls[3]] + ls[4:]), "与 seq 3 的条目重复", "与 seq 3 的条目重复"),
        (lambda ls: _join(ls[:-1]), "少于已签名检查点", "只有 10 个完整行"),
    ],
    ids=["torn", "edited", "deleted", "reordered", "duplicated", "truncated"],
)
def test_tampered_log_is_refused_and_reported(store, transform, store_message, verify_message):
    _fill(store)
    _rewrite(store, transform)
    tampered = store.log_path.read_bytes()
    with pytest.raises(LogError) as info:
        store.append({"type": "cancel", "task": "T2024-01", "reason": "x"})
    assert store_message in str(info.value)
    assert "拒绝继续" in str(info.value)
    assert store.log_path.read_bytes() == tampered  # never repaired
    with pytest.raises(LogError):
        store.repair_derived()
    details = " ".join(c.detail for c in _errors(store.verify()))
    assert verify_message in details


def test_rewritten_history_with_valid_chain_is_caught_by_checkpoint(store):
    """Re-chaining every line after an edit keeps the chain valid; the checkpoint catches it."""
    from generator.tlog.entries import ZERO_HASH, make_entry, stored_line

    entries = _fill(store)
    prev, lines = ZERO_HASH, []
    for e in entries:
        fields = {k: v for k, v in e.items() if k not in ("seq", "time", "prev", "hash")}
        if e["seq"] == 3:
            fields["code"] = "8" * 64
        e2 = make_entry(fields, e["seq"], e["time"], prev)
        prev = e2["hash"]
        lines.append(stored_line(e2))
    store.log_path.write_bytes(_join(lines))
    with pytest.raises(LogError, match="与已签名检查点不一致"):
        store.entries()
    failed = {c.name for c in _errors(store.verify())}
    assert {"log.checkpoint.root", "log.tiles"} <= failed


def test_tampered_tile_and_checkpoint_are_reported(store):
    _fill(store)
    tile = store.dir / "tile" / "0" / "000.p" / "11"
    tile.write_bytes(b"\x00" + tile.read_bytes()[1:])
    failed = {c.name: c.detail for c in _errors(store.verify())}
    assert "log/tile/0/000.p/11" in failed["log.tiles"]
    assert "log.tiles.root" in failed
    store.repair_derived()
    assert _errors(store.verify()) == []
    text = store.checkpoint_path.read_text().replace("\n11\n", "\n12\n")
    store.checkpoint_path.write_text(text)
    failed = {c.name: c.detail for c in _errors(store.verify())}
    assert "签名无效" in failed["log.checkpoint.signature"]


def test_repair_derived_rebuilds_from_log(store):
    _fill(store)
    import shutil

    shutil.rmtree(store.dir / "tile")
    store.checkpoint_path.unlink()
    store.repair_derived()
    assert _errors(store.verify()) == []


def test_key_pub_must_match_signing_key(store, tmp_path):
    _fill(store, 1)
    other = tmp_path / "other.key"
    write_key_file(other, Signer(NAME, bytes(32)))
    with pytest.raises(LogError, match="不匹配"):
        LogStore(store.dir, other).append(FIELDS[1])


HOLD_LOCK = """
import sys, time
from pathlib import Path
from generator.tlog.store import LogStore
store = LogStore(Path(sys.argv[1]), Path(sys.argv[2]))
with store.locked():
    print("locked", flush=True)
    time.sleep(30)
"""


def test_second_writer_fails_fast(store):
    _fill(store, 1)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(store.dir), str(store.key_path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(LogBusyError, match="另一个 gongshi 进程正在写入抽取日志……"):
            store.append(FIELDS[1])
        assert time.monotonic() - started < 2
    finally:
        holder.kill()
        holder.wait()
    store.append(FIELDS[1])  # the lock died with its holder
    assert len(store.entries()) == 2


APPEND_ONE = """
import json, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from generator.tlog.store import LogStore
store = LogStore(Path(sys.argv[1]), Path(sys.argv[2]))
n = len(store.entries())
print("ready", flush=True)
store.append(dict(json.loads(sys.argv[3]), task="T%d" % n),
             clock=lambda: datetime(2024, 3, 1, tzinfo=UTC) + timedelta(minutes=n))
print("done", flush=True)
"""


def test_killed_append_leaves_old_log_or_one_new_entry(store):
    """SIGKILL at random points of an append: the log is unchanged or has exactly one more
    valid entry, and repair_derived() makes tiles and checkpoint consistent again."""
    rng = random.Random(6962)
    outcomes = []
    for _cycle in range(20):
        before = store.log_path.read_bytes() if store.log_path.exists() else b""
        child = subprocess.Popen(
            [sys.executable, "-c", APPEND_ONE, str(store.dir), str(store.key_path),
             json.dumps(FIELDS[0])],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.02))
        child.send_signal(signal.SIGKILL)
        child.wait()
        after = store.log_path.read_bytes() if store.log_path.exists() else b""
        grew = after != before
        assert not grew or (after.startswith(before) and after[len(before) :].count(b"\n") == 1)
        outcomes.append(grew)
        parse_log(after)  # whatever happened, every line is valid
        store.repair_derived()
        assert _errors(store.verify()) == []
    assert not any(p.name.endswith(".tmp") for p in store.dir.rglob("*"))
