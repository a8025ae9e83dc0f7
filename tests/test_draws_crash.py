"""Crash safety and mutual exclusion of ``gongshi draw`` (PROTOCOL §6, §8; tlog/store.py).

A driver process imports everything, says ``ready``, waits for ``go`` and then runs the very
CLI code (``generator.cli.main(["draw", …])``, system clock: 2023-07's sources were drawn in
January 2024). The test SIGKILLs it after deterministic delays spread over one draw's duration
and checks that the log is the old log or the old log plus exactly one valid draw entry, that
the task's draw record agrees with the log, and that a rerun completes (or is refused as a
second draw exactly when the first one landed).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from generator.cli import main
from generator.tlog.entries import parse_log
from generator.tlog.store import LogStore
from generator.tlog.verify_log import verify_log

TASK = "2023-07"
NUMBERS = ["3 8 15 21 27 33 9", "4 12 19 25 33 2 7", "1 2 3 4 5", "7 8 9"]
OTHER_NUMBERS = ["3 8 15 21 27 33 9", "4 12 19 25 33 2 7", "1 2 3 4 5", "9 9 9"]
CYCLES = 15

DRIVER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from generator.cli import build_parser, main

    build_parser()  # import every command module now, not after "go"
    barrier = os.environ.get("BARRIER")
    if barrier:  # wait until every racer is ready, then start together
        folder = Path(barrier)
        (folder / str(os.getpid())).touch()
        while len(list(folder.iterdir())) < int(os.environ["RACERS"]):
            time.sleep(0.0005)
        time.sleep(float(os.environ.get("DELAY", "0")))
    else:
        print("ready", flush=True)
        sys.stdin.readline()
    raise SystemExit(main(sys.argv[1:]))
    """
)


def draw_argv(demo, numbers: list[str] = NUMBERS) -> list[str]:
    sources = [arg for n in numbers for arg in ("--source", n)]
    return ["draw", TASK, *sources, "--yes", "--data", str(demo.data), "--secrets", str(demo.secrets)]


def driver(tmp_path: Path, argv: list[str], env: dict[str, str] | None = None,
           stdin: int | None = None) -> subprocess.Popen:
    script = tmp_path / "driver.py"
    if not script.exists():
        script.write_text(DRIVER, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), *argv], stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, cwd=Path(__file__).parent.parent)


def published_log(demo) -> dict[str, bytes]:
    return LogStore(demo.data / "log", demo.secrets / "log.key").published_files()


def assert_consistent(demo, old: bytes) -> bool:
    """The log is old or old + one valid draw entry of TASK; returns whether the draw landed."""
    data = (demo.data / "log" / "draws.jsonl").read_bytes()
    entries = parse_log(data)  # no torn or edited line
    if data == old:
        return False
    assert data.startswith(old) and len(entries) == len(parse_log(old)) + 1, data[len(old):]
    last = entries[-1]
    assert (last["type"], last["task"], last["status"]) == ("draw", TASK, "ok")
    # The draw record on disk is the one the log commits to.
    listing = (demo.secrets / TASK / "listing-0.csv").read_bytes()
    assert hashlib.sha256(listing).hexdigest() == last["selection_sha256"]
    sources = (demo.data / "draws" / TASK / "sources.json").read_bytes()
    assert f'"key_string":"{last["key_string"]}"'.encode() in sources
    return True


def rerun(demo, capsys, numbers: list[str] = NUMBERS) -> tuple[int, str]:
    code = main(draw_argv(demo, numbers))
    return code, capsys.readouterr().err


def assert_log_verifies(demo) -> None:
    bad = [c for c in verify_log(published_log(demo)) if not c.ok and c.severity != "warning"]
    assert not bad, bad


def timed_draw(demo, tmp_path: Path) -> float:
    proc = driver(tmp_path, draw_argv(demo), stdin=subprocess.PIPE)
    assert proc.stdout.readline().strip() == "ready"
    start = time.monotonic()
    proc.stdin.write("go\n")
    proc.stdin.flush()
    proc.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr.read()
    return time.monotonic() - start


