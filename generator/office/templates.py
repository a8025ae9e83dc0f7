"""XLSX templates of the office's files (``gongshi template``), from ``office.files`` and the
task form layout of ``load.task_sheet``.

A table template's first sheet is what the loader reads: the header row only, each header with
a note (what to write, required or not) and, where the loader accepts a closed set of values,
a drop-down list (data validation; a value outside it is allowed after a warning where several
values may share a cell). A sheet 示例 holds an example row and a sheet 说明 the columns; both
are ignored by the loader, which reads the first sheet only. Workbooks are written with fixed
document properties so that the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..fileio import write_atomic
from ..load.task_sheet import HEADER as FORM_HEADER
from ..load.task_sheet import SEP, form_rows
from ..load.tasks import COLUMNS, EXCLUSION_RULES, GAMES, OPS
from ..model import LIST_SOURCES, Vocabularies
from .files import TABLES, OfficeFile

_BOLD = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_FIXED_TIME = dt.datetime(2024, 1, 1)
TEXT = "@"


def _fixed_properties(wb: Workbook) -> None:
    wb.properties.creator = "gongshi"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME


def to_bytes(wb: Workbook) -> bytes:
    _fixed_properties(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class _Lists:
    """A hidden sheet 取值 holding the drop-down lists (no 255-character limit of inline lists)."""

    def __init__(self, wb: Workbook) -> None:
        self.sheet = wb.create_sheet("取值")
        self.sheet.sheet_state = "hidden"
        self.column = 0

    def add(self, title: str, values: Iterable[str]) -> str:
        self.column += 1
        letter = get_column_letter(self.column)
        values = list(values)
        self.sheet.cell(1, self.column, title)
        for i, v in enumerate(values, start=2):
            self.sheet.cell(i, self.column, v)
        return f"取值!${letter}$2:${letter}${len(values) + 1}"


def _validation(ws, ref: str, cells: str, multi: bool, title: str) -> None:
    dv = DataValidation(type="list", formula1=f"={ref}", allow_blank=True,
                        errorStyle="warning" if multi else "stop",
                        showErrorMessage=True, errorTitle=title,
                        error="请从下拉列表中选择" + ("（多个值用、分隔时可忽略本提示）" if multi else "。"))
    dv.add(cells)
    ws.add_data_validation(dv)


def table_workbook(spec: OfficeFile, vocab: Vocabularies, rows: int = 2000) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title
    lists = _Lists(wb)
    for i, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(1, i, col.header)
        cell.font = _BOLD
        if col.required:
            cell.fill = _REQUIRED_FILL
        note = ("【必填】" if col.required else "【选填】") + col.note
        if col.aliases:
            note += "\n也可写作：" + "、".join(col.aliases)
        if col.choices:
            note += "\n可选：" + "、".join(col.choices(vocab))
        cell.comment = Comment(note, "gongshi", width=320, height=160)
        ws.column_dimensions[letter].width = max(12, min(40, 2 * len(col.header) + 6))
        if col.text:
            for r in range(2, rows + 2):
                ws.cell(r, i).number_format = TEXT
        if col.choices:
            ref = lists.add(col.header, col.choices(vocab))
            _validation(ws, ref, f"{letter}2:{letter}{rows + 1}", col.multi, col.header)
    ws.freeze_panes = "A2"
    example = wb.create_sheet("示例")
    for i, col in enumerate(spec.columns, start=1):
        example.cell(1, i, col.header).font = _BOLD
        example.cell(2, i, col.example)
    _notes_sheet(wb, spec, vocab)
    wb.move_sheet("取值", offset=len(wb.sheetnames))
    return to_bytes(wb)


def _notes_sheet(wb: Workbook, spec: OfficeFile, vocab: Vocabularies) -> None:
    ws = wb.create_sheet("说明")
    ws.append([f"{spec.title}：{spec.purpose}只读取第一个工作表；本页和“示例”页不会被读取。"])
    ws.append(["列名", "必填", "说明", "也可写作", "可选取值"])
    for c in ws[2]:
        c.font = _BOLD
    for col in spec.columns:
        ws.append([col.header, "是" if col.required else "否", col.note, "、".join(col.aliases),
                   "、".join(col.choices(vocab)) if col.choices else ""])
    for letter, width in zip("ABCDE", (18, 6, 60, 30, 40), strict=True):
        ws.column_dimensions[letter].width = width


# -- the task form ----------------------------------------------------------------------------

_TASK_NOTES = {
    "id": "任务编号，与文件名相同，如 2024-01（文件存为 data/tasks/2024-01.xlsx）。",
    "title": "任务名称（公开）。",
    "year": "年度，如 2024。",
    "department": "发起科室：portal.yaml「单位」中的编号或名称。",
    "partners": "联合抽查时的配合部门（portal.yaml 中类型为 其他部门 的单位），多个用、分隔。",
    "item_authorities": "各事项的检查实施机关，写作 事项编号：部门，多个用；分隔，如 SX01：食品科；不填则为发起科室。",
    "list_source": "名单来源：本局抽取（用本系统公告、抽取）、协同监管平台抽取 或 上级下发（用 gongshi import-list 导入）。",
    "protocol": "抽取协议版本，一般不填（默认 2）。",
    "items": "抽查事项编号（items.yaml），多个用、分隔。",
    "directed": "定向 或 不定向。",
    "mode": "一般为 公开；按内部信用风险分类分层的任务为 审计。",
    "population": "抽取范围的一个条件，写作“列 条件 值”，如 登记状态 等于 存续；每行一个条件，可增加行。",
    "methods": "检查方式，多个用、分隔。",
    "announce_date": "公告日期。",
    "inspect_start": "检查开始日期。",
    "inspect_end": "检查结束日期。",
    "completion_date": "检查全部完成后再填写完成日期（揭示抽取名单、计算公示期限都以它为准）。",
    "exclusion_rules": "需要时填 同一事项同年已抽中（排除本年度同一事项已抽中的企业）。",
    "n": "哈希链长度，一般不填（默认 1）。",
    "plan_public": "是否列入公开的年度抽查计划：是 或 否。",
    "redraw_of": "仅重新抽取时填写：原任务编号。",
    "description": "说明（公开）。",
}
_NESTED_NOTES = {
    ("strata", "name"): "分层名称，如 高风险行业；不分层时只填分层1，名称写 全部。",
    ("strata", "when"): "本层的条件，写法同抽取范围；多个条件分行写；最后一层可不填（其余对象）。",
    ("strata", "ratio"): "抽取比例，如 5%（与数量二选一）。",
    ("strata", "count"): "抽取户数，如 12（与比例二选一）。",
    ("provenance", "reference"): "名单出处：平台任务编号或下发文号（名单来源不是本局抽取时填写）。",
    ("provenance", "issuer"): "名单出处：抽取机关或下发机关。",
    ("provenance", "date"): "名单出处：抽取或下发日期。",
    ("inspectors", "scope"): "检查人员抽取方式。",
    ("inspectors", "units"): "若干市场监管所随机时：参与的监管所，多个用、分隔。",
    ("inspectors", "hq"): "局机关与市场监管所随机时：参与的科室，多个用、分隔。",
    ("inspectors", "group_size"): "每组人数，不少于 2。",
    ("inspectors", "expertise"): "检查组须具备的业务专长，多个用、分隔；不要求时不填。",
    ("inspectors", "experts_count"): "每组另抽专家人数；不需要时填 0 或不填。",
    ("inspectors", "experts_expertise"): "专家须具备的专长。",
    ("sources", "name"): "随机源名称，如 中国福利彩票双色球。",
    ("sources", "game"): "玩法：fc3d（福彩3D）、pl5（排列5）、ssq（双色球）、dlt（大乐透）、drand。",
    ("sources", "issue"): "期号，如 2024001（设为文本）。",
    ("sources", "scheduled"): "开奖时间（北京时间），如 2024-01-02 21:15；须在公告（commit）后至少 24 小时。",
    ("sources", "take"): "取数规则（公开），如 开奖公告的红球 6 个（从小到大）后接蓝球 1 个。",
    ("sources", "count"): "号码个数，如 7。",
    ("sources", "ordered"): "号码是否有序：是 或 否。",
    ("sources", "fallback"): "备用规则，如 若该期未按期开奖，取同一玩法按期开奖的下一期。",
    ("sources", "url"): "开奖公告网址。",
}
_TASK_EXAMPLE = {
    ("task", "id"): "2024-01", ("task", "title"): "2024年度登记事项不定向抽查", ("task", "year"): 2024,
    ("task", "department"): "信用监管科", ("task", "items"): "SX01、SX02", ("task", "directed"): "不定向",
    ("task", "mode"): "公开", ("task", "population"): "登记状态 等于 存续",
    ("task", "methods"): "现场检查、网络检查", ("task", "announce_date"): "2024-03-01",
    ("task", "inspect_start"): "2024-03-11", ("task", "inspect_end"): "2024-05-31",
    ("strata", "name"): "全部", ("strata", "ratio"): "5%",
    ("inspectors", "scope"): "全局内随机", ("inspectors", "group_size"): 2,
    ("sources", "name"): "中国福利彩票双色球", ("sources", "game"): "ssq", ("sources", "issue"): "2024025",
    ("sources", "scheduled"): "2024-03-05 21:15",
    ("sources", "take"): "开奖公告的红球 6 个（从小到大）后接蓝球 1 个，共 7 个号码，按此顺序",
    ("sources", "count"): 7, ("sources", "ordered"): "是",
    ("sources", "fallback"): "若该期未按期开奖，取同一玩法按期开奖的下一期",
}


def _task_choices(vocab: Vocabularies) -> dict[tuple[str, str], tuple[tuple[str, ...], bool]]:
    """(part, field) -> (values, several allowed in one cell)."""
    return {
        ("task", "directed"): (("不定向", "定向"), False),
        ("task", "mode"): (("公开", "审计"), False),
        ("task", "list_source"): (tuple(LIST_SOURCES.values()), False),
        ("task", "methods"): (tuple(t.label for t in vocab.methods.terms), True),
        ("task", "exclusion_rules"): (tuple(k for k in EXCLUSION_RULES if not k.isascii()), True),
        ("task", "plan_public"): (("是", "否"), False),
        ("inspectors", "scope"): (tuple(t.label for t in vocab.scopes.terms), False),
        ("sources", "game"): (GAMES, False),
        ("sources", "ordered"): (("是", "否"), False),
    }


def task_workbook(vocab: Vocabularies) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "任务"
    lists = _Lists(wb)
    ws.append(list(FORM_HEADER))
    for c in ws[1]:
        c.font = _BOLD
    choices = _task_choices(vocab)
    refs = {key: lists.add(key[1], values) for key, (values, _m) in choices.items()}
    for r, row in enumerate(form_rows(), start=2):
        key = (row.part, row.field)
        note = _TASK_NOTES.get(row.field, "") if row.part == "task" else _NESTED_NOTES.get(key, "")
        if key in choices:
            note += "（可选：" + "、".join(choices[key][0]) + "）"
        example = _TASK_EXAMPLE.get(key, "") if row.index <= 1 else ""
        ws.append([row.label, None, note, example])
        ws.cell(r, 2).number_format = TEXT if row.field in ("id", "issue") else "General"
        ws.cell(r, 3).alignment = Alignment(wrap_text=True, vertical="top")
        if key in refs:
            _validation(ws, refs[key], f"B{r}", choices[key][1], row.label)
    for letter, width in zip("ABCD", (22, 40, 60, 36), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "B2"
    words = wb.create_sheet("条件写法")
    words.append(["列", "也可写作"])
    for _name, aliases in COLUMNS.items():
        words.append([aliases[1], "、".join(a for a in aliases if a != aliases[1])])
    words.append([])
    words.append(["条件", "也可写作"])
    for _op, aliases in OPS.items():
        words.append([aliases[1], "、".join(a for a in aliases if a != aliases[1])])
    words.append([])
    words.append([f"例：登记状态 等于 存续；行业风险等级 属于 高、中；成立日期 早于 2022-01-01。"
                  f"分层、检查人员、随机源的项目写作 分层1{SEP}名称、检查人员{SEP}每组人数、随机源1{SEP}玩法。"])
    wb.move_sheet("取值", offset=len(wb.sheetnames))
    return to_bytes(wb)


def write_templates(folder: Path, vocab: Vocabularies) -> list[Path]:
    """Write every template into ``folder``; returns the paths written."""
    out = []
    for spec in TABLES:
        path = folder / spec.template
        write_atomic(path, table_workbook(spec, vocab))
        out.append(path)
    path = folder / "任务.xlsx"
    write_atomic(path, task_workbook(vocab))
    out.append(path)
    return out

