import codecs
import datetime as dt

import openpyxl
import pytest

from generator.load import headers as H
from generator.load.tabular import TableError, decode, read_table

TEXT = "统一社会信用代码,企业名称,成立日期\n91410381MA00000015,示例餐饮有限公司,2023年3月6日\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
    ],
)
def test_encodings(data, encoding):
    text, got = decode(data)
    assert text == TEXT and got == encoding


def test_undecodable_bytes_are_a_chinese_error():
    with pytest.raises(TableError, match="UTF-8 或 GB18030"):
        decode(b"\x81\x30\xff\xff")


def test_csv_rows_numbered_as_in_excel_and_blank_rows_skipped(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("代码,名称\na,1\n,\n\nb,2\n", encoding="utf-8")
    t = read_table(p)
    assert t.headers == ("代码", "名称")
    assert [(n, c[0]) for n, c in t.rows] == [(2, "a"), (5, "b")]


def test_xlsx_with_date_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "成立日期", "个人上限"])
    ws.append(["91410381MA00000015", dt.datetime(2023, 3, 6), 5])
    ws.append([None, None, None])
    ws.append(["X", "2023/3/6", None])
    p = tmp_path / "d.xlsx"
    wb.save(p)
    t = read_table(p)
    assert t.rows[0] == (2, ("91410381MA00000015", dt.date(2023, 3, 6), 5))
    assert t.rows[1][0] == 4


def test_headers_aliases_and_internal_columns():
    found, unknown, dups = H.match_headers(
        H.DIRECTORY, ["信用代码", " 企业名称 ", "TYPE", "风险分类", "别的列"]
    )
    assert found == {"code": 0, "name": 1, "entity_type": 2, "internal:risk": 3}
    assert unknown == [(4, "别的列")] and dups == []


def test_risk_names_never_map_to_a_public_field():
    risk_names = {"信用风险分类", "风险分类", "信用风险等级", "信用风险类别", "risk"}
    for table in (H.DIRECTORY, H.RESULTS, H.ROSTER, H.EXPERTS):
        for fld, (canonical, aliases) in table.items():
            if not fld.startswith("internal:"):
                assert not risk_names & {canonical, *aliases}, fld


def test_personal_roster_columns_are_ignored_not_unknown():
    found, unknown, _ = H.match_headers(H.ROSTER, ["人员编号", "身份证号", "手机号码", "住址"], H.PERSONAL)
    assert found == {"id": 0} and unknown == []