def test_sigkill_during_draw_leaves_old_log_or_one_valid_entry(demo_master, tmp_path, capsys):
    old = (demo_master.data / "log" / "draws.jsonl").read_bytes()
    duration = timed_draw(demo_master.copy_to(tmp_path / "timing"), tmp_path)
    # Delays over [0, 1.1 × duration], denser towards the end where the writes happen.
    delays = [duration * 1.1 * (1 - ((CYCLES - 1 - k) / (CYCLES - 1)) ** 2) for k in range(CYCLES)]
    demo, landed_count, fresh = None, 0, True
    for k, delay in enumerate(delays):
        if fresh:
            demo = demo_master.copy_to(tmp_path / f"cycle-{k}")
        proc = driver(tmp_path, draw_argv(demo), stdin=subprocess.PIPE)
        assert proc.stdout.readline().strip() == "ready"
        proc.stdin.write("go\n")
        proc.stdin.flush()
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
        proc.stdin.close()

        landed = assert_consistent(demo, old)
        code, err = rerun(demo, capsys)
        if landed:
            landed_count += 1
            assert code == 1 and "不能再次抽取" in err, err
        else:
            assert code == 0, err
            assert assert_consistent(demo, old)
        assert_log_verifies(demo)  # tiles and checkpoint caught up with the log
        # A second draw is always refused now, and changes nothing.
        after = (demo.data / "log" / "draws.jsonl").read_bytes()
        code, err = rerun(demo, capsys, OTHER_NUMBERS)
        assert code == 1 and "不能再次抽取" in err, err
        assert (demo.data / "log" / "draws.jsonl").read_bytes() == after
        assert assert_consistent(demo, old)
        fresh = True
    assert 0 <= landed_count <= CYCLES


def race(demo_master, tmp_path: Path, round_: int, delay_b: float) -> None:
    demo = demo_master.copy_to(tmp_path / f"race-{round_}")
    barrier = tmp_path / f"barrier-{round_}"
    barrier.mkdir()
    env = {"BARRIER": str(barrier), "RACERS": "2"}
    a = driver(tmp_path, draw_argv(demo, NUMBERS), env)
    b = driver(tmp_path, draw_argv(demo, OTHER_NUMBERS), {**env, "DELAY": str(delay_b)})
    results = [(p.wait(timeout=120), *p.communicate()) for p in (a, b)]
    codes = sorted(r[0] for r in results)
    assert codes == [0, 1], results
    loser_err = next(err for code, _out, err in results if code == 1)
    assert any(m in loser_err for m in ("另一个 gongshi 进程正在写入", "不能再次抽取")), loser_err
    entries = parse_log((demo.data / "log" / "draws.jsonl").read_bytes())
    assert [e["type"] for e in entries if e["task"] == TASK] == ["announce", "draw"]
    old = (demo_master.data / "log" / "draws.jsonl").read_bytes()
    assert assert_consistent(demo, old)  # the winner's files, not the loser's
    assert_log_verifies(demo)


def test_two_concurrent_draws_cannot_both_append(demo_master, tmp_path):
    # Round 0 starts both together; later rounds start the second racer a little later, so
    # that it also meets the first one mid-draw and after its append.
    for round_, delay_b in enumerate((0.0, 0.05, 0.15, 0.4)):
        race(demo_master, tmp_path, round_, delay_b)


def test_draw_on_a_torn_log_is_refused_in_chinese(demo_copy, capsys):
    log = demo_copy.data / "log" / "draws.jsonl"
    log.write_bytes(log.read_bytes()[:-30])
    code, err = rerun(demo_copy, capsys)
    assert code == 1 and "Traceback" not in err and "损坏" in err, err


def test_death_between_the_commit_point_and_the_checkpoint_is_repaired(demo_copy, capsys,
                                                                       monkeypatch):
    """Deterministic version of the narrowest window: the new line is in draws.jsonl, the
    tiles and checkpoint are not yet rewritten when the process dies."""
    old = (demo_copy.data / "log" / "draws.jsonl").read_bytes()
    real = LogStore._write_derived

    def die_after_commit_point(self, data: bytes, signer) -> None:
        if len(data) > len(old):
            raise KeyboardInterrupt  # stands in for SIGKILL at this exact point
        real(self, data, signer)

    monkeypatch.setattr(LogStore, "_write_derived", die_after_commit_point)
    assert main(draw_argv(demo_copy)) == 130  # "已中断"
    capsys.readouterr()
    monkeypatch.setattr(LogStore, "_write_derived", real)
    assert assert_consistent(demo_copy, old)
    stale = [c.name for c in verify_log(published_log(demo_copy)) if not c.ok]
    assert "log.checkpoint.size" in stale
    code, err = rerun(demo_copy, capsys, OTHER_NUMBERS)
    assert code == 1 and "不能再次抽取" in err, err
    assert_log_verifies(demo_copy)  # the refused rerun brought tiles and checkpoint up to date
