"""An enterprise is inspected after it was drawn and no later than the task's 完成日期."""

from __future__ import annotations

from ..findings import ERROR, Finding
from ..model import Model
from .context import CheckContext


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for task in model.tasks:
        drawn = ctx.draw_dates.get(task.id, task.announce_date)
        what = "抽取日期" if task.id in ctx.draw_dates else "公告日期"
        for r in model.results.get(task.id, ()):
            if r.inspected < drawn:
                out.append(Finding.at(
                    ERROR, "results.inspected_before_draw",
                    f"企业 {r.code} 的检查日期 {r.inspected} 早于任务 {task.id} 的{what} {drawn}",
                    r.origin, column="检查日期", value=r.inspected.isoformat(), task=task.id,
                    fix="检查只能在抽取之后进行：核对并改正检查日期。"))
            elif task.completion_date is not None and r.inspected > task.completion_date:
                out.append(Finding.at(
                    ERROR, "results.inspected_after_completion",
                    f"企业 {r.code} 的检查日期 {r.inspected} 晚于任务 {task.id} 的完成日期 {task.completion_date}",
                    r.origin, column="检查日期", value=r.inspected.isoformat(), task=task.id,
                    fix="改正检查日期，或把任务文件中的「完成日期」改为最后一户检查完成的日期。"))
    return out
