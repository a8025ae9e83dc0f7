"""A 不定向 task does not narrow the population by industry or station beyond the year's plan:
narrowing by 行业 or 所属监管所 is what makes a task 定向."""

from __future__ import annotations

from ..findings import WARNING, Finding
from ..model import Condition, Model, Task
from .context import CheckContext

NARROWING = ("industry", "unit")


def _values(c: Condition) -> tuple[str, ...]:
    return c.value if isinstance(c.value, tuple) else (c.value,)


def narrowing(task: Task) -> list[Condition]:
    """The conditions that keep only some industries or stations."""
    found = [c for c in task.population if c.column in NARROWING]
    if task.strata and all(s.when for s in task.strata):  # no catch-all stratum
        found += [c for s in task.strata for c in s.when if c.column in NARROWING]
    return found


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for task in model.tasks:
        if task.directed or task.imported:
            continue
        plan = model.plan(task.year)
        allowed = set(plan.industries) if plan else set()
        beyond = [c for c in narrowing(task)
                  if c.column == "unit" or not set(_values(c)) <= allowed]
        if beyond:
            what = "、".join(sorted({v for c in beyond for v in _values(c)}))
            out.append(Finding.at(
                WARNING, "plan.undirected_scope",
                f"不定向任务 {task.id} 按行业或监管所限定了抽取范围（{what}），超出年度计划",
                task.origin, column="抽取范围", value=what, task=task.id,
                fix="按特定行业、领域或辖区抽取的任务应为 定向；否则去掉这些条件，或在年度计划的「重点行业」中列明。"))
    return out
