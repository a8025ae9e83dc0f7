"""Each mistake a clerk makes gets one message naming its cause and its fix.

A misspelt header (检察结果), a title row above the header (also merged), codes mangled by Excel,
a value off the vocabulary, sources too soon to announce, a commit that fails, another task's
broken file: one finding or refusal each, in Chinese, with the fix, and nothing derived from it.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
from test_draws_cli import gongshi, new_task, write_task

from generator.commands.check import collect

AS_OF = dt.date(2023, 12, 29)


def results_file(demo, task: str = "2023-01"):
    return demo.data / "results" / f"{task}.csv"


def rewrite(path, change) -> None:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")


def errors_of(demo, file: str):
    return [f for f in collect(demo.data, AS_OF) if f.is_error and f.file and f.file.startswith(file)]


def test_misspelt_header_is_one_error_with_the_nearest_header(demo_copy):
    rewrite(results_file(demo_copy), lambda ls: [ls[0].replace("检查结果", "检察结果"), *ls[1:]])
    findings = collect(demo_copy.data, AS_OF)
    mine = [f for f in findings if f.file == "results/2023-01.csv"]
    assert [f.rule for f in mine] == ["schema.missing_column"], [f.text() for f in mine]
    assert "您是否想写「检查结果」" in mine[0].message and "检察结果" in mine[0].fix
    assert not any(f.rule == "references.missing_result" for f in findings)


def test_title_row_above_the_header_says_delete_it(demo_copy, tmp_path):
    rewrite(results_file(demo_copy), lambda ls: ["2023年度抽查结果汇总,,,,,,", *ls])
    (only,) = errors_of(demo_copy, "results/2023-01")
    assert only.rule == "schema.title_row" and "删除第 1 行" in only.fix
    # the same in Excel with the title merged across the columns
    results_file(demo_copy).unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2023年度抽查结果汇总"])
    ws.merge_cells("A1:G1")
    ws.append(["统一社会信用代码", "企业名称", "检查日期", "检查结果", "后续处置", "备注", "完成日期"])
    wb.save(demo_copy.data / "results" / "2023-01.xlsx")
    (only,) = errors_of(demo_copy, "results/2023-01")
    assert only.rule == "schema.title_row" and "合并" in only.fix


def test_excel_mangled_codes_get_an_excel_hint(demo_copy):
    def mangle(lines):
        first, second = lines[1].split(","), lines[2].split(",")
        first[0] = "9.14199991530352E+17"
        second[0] = second[0][:15] + "000"
        return [lines[0], ",".join(first), ",".join(second), *lines[3:]]

    rewrite(results_file(demo_copy), mangle)
    errs = [f for f in errors_of(demo_copy, "results/2023-01") if f.rule.startswith("uscc")]
    assert len(errs) == 2
    sci, zeros = sorted(errs, key=lambda f: f.row)
    assert "科学计数法" in sci.message and "文本" in sci.fix
    assert "15 位有效数字" in zeros.message and "文本" in zeros.fix


def test_value_off_the_vocabulary_suggests_the_nearest(demo_copy):
    rewrite(results_file(demo_copy), lambda ls: [ls[0], ls[1].replace("未发现开展本次抽查涉及的经营活动", "未发现开展本次抽查涉及的经营"), *ls[2:]])
    (err,) = [f for f in errors_of(demo_copy, "results/2023-01") if f.rule == "schema.vocab"]
    assert "您是否想写「未发现开展本次抽查涉及的经营活动」" in err.message


def test_sources_too_soon_warned_by_check_and_refused_in_beijing_time(demo_copy, capsys, clock, monkeypatch):
    write_task(demo_copy, new_task(demo_copy))  # sources drawn 2024-01-16/17
    clock.set("2024-01-16T10:00:00+08:00")
    warnings = [f for f in collect(demo_copy.data, dt.date(2024, 1, 16)) if f.rule == "draws.timing"]
    assert warnings and "tasks/2024-01.yaml" in warnings[0].message
    code, _out, err = gongshi(capsys, demo_copy, "commit", "2024-01")
    assert code == 1
    assert "tasks/2024-01.yaml" in err and "北京时间" in err and "期号" in err
    assert "params.json" not in err and "Z" not in err.replace("gongshi", "")
    assert not (demo_copy.secrets / "2024-01").exists() and not (demo_copy.data / "draws" / "2024-01").exists()


def test_failed_commit_leaves_nothing_behind(demo_copy, capsys, clock):
    write_task(demo_copy, new_task(demo_copy))
    (demo_copy.secrets / "log.key").unlink()
    clock.set("2024-01-10T10:00:00+08:00")
    code, _out, err = gongshi(capsys, demo_copy, "commit", "2024-01")
    assert code == 1 and "log.key" in err and "备份" in err
    assert not (demo_copy.secrets / "2024-01").exists()
    assert not (demo_copy.data / "draws" / "2024-01").exists()


def test_another_tasks_broken_file_blocks_only_that_task(demo_copy, capsys):
    rewrite(results_file(demo_copy, "2023-02"), lambda ls: [ls[0].replace("检查结果", "检察结果"), *ls[1:]])
    code, out, err = gongshi(capsys, demo_copy, "publish", "2023-01")
    assert code == 0 and "没有写入日志" in out
    assert "其他任务（2023-02）" in err
    code, _out, err = gongshi(capsys, demo_copy, "publish", "2023-02")
    assert code == 1 and "检察结果" in err


def test_a_failed_append_undoes_the_operations_writes(demo_copy, capsys, clock, monkeypatch):
    """Whatever fails before the log entry (here the append itself), the files written by the
    operation are put back: a correction's refused append keeps the published results.csv."""
    from generator.draws.workspace import DrawRefused

    results = demo_copy.data / "draws" / "2023-01" / "results.csv"
    before = results.read_bytes()
    rewrite(results_file(demo_copy), lambda ls: [ls[0], ls[1].replace("未发现开展本次抽查涉及的经营活动", "未发现问题"), *ls[2:]])

    def refuse(*_a, **_k):
        raise DrawRefused("日志被其他进程占用")

    monkeypatch.setattr("generator.draws.reveal.append_entry", refuse)
    clock.set("2023-12-28T10:00:00+08:00")
    code, _out, err = gongshi(capsys, demo_copy, "publish", "2023-01", "--correction", "录入错误")
    assert code == 1 and "占用" in err
    assert results.read_bytes() == before
    monkeypatch.setattr("generator.draws.commit.append_entry", refuse)
    write_task(demo_copy, new_task(demo_copy))
    clock.set("2024-01-10T10:00:00+08:00")
    assert gongshi(capsys, demo_copy, "commit", "2024-01")[0] == 1
    assert not (demo_copy.secrets / "2024-01").exists() and not (demo_copy.data / "draws" / "2024-01").exists()
