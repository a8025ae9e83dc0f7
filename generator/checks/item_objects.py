"""An item's 检查对象 covers the subject types the task draws (an 企业-only item applied to
个体工商户 is a mistake)."""

from __future__ import annotations

from ..findings import WARNING, Finding
from ..model import Model, Task
from .context import CheckContext

GENERIC = ("经营者", "市场主体", "各类", "经营单位", "生产经营")
CATEGORIES = ("企业", "个体工商户", "农民专业合作社")


def category(entity_type: str) -> str:
    if "个体" in entity_type:
        return "个体工商户"
    if "合作社" in entity_type:
        return "农民专业合作社"
    return "企业"


def _task_types(model: Model, task: Task) -> set[str]:
    typed = [c for c in task.population if c.column == "type"]
    if typed:
        return {category(v) for c in typed for v in (c.value if isinstance(c.value, tuple) else (c.value,))}
    if task.imported:
        codes = {r.code for r in model.results.get(task.id, ())}
        return {category(model.enterprises[c].entity_type) for c in codes if c in model.enterprises}
    return {category(t) for t in _directory_types(model)}


def _directory_types(model: Model) -> set[str]:
    columns = getattr(model.enterprises, "_cat", None)  # a DirectoryTable: its distinct values
    if isinstance(columns, dict) and "entity_type" in columns:
        return set(columns["entity_type"].values)
    return {e.entity_type for e in model.enterprises.values()}


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for task in model.tasks:
        types = None
        for code in task.items:
            item = model.item(code)
            if item is None or any(g in item.objects for g in GENERIC) \
                    or not any(c in item.objects for c in CATEGORIES):
                continue  # objects not named by subject type (价格执行单位 …): nothing to compare
            types = _task_types(model, task) if types is None else types
            missing = sorted(t for t in types if t not in item.objects)
            if missing:
                out.append(Finding.at(
                    WARNING, "items.objects",
                    f"任务 {task.id} 的抽查事项 {code}（检查对象：{item.objects}）不适用于{'、'.join(missing)}，"
                    "但任务的抽取范围包含它们",
                    task.origin, column="抽取范围", value="、".join(missing), task=task.id,
                    fix="在「抽取范围」中按 市场主体类型 限定（例如 只抽企业），或换用检查对象相符的事项。"))
    return out
