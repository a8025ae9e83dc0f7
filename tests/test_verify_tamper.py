"""Tamper detection: every change to the published material fails BOTH verifiers.

Each case copies the replayed demo's ``data/`` folder, changes one thing, then runs
``gongshi verify --data DIR [TASK]`` and the standalone ``verify.py`` (built by
``build_verify_py()``, run as ``python3 -I verify.py DIR [TASK]``) as real subprocesses. Both
must exit 1 without a traceback, end with 核验不通过, and print a failing line that names the
place: the log line / seq, the file, or the task. Both must also print the very same lines.

The log verifier always checks the whole log; a task argument only limits the task checks, so
log cases name one cheap task (2023-07, announced only) to keep the suite fast.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.tlog._jcs import dumps as jcs_dumps
from generator.tlog.entries import entry_hash

CHEAP_TASK = "2023-07"  # announced, not drawn: its task checks take ~0.2 s
LOG = Path("log") / "draws.jsonl"
WORKERS = 3
TIMEOUT = 120


def _python3() -> str:
    """A system ``python3`` (3.11+) for verify.py, as a citizen would run it; else ours."""
    found = shutil.which("python3")
    if found:
        done = subprocess.run([found, "-c", "import sys; print(sys.version_info >= (3, 11))"],
                              capture_output=True, text=True)
        if done.stdout.strip() == "True":
            return found
    return sys.executable


PYTHON3 = _python3()
GONGSHI = Path(sys.executable).with_name("gongshi")


@dataclass(frozen=True)
class Expect:
    """Some failing line mentions ``scope`` and at least one of ``any_of``."""

    scope: str
    any_of: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[Path], None]
    tasks: tuple[str, ...]
    expects: tuple[Expect, ...]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def _commands(verify_py: Path, root: Path, tasks: Sequence[str]) -> dict[str, list[str]]:
    gongshi = [str(GONGSHI)] if GONGSHI.exists() else [sys.executable, "-m", "generator.cli"]
    return {
        "gongshi verify": [*gongshi, "verify", "--data", str(root), *tasks],
        "verify.py": [PYTHON3, "-I", str(verify_py), str(root), *tasks],
    }


def _run(cmd: list[str]) -> Run:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    return Run(done.returncode, done.stdout, done.stderr)


def run_both_many(jobs: Sequence[tuple[Path, Sequence[str]]], verify_py: Path) -> list[dict[str, Run]]:
    """Both verifiers on each (root, tasks), a few subprocesses at a time."""
    flat = [(i, who, cmd) for i, (root, tasks) in enumerate(jobs)
            for who, cmd in _commands(verify_py, root, tasks).items()]
    with ThreadPoolExecutor(WORKERS) as pool:
        runs = list(pool.map(lambda job: _run(job[2]), flat))
    out: list[dict[str, Run]] = [{} for _ in jobs]
    for (i, who, _cmd), run in zip(flat, runs, strict=True):
        out[i][who] = run
    return out


def problems_of(case: Case, runs: dict[str, Run]) -> list[str]:
    problems: list[str] = []
    for who, run in runs.items():
        failing = [ln for ln in run.out.splitlines() if ln.startswith("[不一致]")]
        last = run.out.splitlines()[-1] if run.out.strip() else ""
        if run.code != 1 or "Traceback" in run.err or not last.startswith("核验不通过"):
            problems.append(f"{case.name}: {who} exit {run.code}, last line {last!r}, stderr {run.err[-500:]!r}")
            continue
        for want in case.expects:
            if not any(want.scope in ln and any(a in ln for a in want.any_of) for ln in failing):
                problems.append(f"{case.name}: {who} has no failing line with {want}: {failing[:6]}")
    a, b = runs["gongshi verify"], runs["verify.py"]
    if a.out != b.out:
        problems.append(f"{case.name}: gongshi verify and verify.py print different lines")
    return problems


def check_cases(cases: Sequence[Case], demo_master, verify_py: Path, tmp_path: Path) -> None:
    jobs = []
    for i, case in enumerate(cases):
        root = tmp_path / f"{i:02d}-{case.name}"
        shutil.copytree(demo_master.data, root)
        case.mutate(root)
        jobs.append((root, case.tasks))
    problems = [p for case, runs in zip(cases, run_both_many(jobs, verify_py), strict=True)
                for p in problems_of(case, runs)]
    assert not problems, "\n".join(problems)


# --- mutations --------------------------------------------------------------------------


def flip_byte(rel: str | Path, pos: int | None = None) -> Callable[[Path], None]:
    """XOR one byte (default: the middle one) of ``root/rel`` with 0x01."""

    def mutate(root: Path) -> None:
        path = root / rel
        data = bytearray(path.read_bytes())
        at = len(data) // 2 if pos is None else pos % len(data)
        data[at] ^= 0x01
        path.write_bytes(bytes(data))

    return mutate


def _lines(root: Path) -> list[bytes]:
    return (root / LOG).read_bytes().split(b"\n")[:-1]


def _put(root: Path, lines: Sequence[bytes]) -> None:
    (root / LOG).write_bytes(b"".join(line + b"\n" for line in lines))


def edit_line(root: Path) -> None:
    """Change a field of seq 2 without fixing its hash."""
    lines = _lines(root)
    assert b'"rows":3612' in lines[2]
    lines[2] = lines[2].replace(b'"rows":3612', b'"rows":3613', 1)
    _put(root, lines)


def edit_and_rechain(root: Path) -> None:
    """A forger without the signing key: edit seq 2, then recompute every hash and prev."""
    entries = [json.loads(line) for line in _lines(root)]
    entries[2]["inputs"]["directory.csv"]["rows"] += 1
    prev = entries[1]["hash"]
    for e in entries[2:]:
        e["prev"] = prev
        e.pop("hash")
        e["hash"] = prev = entry_hash(e)
    _put(root, [jcs_dumps(e) for e in entries])


def delete_line(root: Path) -> None:
    lines = _lines(root)
    del lines[4]
    _put(root, lines)


def reorder_lines(root: Path) -> None:
    lines = _lines(root)
    lines[4], lines[5] = lines[5], lines[4]
    _put(root, lines)


def duplicate_line(root: Path) -> None:
    lines = _lines(root)
    lines.insert(7, lines[6])
    _put(root, lines)


def truncate_last_line(root: Path) -> None:
    _put(root, _lines(root)[:-1])


def truncate_mid_line(root: Path) -> None:
    data = (root / LOG).read_bytes()
    (root / LOG).write_bytes(data[:-40])


def swap_codes(root: Path) -> None:
    a, b = root / "draws/2023-01/code.txt", root / "draws/2023-02/code.txt"
    da, db = a.read_bytes(), b.read_bytes()
    a.write_bytes(db)
    b.write_bytes(da)


# --- tests ------------------------------------------------------------------------------


def test_verify_py_prints_the_same_lines_as_gongshi_verify(demo_master, verify_py):
    (runs,) = run_both_many([(demo_master.data, ())], verify_py)
    a, b = runs["gongshi verify"], runs["verify.py"]
    assert a.code == 0 and b.code == 0, (a.out[-2000:], a.err[-2000:], b.out[-2000:], b.err[-2000:])
    assert a.out.splitlines() == b.out.splitlines()
    assert a.out.splitlines()[-1].startswith("核验通过")
    assert "[不一致]" not in a.out and "[警告]" not in a.out


def log_byte_positions(data: bytes, count: int = 30) -> list[int]:
    """``count`` positions: the first and last byte, and the others spread over every line
    (line k % lines, at a pseudo-random offset that may hit its LF)."""
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]  # the last = len(data)
    lines = len(starts) - 1
    positions = {0, len(data) - 1}
    k = 0
    while len(positions) < count:
        line = k % lines
        width = starts[line + 1] - starts[line]  # with its LF
        positions.add(starts[line] + (k * 2654435761) % width)
        k += 1
    return sorted(positions)


def line_of(data: bytes, pos: int) -> int:
    """The 1-based line of ``data`` that holds byte ``pos`` (its LF included)."""
    return data.count(b"\n", 0, pos) + 1


def test_single_byte_changes_of_the_log_are_detected(demo_master, verify_py, tmp_path):
    data = (demo_master.data / LOG).read_bytes()
    positions = log_byte_positions(data)
    assert len(positions) == 30 and len({line_of(data, p) for p in positions}) == data.count(b"\n")
    cases = [
        Case(f"log-byte-{pos}", flip_byte(LOG, pos), (CHEAP_TASK,),
             (Expect("日志 log.entries", (f"第 {line_of(data, pos)} 行",)),))
        for pos in positions
    ]
    check_cases(cases, demo_master, verify_py, tmp_path)


def test_line_edits_of_the_log_are_detected(demo_master, verify_py, tmp_path):
    entries_at = lambda *words: Expect("日志 log.entries", words)  # noqa: E731
    checkpoint = Expect("日志 log.checkpoint", ("log/checkpoint",))
    last = (demo_master.data / LOG).read_bytes().count(b"\n")  # the last line's number
    cases = [
        Case("edit", edit_line, (CHEAP_TASK,), (entries_at("第 3 行（seq 2）"), checkpoint)),
        Case("edit-rechain", edit_and_rechain, (CHEAP_TASK,), (checkpoint,)),
        Case("delete", delete_line, (CHEAP_TASK,), (entries_at("seq 应为 4"), checkpoint)),
        Case("reorder", reorder_lines, (CHEAP_TASK,), (entries_at("第 5 行（seq 5）"), checkpoint)),
        Case("duplicate", duplicate_line, (CHEAP_TASK,), (entries_at("与 seq 6 的条目重复"), checkpoint)),
        Case("truncate-line", truncate_last_line, (CHEAP_TASK,),
             (Expect("日志 log.checkpoint.size", ("截断",)),)),
        Case("truncate-mid-line", truncate_mid_line, (CHEAP_TASK,),
             (entries_at(f"第 {last} 行不完整"), checkpoint)),
        Case("checkpoint-byte", flip_byte("log/checkpoint", 20), (CHEAP_TASK,), (checkpoint,)),
    ]
    check_cases(cases, demo_master, verify_py, tmp_path)


def _file_case(task: str, name: str, any_of: tuple[str, ...], pos: int | None = None) -> Case:
    label = f"{task}-{name}" + ("" if pos is None else f"@{pos}")
    return Case(label, flip_byte(Path("draws") / task / name, pos), (task,),
                (Expect(f"任务 {task}", any_of),))


def _stored_case(task: str, name: str, pos: int | None = None) -> Case:
    """A byte of the snapshot-store file that holds ``task``'s input ``name`` flipped."""

    def mutate(root: Path) -> None:
        entries = [json.loads(line) for line in _lines(root)]
        announce = next(e for e in entries if e["task"] == task and e["type"] == "announce")
        sha = announce["inputs"][name]["sha256"]
        flip_byte(Path("draws/snapshots.d") / f"{sha}.csv", pos)(root)

    label = f"{task}-stored-{name}" + ("" if pos is None else f"@{pos}")
    return Case(label, mutate, (task,), (Expect(f"任务 {task}", (name,)),))


