"""A stratum's ratio within the year's plan (e.g. the Yanshi plan: 5%–100%)."""

from __future__ import annotations

from decimal import Decimal

from ..findings import WARNING, Finding
from ..model import Model
from .context import CheckContext


def _pct(ratio: str) -> Decimal:
    return Decimal(ratio.rstrip("%"))


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for task in model.tasks:
        plan = model.plan(task.year)
        if plan is None or task.imported:
            continue
        low = _pct(plan.ratio_min) if plan.ratio_min else None
        high = _pct(plan.ratio_max) if plan.ratio_max else None
        for s in task.strata:
            if s.ratio is None:
                continue
            r = _pct(s.ratio)
            if (low is not None and r < low) or (high is not None and r > high):
                out.append(Finding.at(
                    WARNING, "plan.ratio",
                    f"任务 {task.id} 分层「{s.name}」的比例 {s.ratio} 超出{plan.year}年度抽查计划的范围"
                    f"（{plan.ratio_min or '—'} 至 {plan.ratio_max or '—'}）",
                    task.origin, column="比例", value=s.ratio, task=task.id,
                    fix="按年度计划调整比例；确需例外的，在任务「说明」中写明依据。"))
    return out
