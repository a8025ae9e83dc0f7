"""load_model over the tiny data folder and its variants."""

from __future__ import annotations

import dataclasses
import datetime as dt

import openpyxl
from datamin import CODES, DIRECTORY_HEADER, csv_text, directory_rows, write_data_min

from generator.load import load_model


def _errors(findings):
    return [f for f in findings if f.is_error]


def test_data_min_loads_without_findings(tmp_path):
    model, findings = load_model(write_data_min(tmp_path))
    assert findings == []
    assert len(model.enterprises) == 30
    assert [u.kind for u in model.portal.units] == ["hq", "station", "station"]
    e = model.enterprises[CODES[1]]
    assert e.unit == "s01" and e.registered == dt.date(2015, 4, 12)  # unit written as its name
    assert e.internal == {"risk": "B"}
    assert len(model.inspectors) == 6 and len(model.experts) == 2
    i = model.inspectors[0]
    assert i.unit == "hq-credit" and i.expertise == ("登记", "公示") and i.qualified
    assert model.inspectors[1].recusals == (CODES[0],)
    assert not model.inspectors[5].qualified
    # personal columns are never loaded
    assert "11010519491231002X" not in repr(model) and "13800138000" not in repr(model)
    task = model.task("2023-01")
    assert task.department == "hq-credit" and task.completion_date == dt.date(2023, 6, 30)
    results = model.results["2023-01"]
    assert results[1].results == ("E-1",)  # 发现问题已责令改正 kept as its own term
    assert results[1].followups == ("3",) and results[1].completed == dt.date(2023, 5, 20)
    assert results[2].results == ("B", "A")
    assert results[2].followups == ("3",)  # wording containing ，and ；kept whole
    assert [it.methods for it in model.items] == [("onsite", "online"), ("paper",)]
    assert [it.kind for it in model.items] == ["一般", "重点"]


def test_gb18030_twin_with_chinese_dates_loads_exactly_like_utf8(tmp_path):
    a, fa = load_model(write_data_min(tmp_path / "utf8"))
    b, fb = load_model(write_data_min(tmp_path / "gb", encoding="gb18030", date_style="cn"))
    assert fa == fb == []
    assert a.enterprises == b.enterprises
    raw = (tmp_path / "gb" / "directory" / "enterprises.csv").read_bytes()
    assert "年".encode("gb18030") in raw
    for style in ("slash", "compact"):
        c, fc = load_model(write_data_min(tmp_path / style, encoding="utf-8-sig", date_style=style))
        assert fc == [] and c.enterprises == a.enterprises