@pytest.mark.parametrize("group", ["inputs", "reveal"])
def test_changes_to_a_task_bundle_are_detected(group, demo_master, verify_py, tmp_path):
    if group == "inputs":  # published at announcement
        cases = [
            _stored_case("2023-02", "directory.csv"),
            _stored_case("2023-02", "directory.csv", pos=-1),  # the last LF
            _stored_case("2023-05", "roster.csv"),
            _stored_case("2023-01", "experts.csv"),
            _file_case("2023-01", "params.json", ("params.json",)),
            _file_case("2023-07", "params.json", ("params.json",), pos=3),
            _file_case("2023-01", "sources.json", ("sources", "key_string")),
        ]
    else:  # published at reveal and publication
        cases = [
            _file_case("2023-01", "code.txt", ("commitment", "code")),
            _file_case("2023-01", "listing.csv", ("listing.csv",)),
            _file_case("2023-02", "listing.csv", ("listing.csv",), pos=5),
            _file_case("2023-01", "listing-0.csv", ("listing-0",)),
            _file_case("2023-01", "cutoffs.csv", ("cutoffs.csv",)),
            _file_case("2023-02", "exclusions.csv", ("exclusions",)),
            _file_case("2023-01", "results.csv", ("results",)),
            _file_case("2023-02", "results.csv", ("results",), pos=-2),
            # protocol 2: the selected enterprises' recusal rows and the display file
            _file_case("2023-08", "recusals-selected.csv", ("recusals-selected",), pos=60),
            _file_case("2023-08", "people.csv", ("people",), pos=30),
            Case("swap-codes", swap_codes, (),
                 (Expect("任务 2023-01", ("commitment",)), Expect("任务 2023-02", ("commitment",)))),
        ]
    check_cases(cases, demo_master, verify_py, tmp_path)


def test_sources_json_of_a_drawn_unrevealed_task_is_checked(demo_master, verify_py, tmp_path):
    """sources.json is public from the draw on, so it is checked before the reveal too."""
    check_cases([_file_case("2023-05", "sources.json", ("sources", "key_string"))],
                demo_master, verify_py, tmp_path)
