"""Review of issue 2 (Foundation): the demo data end to end, with draw information.

- ``gongshi check`` on the repository's demo data (as of 2023-12-29) exits 0 and lists the late
  and overdue tasks as warnings of their kind.
- Each referential / group / duplicate error introduced into a copy of the demo data (with its
  ``secrets/`` beside it, so the selections are known) makes ``gongshi check`` exit 1 naming
  file, row and column.
- Loader rules that had no failing case: duplicates.file, duplicates.vocab, references.vocab,
  schema.encoding, schema.type, schema.unknown_key.
- ``gongshi deadline`` against an oracle built from domain-rules §6.2/§6.3 (written here
  independently of tests/test_workdays.py), and refusal of years without a schedule.
- The whole demo folder re-encoded (directory GB18030 -> UTF-8, results UTF-8 -> GB18030 with
  2023年3月6日 dates) loads to the same model.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from datamin import CODES, write_data_min

from generator.cli import main
from generator.load import load_model

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"



def check_json(capsys, data: Path, as_of: str = "2023-12-29") -> tuple[int, list[dict]]:
    code = main(["check", "--data", str(data), "--as-of", as_of, "--json"])
    return code, json.loads(capsys.readouterr().out)["findings"]


# ------------------------------------------------------------------------------ demo data


def test_demo_check_exits_0_and_lists_late_and_overdue(capsys):
    code, findings = check_json(capsys, DATA)
    assert code == 0
    assert not [f for f in findings if f["severity"] == "error"]
    kinds = {(f["rule"], f["task"]) for f in findings if f["severity"] == "warning"}
    assert ("deadline.late", "2023-02") in kinds
    assert ("deadline.overdue", "2023-03") in kinds
    late = next(f for f in findings if f["rule"] == "deadline.late")
    assert "11 个工作日" in late["message"] and late["file"] == "tasks/2023-02.yaml" and late["row"]
    over = next(f for f in findings if f["rule"] == "deadline.overdue")
    assert "23 个工作日" in over["message"] and over["column"] == "完成日期"


def _rows(path: Path) -> tuple[list[list[str]], str]:
    raw = path.read_bytes()
    try:
        text, enc = raw.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        text, enc = raw.decode("gb18030"), "gb18030"
    return list(csv.reader(io.StringIO(text, newline=""))), enc


def _write(path: Path, rows: list[list[str]], enc: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(enc))


def _listing(data: Path, task: str = "2023-01") -> list[list[str]]:
    text = (data / "draws" / task / "listing.csv").read_text("utf-8")
    return [ln.split(",") for ln in text.splitlines() if ln and not ln.startswith("#")]


def _directory(data: Path) -> Path:
    return next((data / "directory").glob("*.csv"))


def _results_not_selected(data: Path):
    selected = {ln[0] for ln in _listing(data)}
    rows, _ = _rows(_directory(data))
    code = next(r[0] for r in rows[1:] if r[0] not in selected)
    path = data / "results" / "2023-01.csv"
    res, enc = _rows(path)
    res.append([code, "", "2023-04-03", "未发现问题", "1", "", "2023-06-30"])
    _write(path, res, enc)
    return "references.not_selected", "results/2023-01.csv", len(res), "统一社会信用代码", code


def _missing_result(data: Path):
    path = data / "results" / "2023-01.csv"
    res, enc = _rows(path)
    gone = res.pop(3)
    _write(path, res, enc)
    # a missing row has no row number: the finding names the file, the column and the code
    return "references.missing_result", "results/2023-01.csv", None, "统一社会信用代码", gone[0]


def _inspector_edit(data: Path, fn) -> str:
    who = _listing(data)[0][3].split(";")[0]
    path = data / "roster" / "inspectors.csv"
    rows, enc = _rows(path)
    rows = fn(rows, who)
    _write(path, rows, enc)
    return who


def _unknown_inspector(data: Path):
    who = _inspector_edit(data, lambda rows, who: [r for r in rows if r[0] != who])
    return "references.inspector", "tasks/2023-01.yaml", 2, "检查人员", who


def _unqualified_inspector(data: Path):
    def fn(rows, who):
        col = rows[0].index("执法资格")
        for r in rows:
            if r[0] == who:
                r[col] = "否"
        return rows

    _inspector_edit(data, fn)
    return "groups.size", "tasks/2023-01.yaml", 2, "检查人员", None


def _unknown_item(data: Path):
    path = data / "tasks" / "2023-01.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("- SX03\n", "- SX03\n- SX99\n", 1), "utf-8")
    return "references.item", "tasks/2023-01.yaml", None, "抽查事项", "SX99"


def _duplicate_inspector(data: Path):
    path = data / "roster" / "inspectors.csv"
    rows, enc = _rows(path)
    rows.append([rows[1][0].lower()] + rows[1][1:])
    _write(path, rows, enc)
    return "duplicates.person", "roster/inspectors.csv", len(rows), "人员编号", rows[1][0].lower()


def _duplicate_code(data: Path):
    path = _directory(data)
    rows, enc = _rows(path)
    rows.append(list(rows[7]))
    _write(path, rows, enc)
    return "duplicates.code", f"directory/{path.name}", len(rows), "统一社会信用代码", rows[7][0]


DEMO_CASES = {
    "result for an enterprise not selected": _results_not_selected,
    "selected enterprise without result": _missing_result,
    "inspector in a group not in the roster": _unknown_inspector,
    "group with one qualified inspector": _unqualified_inspector,
    "unknown item": _unknown_item,
    "duplicate inspector id": _duplicate_inspector,
    "duplicate code": _duplicate_code,
}


@pytest.fixture(scope="module")
def demo_copy_master(demo_master) -> Path:
    """The replayed demo with its secrets/ (a clean checkout has no secrets/: they are
    git-ignored), so that the draws' selections are known to `gongshi check`."""
    return demo_master.root


