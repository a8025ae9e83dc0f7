"""``gongshi report``: the 抽查情况汇总表 sent up (plan 八(六)), and the results export in the
column layout of the provincial platform's import (plan 七(五)), the layout kept as data.

Both read the public view only (published tasks as of a date), so what goes up or out is what
the portal shows; the 汇总表's figures come from ``site.summary``, the statistics page's own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font

from ..model import Model
from ..site import summary as S
from ..site import view as v
from ..site.labels import term_labels, unit_name
from .templates import to_bytes

DEFAULT_MAPPING = Path(__file__).resolve().parent.parent / "defaults" / "export" / "platform.yaml"


class ReportError(Exception):
    """A bad export mapping or period (Chinese message naming the file and the fix)."""


def summary_workbook(model: Model, view: v.PublicView, year: int) -> bytes:
    sm = S.summarise(model, view, year)
    wb = Workbook()
    first = True
    for title, rows in (("按监管所", sm.stations), ("按科室", sm.departments)):
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        ws.append([f"{model.portal.office_name} {year} 年度抽查情况汇总表（{title}，截至 {view.as_of}）"])
        ws["A1"].font = Font(bold=True)
        ws.append(list(S.COLUMNS))
        for c in ws[2]:
            c.font = Font(bold=True)
        for row in rows:
            ws.append(list(row))
        ws.column_dimensions["A"].width = 24
    notes = wb.create_sheet("说明")
    for line in (S.__doc__ or "").strip().splitlines():
        notes.append([line.strip()])
    return to_bytes(wb)


# -- the platform export ------------------------------------------------------------------------

def _values(model: Model, tv: v.TaskView, result) -> dict[str, str]:
    task = tv.task
    results = term_labels(model.vocab.results)
    followups = term_labels(model.vocab.followups)
    enterprise = model.enterprises.get(result.code)
    items = [model.item(c) for c in task.items]
    published = tv.publishes[0]["time"] if tv.publishes else ""
    day = ""
    if published:
        moment = dt.datetime.strptime(published, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        day = moment.astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    return {
        "机关名称": model.portal.office_name,
        "行政区划代码": model.portal.region_code,
        "任务编号": task.id,
        "任务名称": task.title,
        "年度": str(task.year),
        "发起科室": unit_name(model, task.department),
        "抽查类型": "定向抽查" if task.directed else "不定向抽查",
        "抽查事项": "、".join(i.name if i else c for i, c in zip(items, task.items, strict=True)),
        "抽查事项编号": "、".join(task.items),
        "检查方式": "、".join(t.label for t in model.vocab.methods.terms if t.code in task.methods),
        "统一社会信用代码": result.code,
        "企业名称": enterprise.name if enterprise else "",
        "所属监管所": unit_name(model, enterprise.unit) if enterprise else "",
        "检查日期": result.inspected.isoformat(),
        "完成日期": result.completed.isoformat(),
        "检查结果": "、".join(results.get(c, c) for c in result.results),
        "后续处置": "、".join(followups.get(c, c) for c in result.followups),
        "备注": result.note,
        "公示日期": day,
    }


def load_mapping(path: Path | None) -> tuple[str, list[tuple[str, str, str]]]:
    """(sheet title, [(column header, field, fixed value)]) from an export mapping file."""
    path = path or DEFAULT_MAPPING
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReportError(f"无法读取导出列对应文件 {path}：{exc}") from None
    known = set(FIELDS) | {"固定值"}
    columns = []
    for i, col in enumerate((data or {}).get("列") or [], start=1):
        if not isinstance(col, dict) or not col.get("列名") or col.get("取值") not in known:
            raise ReportError(f"导出列对应文件 {path} 第 {i} 列写法有误：{col!r}。每列写作 "
                              "{列名: 平台表头, 取值: 字段}，字段可用：" + "、".join(sorted(known)) + "。")
        columns.append((str(col["列名"]), str(col["取值"]), str(col.get("值", ""))))
    if not columns:
        raise ReportError(f"导出列对应文件 {path} 中没有“列”。")
    return str((data or {}).get("工作表") or "抽查结果"), columns


# The fields a column may take (the keys of _values).
FIELDS = ("机关名称", "行政区划代码", "任务编号", "任务名称", "年度", "发起科室", "抽查类型", "抽查事项",
                  "抽查事项编号", "检查方式", "统一社会信用代码", "企业名称", "所属监管所", "检查日期", "完成日期",
                  "检查结果", "后续处置", "备注", "公示日期")


def export_rows(model: Model, view: v.PublicView, year: int | None, task_id: str | None,
                columns: list[tuple[str, str, str]]) -> list[list[str]]:
    rows = []
    for tv in view.tasks:
        if not tv.published or (year is not None and tv.task.year != year) or \
                (task_id is not None and tv.task.id != task_id):
            continue
        for result in tv.results or ():
            values = _values(model, tv, result)
            rows.append([fixed if fld == "固定值" else values[fld] for _h, fld, fixed in columns])
    return rows


def export_workbook(title: str, columns: list[tuple[str, str, str]], rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([h for h, _f, _x in columns])
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.number_format = "@"
    return to_bytes(wb)

