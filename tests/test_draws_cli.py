"""The draw commands end to end through ``generator.cli.main`` on a copy of the replayed demo.

The log's times come from the system clock (PROTOCOL §8); tests may inject one. Here the clock
of ``Workspace.at`` (``generator.draws.workspace.system_clock``) is patched, so that a new task
can be committed, drawn, revealed and published on the demo's 2024 timeline with the very CLI
code an office runs. The final ``gongshi verify`` runs as a real subprocess.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.draws.snapshots import task_inputs
from generator.protocol.canonical import parse_csv
from generator.protocol.listing import parse_listing

NEW = "2024-01"
# 2023-07's sources in order: ssq (7 ordered), dlt (7 ordered), pl5 (5), fc3d (3).
NUMBERS = ["3 8 15 21 27 33 9", "4 12 19 25 33 2 7", "1 2 3 4 5", "7 8 9"]
SOURCE_ARGS = [arg for n in NUMBERS for arg in ("--source", n)] + ["--yes"]
HAN = re.compile(r"[\u4e00-\u9fff]")


def gongshi(capsys, demo, *argv: str) -> tuple[int, str, str]:
    """Run ``gongshi ARGV --data … --secrets …`` in-process; returns (exit code, out, err)."""
    try:
        code = main([*argv, "--data", str(demo.data), "--secrets", str(demo.secrets)])
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def refused(result: tuple[int, str, str], *needles: str) -> str:
    """Assert exit 1 with a Chinese message on stderr containing every needle."""
    code, _out, err = result
    assert code == 1, result
    assert HAN.search(err) and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def log_lines(demo) -> list[bytes]:
    return (demo.data / "log" / "draws.jsonl").read_bytes().splitlines()


# --- task files ----------------------------------------------------------------------------


def base_task(demo) -> dict:
    """2023-07's task file (announced in the demo, not drawn), as a dict to derive from."""
    return yaml.safe_load((demo.data / "tasks" / "2023-07.yaml").read_text(encoding="utf-8"))


def new_task(demo, task_id: str = NEW, **changes) -> dict:
    """A fresh task on 2023-07's rules, announced 2024-01-10, drawn on 2024-01-16/17 sources."""
    task = copy.deepcopy(base_task(demo))
    task.update({"编号": task_id, "公告日期": "2024-01-10", "检查开始": "2024-01-22",
                 "检查结束": "2024-02-23", "完成日期": "2024-02-28"})
    for n, source in enumerate(task["随机源"]):
        source["期号"] = f"2024{n + 7:03d}"
        day = "16" if n == 0 else "17"
        source["开奖时间"] = re.sub(r"2024-01-0\d", f"2024-01-{day}", source["开奖时间"])
    task.update(changes)
    return task