@pytest.mark.parametrize("name", list(DEMO_CASES))
def test_each_error_in_a_copy_of_the_demo_exits_1(name, demo_copy_master, tmp_path, capsys):
    shutil.copytree(demo_copy_master, tmp_path / "x")
    data = tmp_path / "x" / "data"
    rule, file, row, column, value = DEMO_CASES[name](data)
    code, findings = check_json(capsys, data)
    assert code == 1
    hits = [f for f in findings if f["severity"] == "error" and f["rule"] == rule]
    assert hits, findings[:5]
    assert any(f["file"] == file and (row is None or f["row"] == row) and f["column"] == column
               and (value is None or f["value"] == value) and f["message"] and f["fix"]
               for f in hits), hits[:3]


# ------------------------------------------------------------------ loader rules, fail cases


def _assert_finding(root: Path, rule: str, file: str, severity: str = "error") -> dict:
    model, findings = load_model(root)
    hits = [f for f in findings if f.rule == rule and f.file == file and f.severity == severity]
    assert hits, [(f.rule, f.file, f.row, f.column) for f in findings]
    assert re.search(r"[\u4e00-\u9fff]", hits[0].message)
    return hits[0]


def test_data_min_passes_every_loader_rule(tmp_path):
    _model, findings = load_model(write_data_min(tmp_path))
    assert findings == []


def test_two_results_files_for_one_task(tmp_path):
    root = write_data_min(tmp_path)
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["统一社会信用代码", "检查日期", "检查结果"])
    wb.active.append([CODES[0], "2023-05-10", "未发现问题"])
    wb.save(root / "results" / "2023-01.xlsx")
    _assert_finding(root, "duplicates.file", "results/2023-01.xlsx")


def test_vocabulary_with_duplicate_code_or_unknown_parent(tmp_path):
    root = write_data_min(tmp_path / "dup")
    (root / "vocab").mkdir()
    (root / "vocab" / "followups.yaml").write_text(
        "- {代码: '1', 名称: 无需处置}\n- {代码: '1', 名称: 责令改正}\n", "utf-8")
    f = _assert_finding(root, "duplicates.vocab", "vocab/followups.yaml")
    assert f.row == 2 and f.value == "1"
    root = write_data_min(tmp_path / "parent")
    (root / "vocab").mkdir()
    (root / "vocab" / "followups.yaml").write_text(
        "- {代码: '1', 名称: 无需处置}\n- {代码: '2', 名称: 责令改正, 上级: '9'}\n", "utf-8")
    _assert_finding(root, "references.vocab", "vocab/followups.yaml")
    root = write_data_min(tmp_path / "ok")
    (root / "vocab").mkdir()
    (root / "vocab" / "followups.yaml").write_text(
        "- {代码: '1', 名称: 无需处置}\n- {代码: '2', 名称: 责令改正, 上级: '1'}\n", "utf-8")
    assert [f for f in load_model(root)[1] if f.file == "vocab/followups.yaml"] == []


def test_yaml_in_an_unreadable_encoding(tmp_path):
    root = write_data_min(tmp_path)
    (root / "items.yaml").write_bytes(b"- \xff\xfe\x80\x80: x\n")
    _assert_finding(root, "schema.encoding", "items.yaml")


def test_yaml_of_the_wrong_shape_and_unknown_keys(tmp_path):
    root = write_data_min(tmp_path / "type")
    (root / "items.yaml").write_text("编号: A01\n", "utf-8")
    _assert_finding(root, "schema.type", "items.yaml")
    root = write_data_min(tmp_path / "key")
    task = root / "tasks" / "2023-01.yaml"
    task.write_text(task.read_text("utf-8") + "无此键: 1\n", "utf-8")
    f = _assert_finding(root, "schema.unknown_key", "tasks/2023-01.yaml", severity="warning")
    assert f.column == "无此键" and f.row


# ------------------------------------------------------------------------ gongshi deadline

