"""Labels for the kinds of task a bureau runs (template global ``K``): where a list comes from,
joint departments, results per item and tracked follow-up records. Values only; the templates
escape them."""

from __future__ import annotations

import datetime as dt

from ..model import FollowUp, Model, Task

SOURCE_NOTES = {
    "local": "本局在本站公开抽取：抽取前公布承诺和随机源，任何人都可以用公开材料复算名单（开奖前无法知道结果）。",
    "platform": "名单由国家部门协同监管平台（国家企业信用信息公示系统）抽取后导出，本局导入。"
                "本站无法复算该名单，只能证明公示的名单就是导入时记入日志（哈希）的那一份，此后未被改动。",
    "superior": "名单由上级机关抽中后下发，本局按名单检查。"
                "本站无法复算该名单，只能证明公示的名单就是导入时记入日志（哈希）的那一份，此后未被改动。",
}
REFERENCE_NAMES = {"platform": ("平台任务编号", "抽取机关", "平台抽取日期"),
                   "superior": ("下发文号", "下发机关", "下发日期")}


def departments(model: Model, task: Task) -> str:
    """发起部门 and 配合部门 in one line."""
    lead = model.unit_name(task.department)
    if not task.partners:
        return lead
    return f"{lead}（发起）；" + "、".join(model.unit_name(p) for p in task.partners) + "（配合）"


def authorities(model: Model, task: Task) -> list[tuple[str, str]]:
    """(item name, 检查实施机关) for each item of a joint task."""
    out = []
    for code in task.items:
        item = model.item(code)
        out.append((item.name if item else code, model.unit_name(task.authority_of(code))))
    return out


def item_name(model: Model, code: str) -> str:
    item = model.item(code)
    return item.name if item else code


def followups(model: Model, task_id: str, code: str) -> tuple[FollowUp, ...]:
    return tuple(f for f in model.followups.get(task_id, ()) if f.code == code)


def followup_detail(f: FollowUp) -> str:
    """The record in words, as the enterprise page and the result announcement show it."""
    def d(day: dt.date | None) -> str:
        return f"{day.year}年{day.month}月{day.day}日" if day else ""

    parts: list[str] = []
    if f.kind == "rectify":
        parts.append(f"限 {d(f.deadline)} 前改正")
        if f.review_date:
            parts.append(f"{d(f.review_date)} 复查" + (f"：{f.outcome}" if f.outcome else ""))
    elif f.kind == "abnormal":
        parts.append(f"{d(f.date)} 列入（{f.reference}）")
        if f.removed:
            parts.append(f"{d(f.removed)} 移出")
    elif f.kind == "case":
        parts.append(f"案号 {f.reference}" + (f"，{d(f.date)} 立案" if f.date else ""))
    elif f.kind == "transfer":
        parts.append(f"{d(f.date)} 移送 {f.receiver}")
    if f.note:
        parts.append(f.note)
    return "；".join(p for p in parts if p)


def followup_state(f: FollowUp, as_of: dt.date) -> str:
    if f.closed:
        return "已办结"
    if f.deadline and as_of > f.deadline:
        return "办理中（已过期限）"
    return "办理中"