def write_task(demo, task: dict) -> None:
    path = demo.data / "tasks" / f"{task['编号']}.yaml"
    path.write_text(yaml.safe_dump(task, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_results(demo, task_id: str, codes: list[str]) -> None:
    lines = ["统一社会信用代码,检查日期,检查结果,后续处置,完成日期"]
    lines += [f"{code},2024-02-01,未发现问题,1,2024-02-28" for code in codes]
    (demo.data / "results" / f"{task_id}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def announced_directory(demo, task_id: str = "2023-07") -> bytes:
    """The task's directory.csv, from the snapshot store by its announced hash."""
    announce = next(json.loads(line) for line in log_lines(demo)
                    if f'"task":"{task_id}"'.encode() in line and b'"type":"announce"' in line)
    return task_inputs(demo.data, announce, {})["directory.csv"]


def population_counts(demo, column: int) -> Counter:
    """Members of 2023-07's population (存续, registered before 2022) by a directory column."""
    rows = parse_csv("directory.csv", announced_directory(demo))
    return Counter(r[column] for r in rows if r[6] == "存续" and r[5] < "2022-01-01")


# --- the full lifecycle ------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [1, 2])
def test_commit_draw_reassign_reveal_publish_verify(demo_copy, capsys, clock, protocol):
    demo = demo_copy
    write_task(demo, new_task(demo, **{"协议版本": protocol, "哈希链长度": protocol}))
    before = len(log_lines(demo))

    clock.set("2024-01-10T10:00:00+08:00")
    code, out, err = gongshi(capsys, demo, "commit", NEW)
    assert code == 0, err
    assert "announce" in out and NEW in out
    assert (demo.secrets / NEW / "secret").stat().st_mode & 0o077 == 0
    assert not (demo.data / "draws" / NEW / "code.txt").exists()

    # Drawing before the sources' scheduled time is refused, and writes nothing.
    clock.set("2024-01-16T12:00:00+08:00")
    refused(gongshi(capsys, demo, "draw", NEW, *SOURCE_ARGS),
            "尚未开奖")
    assert len(log_lines(demo)) == before + 1

    clock.set("2024-01-18T09:00:00+08:00")
    code, out, err = gongshi(capsys, demo, "draw", NEW, *SOURCE_ARGS)
    assert code == 0, err
    listing = parse_listing((demo.secrets / NEW / "listing-0.csv").read_bytes())
    assert listing and all(len(line.inspectors) == 2 for line in listing)
    assert not (demo.data / "draws" / NEW / "listing-0.csv").exists()  # secret until reveal

    # Drawing twice is refused (never an edited rerun).
    clock.set("2024-01-18T10:00:00+08:00")
    refused(gongshi(capsys, demo, "draw", NEW, *SOURCE_ARGS),
            "已于", "抽取", "不能再次抽取")

    # Reassign: a reason outside the closed list is a usage error (exit 2).
    target = listing[0]
    with_bad_reason = gongshi(capsys, demo, "reassign", NEW, "--enterprise", target.code,
                              "--inspector", target.inspectors[0], "--reason", "sick")
    assert with_bad_reason[0] == 2 and "参数错误" in with_bad_reason[2]
    clock.set("2024-01-19T09:00:00+08:00")
    code, out, err = gongshi(capsys, demo, "reassign", NEW, "--enterprise", target.code,
                             "--inspector", target.inspectors[0], "--reason", "unavailable")
    assert code == 0, err
    after = {ln.code: ln for ln in parse_listing((demo.secrets / NEW / "listing-1.csv").read_bytes())}
    assert target.inspectors[0] not in after[target.code].inspectors
    assert target.code.encode() not in log_lines(demo)[-1]  # no enterprise code in the log

    # Revealing before the task's completion date is refused.
    clock.set("2024-02-20T09:00:00+08:00")
    refused(gongshi(capsys, demo, "reveal", NEW), "尚未检查完成")
    clock.set("2024-02-29T09:00:00+08:00")
    code, out, err = gongshi(capsys, demo, "reveal", NEW)
    assert code == 0, err
    public = demo.data / "draws" / NEW
    assert {"code.txt", "listing.csv", "listing-0.csv", "listing-1.csv", "cutoffs.csv",
            "exclusions.csv"} <= {p.name for p in public.iterdir()}
    if protocol == 2:  # recusals only of the selected enterprises; the display file bound
        announce = next(json.loads(line) for line in log_lines(demo)
                        if f'"task":"{NEW}"'.encode() in line and b'"type":"announce"' in line)
        roster = task_inputs(demo.data, announce, {})["roster.csv"]  # from the snapshot store
        assert all(not row[5] for row in parse_csv("roster.csv", roster))
        rows = parse_csv("recusals-selected.csv", (public / "recusals-selected.csv").read_bytes())
        assert sorted(r[0] for r in rows) == sorted(after)
        assert b"people_sha256" in log_lines(demo)[-1]

    # Publishing results that do not cover exactly the selection is refused: one missing …
    codes = sorted(after)
    write_results(demo, NEW, codes[1:])
    clock.set("2024-03-01T09:00:00+08:00")
    refused(gongshi(capsys, demo, "publish", NEW), "恰好覆盖", "缺少 1 家", codes[0])
    # … or one extra (an enterprise of the directory that was not drawn).
    outsider = next(c for c in population_counts(demo, 0) if c not in after)
    write_results(demo, NEW, [*codes, outsider])
    refused(gongshi(capsys, demo, "publish", NEW), "多出 1 家", outsider)
    write_results(demo, NEW, codes)
    code, out, err = gongshi(capsys, demo, "publish", NEW)
    assert code == 0, err
    assert len(log_lines(demo)) == before + 5  # announce, draw, reassign, reveal, publish

    done = subprocess.run([sys.executable, "-m", "generator.cli", "verify", "--data", str(demo.data)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"任务 {NEW} reassign.1.listing" in done.stdout
    assert f"任务 {NEW} results.sha256" in done.stdout
    if protocol == 2:
        assert f"[通过] 任务 {NEW} recusals-selected.proofs" in done.stdout
        assert f"[通过] 任务 {NEW} people.sha256" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("核验通过")


# --- refusals -----------------------------------------------------------------------------


def test_commit_refusals(demo_copy, capsys, clock):
    demo = demo_copy
    clock.set("2024-01-10T10:00:00+08:00")
    log_before = (demo.data / "log" / "draws.jsonl").read_bytes()

    # A task already committed.
    refused(gongshi(capsys, demo, "commit", "2023-07"), "已经公告", "重抽自")

    # A stratum under the floor of 20 members (a ratio below 100%).
    by_industry = population_counts(demo, 2)
    small, size = min(((k, v) for k, v in by_industry.items() if v), key=lambda kv: kv[1])
    unit_counts = Counter(
        r[4] for r in parse_csv("directory.csv", announced_directory(demo))
        if r[2] == small and r[6] == "存续" and r[5] < "2022-01-01")
    unit, members = unit_counts.most_common(1)[0]
    assert 0 < members < 20, (small, size, members)
    task = new_task(demo, "2024-90")
    task["分层"] = [
        {"名称": "小层", "条件": [{"列": "industry", "条件": "eq", "值": small},
                                 {"列": "unit", "条件": "eq", "值": unit}], "比例": "50%"},
        *task["分层"],
    ]
    write_task(demo, task)
    refused(gongshi(capsys, demo, "commit", "2024-90"), "不能公告", "分层 S1", "不少于 20")

    # Sources worth less than 64 bits (one 福彩3D draw: 10 bits).
    task = new_task(demo, "2024-91")
    task["随机源"] = [task["随机源"][3]]
    write_task(demo, task)
    refused(gongshi(capsys, demo, "commit", "2024-91"), "熵", "64 比特", "10.0")

    # An infeasible roster: groups of 4 from the enterprise's own station (stations have 2–4).
    task = new_task(demo, "2024-92")
    task["检查人员"] = {"抽取方式": "单一市场监管所随机", "每组人数": 4}
    write_task(demo, task)
    refused(gongshi(capsys, demo, "commit", "2024-92"), "不能公告", "可派检查人员", "每组 4 人")

    # An announcement on sources due in less than 24 hours.
    task = new_task(demo, "2024-93")
    for source in task["随机源"]:
        source["开奖时间"] = "2024-01-11T09:00:00+08:00"
    write_task(demo, task)
    refused(gongshi(capsys, demo, "commit", "2024-93"), "至少 24 小时")

    # Nothing was appended and nothing became public.
    assert (demo.data / "log" / "draws.jsonl").read_bytes() == log_before
    for task_id in ("2024-90", "2024-91", "2024-92", "2024-93"):
        assert not (demo.data / "draws" / task_id).exists()


def test_draw_reveal_publish_refusals_on_demo_tasks(demo_copy, capsys, clock):
    demo = demo_copy
    draw_args = SOURCE_ARGS
    log_before = (demo.data / "log" / "draws.jsonl").read_bytes()

    # 2023-07's first source is drawn on 2024-01-02 21:15 (Beijing): too early on the 2nd.
    clock.set("2024-01-02T20:00:00+08:00")
    refused(gongshi(capsys, demo, "draw", "2023-07", *draw_args), "尚未开奖", "2024001")
    # A task already drawn (2023-05), and one cancelled (2023-04).
    clock.set("2024-01-05T09:00:00+08:00")
    refused(gongshi(capsys, demo, "draw", "2023-05", *draw_args), "不能再次抽取")
    refused(gongshi(capsys, demo, "draw", "2023-04", *draw_args), "已取消")
    # Wrong numbers: a source with one number missing.
    refused(gongshi(capsys, demo, "draw", "2023-07", "--source", "3 8 15 21 27 33",
                    *draw_args[2:]), "号码")
    # Reveal before the draw (2023-07) and before completion (2023-06, completes in 2024).
    refused(gongshi(capsys, demo, "reveal", "2023-07"), "尚未抽取")
    refused(gongshi(capsys, demo, "reveal", "2023-06"), "尚未检查完成")
    # Publish before reveal.
    refused(gongshi(capsys, demo, "publish", "2023-05"), "尚未揭示")
    assert (demo.data / "log" / "draws.jsonl").read_bytes() == log_before


def test_usage_errors_exit_2(demo_copy, capsys):
    code, _out, err = gongshi(capsys, demo_copy, "reassign", "2023-05", "--enterprise", "X",
                              "--inspector", "R001", "--reason", "tired")
    assert code == 2 and "recusal" in err and "参数错误" in err
    code, _out, err = gongshi(capsys, demo_copy, "draw", "2023-07")  # --source is required
    assert code == 2 and "--source" in err


def test_reassign_refused_for_unknown_inspector(demo_copy, capsys, clock):
    demo = demo_copy
    clock.set("2024-01-05T09:00:00+08:00")
    line = parse_listing((demo.secrets / "2023-05" / "listing-0.csv").read_bytes())[0]
    outsider = "R999"
    assert outsider not in line.inspectors
    refused(gongshi(capsys, demo, "reassign", "2023-05", "--enterprise", line.code,
                    "--inspector", outsider, "--reason", "recusal"), "不能调整")


def test_data_dir_for_tests_is_a_copy(demo_copy, demo_master):
    assert Path(demo_copy.root) != Path(demo_master.root)
    assert (demo_copy.data / "log" / "draws.jsonl").read_bytes() == (
        demo_master.data / "log" / "draws.jsonl").read_bytes()
