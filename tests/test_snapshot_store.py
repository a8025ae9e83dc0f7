"""Snapshots stored once: tasks over an unchanged directory share one stored snapshot, a
directory changed in one row costs about one row (a patch against the earlier snapshot by
hash), and every task verifies with the standalone verify.py — from the store, and from the
per-task layout of older bundles.

Tasks are committed through the CLI on a copy of the replayed demo, with the workspace clock
patched (as in test_draws_cli)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_draws_cli import gongshi, new_task, write_task

from generator.protocol import snapshots
from generator.protocol.errors import ProtocolError

STORE = Path("draws/snapshots.d")


def store_files(data: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted((data / STORE).iterdir())}


def announce_of(data: Path, task: str) -> dict:
    return next(e for e in map(json.loads, (data / "log/draws.jsonl").read_bytes().splitlines())
                if e["task"] == task and e["type"] == "announce")


def run_verify_py(verify_py_path: Path, root: Path, *tasks: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(verify_py_path), str(root), *tasks],
                          capture_output=True, text=True, timeout=300)


def change_one_row(data: Path) -> None:
    """Move the first enterprise's registration date a day (a public directory column)."""
    path = next((data / "directory").iterdir())
    raw = path.read_bytes()
    start = raw.index(b"\n") + 1
    line = raw[start:raw.index(b"\n", start)]
    cells = line.split(b",")
    day = int(cells[6][-2:])
    cells[6] = cells[6][:-2] + f"{day % 28 + 1:02d}".encode()
    path.write_bytes(raw[:start] + b",".join(cells) + raw[start + len(line):])


def test_unchanged_directory_stored_once_one_changed_row_costs_one_row(
        demo_copy, capsys, clock, verify_py, tmp_path):
    demo = demo_copy
    data = demo.data
    before = store_files(data)
    base = announce_of(data, "2023-07")["inputs"]["directory.csv"]["sha256"]
    assert snapshots.full_name(base) in before  # the demo's tasks share one full snapshot
    assert not (data / "draws/2023-07/directory.csv").exists()

    # Task 1 over the unchanged directory: nothing new is stored.
    write_task(demo, new_task(demo, "2024-01"))
    clock.set("2024-01-10T10:00:00+08:00")
    code, _out, err = gongshi(capsys, demo, "commit", "2024-01")
    assert code == 0, err
    assert store_files(data) == before
    assert announce_of(data, "2024-01")["inputs"]["directory.csv"]["sha256"] == base

    # Task 2 after one directory row changed: one patch of about one row.
    change_one_row(data)
    write_task(demo, new_task(demo, "2024-02"))
    clock.set("2024-01-10T11:00:00+08:00")
    code, _out, err = gongshi(capsys, demo, "commit", "2024-02")
    assert code == 0, err
    after = store_files(data)
    added = sorted(set(after) - set(before))
    sha = announce_of(data, "2024-02")["inputs"]["directory.csv"]["sha256"]
    assert sha != base and added == [snapshots.patch_name(sha)], added
    full = before[snapshots.full_name(base)]
    row = full // announce_of(data, "2024-02")["inputs"]["directory.csv"]["rows"]
    header_cost = len(snapshots.MAGIC) + len("base ") + 64 + 1
    assert after[added[0]] <= header_cost + 2 * row, (after[added[0]], row)  # about one row
    patch = (data / STORE / added[0]).read_bytes()
    assert patch.count(b"\n+") == 1 and b"\n-" not in patch

    # Both tasks verify with the standalone verify.py (the patch is applied to its base and
    # the result checked against the announce entry's hash).
    done = run_verify_py(verify_py, data, "2024-01", "2024-02")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"任务 2024-02 snapshot.directory.csv：directory.csv 取自快照库 {added[0]}" in done.stdout

    # A patch edited, or its base gone: 2024-02 no longer verifies (2024-01 still does).
    bad = tmp_path / "bad"
    shutil.copytree(data, bad)
    p = bad / STORE / added[0]
    p.write_bytes(p.read_bytes().replace(b",20", b",19", 1))
    done = run_verify_py(verify_py, bad, "2024-02")
    assert done.returncode == 1 and "[不一致] 任务 2024-02" in done.stdout, done.stdout
    assert run_verify_py(verify_py, bad, "2024-01").returncode == 0
    (bad / STORE / snapshots.full_name(base)).unlink()
    done = run_verify_py(verify_py, bad, "2024-02")
    assert done.returncode == 1 and "基础快照" in done.stdout, done.stdout

    # The per-task layout of older bundles (a copy in every task folder, no store) verifies.
    old = tmp_path / "old"
    shutil.copytree(data, old)
    cache: dict = {}
    for task in ("2023-01", "2023-07", "2024-01", "2024-02"):
        for name, ref in announce_of(old, task)["inputs"].items():
            if name in snapshots.FILES:
                got = snapshots.resolve(lambda n: (old / STORE / n).read_bytes()
                                        if (old / STORE / n).exists() else None, ref["sha256"], cache)
                (old / "draws" / task / name).write_bytes(got[0])
    shutil.rmtree(old / STORE)
    done = run_verify_py(verify_py, old, "2023-01", "2023-07", "2024-01", "2024-02")
    assert done.returncode == 0, done.stdout
    assert "snapshot." not in done.stdout


def test_patch_reproduces_the_exact_bytes_and_refuses_malformed_patches():
    head = b"code,type\n"
    base = head + b"A,1\nB,2\nC,3\n"
    new = head + b"A,1\nB,9\nD,4\n"
    sha = snapshots.sha256_hex(base)
    patch = snapshots.make_patch(base, sha, new)
    assert patch == snapshots.MAGIC + b"base " + sha.encode() + b"\n+B,9\n-C\n+D,4\n"
    assert snapshots.apply_patch(patch, base) == new
    store = {snapshots.full_name(sha): base, snapshots.patch_name(snapshots.sha256_hex(new)): patch}
    got = snapshots.resolve(store.get, snapshots.sha256_hex(new))
    assert got == (new, [snapshots.patch_name(snapshots.sha256_hex(new)), snapshots.full_name(sha)])
    # a small change is stored as a patch, a large one in full
    assert snapshots.choose(new, [(sha, base)], max_fraction=10)[0].endswith(".patch")
    assert snapshots.choose(new, [(sha, base)], max_fraction=0.1) == (
        snapshots.full_name(snapshots.sha256_hex(new)), new)
    for broken in (patch.replace(b"-C", b"-Z"),  # deletes a row the base lacks
                   patch.replace(b"+D,4\n", b"+A,0\n"),  # out of order
                   patch.replace(b"+B", b"*B"),  # unknown operation
                   patch[:-1],  # no final LF
                   b"x" + patch):  # not a patch
        with pytest.raises(ProtocolError):
            snapshots.apply_patch(broken, base)

