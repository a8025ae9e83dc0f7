"""The 抽查情况汇总表 (gongshi report) equals the statistics page's summary for the same year, and
opens cleanly (loaded back with openpyxl); the platform export follows its column mapping."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil

import openpyxl
import pytest

from generator.cli import main
from generator.office.report import FIELDS, _values
from generator.site.build import build_site

AS_OF = dt.date(2023, 12, 29)
_TABLE = re.compile(r'<table class="gs-summary[^"]*" data-year="(\d+)" data-by="(\w+)">(.*?)</table>', re.S)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)


def page_tables(page: str) -> dict[tuple[str, str], list[list[str]]]:
    out = {}
    for year, by, body in _TABLE.findall(page):
        out[(year, by)] = [[html.unescape(c) for c in _CELL.findall(r)] for r in _ROW.findall(body)]
    return out


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    return build_site("data", AS_OF, root / "site")


def test_summary_workbook_equals_the_statistics_page(demo_site, tmp_path, capsys):
    tables = page_tables((demo_site / "stats" / "index.html").read_text(encoding="utf-8"))
    assert ("2023", "stations") in tables and ("2023", "departments") in tables
    out = tmp_path / "汇总表.xlsx"
    assert main(["report", "--year", "2023", "--out", str(out), "--as-of", AS_OF.isoformat()]) == 0
    assert "汇总表" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["按监管所", "按科室"]
    for sheet, by in (("按监管所", "stations"), ("按科室", "departments")):
        rows = [[("" if c is None else str(c)) for c in r] for r in wb[sheet].iter_rows(min_row=2, values_only=True)]
        assert rows == tables[("2023", by)], sheet
        header, *body = rows
        assert header[:4] == ["单位", "任务数", "抽取户数", "已检查"] and body[-1][0] == "合计"
        # the total is the sum of the units' figures (stations: every enterprise has one)
        if by == "stations":
            for col in range(1 + 1, 9):
                assert int(body[-1][col]) == sum(int(r[col]) for r in body[:-1]), header[col]
    stations = {r[0]: r for r in tables[("2023", "stations")][1:]}
    assert int(stations["合计"][3]) > 0 and int(stations["合计"][4]) > 0  # the demo has problems found


def test_platform_export_follows_the_mapping(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree("data", data)
    (data / "export").mkdir()
    (data / "export" / "platform.yaml").write_text(
        "工作表: 导入\n列:\n- {列名: 社会信用代码, 取值: 统一社会信用代码}\n- {列名: 结果, 取值: 检查结果}\n"
        "- {列名: 来源, 取值: 固定值, 值: 示例}\n", encoding="utf-8")
    out = tmp_path / "导出.xlsx"
    assert main(["report", "--year", "2023", "--export", "--data", str(data), "--out", str(out),
                 "--as-of", AS_OF.isoformat()]) == 0
    rows = list(openpyxl.load_workbook(out)["导入"].iter_rows(values_only=True))
    assert rows[0] == ("社会信用代码", "结果", "来源")
    assert len(rows) > 100 and all(len(r[0]) == 18 and r[1] and r[2] == "示例" for r in rows[1:])
    (data / "export" / "platform.yaml").write_text("列:\n- {列名: X, 取值: 身份证号}\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["report", "--year", "2023", "--export", "--data", str(data), "--out", str(out),
                 "--as-of", AS_OF.isoformat()]) == 1
    err = capsys.readouterr().err
    assert "第 1 列写法有误" in err and "统一社会信用代码" in err


def test_export_fields_are_the_values_offered():
    import inspect

    source = inspect.getsource(_values)
    assert set(re.findall(r'"([^"]+)":', source)) == set(FIELDS)
