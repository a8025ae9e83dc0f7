"""A clerk's whole path, driven only by the CLI and XLSX files made by ``gongshi template``:
``gongshi init`` → fill the directory, roster and task form in Excel → check → commit → draw
(the work list) → results → reveal → publish → the published task on the site; publishing
again changes nothing. The YAML form of the same task gives byte-identical ``params.json``.

The log's times come from the system clock; as in tests/test_draws_cli.py the clock of
``Workspace.at`` is patched so that the task's timeline can be walked through in seconds.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
from site_helpers import tree_hashes

from generator.cli import main
from generator.protocol.encoding import uscc_check_char
from generator.site.build import build_site

TASK = "2024-01"
NUMBERS = ["3 8 15 21 27 33 9", "4 12 19 25 33 2 7", "1 2 3 4 5"]


def codes(n: int) -> list[str]:
    out = []
    for i in range(n):
        first = f"914199990000{i:05d}"
        out.append(first + uscc_check_char(first))
    return out


def gongshi(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


def fill_table(template: Path, dest: Path, rows: list[dict]) -> None:
    """Fill the template's first sheet under its headers, as a clerk would, and save to dest."""
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(r, headers.index(header) + 1, value)
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)


def fill_form(template: Path, dest: Path, values: dict[str, object]) -> None:
    """Fill column B of the task form by the labels of column A (a label given as a list fills
    that many rows of the same label, e.g. several 抽取范围 conditions)."""
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    pending = {k: list(v) if isinstance(v, list) else [v] for k, v in values.items()}
    for row in ws.iter_rows(min_row=2):
        label = row[0].value
        if pending.get(label):
            row[1].value = pending[label].pop(0)
    assert not any(pending.values()), pending
    wb.save(dest)


TASK_FORM = {
    "编号": TASK, "名称": "2024年度登记事项不定向抽查", "年度": 2024, "发起科室": "信用监管科",
    "抽查事项": "SX01", "抽查类型": "不定向", "模式": "公开",
    "抽取范围": ["登记状态 等于 存续", "成立日期 早于 2023-01-01"],
    "检查方式": "现场检查、网络检查",
    "公告日期": dt.date(2024, 3, 1), "检查开始": dt.date(2024, 3, 11), "检查结束": dt.date(2024, 4, 30),
    "分层1·名称": "全部", "分层1·比例": 0.2,
    "检查人员·抽取方式": "全局内随机", "检查人员·每组人数": 2,
    "随机源1·名称": "中国福利彩票双色球", "随机源1·玩法": "ssq", "随机源1·期号": "2024025",
    "随机源1·开奖时间": dt.datetime(2024, 3, 3, 21, 15), "随机源1·取数": "红球 6 个（从小到大）后接蓝球 1 个",
    "随机源1·个数": 7, "随机源1·有序": "是", "随机源1·备用规则": "若该期未按期开奖，取下一期",
    "随机源1·网址": "https://www.cwl.gov.cn/ygkj/wqkjgg/ssq/",
    "随机源2·名称": "中国体育彩票超级大乐透", "随机源2·玩法": "dlt", "随机源2·期号": "2024024",
    "随机源2·开奖时间": "2024-03-04 21:25", "随机源2·取数": "前区 5 个后接后区 2 个", "随机源2·个数": "7",
    "随机源2·有序": "是", "随机源2·备用规则": "取下一期", "随机源2·网址": "https://www.lottery.gov.cn/",
    "随机源3·名称": "中国体育彩票排列5", "随机源3·玩法": "pl5", "随机源3·期号": "24055",
    "随机源3·开奖时间": "2024-03-04 21:25", "随机源3·取数": "按开奖顺序 5 个号码", "随机源3·个数": 5,
    "随机源3·有序": "是", "随机源3·备用规则": "取下一期", "随机源3·网址": "https://www.lottery.gov.cn/",
}

