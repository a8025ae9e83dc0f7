"""Publication deadline: results within N working days (portal.yaml 公示时限工作日, default 20)
after the completion date, the completion day not counted (domain-rules §2).

Per task, :func:`publication_status` says: on time, late by N working days, overdue by N working
days (not yet published, deadline passed as of ``--as-of``), due on DATE, not due (not completed),
or unknown (no publication information, or the calendar lacks a year). Late and overdue are
warnings; a missing calendar year is an error naming the year and how to add it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..findings import ERROR, WARNING, Finding
from ..model import Model, Task
from ..workdays import CalendarGapError
from .context import CheckContext

KINDS = ("on_time", "late", "overdue", "due", "not_due", "unknown")


@dataclass(frozen=True)
class PublicationStatus:
    kind: str  # one of KINDS
    deadline: dt.date | None = None
    workdays_late: int = 0
    published: dt.date | None = None
    problem: str = ""  # Chinese: why the status is unknown
    calendar_gap: int | None = None  # the year the calendar lacks, when that is why


def publication_status(task: Task, ctx: CheckContext, deadline_workdays: int = 20) -> PublicationStatus:
    completion = task.completion_date
    if completion is None or task.id in ctx.cancelled:
        return PublicationStatus("not_due")
    try:
        deadline = ctx.calendar.add_workdays(completion, deadline_workdays)
    except CalendarGapError as exc:
        return PublicationStatus("unknown", problem=str(exc), calendar_gap=exc.year)
    if completion > ctx.as_of:
        return PublicationStatus("not_due", deadline)
    published = None if ctx.published is None else ctx.published.get(task.id)
    try:
        if published is not None:
            if published <= deadline:
                return PublicationStatus("on_time", deadline, 0, published)
            late = max(1, ctx.calendar.workdays_between(deadline, published))
            return PublicationStatus("late", deadline, late, published)
        if ctx.published is None:
            return PublicationStatus("unknown", deadline, problem="没有公示记录（未读取抽取日志）")
        if ctx.as_of > deadline:
            late = max(1, ctx.calendar.workdays_between(deadline, ctx.as_of))
            return PublicationStatus("overdue", deadline, late)
    except CalendarGapError as exc:
        return PublicationStatus("unknown", deadline, problem=str(exc), calendar_gap=exc.year)
    return PublicationStatus("due", deadline)


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    n = model.portal.deadline_workdays
    for task in model.tasks:
        s = publication_status(task, ctx, n)
        if s.kind == "late":
            out.append(Finding.at(
                WARNING, "deadline.late",
                f"结果于 {s.published} 公示，晚于公示期限 {s.deadline}（完成日期 {task.completion_date} 后第 {n} 个工作日）"
                f" {s.workdays_late} 个工作日",
                task.origin, column="完成日期", value=task.completion_date, task=task.id,
                fix="已公示的不能撤回重来；请在任务「说明」中写明逾期原因，今后按期公示。",
            ))
        elif s.kind == "overdue":
            out.append(Finding.at(
                WARNING, "deadline.overdue",
                f"结果应在 {s.deadline} 前公示（完成日期 {task.completion_date} 后第 {n} 个工作日），"
                f"截至 {ctx.as_of} 尚未公示，已逾期 {s.workdays_late} 个工作日",
                task.origin, column="完成日期", value=task.completion_date, task=task.id,
                fix="尽快录入结果并运行 gongshi publish 公示。",
            ))
        elif s.calendar_gap is not None:
            what = "公示期限" if s.deadline is None else "逾期天数"
            out.append(Finding.at(
                ERROR, "deadline.calendar", f"无法计算{what}：{s.problem}",
                task.origin, column="完成日期", value=task.completion_date, task=task.id,
                fix=f"在 data/portal.yaml 的「节假日」中加入 {s.calendar_gap} 年的放假和调休上班日期。",
            ))
    return out
