"""Lists drawn elsewhere (名单来源 协同监管平台抽取 / 上级下发): ``gongshi import-list`` fixes the
list in the log, refuses bad files and a second import without changing anything on disk, and
``gongshi verify`` / ``verify.py`` name the task whose published list differs from the logged hash."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys

import yaml
from test_draws_cli import (  # noqa: F401
    announced_directory,
    base_task,
    gongshi,
    log_lines,
    refused,
    write_results,
)

TASK = "2024-P1"


def platform_task(demo) -> dict:
    task = copy.deepcopy(base_task(demo))
    for key in ("随机源", "哈希链长度", "排除规则"):
        task.pop(key, None)
    task.update({"编号": TASK, "名称": "2024年度部门联合抽查（协同监管平台抽取）", "公告日期": "2024-01-10",
                 "检查开始": "2024-01-22", "检查结束": "2024-02-23", "完成日期": "2024-02-28",
                 "名单来源": "协同监管平台抽取",
                 "名单出处": {"平台任务编号": "41038120240001", "抽取机关": "示例区市场监管局（部门协同监管平台）",
                          "日期": "2024-01-12"}})
    return task


def setup(demo, n: int = 4) -> list[str]:
    path = demo.data / "tasks" / f"{TASK}.yaml"
    path.write_text(yaml.safe_dump(platform_task(demo), allow_unicode=True, sort_keys=False), encoding="utf-8")
    rows = announced_directory(demo).decode("utf-8").splitlines()[1:]
    return [r.split(",")[0] for r in rows[:n]]


def write_list(demo, lines: list[str], name: str = "平台名单.csv"):
    path = demo.root / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snapshot(demo) -> dict[str, bytes]:
    return {p.relative_to(demo.root).as_posix(): p.read_bytes()
            for p in sorted(demo.root.rglob("*")) if p.is_file() and not p.name.endswith(".csv")
            or p.is_file() and "平台名单" not in p.name}


def run_verify(capsys, demo, *tasks):
    from generator.cli import main

    code = main(["verify", "--data", str(demo.data), *tasks])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_publish_and_verify_an_imported_list(demo_copy, capsys, clock, verify_py):  # noqa: F811
    demo = demo_copy
    codes = setup(demo)
    good = write_list(demo, ["统一社会信用代码,企业名称", *[f"{c},某企业" for c in codes]])
    clock.set("2024-01-12T15:00:00+08:00")

    # Bad inputs: Chinese message with file, row, column and fix; nothing changed on disk.
    before = snapshot(demo)
    wrong_columns = write_list(demo, ["企业名称,地址", "甲公司,某路1号"], "平台名单-列.csv")
    err = refused(gongshi(capsys, demo, "import-list", TASK, str(wrong_columns)), "缺少必需的列", "统一社会信用代码",
                  "第 1 行", "如何修改")
    unknown = write_list(demo, ["统一社会信用代码", codes[0], "91410381MA0000001J"], "平台名单-码.csv")
    err = refused(gongshi(capsys, demo, "import-list", TASK, str(unknown)), "不在检查对象名录库中", "第 3 行",
                  "统一社会信用代码", "如何修改")
    dup = write_list(demo, ["统一社会信用代码", codes[0], codes[1], codes[0]], "平台名单-重.csv")
    err = refused(gongshi(capsys, demo, "import-list", TASK, str(dup)), "出现两次", "第 4 行", "第 2 行", "如何修改")
    assert "磁盘上没有任何改动" in err
    refused(gongshi(capsys, demo, "commit", TASK), "import-list")
    assert snapshot(demo) == before

    # The import: one entry with hash, rows and provenance; the list kept under secrets/ only.
    n = len(log_lines(demo))
    code, out, err = gongshi(capsys, demo, "import-list", TASK, str(good))
    assert code == 0, err
    entry = json.loads(log_lines(demo)[-1])
    assert len(log_lines(demo)) == n + 1 and entry["type"] == "import" and entry["rows"] == len(codes)
    assert entry["source"] == "platform" and entry["reference"] == "41038120240001" and entry["date"] == "2024-01-12"
    secret = demo.secrets / TASK / f"imported-{entry['seq']}.csv"
    assert hashlib.sha256(secret.read_bytes()).hexdigest() == entry["list_sha256"]
    assert secret.stat().st_mode & 0o077 == 0 and not (demo.data / "draws" / TASK).exists()

    # A second import is refused; a correction is a new visible entry saying what changed.
    before = snapshot(demo)
    refused(gongshi(capsys, demo, "import-list", TASK, str(good)), "不能再次导入", "--更正")
    assert snapshot(demo) == before
    fixed = write_list(demo, ["统一社会信用代码", *codes[:-1]], "平台名单-更正.csv")
    code, out, err = gongshi(capsys, demo, "import-list", TASK, str(fixed), "--更正", "平台撤回一户已注销企业")
    assert code == 0, err
    corr = json.loads(log_lines(demo)[-1])
    assert corr["corrects"] == entry["seq"] and "删除 1 家" in corr["change"] and codes[-1] in corr["change"]

    # Publication: the list in force becomes public with the results; both verifiers agree.
    write_results(demo, TASK, codes[:-1])
    clock.set("2024-03-01T10:00:00+08:00")
    code, out, err = gongshi(capsys, demo, "publish", TASK)
    assert code == 0, err
    published = demo.data / "draws" / TASK / "imported.csv"
    assert hashlib.sha256(published.read_bytes()).hexdigest() == corr["list_sha256"]
    code, out, err = run_verify(capsys, demo, TASK)
    assert code == 0, out + err
    assert "本站无法复算" in out and f"任务 {TASK}" in out
    ok = subprocess.run([sys.executable, str(verify_py), str(demo.data), TASK], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout

    # Changing the published list: both verifiers fail and name the task.
    published.write_bytes(published.read_bytes().replace(codes[0].encode(), codes[-1].encode()))
    code, out, err = run_verify(capsys, demo)
    assert code == 1 and f"[不一致] 任务 {TASK} import.list" in out
    bad = subprocess.run([sys.executable, str(verify_py), str(demo.data)], capture_output=True, text=True)
    assert bad.returncode == 1 and f"[不一致] 任务 {TASK} import.list" in bad.stdout


def test_log_refuses_import_rules():
    from generator.tlog.entries import ZERO_HASH, ChainState, make_entry

    fields = {"type": "import", "task": "T", "source": "superior", "list_sha256": "a" * 64, "rows": 3,
              "reference": "豫市监〔2024〕1号", "issuer": "洛阳市市场监督管理局", "date": "2024-01-05"}
    state = ChainState()
    first = make_entry(fields, 0, "2024-01-05T01:00:00Z", ZERO_HASH)
    assert state.problem(first) is None
    state.add(first)
    again = make_entry(fields, 1, "2024-01-06T01:00:00Z", first["hash"])
    assert "更正" in state.problem(again)
    fix = make_entry({**fields, "list_sha256": "b" * 64, "corrects": 0, "change": "上级更正"}, 1,
                     "2024-01-06T01:00:00Z", first["hash"])
    assert state.problem(fix) is None
    announce = make_entry({"type": "cancel", "task": "T", "reason": "计划调整"}, 1, "2024-01-06T01:00:00Z",
                          first["hash"])
    assert state.problem(announce) is None  # an imported task may be cancelled without announce
