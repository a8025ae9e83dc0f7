"""Backdating is made visible: an announcement not proven from outside to precede the draw.

The attack, replayed with an injected clock: the office already knows the lottery numbers,
sets its clock back to before the draw and runs ``commit`` and ``draw`` (the demo replay's
clock is exactly such a clock: the log shows whatever time it says). What it cannot set back is
an outside clock. So:

- 2023-03 is announced with no external anchor: its page and the verifiers say
  "公告时间未经外部证明" (a warning), and ``verify --require-anchors`` fails it;
- 2023-05 is anchored, but an honest TSA stamps the real time, which is after the draw: an
  error for every verifier ("倒签"), with or without ``--require-anchors``;
- the other tasks carry an RFC 3161 token made at announcement, before the draw: they pass
  ``--require-anchors`` and their pages say "公告时间已经外部证明".
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from generator.demo.replay import replay

ROOT = Path(__file__).resolve().parents[1]
UNANCHORED, LATE, HONEST = "2023-03", "2023-05", "2023-02"
REAL_TIME = {LATE: dt.datetime(2023, 9, 15, 1, 30, tzinfo=dt.UTC)}  # after its draw


def _stamp(task: str, clock: dt.datetime) -> dt.datetime | None:
    if task == UNANCHORED:
        return None
    return REAL_TIME.get(task, clock)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("backdated")
    replay(root / "data", root / "secrets", stamp_time=_stamp)
    return root


def _verify(verify_py: Path, data: Path, *args: str) -> tuple[int, dict[str, str]]:
    proc = subprocess.run([sys.executable, str(verify_py), str(data), *args],
                          capture_output=True, text=True, timeout=600)
    lines = {}
    for line in proc.stdout.splitlines():
        for task in (UNANCHORED, LATE, HONEST):
            if f"任务 {task} log.anchors：" in line:
                lines[task] = line
    return proc.returncode, lines


def test_verify_flags_and_require_anchors_fails(attacked, verify_py):
    data = attacked / "data"
    code, lines = _verify(verify_py, data, UNANCHORED, HONEST)
    assert code == 0, lines  # without --require-anchors an unproven time is a warning
    assert lines[UNANCHORED].startswith("[警告]") and "公告时间未经外部证明" in lines[UNANCHORED]
    assert lines[HONEST].startswith("[通过]") and "公告时间已经外部证明" in lines[HONEST]

    code, lines = _verify(verify_py, data, "--require-anchors", UNANCHORED, HONEST)
    assert code == 1
    assert lines[UNANCHORED].startswith("[不一致]") and "公告时间未经外部证明" in lines[UNANCHORED]
    assert lines[HONEST].startswith("[通过]")

    code, lines = _verify(verify_py, data, "--require-anchors", HONEST)
    assert code == 0, lines  # a valid RFC 3161 anchor made before the draw passes

    code, lines = _verify(verify_py, data, LATE)
    assert code == 1 and lines[LATE].startswith("[不一致]") and "倒签" in lines[LATE]


def test_gongshi_verify_has_the_same_setting(attacked, capsys):
    from generator.cli import main

    data = str(attacked / "data")
    assert main(["verify", "--data", data, "--require-anchors", UNANCHORED]) == 1
    out = capsys.readouterr().out
    assert "[不一致] 任务 2023-03 log.anchors" in out and "公告时间未经外部证明" in out


def test_task_page_shows_the_unproven_announcement(attacked, tmp_path):
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--data",
                           str(attacked / "data"), "--as-of", "2023-12-29", "--out", str(site)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = (site / "tasks" / UNANCHORED / "index.html").read_text(encoding="utf-8")
    row = page[page.index('<tr id="anchor">'):].split("</tr>")[0]
    assert "公告时间未经外部证明" in row and "倒签" in row
    late = (site / "tasks" / LATE / "index.html").read_text(encoding="utf-8")
    assert "公告时间未经外部证明" in late and "不早于最早的随机源开奖时间" in late
    honest = (site / "tasks" / HONEST / "index.html").read_text(encoding="utf-8")
    assert "公告时间已经外部证明" in honest and "公告时间未经外部证明" not in honest
    log_page = (site / "log" / "index.html").read_text(encoding="utf-8")
    assert "公告时间未经外部证明" in log_page and "公告时间已经外部证明" in log_page
    index = (site / "draws" / "index.json").read_text(encoding="utf-8")
    assert '"proven":false' in index.replace(" ", "") and '"proven":true' in index.replace(" ", "")
