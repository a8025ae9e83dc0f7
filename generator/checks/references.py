"""Referential integrity.

Always: a task's items, department, scope units and unit conditions exist; a result's enterprise
is in the directory. With draw information for a task (``ctx.selections``, ``ctx.groups``):
results only for the enterprises drawn, every drawn enterprise has a result once the task is
completed (completion date on or before ``--as-of``), every inspector of a group exists.
"""

from __future__ import annotations

from ..findings import ERROR, Finding
from ..model import Model, Origin, Task
from .context import CheckContext


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for task in model.tasks:
        out += _task_refs(model, task)
    for task_id, results in model.results.items():
        for r in results:
            if r.code not in model.enterprises:
                out.append(Finding.at(ERROR, "references.directory", "该企业不在检查对象名录库中", r.origin,
                                      column="统一社会信用代码", value=r.code, task=task_id,
                                      fix="核对代码；抽中的企业一定在名录库中。"))
    for task in model.tasks:
        if task.id in ctx.cancelled:
            continue
        if task.id in ctx.selections:
            out += _selection(model, task, ctx)
        if task.id in ctx.groups:
            out += _groups(model, task, ctx)
    return out


def _task_refs(model: Model, task: Task) -> list[Finding]:
    out = []
    portal = model.portal
    known_items = {i.code for i in model.items}
    for code in task.items:
        if code not in known_items:
            out.append(Finding.at(ERROR, "references.item", f"抽查事项 {code} 不在 items.yaml 中", task.origin,
                                  column="抽查事项", value=code, task=task.id,
                                  fix="填写 items.yaml 中已有的事项编号，或先在 items.yaml 中加入该事项。"))
    if portal.unit(task.department) is None:
        out.append(Finding.at(ERROR, "references.unit", f"发起科室「{task.department}」不在 portal.yaml 的「单位」中",
                              task.origin, column="发起科室", value=task.department, task=task.id,
                              fix="填写 portal.yaml 中某个单位的编号或名称。"))
    for uid, column, kind in [(u, "单位", "station") for u in task.scope.units] + [
        (u, "局机关", "hq") for u in task.scope.hq
    ]:
        unit = portal.unit(uid)
        if unit is None:
            out.append(Finding.at(ERROR, "references.unit", f"检查人员的{column}「{uid}」不在 portal.yaml 的「单位」中",
                                  task.origin, column=column, value=uid, task=task.id,
                                  fix="填写 portal.yaml 中某个单位的编号或名称。"))
        elif unit.kind != kind:
            want = "市场监管所" if kind == "station" else "局机关"
            out.append(Finding.at(ERROR, "references.unit", f"「{column}」中应为{want}，「{unit.name}」不是",
                                  task.origin, column=column, value=uid, task=task.id,
                                  fix=f"只列出类型为{want}的单位。"))
    conditions = list(task.population) + [c for s in task.strata for c in s.when]
    for c in conditions:
        if c.column != "unit":
            continue
        for uid in (c.value if isinstance(c.value, tuple) else (c.value,)):
            if c.op != "prefix" and portal.unit(uid) is None:
                out.append(Finding.at(ERROR, "references.unit", f"条件中的所属监管所「{uid}」不在 portal.yaml 中",
                                      task.origin, column="值", value=uid, task=task.id,
                                      fix="填写 portal.yaml 中某个单位的编号或名称。"))
    if task.redraw_of and model.task(task.redraw_of) is None:
        out.append(Finding.at(ERROR, "references.task", f"重抽自的任务 {task.redraw_of} 不存在", task.origin,
                              column="重抽自", value=task.redraw_of, task=task.id, fix="填写原任务的编号。"))
    return out


def _results_origin(model: Model, task: Task) -> Origin | None:
    results = model.results.get(task.id, ())
    if results and results[0].origin:
        return Origin(results[0].origin.file)
    return Origin(f"results/{task.id}.csv")


def _selection(model: Model, task: Task, ctx: CheckContext) -> list[Finding]:
    out = []
    selected = ctx.selections[task.id]
    results = model.results.get(task.id, ())
    for r in results:
        if r.code not in selected:
            out.append(Finding.at(ERROR, "references.not_selected", f"该企业未在任务 {task.id} 中被抽中，不能录入结果",
                                  r.origin, column="统一社会信用代码", value=r.code, task=task.id,
                                  fix="删除此行；抽中名单以抽取记录为准，不能替换企业（无法检查的写相应结果，如“通过登记的住所（经营场所）无法联系”）。"))
    if task.completion_date is not None and task.completion_date <= ctx.as_of:
        have = {r.code for r in results}
        for code in sorted(selected - have):
            name = model.enterprises[code].name if code in model.enterprises else ""
            out.append(Finding.at(ERROR, "references.missing_result",
                                  f"任务已于 {task.completion_date} 完成，但抽中的企业{('「' + name + '」') if name else ''}没有检查结果",
                                  _results_origin(model, task), column="统一社会信用代码", value=code, task=task.id,
                                  fix="在结果文件中为该企业补一行（检查日期、检查结果、完成日期）。"))
    return out


def _groups(model: Model, task: Task, ctx: CheckContext) -> list[Finding]:
    out = []
    known = {p.id.lower() for p in (*model.inspectors, *model.experts)}
    for code, ids in sorted(ctx.groups[task.id].items()):
        for pid in ids:
            if pid.lower() not in known:
                out.append(Finding.at(ERROR, "references.inspector", f"检查组（企业 {code}）中的人员 {pid} 不在名录库中",
                                      task.origin, column="检查人员", value=pid, task=task.id,
                                      fix="人员一经抽取不能从名录库删除；请恢复该人员的记录。"))
    return out
