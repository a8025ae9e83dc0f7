"""A task whose 检查结束 has passed without a 完成日期: the site shows "检查期已过，未报完成"."""

from __future__ import annotations

from ..findings import WARNING, Finding
from ..model import Model
from .context import CheckContext


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    return [
        Finding.at(WARNING, "deadlines.completion_missing",
                   f"任务 {t.id} 的检查结束日期 {t.inspect_end} 已过，仍未填写完成日期；网站显示为“检查期已过，未报完成”",
                   t.origin, column="完成日期", task=t.id,
                   fix="检查已完成的，填写「完成日期」（开始计算 20 个工作日的公示时限）；延期的，改正「检查结束」并在「说明」中写明原因。")
        for t in model.tasks
        if t.id not in ctx.cancelled and t.completion_date is None and ctx.as_of > t.inspect_end
    ]
