"""Task YAML: conditions, ratios, scopes, modes, sources; portal.yaml holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from datamin import TASK, write_data_min

from generator.load import load_model
from generator.load.tasks import check_ratio
from generator.model import Condition


def _load_task(tmp_path, text):
    root = write_data_min(tmp_path)
    (root / "tasks" / "2023-01.yaml").write_text(text, encoding="utf-8")
    return load_model(root)


def test_task_fields(tmp_path):
    model, findings = load_model(write_data_min(tmp_path))
    t = model.task("2023-01")
    assert t.population == (Condition("status", "eq", "存续"), Condition("registered", "before", "2023-01-01"))
    assert t.strata[0].when == (Condition("industry", "eq", "餐饮业"),) and t.strata[0].ratio == "5%"
    assert t.strata[1].count == 2 and t.strata[1].ratio is None
    assert t.scope.kind == "all" and t.group_size == 2 and t.mode == "public" and not t.directed
    assert t.methods == ("onsite",) and t.exclusion_rules == ("same-item-same-year",)
    s = t.sources[0]
    assert s.scheduled == "2023-03-16T21:15:00+08:00" and s.game == "ssq" and s.count == 7 and not s.ordered


@pytest.mark.parametrize("ratio", ["5%", "100%", "0.5%", "2.5%", "0.0001%", "12.3456%"])
def test_ratio_grammar_accepts(ratio):
    assert check_ratio(ratio) is None


@pytest.mark.parametrize("ratio", ["0%", "150%", "五成", "5", 0.05, "05%", "5.%", "1.23456%", " 5%", "100.0001%", "0.0%"])
def test_ratio_grammar_refuses(ratio):
    assert check_ratio(ratio)


def test_ratio_kept_exactly_as_written(tmp_path):
    model, findings = _load_task(tmp_path, TASK.replace('比例: "5%"', '比例: "2.50%"'))
    assert findings == [] and model.task("2023-01").strata[0].ratio == "2.50%"


def test_bad_ratio_names_file_and_line(tmp_path):
    model, findings = _load_task(tmp_path, TASK.replace('比例: "5%"', "比例: 150%"))
    f = next(f for f in findings if f.rule == "schema.ratio")
    assert f.file == "tasks/2023-01.yaml" and f.row == TASK.splitlines().index('    比例: "5%"') + 1
    assert f.value == "150%" and model.task("2023-01") is None


@pytest.mark.parametrize(
    "scope, kind",
    [("全局内随机", "all"), ("局机关与市场监管所随机\n  局机关: [信用监管科]", "hq+own"),
     ("若干市场监管所随机\n  单位: [s01, 首阳山市场监管所]", "units"), ("单一市场监管所随机", "own"), ("own", "own")],
)
def test_scopes(tmp_path, scope, kind):
    model, findings = _load_task(tmp_path, TASK.replace("抽取方式: 全局内随机", f"抽取方式: {scope}"))
    assert findings == []
    t = model.task("2023-01")
    assert t.scope.kind == kind
    if kind == "units":
        assert t.scope.units == ("s01", "s02")
    if kind == "hq+own":
        assert t.scope.hq == ("hq-credit",)


def test_mode_and_operators(tmp_path):
    text = TASK.replace("模式: 公开", "模式: 审计").replace(
        "  - {列: 登记状态, 条件: 等于, 值: 存续}",
        "  - {列: 所属监管所, 条件: 属于, 值: [城关市场监管所, s02]}\n  - {列: 行业, 条件: 开头为, 值: 餐}\n"
        "  - {列: 成立日期, 条件: 晚于, 值: 2010/1/1}\n  - {列: 信用风险分类, 条件: 等于, 值: D}",
    ).replace("抽查类型: 不定向", "抽查类型: 定向")
    model, findings = _load_task(tmp_path, text)
    assert findings == []
    t = model.task("2023-01")
    assert t.mode == "audit" and t.directed
    assert t.population[:4] == (
        Condition("unit", "in", ("s01", "s02")), Condition("industry", "prefix", "餐"),
        Condition("registered", "after", "2010-01-01"), Condition("risk", "eq", "D"),
    )


@pytest.mark.parametrize(
    "old, new, rule",
    [
        ("条件: 等于, 值: 存续", "条件: 大约, 值: 存续", "schema.vocab"),
        ("{列: 登记状态,", "{列: 注册资本,", "schema.vocab"),
        ("{列: 登记状态, 条件: 等于", "{列: 登记状态, 条件: 早于", "schema.vocab"),
        ("每组人数: 2", "每组人数: 1", "groups.size"),
        ("抽取方式: 全局内随机", "抽取方式: 随便抽", "schema.vocab"),
        ("模式: 公开", "模式: 秘密", "schema.vocab"),
        ("检查结束: 2023-06-30", "检查结束: 2023-03-01", "schema.dates"),
        ("公告日期: 2023-03-06", "公告日期: 2023-02-30", "schema.date"),
        ("玩法: ssq", "玩法: lotto", "schema.vocab"),
        ("检查方式: [现场检查]", "检查方式: [电话检查]", "schema.vocab"),
        ("编号: 2023-01", "编号: 2023-02", "schema.id"),
        ("    数量: 2", "    数量: 0", "schema.int"),
    ],
)
def test_task_errors(tmp_path, old, new, rule):
    assert old in TASK
    model, findings = _load_task(tmp_path, TASK.replace(old, new))
    errs = [f for f in findings if f.is_error]
    assert errs and errs[0].rule == rule and errs[0].file == "tasks/2023-01.yaml" and errs[0].row
    assert model.task("2023-01") is None


def test_portal_holidays_override(tmp_path):
    root = write_data_min(tmp_path)
    with open(root / "portal.yaml", "a", encoding="utf-8") as fh:
        fh.write("节假日:\n  2027:\n    来源: 通知\n    放假: [2027-01-01, 2027-02-05..2027-02-13]\n"
                 "    调休上班: [2027年2月20日]\n")
    model, findings = load_model(root)
    assert findings == []
    (s,) = model.portal.calendar_overrides
    assert s.year == 2027 and len(s.holidays) == 10 and s.workdays == {dt.date(2027, 2, 20)}


def test_portal_holiday_in_wrong_year(tmp_path):
    root = write_data_min(tmp_path)
    with open(root / "portal.yaml", "a", encoding="utf-8") as fh:
        fh.write("节假日:\n  2027:\n    放假: [2028-01-01]\n")
    _, findings = load_model(root)
    assert [f.rule for f in findings] == ["calendar.year"] and findings[0].file == "portal.yaml"
