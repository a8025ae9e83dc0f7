"""Inspector groups: at least two qualified 执法人员 per group (《行政处罚法》第四十二条);
experts never count toward the two. Uses ``ctx.groups``; tasks without group information are
skipped."""

from __future__ import annotations

from ..findings import ERROR, Finding
from ..model import Model
from .context import CheckContext

MIN_GROUP = 2


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    inspectors = {i.id.lower(): i for i in model.inspectors}
    for task in model.tasks:
        if task.id not in ctx.groups or task.id in ctx.cancelled:
            continue
        need = max(MIN_GROUP, task.group_size)
        for code, ids in sorted(ctx.groups[task.id].items()):
            qualified = [p for p in ids if p.lower() in inspectors and inspectors[p.lower()].qualified]
            if len(qualified) < MIN_GROUP:
                out.append(Finding.at(
                    ERROR, "groups.size",
                    f"企业 {code} 的检查组只有 {len(qualified)} 名具有执法资格的执法人员，应不少于 {MIN_GROUP} 名"
                    "（专家不计入）",
                    task.origin, column="检查人员", value="、".join(ids), task=task.id,
                    fix="按抽取记录补抽或调整执法人员（gongshi reassign），并核对名录库中的「执法资格」。",
                ))
            elif len(qualified) < need:
                out.append(Finding.at(
                    ERROR, "groups.size",
                    f"企业 {code} 的检查组有 {len(qualified)} 名执法人员，少于任务规定的每组 {need} 人",
                    task.origin, column="每组人数", value="、".join(ids), task=task.id,
                    fix="按抽取记录补抽执法人员（gongshi reassign）。",
                ))
    return out
