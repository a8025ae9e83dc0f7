"""Duplicates: inspector and expert ids (ignoring case, across both rosters — PROTOCOL §13),
task ids, item codes, and an enterprise listed twice in one task's results. Duplicate codes in
the directory are reported by the directory loader, which keys enterprises by code."""

from __future__ import annotations

from collections.abc import Iterable

from ..findings import ERROR, Finding
from ..model import Model, Origin
from .context import CheckContext


def _where(origin: Origin | None) -> str:
    if origin is None:
        return "另一处"
    return f"{origin.file}" + (f" 第 {origin.row} 行" if origin.row else "")


def _dups(
    records: Iterable[tuple[str, Origin | None]], rule: str, what: str, column: str, fix: str,
    fold: bool = False,
) -> list[Finding]:
    seen: dict[str, Origin | None] = {}
    out = []
    for key, origin in records:
        k = key.lower() if fold else key
        if k in seen:
            out.append(Finding.at(ERROR, rule, f"{what}重复：与 {_where(seen[k])} 相同", origin,
                                  column=column, value=key, fix=fix))
        else:
            seen[k] = origin
    return out


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out = _dups(
        ((p.id, p.origin) for p in (*model.inspectors, *model.experts)),
        "duplicates.person", "人员编号（不区分大小写，执法人员与专家合并计算）", "人员编号",
        "每人一个编号，编号不能重复，也不能只差大小写；离开的人员编号不得给新人员使用。", fold=True,
    )
    out += _dups(((t.id, t.origin) for t in model.tasks), "duplicates.task", "任务编号", "编号",
                 "每个任务一个编号。", fold=True)
    out += _dups(((i.code, i.origin) for i in model.items), "duplicates.item", "事项编号", "编号",
                 "每个抽查事项一个编号。", fold=True)
    for task_id, results in model.results.items():
        out += _dups(((r.code, r.origin) for r in results), "duplicates.result",
                     f"任务 {task_id} 的结果中统一社会信用代码", "统一社会信用代码",
                     "每户企业只写一行；多个检查结果写在同一单元格内，用、分隔。")
    return out