TASK_YAML = """\
编号: 2024-01
名称: 2024年度登记事项不定向抽查
年度: 2024
发起科室: xinyong
抽查事项: [SX01]
抽查类型: 不定向
模式: 公开
抽取范围:
- {列: status, 条件: eq, 值: 存续}
- {列: registered, 条件: before, 值: 2023-01-01}
分层:
- {名称: 全部, 比例: "20%"}
检查人员: {抽取方式: 全局内随机, 每组人数: 2}
检查方式: [现场检查, 网络检查]
公告日期: 2024-03-01
检查开始: 2024-03-11
检查结束: 2024-04-30
随机源:
- {名称: 中国福利彩票双色球, 玩法: ssq, 期号: '2024025', 开奖时间: '2024-03-03T21:15:00+08:00',
   取数: 红球 6 个（从小到大）后接蓝球 1 个, 个数: 7, 有序: true, 备用规则: 若该期未按期开奖，取下一期,
   网址: 'https://www.cwl.gov.cn/ygkj/wqkjgg/ssq/'}
- {名称: 中国体育彩票超级大乐透, 玩法: dlt, 期号: '2024024', 开奖时间: '2024-03-04T21:25:00+08:00',
   取数: 前区 5 个后接后区 2 个, 个数: 7, 有序: true, 备用规则: 取下一期, 网址: 'https://www.lottery.gov.cn/'}
- {名称: 中国体育彩票排列5, 玩法: pl5, 期号: '24055', 开奖时间: '2024-03-04T21:25:00+08:00',
   取数: 按开奖顺序 5 个号码, 个数: 5, 有序: true, 备用规则: 取下一期, 网址: 'https://www.lottery.gov.cn/'}
"""


