"""Templates, the clerks' reference and --help come from the loaders' own definitions."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from generator.cli import build_parser, main
from generator.load import headers as H
from generator.load.base import LoadContext
from generator.load.task_sheet import NESTED, _pairs, condition_words, form_rows, parse_label
from generator.load.vocab import load_vocabularies
from generator.office.files import TABLES
from generator.office.reference import reference_markdown

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = re.compile(r"usage:|positional arguments|options:|show this help|optional arguments|default:")


@pytest.fixture(scope="module")
def vocab():
    return load_vocabularies(LoadContext(Path("/nonexistent")))


def test_office_md_is_generated_from_the_definitions(vocab):
    assert (ROOT / "OFFICE.md").read_text(encoding="utf-8") == reference_markdown(vocab), \
        "OFFICE.md is stale: run gongshi reference --out OFFICE.md"


def test_templates_carry_every_header_notes_and_drop_downs(tmp_path, capsys, vocab):
    assert main(["template", str(tmp_path)]) == 0
    for spec in TABLES:
        wb = openpyxl.load_workbook(tmp_path / spec.template)
        ws = wb.worksheets[0]
        headers = [c.value for c in ws[1]]
        assert headers == [c.header for c in spec.columns]
        assert [c.field for c in spec.columns] == list(spec.table)
        assert all(ws.cell(1, i + 1).comment for i in range(len(headers)))
        lists = {re.match(r"[A-Z]+", str(dv.sqref)).group() for dv in ws.data_validations.dataValidation}
        for i, col in enumerate(spec.columns, start=1):
            letter = openpyxl.utils.get_column_letter(i)
            assert (letter in lists) == bool(col.choices), (spec.key, col.header)
        assert ws.max_row == 1 or all(c.value is None for row in ws.iter_rows(min_row=2) for c in row)
        example = wb["示例"]
        assert [c.value for c in example[1]] == headers and any(c.value for c in example[2])
    results = openpyxl.load_workbook(tmp_path / "任务编号.xlsx")["取值"]
    assert "未发现问题" in [c.value for c in results["A"]]
    form = openpyxl.load_workbook(tmp_path / "任务.xlsx").worksheets[0]
    labels = [r[0].value for r in form.iter_rows(min_row=2)]
    for header, _a in H.TASK.values():  # every task field is a row of the form
        assert any(lbl == header or lbl.startswith(header) for lbl in labels), header


def test_task_form_labels_and_condition_words():
    assert parse_label("分层2·比例") == ("strata", "ratio", 2)
    assert parse_label("随机源 1 / 开奖时间") == ("sources", "scheduled", 1)
    assert parse_label("检查人员.每组人数") == ("inspectors", "group_size", 0)
    assert parse_label("抽取范围") == ("task", "population", 0)
    assert parse_label("检察人员·每组人数") is None
    assert condition_words("登记状态 等于 存续\n行业风险等级 属于 高、中") == [
        {"列": "登记状态", "条件": "等于", "值": "存续"}, {"列": "行业风险等级", "条件": "属于", "值": "高、中"}]
    assert condition_words("成立日期早于2022-01-01") == [{"列": "成立日期", "条件": "早于", "值": "2022-01-01"}]
    assert condition_words("登记状态 存续") == [{"列": "登记状态", "条件": "存续", "值": ""}]
    assert {r.part for r in form_rows()} == {"task", *NESTED}
    assert parse_label("检查实施机关") == ("task", "item_authorities", 0)
    assert _pairs("SX01：食品科；SX02 质量计量科") == {"SX01": "食品科", "SX02": "质量计量科"}


def test_task_form_errors_name_the_row(tmp_path, capsys):
    from generator.load import load_model

    assert main(["init", str(tmp_path / "o"), "--name", "测试局", "--url", "https://t.example/"]) == 0
    wb = openpyxl.load_workbook(tmp_path / "o" / "模板" / "任务.xlsx")
    ws = wb.worksheets[0]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_row=2)}
    for label, value in (("编号", "2024-09"), ("名称", "测试"), ("抽取范围", "登记状态 存续"),
                         ("公告日期", dt.date(2024, 3, 1))):
        ws.cell(rows[label], 2, value)
    wb.save(tmp_path / "o" / "data" / "tasks" / "2024-09.xlsx")
    _model, findings = load_model(tmp_path / "o" / "data")
    cond = [f for f in findings if f.rule == "schema.vocab" and f.value == "存续"]
    assert cond and cond[0].row == rows["抽取范围"] and "等于" in cond[0].fix
    missing = [f for f in findings if f.rule == "schema.required" and f.file == "tasks/2024-09.xlsx"]
    assert missing, [f.text() for f in findings]


def test_every_subcommand_help_is_chinese_with_a_description():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert not ENGLISH.search(parser.format_help())
    for name, p in sub.choices.items():
        text = p.format_help()
        assert p.description and re.search(r"[\u4e00-\u9fff]", p.description), name
        assert not ENGLISH.search(text), (name, ENGLISH.search(text))
        assert "显示本帮助并退出" in text, name
