"""gongshi check / gongshi deadline end to end (through generator.cli.main)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import types

import pytest
from datamin import CODES, DIRECTORY_HEADER, TASK, csv_text, directory_rows, write_data_min

from generator.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_clean_data_exits_0(tmp_path, capsys):
    root = write_data_min(tmp_path)
    code, out, _ = run(capsys, "check", "--data", str(root), "--as-of", "2023-09-01")
    assert code == 0 and out.strip().splitlines()[-1] == "共 0 个错误，0 个警告。"


def test_check_json(tmp_path, capsys):
    root = write_data_min(tmp_path)
    (root / "results" / "2023-01.csv").write_text(
        "统一社会信用代码,检查日期,检查结果\n" + CODES[0] + ",2023-05-10,查无此项\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", "--data", str(root), "--as-of", "2023-09-01", "--json")
    body = json.loads(out)
    assert code == 1 and body["errors"] == 1
    (f,) = body["findings"]
    assert (f["file"], f["row"], f["column"], f["value"], f["rule"]) == (
        "results/2023-01.csv", 2, "检查结果", "查无此项", "schema.vocab")


def test_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--as-of", "2023-13-01"])
    assert exc.value.code == 2
    assert "参数错误" in capsys.readouterr().err


def _bad_code(c: str) -> str:
    return c[:-1] + ("0" if c[-1] != "0" else "1")


def _edit_directory(root, fn):
    rows = directory_rows()
    fn(rows)
    (root / "directory" / "enterprises.csv").write_text(csv_text(DIRECTORY_HEADER, rows), encoding="utf-8")


def _append(root, rel, line):
    with open(root / rel, "a", encoding="utf-8") as fh:
        fh.write(line)


# each: (edit, expected file, row, column, rule)
CASES = {
    "uscc": (lambda r: _edit_directory(r, lambda rows: rows[2].__setitem__(0, _bad_code(rows[2][0]))),
             "directory/enterprises.csv", 4, "统一社会信用代码", "uscc.checksum"),
    "duplicate code": (lambda r: _edit_directory(r, lambda rows: rows.append(list(rows[3]))),
                       "directory/enterprises.csv", 32, "统一社会信用代码", "duplicates.code"),
    "date": (lambda r: _edit_directory(r, lambda rows: rows[0].__setitem__(6, "2023年13月1日")),
             "directory/enterprises.csv", 2, "成立日期", "schema.date"),
    "unit": (lambda r: _edit_directory(r, lambda rows: rows[1].__setitem__(5, "火星所")),
             "directory/enterprises.csv", 3, "所属监管所", "references.unit"),
    "pii": (lambda r: _edit_directory(r, lambda rows: rows[1].__setitem__(8, "中心路 13800138000")),
            "directory/enterprises.csv", 3, "住所", "pii.mobile"),
    "risk in public column": (lambda r: _edit_directory(r, lambda rows: rows[1].__setitem__(4, "C类")),
                              "directory/enterprises.csv", 3, "行业风险等级", "risk.public_column"),
    "duplicate inspector": (lambda r: _append(r, "roster/experts.csv", "ys001,某专家,某单位,,\n"),
                            "roster/experts.csv", 4, "人员编号", "duplicates.person"),
    "bool": (lambda r: _append(r, "roster/inspectors.csv", "YS009,某人,s01,科员,,9,也许,,,,\n"),
             "roster/inspectors.csv", 8, "执法资格", "schema.bool"),
    "result vocab": (lambda r: _append(r, "results/2023-01.csv", f"{CODES[7]},,2023-05-10,很好,,,\n"),
                     "results/2023-01.csv", 5, "检查结果", "schema.vocab"),
    "result uscc": (lambda r: _append(r, "results/2023-01.csv", f"{_bad_code(CODES[7])},,2023-05-10,未发现问题,,,\n"),
                    "results/2023-01.csv", 5, "统一社会信用代码", "uscc.checksum"),
    "ratio": (lambda r: (r / "tasks" / "2023-01.yaml").write_text(TASK.replace('"5%"', "五成"), encoding="utf-8"),
              "tasks/2023-01.yaml", TASK.splitlines().index('    比例: "5%"') + 1, "比例", "schema.ratio"),
    "item ref": (lambda r: (r / "tasks" / "2023-01.yaml").write_text(TASK.replace("[A01, A02]", "[A01, B07]"),
                                                                     encoding="utf-8"),
                 "tasks/2023-01.yaml", None, "抽查事项", "references.item"),
    "risk mode": (lambda r: (r / "tasks" / "2023-01.yaml").write_text(
        TASK.replace("{列: 登记状态, 条件: 等于, 值: 存续}", "{列: 信用风险分类, 条件: 等于, 值: D}"), encoding="utf-8"),
        "tasks/2023-01.yaml", None, "模式", "risk.public_mode"),
    "yaml syntax": (lambda r: (r / "items.yaml").write_text("- 编号: A01\n  抽查事项: [x\n", encoding="utf-8"),
                    "items.yaml", 3, None, "schema.yaml"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_kind_of_error_exits_1_naming_file_row_column(tmp_path, capsys, name):
    edit, file, row, column, rule = CASES[name]
    root = write_data_min(tmp_path)
    edit(root)
    code, out, _ = run(capsys, "check", "--data", str(root), "--as-of", "2023-09-01", "--json")
    assert code == 1
    findings = [f for f in json.loads(out)["findings"] if f["severity"] == "error"]
    assert any(
        f["rule"] == rule and f["file"] == file and (row is None or f["row"] == row)
        and (column is None or f["column"] == column) and f["message"] and f["fix"]
        for f in findings
    ), findings
    # the text view names the same place
    code, text, _ = run(capsys, "check", "--data", str(root), "--as-of", "2023-09-01")
    assert code == 1 and f"文件 {file}" in text and "如何修改" in text


@pytest.fixture
def fake_state(monkeypatch):
    """Stand-in for generator.state.check_context_extras (the lead's module)."""
    published: dict = {}
    mod = types.ModuleType("generator.state")
    mod.check_context_extras = lambda data_dir, model, as_of: {"published": dict(published)}
    monkeypatch.setitem(sys.modules, "generator.state", mod)
    return published


def test_late_and_overdue_are_warnings_exit_0(tmp_path, capsys, fake_state):
    root = write_data_min(tmp_path)
    code, out, _ = run(capsys, "check", "--data", str(root), "--as-of", "2023-08-04", "--json")
    body = json.loads(out)
    assert code == 0 and [f["rule"] for f in body["findings"]] == ["deadline.overdue"]
    assert body["findings"][0]["severity"] == "warning"
    fake_state["2023-01"] = dt.date(2023, 8, 2)
    code, out, _ = run(capsys, "check", "--data", str(root), "--as-of", "2023-09-01")
    assert code == 0 and "晚于公示期限 2023-07-28" in out and "3 个工作日" in out
    assert out.strip().splitlines()[-1] == "共 0 个错误，1 个警告。"


# ---------------------------------------------------------------------------------------------
# gongshi deadline


@pytest.mark.parametrize(
    "date, n, expected",
    [("2023-06-30", None, "2023-07-28"), ("2023/9/28", None, "2023-11-01"), ("2023年10月7日", "1", "2023-10-08"),
     ("20240929", "1", "2024-09-30"), ("2025-09-28", "3", "2025-10-09"), ("2026-02-14", "1", "2026-02-24")],
)
def test_deadline(tmp_path, capsys, date, n, expected):
    argv = ["deadline", date, "--data", str(tmp_path)] + (["--workdays", n] if n else [])
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out.strip().splitlines()[-1] == expected


def test_deadline_refuses_a_year_without_schedule(tmp_path, capsys):
    code, out, err = run(capsys, "deadline", "2026-12-10", "--data", str(tmp_path))
    assert code == 1 and out == "" and "2027" in err and "portal.yaml" in err


def test_deadline_uses_portal_overrides(tmp_path, capsys):
    root = write_data_min(tmp_path)
    _append(root, "portal.yaml", "节假日:\n  2027:\n    来源: 通知\n    放假: [2027-01-01]\n")
    code, out, _ = run(capsys, "deadline", "2026-12-10", "--data", str(root))
    assert code == 0 and out.strip().splitlines()[-1] == "2027-01-08"


def test_deadline_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["deadline", "2023-03-06", "--workdays", "0"])
    assert exc.value.code == 2
