"""data/results/<task>.csv|xlsx: one row per inspected enterprise of a task.

检查结果 and 后续处置 take one or more values (labels as the office writes them, or codes),
separated by 、 ; ； , ， or line breaks. 企业名称 is ignored (the directory is authoritative).

Results per item: a row that names a 检查事项 (item code) is that item's result for the
enterprise; an enterprise's rows with items make one :class:`Result` whose ``items`` hold them in
file order (its ``results`` are the union, its 检查日期 the earliest, its 完成日期 the latest).
A row without 检查事项 is one whole-task result, as before. Product sampling rows may give
检验机构 and 报告编号.
"""

from __future__ import annotations

from pathlib import Path

from ..model import ItemResult, Origin, Result, Vocabularies
from . import headers as H
from .base import LoadContext, code_message, code_problem, compact_code, text
from .cache import LoadCache, dependency_digest
from .dates import DATE_FORMS, parse_date
from .records import Row, read_rows
from .tabular import table_files
from .vocab import resolve_many, split_values

REQUIRED = ("code", "inspected", "results")


def load_results(ctx: LoadContext, vocab: Vocabularies, task_ids: set[str],
                 cache: LoadCache | None = None) -> dict[str, tuple[Result, ...]]:
    """The results by task; with a ``cache``, each file's results and findings of the last load
    of the same bytes (the rows of a file depend on the vocabularies only)."""
    out: dict[str, tuple[Result, ...]] = {}
    deps = dependency_digest(vocab) if cache is not None else ""
    for task, path in task_tables(ctx, "results", "结果文件", task_ids):
        if cache is None:
            out[task] = _file_results(ctx, path, task, vocab)
        else:
            out[task] = cache.memo(ctx, "results", [path], deps,
                                   lambda p=path, t=task: _file_results(ctx, p, t, vocab))
    return out


def file_results(ctx: LoadContext, path: Path, task: str, vocab: Vocabularies) -> tuple[Result, ...]:
    """The results of one file (its findings go to ``ctx``)."""
    return _file_results(ctx, path, task, vocab)


def task_tables(ctx: LoadContext, folder: str, what: str, task_ids: set[str]):
    """(task id, path) of each ``<folder>/<task>.csv|xlsx``; a task with two files and a file of
    no task are reported (the latter still loaded, so its own rows are checked)."""
    seen: set[str] = set()
    for path in table_files(ctx.data_dir / folder):
        task = path.stem
        if task in seen:
            ctx.error("duplicates.file", f"任务 {task} 有两个{what}（.csv 与 .xlsx）", Origin(ctx.rel(path)),
                      fix=f"只保留一个{what}。")
            continue
        seen.add(task)
        if task not in task_ids:
            ctx.error("references.task", f"{what}对应的任务 {task} 不存在（data/tasks/{task}.yaml）",
                      Origin(ctx.rel(path)), value=task,
                      fix=f"{what}名应为任务编号，例如 {folder}/2023-01.csv。")
        yield task, path


def row_code(ctx: LoadContext, row: Row, table: H.Table) -> str | None:
    """The row's valid 统一社会信用代码, or None after reporting why it is not."""
    raw_code = text(row.values.get("code"))
    code = compact_code(raw_code)
    problem = code_problem(code) if code else "统一社会信用代码为空"
    if problem:
        message, fix = code_message(raw_code, code, problem)
        ctx.error("uscc.checksum" if "校验位" in problem else "uscc.format", message, row.origin("code"),
                  column=row.column("code", table), value=raw_code, fix=fix)
        return None
    return code


def _file_results(ctx: LoadContext, path: Path, task: str, vocab: Vocabularies) -> tuple[Result, ...]:
    rows: list[Result] = []
    per_item: dict[str, int] = {}  # code -> index in rows of its merged per-item result
    seen_items: dict[tuple[str, str], int] = {}
    for row in read_rows(ctx, path, H.RESULTS, REQUIRED, what="结果文件"):
        r = _result(ctx, task, row, vocab)
        if r is None:
            continue
        if not r.items:
            rows.append(r)
            continue
        key = (r.code, r.items[0].item)
        if key in seen_items:
            ctx.error("duplicates.result_item",
                      f"企业 {r.code} 的检查事项 {r.items[0].item} 已在第 {seen_items[key]} 行填写",
                      row.origin("item"), column=row.column("item", H.RESULTS), value=r.items[0].item,
                      fix="每家企业的每个检查事项只写一行；删除重复的一行。")
            continue
        seen_items[key] = row.row
        at = per_item.get(r.code)
        if at is None:
            per_item[r.code] = len(rows)
            rows.append(r)
            continue
        prev = rows[at]
        rows[at] = Result(
            task=task, code=r.code, inspected=min(prev.inspected, r.inspected),
            completed=max(prev.completed, r.completed),
            results=tuple(dict.fromkeys(prev.results + r.results)),
            followups=tuple(dict.fromkeys(prev.followups + r.followups)),
            note="；".join(n for n in (prev.note, r.note) if n), items=prev.items + r.items,
            origin=prev.origin,
        )
    return tuple(rows)


def _result(ctx: LoadContext, task: str, row: Row, vocab: Vocabularies) -> Result | None:
    v = row.values

    def col(fld: str) -> str:
        return row.column(fld, H.RESULTS)

    code = row_code(ctx, row, H.RESULTS)
    ok = code is not None
    dates = {}
    for fld in ("inspected", "completed"):
        raw = v.get(fld)
        if raw is None or text(raw) == "":
            if fld == "inspected":
                ctx.error("schema.required", "「检查日期」不能为空", row.origin(fld), column=col(fld),
                          fix=f"日期写作 {DATE_FORMS}。")
                ok = False
            continue
        try:
            dates[fld] = parse_date(raw)
        except ValueError as exc:
            ctx.error("schema.date", str(exc), row.origin(fld), column=col(fld), value=text(raw),
                      fix=f"日期写作 {DATE_FORMS}。")
            ok = False
    raw_results = split_values(vocab.results, v.get("results"))
    if not raw_results:
        ctx.error("schema.required", "「检查结果」不能为空", row.origin("results"), column=col("results"),
                  fix="填写一个或多个检查结果，例如 未发现问题。")
        ok = False
    results = resolve_many(ctx, vocab.results, raw_results, row.origin("results"), col("results"))
    followups = ()
    if "followups" in row.values:
        raw_f = split_values(vocab.followups, v.get("followups"))
        followups = resolve_many(ctx, vocab.followups, raw_f, row.origin("followups"), col("followups"))
        ok = ok and len(followups) == len(raw_f)
    if not ok or len(results) != len(raw_results):
        return None
    inspected = dates["inspected"]
    completed = dates.get("completed", inspected)
    if completed < inspected:
        ctx.error("schema.dates", f"完成日期 {completed} 早于检查日期 {inspected}", row.origin("completed"),
                  column=col("completed"), value=completed, fix="改正完成日期。")
        return None
    item = text(v.get("item"))
    items = (ItemResult(item, results, text(v.get("lab")), text(v.get("report"))),) if item else ()
    return Result(task=task, code=code, inspected=inspected, completed=completed, results=results,
                  followups=followups, note=text(v.get("note")), items=items, origin=row.origin())