def test_clerk_path_from_init_to_published_task(tmp_path, capsys, clock):
    office, tpl = tmp_path / "office", tmp_path / "templates"
    data, secrets = office / "data", office / "secrets"
    dirs = ["--data", str(data), "--secrets", str(secrets)]
    code, out, _ = gongshi(capsys, "init", str(office), "--name", "测试区市场监督管理局",
                           "--url", "https://gongshi.test.example/")
    assert code == 0 and "log.key" in out and (secrets / "log.key").exists()
    assert gongshi(capsys, "init", str(office), "--name", "x", "--url", "https://x/")[0] == 1  # never twice
    code, out, _ = gongshi(capsys, "template", str(tpl))
    assert code == 0 and {p.name for p in tpl.iterdir()} >= {"名录库.xlsx", "检查人员.xlsx", "experts.xlsx",
                                                              "任务编号.xlsx", "任务.xlsx", "数据文件说明.md"}
    # The fresh office checks clean before anything is filled in.
    assert gongshi(capsys, "check", "--data", str(data), "--as-of", "2024-01-01")[0] == 0

    enterprise_codes = codes(30)
    fill_table(tpl / "名录库.xlsx", data / "directory" / "名录库.xlsx", [
        {"统一社会信用代码": c, "企业名称": f"测试区第{i}商贸有限公司", "市场主体类型": "企业",
         "行业": "批发和零售业", "行业风险等级": "中", "所属监管所": "第一市场监管所" if i % 2 else "s01",
         "成立日期": dt.date(2015, 1, 1) + dt.timedelta(days=i), "登记状态": "存续",
         "住所": f"测试区人民路 {i} 号"}
        for i, c in enumerate(enterprise_codes)])
    fill_table(tpl / "检查人员.xlsx", data / "roster" / "检查人员.xlsx", [
        {"人员编号": f"R{i:03d}", "姓名": name, "单位": unit, "执法证号": f"4199000{i:04d}", "执法资格": "是"}
        for i, (name, unit) in enumerate([("张一", "信用监管科"), ("王二", "信用监管科"),
                                          ("李三", "第一市场监管所"), ("赵四", "s01")], start=1)])
    fill_form(tpl / "任务.xlsx", data / "tasks" / f"{TASK}.xlsx", TASK_FORM)

    clock.set("2024-03-01T10:00:00+08:00")
    code, out, err = gongshi(capsys, "check", "--data", str(data), "--as-of", "2024-03-01")
    assert code == 0, out + err
    twin = tmp_path / "twin"
    shutil.copytree(office, twin)
    (twin / "data" / "tasks" / f"{TASK}.xlsx").unlink()
    (twin / "data" / "tasks" / f"{TASK}.yaml").write_text(TASK_YAML, encoding="utf-8")

    code, out, err = gongshi(capsys, "commit", TASK, *dirs)
    assert code == 0, err
    assert "北京时间" in out
    code, _out, err = gongshi(capsys, "commit", TASK, "--data", str(twin / "data"), "--secrets", str(twin / "secrets"))
    assert code == 0, err
    params = (data / "draws" / TASK / "params.json").read_bytes()
    assert params == (twin / "data" / "draws" / TASK / "params.json").read_bytes()

    clock.set("2024-03-05T10:00:00+08:00")
    sources = [a for n in NUMBERS for a in ("--source", n)]
    code, out, err = gongshi(capsys, "draw", TASK, *sources, *dirs)  # not a terminal: must confirm
    assert code == 1 and "--yes" in err and "密钥串：3.8.15.21.27.33.9./" in out
    code, out, err = gongshi(capsys, "draw", TASK, *sources, "--yes", *dirs)
    assert code == 0, err
    assert "共抽中 6 户" in out and "S1 全部 6 户" in out and "工作清单" in out
    worklist = secrets / TASK / "工作清单.xlsx"
    assert worklist.stat().st_mode & 0o077 == 0
    sheet = openpyxl.load_workbook(worklist).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "所属监管所", "统一社会信用代码", "企业名称", "住所")
    drawn = [r[2] for r in rows[1:]]
    assert len(drawn) == 6 and set(drawn) <= set(enterprise_codes)
    assert all(r[3].startswith("测试区第") and r[7] and "、" in r[7] for r in rows[1:])
    assert [r[1] for r in rows[1:]] == sorted(r[1] for r in rows[1:])

    # Results from the results template; the task form gets its 完成日期.
    fill_table(tpl / "任务编号.xlsx", data / "results" / f"{TASK}.xlsx", [
        {"统一社会信用代码": c, "检查日期": dt.date(2024, 4, 1), "检查结果": "未发现问题",
         "后续处置": "未发现问题或相关问题已规范、已改正，无需后续处置", "完成日期": dt.date(2024, 4, 30)}
        for c in drawn])
    fill_form(tpl / "任务.xlsx", data / "tasks" / f"{TASK}.xlsx", {**TASK_FORM, "完成日期": dt.date(2024, 4, 30)})

    clock.set("2024-05-06T10:00:00+08:00")
    code, _out, err = gongshi(capsys, "reveal", TASK, *dirs)
    assert code == 0, err
    clock.set("2024-05-07T10:00:00+08:00")
    code, _out, err = gongshi(capsys, "publish", TASK, *dirs)
    assert code == 0, err

    site = build_site(str(data), dt.date(2024, 5, 8), tmp_path / "site")
    page = (site / "tasks" / TASK / "index.html").read_text(encoding="utf-8")
    assert "检查结果公告" in page and "按时公示" in page and drawn[0] in page
    before = tree_hashes(site)
    log = (data / "log" / "draws.jsonl").read_bytes()
    code, out, _ = gongshi(capsys, "publish", TASK, *dirs)
    assert code == 0 and "没有写入日志" in out
    assert (data / "log" / "draws.jsonl").read_bytes() == log
    assert tree_hashes(build_site(str(data), dt.date(2024, 5, 8), tmp_path / "site2")) == before
    assert gongshi(capsys, "verify", "--site", str(site))[0] == 0