# domain-rules §6.3 (days off, weekends inside the ranges included) and §6.2 (调休 workdays)
OFF = {
    2023: "01-01 01-02 01-21..01-27 04-05 04-29..05-03 06-22..06-24 09-29..10-06",
    2024: "01-01 02-10..02-17 04-04..04-06 05-01..05-05 06-10 09-15..09-17 10-01..10-07",
    2025: "01-01 01-28..02-04 04-04..04-06 05-01..05-05 05-31..06-02 10-01..10-08",
    2026: "01-01..01-03 02-15..02-23 04-04..04-06 05-01..05-05 06-19..06-21 09-25..09-27 10-01..10-07",
}
ON = {
    2023: "01-28 01-29 04-23 05-06 06-25 10-07 10-08",
    2024: "02-04 02-18 04-07 04-28 05-11 09-14 09-29 10-12",
    2025: "01-26 02-08 04-27 09-28 10-11",
    2026: "01-04 02-14 02-28 05-09 09-20 10-10",
}


def _days(year: int, spec: str) -> set[dt.date]:
    out: set[dt.date] = set()
    for part in spec.split():
        a, _, b = part.partition("..")
        d = dt.date(year, int(a[:2]), int(a[3:]))
        end = dt.date(year, int(b[:2]), int(b[3:])) if b else d
        while d <= end:
            out.add(d)
            d += dt.timedelta(days=1)
    return out


OFF_DAYS = set().union(*(_days(y, s) for y, s in OFF.items()))
ON_DAYS = set().union(*(_days(y, s) for y, s in ON.items()))


def oracle(start: dt.date, n: int = 20) -> dt.date:
    d = start
    while n:
        d += dt.timedelta(days=1)
        assert 2023 <= d.year <= 2026
        if d in ON_DAYS or (d.weekday() < 5 and d not in OFF_DAYS):
            n -= 1
    return d


# completion dates: a weekday, a Saturday, a Sunday, holidays, 调休 workdays, each year
CASES = [
    "2023-01-20", "2023-01-21", "2023-01-28", "2023-04-05", "2023-05-06", "2023-06-25",
    "2023-09-29", "2023-10-07", "2023-10-08", "2023-12-30",
    "2024-02-04", "2024-02-10", "2024-02-18", "2024-06-08", "2024-09-14", "2024-09-29",
    "2024-10-01", "2024-10-12",
    "2025-01-01", "2025-01-26", "2025-01-28", "2025-02-08", "2025-04-27", "2025-05-31",
    "2025-09-28", "2025-10-08", "2025-10-11",
    "2026-01-01", "2026-01-04", "2026-02-14", "2026-02-15", "2026-02-28", "2026-05-09",
    "2026-09-20", "2026-10-10", "2026-11-27",
]


@pytest.mark.parametrize("completion", CASES)
def test_deadline_agrees_with_the_state_council_schedule(completion, capsys, tmp_path):
    start = dt.date.fromisoformat(completion)
    assert start in ON_DAYS | OFF_DAYS or start.weekday() >= 5 or completion in (
        "2023-01-20", "2026-11-27")
    code = main(["deadline", completion, "--data", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and out.strip().splitlines()[-1] == oracle(start).isoformat()
    for n in (1, 3):
        assert main(["deadline", completion, "--workdays", str(n), "--data", str(tmp_path)]) == 0
        assert capsys.readouterr().out.strip().splitlines()[-1] == oracle(start, n).isoformat()


def test_every_completion_date_2023_to_2026(tmp_path):
    from generator.workdays import Calendar

    cal = Calendar()
    d = dt.date(2023, 1, 1)
    while d <= dt.date(2026, 11, 30):
        assert cal.add_workdays(d, 20) == oracle(d), d
        d += dt.timedelta(days=1)


@pytest.mark.parametrize("date, year", [("2027-03-01", "2027"), ("2027年1月4日", "2027"),
                                        ("2003-06-02", "2003")])
def test_deadline_refuses_years_without_a_schedule(date, year, capsys, tmp_path):
    code = main(["deadline", date, "--data", str(tmp_path)])
    out = capsys.readouterr()
    assert code == 1 and out.out == ""
    assert year in out.err and "Traceback" not in out.err and re.search(r"[\u4e00-\u9fff]", out.err)


# ---------------------------------------------------------------------- GB18030 twin (demo)


def test_demo_folder_reencoded_loads_the_same_model(tmp_path):
    twin = tmp_path / "data"
    shutil.copytree(DATA, twin)
    directory = _directory(twin)
    assert directory.read_bytes().decode("gb18030")  # the demo writes it as GBK/GB18030
    rows, enc = _rows(directory)
    _write(directory, rows, "utf-8")
    for path in sorted((twin / "results").glob("*.csv")):
        res, _ = _rows(path)
        dates = [i for i, h in enumerate(res[0]) if h.lstrip("\ufeff") in ("检查日期", "完成日期")]
        for r in res[1:]:
            for i in dates:
                if r[i]:
                    d = dt.date.fromisoformat(r[i])
                    r[i] = f"{d.year}年{d.month}月{d.day}日"
        _write(path, res, "gb18030")
    a, fa = load_model(DATA)
    b, fb = load_model(twin)
    assert [f for f in fa if f.is_error] == [f for f in fb if f.is_error] == []
    assert a.enterprises == b.enterprises
    assert a.results == b.results
    assert a == dataclasses.replace(b, data_dir=a.data_dir)
