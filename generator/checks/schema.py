"""Schema and vocabulary over the model: every coded value is in its vocabulary, ids have the
protocol's grammar, group sizes are at least 2, task dates are in order.

The loaders already report what they could not read; this rule holds a model built in code to
the same rules (and catches vocabularies replaced after the data was written).
"""

from __future__ import annotations

from ..findings import ERROR, Finding
from ..load.base import ID_RE
from ..model import Model, Origin, Vocabulary
from .context import CheckContext


def _vocab(vocab: Vocabulary, codes, origin: Origin | None, column: str, title: str) -> list[Finding]:
    known = vocab.by_code()
    return [
        Finding.at(ERROR, "schema.vocab", f"「{c}」不是{title}词表中的代码", origin, column=column, value=c,
                   fix="可用取值：" + "、".join(f"{t.code} {t.label}" for t in vocab.terms) + "。")
        for c in codes
        if c not in known
    ]


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    v = model.vocab
    out: list[Finding] = []
    for item in model.items:
        out += _vocab(v.item_kinds, [item.kind], item.origin, "事项类别", "事项类别")
        out += _vocab(v.methods, item.methods, item.origin, "检查方式", "检查方式")
    for task in model.tasks:
        out += _vocab(v.methods, task.methods, task.origin, "检查方式", "检查方式")
        out += _vocab(v.scopes, [task.scope.kind], task.origin, "抽取方式", "检查人员抽取方式")
        if not ID_RE.fullmatch(task.id):
            out.append(Finding.at(ERROR, "schema.id", "任务编号应为 1–32 位字母、数字、_ 或 -", task.origin,
                                  column="编号", value=task.id, fix="例如 2023-01。"))
        if task.group_size < 2:
            out.append(Finding.at(ERROR, "groups.size", "每组人数应不少于 2（执法人员不得少于两人）",
                                  task.origin, column="每组人数", value=task.group_size, task=task.id,
                                  fix="写 每组人数: 2 或更多。"))
        if not task.announce_date <= task.inspect_start <= task.inspect_end:
            out.append(Finding.at(ERROR, "schema.dates", "日期顺序应为 公告日期 ≤ 检查开始 ≤ 检查结束",
                                  task.origin, column="检查开始", task=task.id,
                                  value=f"{task.announce_date} {task.inspect_start} {task.inspect_end}",
                                  fix="改正这三个日期。"))
    for task_id, results in model.results.items():
        for r in results:
            out += _vocab(v.results, r.results, r.origin, "检查结果", "检查结果")
            out += _vocab(v.followups, r.followups, r.origin, "后续处置", "后续处置")
            if not r.results:
                out.append(Finding.at(ERROR, "schema.required", "「检查结果」不能为空", r.origin,
                                      column="检查结果", task=task_id, fix="填写一个或多个检查结果。"))
    for person in (*model.inspectors, *model.experts):
        if not ID_RE.fullmatch(person.id):
            out.append(Finding.at(ERROR, "schema.id", "人员编号应为 1–32 位字母、数字、_ 或 -", person.origin,
                                  column="人员编号", value=person.id, fix="例如 YS001。"))
    return out
