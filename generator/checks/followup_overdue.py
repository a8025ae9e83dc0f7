"""A tracked follow-up left open past its deadline (责令改正 not reviewed in time)."""

from __future__ import annotations

from ..findings import WARNING, Finding
from ..model import Model
from .context import CheckContext


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    return [
        Finding.at(WARNING, "followups.overdue",
                   f"企业 {f.code} 的{f.label}（任务 {f.task}）期限 {f.deadline} 已过，仍为办理中",
                   f.origin, column="状态", task=f.task,
                   fix="复查后填写「复查日期」「复查结果」并把「状态」改为 已办结；未改正的，转入立案查处等后续处置。")
        for records in model.followups.values() for f in records
        if not f.closed and f.deadline is not None and ctx.as_of > f.deadline
    ]
