"""The checks a clerk needs for the year's tasks: each passes on good data and fails on bad."""

from __future__ import annotations

import dataclasses
import datetime as dt

from datamin import CODES, context, load_min

from generator.checks import (
    RULES,
    badge_duplicates,
    badge_missing,
    completion_overdue,
    followup_overdue,
    inspection_dates,
    item_objects,
    plan_ratio,
    plan_scope,
)
from generator.model import Condition, FollowUp, Plan, StratumRule


def _swap(model, **fields):
    return dataclasses.replace(model, **fields)


def _task(model, **fields):
    return _swap(model, tasks=(dataclasses.replace(model.tasks[0], **fields),))


def test_new_rules_are_registered():
    names = {n for n, _ in RULES}
    assert {"badge_duplicates", "badge_missing", "inspection_dates", "completion_overdue", "plan_scope",
            "item_objects", "plan_ratio", "followup_overdue"} <= names


def test_duplicated_badge(tmp_path):
    model = load_min(tmp_path)
    assert badge_duplicates.check(model, context(model)) == []
    a, b = model.inspectors[:2]
    bad = _swap(model, inspectors=(a, dataclasses.replace(b, badge=a.badge.lower() + " "),
                                   *model.inspectors[2:]))
    (f,) = badge_duplicates.check(bad, context(bad))
    assert f.rule == "roster.badge_duplicate" and f.is_error and f.column == "执法证号"
    assert f.file == "roster/inspectors.csv" and f.row == b.origin.row and a.id in f.message and f.fix


def test_qualified_inspector_without_badge(tmp_path):
    model = load_min(tmp_path)
    assert badge_missing.check(model, context(model)) == []
    a = model.inspectors[0]
    assert a.qualified
    bad = _swap(model, inspectors=(dataclasses.replace(a, badge=""), *model.inspectors[1:]))
    (f,) = badge_missing.check(bad, context(bad))
    assert f.rule == "roster.badge_missing" and f.row == a.origin.row and "执法资格" in f.fix
    unqualified = _swap(model, inspectors=(dataclasses.replace(a, badge="", qualified=False), *model.inspectors[1:]))
    assert badge_missing.check(unqualified, context(unqualified)) == []


def test_inspection_date_before_the_draw_or_after_completion(tmp_path):
    model = load_min(tmp_path)
    drawn = {"2023-01": dt.date(2023, 3, 17)}
    assert inspection_dates.check(model, context(model, draw_dates=drawn)) == []
    results = model.results["2023-01"]
    early = dataclasses.replace(results[0], inspected=dt.date(2023, 3, 16))
    late = dataclasses.replace(results[1], inspected=dt.date(2023, 7, 3))
    bad = _swap(model, results={"2023-01": (early, late, *results[2:])})
    found = {f.rule: f for f in inspection_dates.check(bad, context(bad, draw_dates=drawn))}
    assert set(found) == {"results.inspected_before_draw", "results.inspected_after_completion"}
    f = found["results.inspected_before_draw"]
    assert f.file == "results/2023-01.csv" and f.row == early.origin.row and f.column == "检查日期"


def test_inspection_period_over_without_completion(tmp_path):
    model = load_min(tmp_path)
    assert completion_overdue.check(model, context(model, as_of=dt.date(2023, 9, 1))) == []
    open_task = _task(model, completion_date=None)
    assert completion_overdue.check(open_task, context(open_task, as_of=dt.date(2023, 6, 30))) == []
    (f,) = completion_overdue.check(open_task, context(open_task, as_of=dt.date(2023, 7, 1)))
    assert f.rule == "deadlines.completion_missing" and not f.is_error and "检查期已过，未报完成" in f.message
    cancelled = context(open_task, as_of=dt.date(2023, 7, 1), cancelled=frozenset({"2023-01"}))
    assert completion_overdue.check(open_task, cancelled) == []


def test_undirected_task_narrowed_beyond_the_plan(tmp_path):
    model = load_min(tmp_path)  # 不定向, strata by industry with a catch-all: not narrowed
    plan = Plan(year=2023, title="计划")
    model = _swap(model, plans=(plan,))
    assert plan_scope.check(model, context(model)) == []
    narrowed = _task(model, population=model.tasks[0].population + (Condition("industry", "in", ("餐饮业",)),))
    (f,) = plan_scope.check(narrowed, context(narrowed))
    assert f.rule == "plan.undirected_scope" and "餐饮业" in f.message and "定向" in f.fix
    planned = _swap(narrowed, plans=(dataclasses.replace(plan, industries=("餐饮业",)),))
    assert plan_scope.check(planned, context(planned)) == []
    directed = _task(narrowed, directed=True)
    assert plan_scope.check(directed, context(directed)) == []


def test_item_objects_must_cover_the_subject_types(tmp_path):
    model = load_min(tmp_path)
    assert item_objects.check(model, context(model)) == []
    shops = dataclasses.replace(model.enterprises[CODES[0]], entity_type="个体工商户")
    a01 = dataclasses.replace(model.item("A01"), objects="企业")
    bad = _swap(model, enterprises={**model.enterprises, shops.code: shops},
                items=(a01, *model.items[1:]))
    (f,) = item_objects.check(bad, context(bad))
    assert f.rule == "items.objects" and "个体工商户" in f.message and f.file == "tasks/2023-01.yaml"
    only_companies = _task(bad, population=bad.tasks[0].population + (Condition("type", "eq", "有限责任公司"),))
    assert item_objects.check(only_companies, context(only_companies)) == []


def test_ratio_outside_the_plan(tmp_path):
    model = load_min(tmp_path)
    plan = Plan(year=2023, title="计划", ratio_min="5%", ratio_max="100%")
    model = _swap(model, plans=(plan,))
    assert plan_ratio.check(model, context(model)) == []
    low = _task(model, strata=(StratumRule("餐饮业", (), ratio="3%"),))
    (f,) = plan_ratio.check(low, context(low))
    assert f.rule == "plan.ratio" and f.value == "3%" and "5% 至 100%" in f.message


def test_followup_open_past_its_deadline(tmp_path):
    model = load_min(tmp_path)
    f = FollowUp(task="2023-01", code=CODES[0], kind="rectify", deadline=dt.date(2023, 8, 1))
    open_ = _swap(model, followups={"2023-01": (f,)})
    assert followup_overdue.check(open_, context(open_, as_of=dt.date(2023, 8, 1))) == []
    (w,) = followup_overdue.check(open_, context(open_, as_of=dt.date(2023, 8, 2)))
    assert w.rule == "followups.overdue" and "责令改正" in w.message
    closed = _swap(model, followups={"2023-01": (dataclasses.replace(f, closed=True),)})
    assert followup_overdue.check(closed, context(closed, as_of=dt.date(2023, 9, 1))) == []