def test_xlsx_directory_loads_like_csv(tmp_path):
    a, _ = load_model(write_data_min(tmp_path / "csv"))
    root = write_data_min(tmp_path / "xlsx")
    (root / "directory" / "enterprises.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(DIRECTORY_HEADER)
    for row in directory_rows():
        row[6] = dt.datetime.fromisoformat(row[6])  # an Excel date cell
        ws.append(row)
    wb.save(root / "directory" / "enterprises.xlsx")
    b, fb = load_model(root)
    assert fb == []
    strip = lambda m: {k: dataclasses.replace(v, origin=None) for k, v in m.enterprises.items()}  # noqa: E731
    assert strip(a) == strip(b)
    assert b.enterprises[CODES[0]].origin.file == "directory/enterprises.xlsx"


def test_english_aliases(tmp_path):
    root = write_data_min(tmp_path)
    header = "code,name,type,industry,industry_risk,unit,registered,status,address,risk"
    rows = directory_rows()
    (root / "directory" / "enterprises.csv").write_text(csv_text(header.split(","), rows), encoding="utf-8")
    (root / "portal.yaml").write_text(
        "name: X局\nsite_url: https://x.org\nunits:\n  - {id: hq-credit, name: 信用监管科, kind: hq}\n"
        "  - {id: s01, name: 城关市场监管所, kind: station}\n  - {id: s02, name: 首阳山市场监管所, kind: station}\n",
        encoding="utf-8",
    )
    model, findings = load_model(root)
    assert findings == []
    assert model.portal.office_name == "X局" and model.portal.site_url == "https://x.org/"
    assert model.enterprises[CODES[0]].internal == {"risk": "A"}


def test_codes_are_normalised(tmp_path):
    root = write_data_min(tmp_path)
    rows = directory_rows()
    c = rows[0][0]
    rows[0][0] = " " + c[:2].lower() + "　" + "".join(chr(ord(ch) + 0xFEE0) for ch in c[2:8]) + " " + c[8:].lower()
    (root / "directory" / "enterprises.csv").write_text(csv_text(DIRECTORY_HEADER, rows), encoding="utf-8")
    model, findings = load_model(root)
    assert findings == [] and c in model.enterprises


def test_all_findings_in_one_pass(tmp_path):
    root = write_data_min(tmp_path)
    rows = directory_rows()
    rows[2][0] = rows[2][0][:-1] + ("0" if rows[2][0][-1] != "0" else "1")  # bad check character
    rows[4][6] = "2023-02-30"  # no such date
    rows[6][5] = "不存在的所"  # unknown unit
    rows.append(list(rows[0]))  # duplicate code
    (root / "directory" / "enterprises.csv").write_text(csv_text(DIRECTORY_HEADER, rows), encoding="utf-8")
    (root / "items.yaml").write_text("- 编号: A01\n  抽查事项: x\n  事项类别: 特别\n- 编号: A02\n\t抽查事项: y\n",
                                     encoding="utf-8")
    model, findings = load_model(root)
    got = {(f.rule, f.file, f.row, f.column) for f in _errors(findings)}
    assert ("uscc.checksum", "directory/enterprises.csv", 4, "统一社会信用代码") in got
    assert ("schema.date", "directory/enterprises.csv", 6, "成立日期") in got
    assert ("references.unit", "directory/enterprises.csv", 8, "所属监管所") in got
    assert ("duplicates.code", "directory/enterprises.csv", 32, "统一社会信用代码") in got
    assert any(r == "schema.yaml" and f == "items.yaml" and row == 5 for r, f, row, _ in got)
    assert model is not None and len(model.enterprises) == 27
    checksum = next(f for f in findings if f.rule == "uscc.checksum")
    assert "第 18 位应为" in checksum.message and checksum.fix


def test_missing_portal_gives_no_model(tmp_path):
    model, findings = load_model(tmp_path)
    assert model is None
    assert any(f.file == "portal.yaml" and f.is_error for f in findings)


def test_missing_column_and_unknown_column(tmp_path):
    root = write_data_min(tmp_path)
    (root / "roster" / "inspectors.csv").write_text("人员编号,姓名,单位,执法证号,籍贯\nYS001,张明,s01,1,河南\n",
                                                    encoding="utf-8")
    model, findings = load_model(root)
    missing = [f for f in findings if f.rule == "schema.missing_column"]
    assert missing and "执法资格" in missing[0].message and missing[0].file == "roster/inspectors.csv"
    assert any(f.rule == "schema.unknown_column" and f.column == "籍贯" and not f.is_error for f in findings)


def test_vocab_override_and_unknown_result(tmp_path):
    root = write_data_min(tmp_path)
    (root / "vocab").mkdir()
    (root / "vocab" / "results.yaml").write_text(
        "- {代码: '1', 名称: 未发现问题}\n- {代码: '2', 名称: 发现问题}\n", encoding="utf-8")
    model, findings = load_model(root)
    bad = [f for f in findings if f.rule == "schema.vocab"]
    assert {f.value for f in bad} >= {"发现问题已责令改正", "未按规定公示应当公示的信息"}
    assert all(f.file == "results/2023-01.csv" and f.column == "检查结果" for f in bad)
    assert [t.code for t in model.vocab.results.terms] == ["1", "2"]


def test_result_file_for_unknown_task(tmp_path):
    root = write_data_min(tmp_path)
    (root / "results" / "2099-01.csv").write_text("统一社会信用代码,检查日期,检查结果\n", encoding="utf-8")
    _, findings = load_model(root)
    assert any(f.rule == "references.task" and f.file == "results/2099-01.csv" for f in findings)


def test_inspector_and_expert_looked_up_by_id_case_insensitively(tmp_path):
    model, _ = load_model(write_data_min(tmp_path))
    first, second = model.inspectors[0], model.inspectors[1]
    assert model.inspector(first.id.upper()) is first
    assert model.inspector(first.id.lower()) is first
    assert model.expert(model.experts[1].id.swapcase()) is model.experts[1]
    assert model.inspector("无此人") is None and model.expert("无此人") is None
    # the same id twice (a finding of the checks): the first row is the one shown
    twin = dataclasses.replace(second, id=first.id.swapcase(), name="另一人")
    doubled = dataclasses.replace(model, inspectors=(first, twin) + model.inspectors[2:])
    assert doubled.inspector(first.id) is first
    # a changed model looks up its own rows, not the ones looked up before
    renamed = dataclasses.replace(model, inspectors=tuple(
        dataclasses.replace(i, name=i.name + "甲") for i in model.inspectors))
    assert renamed.inspector(first.id).name == first.name + "甲"
    assert model.inspector(first.id) is first
