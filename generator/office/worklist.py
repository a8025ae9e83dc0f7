"""The clerk's work list after a draw: who inspects which enterprise, ready to send out.

One row per drawn enterprise, with a header, the enterprise's name, code and address, its
station, the task's items, the inspectors' names and units and the experts, in the order the
inspections are sent out: by station, then by inspection group, then by code. Written as XLSX
and CSV (UTF-8 with BOM, which Excel opens) under ``secrets/<task>/`` with the protection of
the listing (mode 0600, never read by the site build), since the list is embargoed until the
task's results are published.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from ..draws.reveal import listing_names
from ..draws.workspace import Workspace
from ..model import Model, Task
from ..protocol.listing import Line, parse_listing
from .templates import to_bytes

HEADER = ("序号", "所属监管所", "统一社会信用代码", "企业名称", "住所", "分层", "抽查事项",
          "检查人员", "检查人员单位", "专家", "检查方式", "检查时间")
XLSX = "工作清单.xlsx"
CSV = "工作清单.csv"


@dataclass(frozen=True)
class Worklist:
    rows: list[tuple[str, ...]]
    per_stratum: list[tuple[str, str, int]]  # (label, name, drawn)


def _unit(model: Model, unit_id: str) -> str:
    unit = model.portal.unit(unit_id)
    return unit.name if unit else unit_id


def build_worklist(model: Model, task: Task, listing: bytes) -> Worklist:
    lines = parse_listing(listing)
    strata = {f"S{i}": (rule.name or f"S{i}") for i, rule in enumerate(task.strata, start=1)}
    items = "；".join(f"{i.name}（{i.code}）" if (i := model.item(code)) else code for code in task.items)
    methods = "、".join(t.label for t in model.vocab.methods.terms if t.code in task.methods) or \
        "、".join(task.methods)
    period = f"{task.inspect_start} 至 {task.inspect_end}"

    def key(line: Line) -> tuple:
        e = model.enterprises.get(line.code)
        return (_unit(model, e.unit) if e else "", line.inspectors, line.code)

    rows = []
    for n, line in enumerate(sorted(lines, key=key), start=1):
        e = model.enterprises.get(line.code)
        people = [model.inspector(i) for i in line.inspectors]
        experts = [model.expert(i) for i in line.experts]
        rows.append((
            str(n), _unit(model, e.unit) if e else "", line.code, e.name if e else "", e.address if e else "",
            strata.get(line.stratum, line.stratum), items,
            "、".join(p.name if p else i for p, i in zip(people, line.inspectors, strict=True)),
            "、".join(dict.fromkeys(_unit(model, p.unit) for p in people if p)),
            "、".join(f"{x.name}（{x.organisation}）" if x else i
                     for x, i in zip(experts, line.experts, strict=True)),
            methods, period,
        ))
    counts = Counter(line.stratum for line in lines)
    per = [(label, name, counts[label]) for label, name in strata.items()]
    return Worklist(rows, per)


def worklist_csv(wl: Worklist) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(wl.rows)
    return buf.getvalue().encode("utf-8-sig")


def worklist_xlsx(wl: Worklist, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "工作清单"
    ws.append(list(HEADER))
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in wl.rows:
        ws.append(list(row))
        ws.cell(ws.max_row, 3).number_format = "@"
    for letter, width in zip("ABCDEFGHIJKL", (6, 16, 22, 30, 36, 12, 30, 16, 16, 20, 16, 24), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    wb.properties.title = title
    return to_bytes(wb)


def write_worklist(ws: Workspace, model: Model, task_id: str) -> Worklist:
    """Build the work list from the task's newest listing in secrets/ and write both files."""
    task = model.task(task_id)
    assert task is not None
    record = ws.secret_files(task_id)
    names = listing_names(record)
    listing = record[names[-1]] if names else ws.public_files(task_id).get("listing.csv", b"")
    wl = build_worklist(model, task, listing)
    ws.write_secret(task_id, XLSX, worklist_xlsx(wl, f"{task.title} 工作清单"))
    ws.write_secret(task_id, CSV, worklist_csv(wl))
    return wl
