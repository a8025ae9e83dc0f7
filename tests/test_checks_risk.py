import dataclasses

from datamin import CODES, context, load_min

from generator.checks import risk
from generator.model import Condition


def test_public_task_without_risk_passes(tmp_path):
    model = load_min(tmp_path)
    assert risk.check(model, context(model)) == []


def test_risk_condition_in_public_mode(tmp_path):
    model = load_min(tmp_path)
    t = model.tasks[0]
    s = dataclasses.replace(t.strata[0], when=(Condition("risk", "eq", "D"),))
    public = dataclasses.replace(t, strata=(s,) + t.strata[1:])
    (f,) = risk.check(dataclasses.replace(model, tasks=(public,)), context(model))
    assert f.rule == "risk.public_mode" and f.is_error and f.file == "tasks/2023-01.yaml"
    audit = dataclasses.replace(public, mode="audit")
    assert risk.check(dataclasses.replace(model, tasks=(audit,)), context(model)) == []


def test_risk_class_in_a_public_column(tmp_path):
    model = load_min(tmp_path)
    e = dataclasses.replace(model.enterprises[CODES[0]], industry_risk="信用风险较高")
    model = dataclasses.replace(model, enterprises={**model.enterprises, e.code: e})
    (f,) = risk.check(model, context(model))
    assert f.rule == "risk.public_column" and f.column == "行业风险等级" and f.row == 2


def test_risk_column_only_internal(tmp_path):
    model = load_min(tmp_path)
    assert all(set(e.internal) == {"risk"} for e in model.enterprises.values())
    assert all("ABCD".find(e.industry_risk) < 0 for e in model.enterprises.values())
