"""data/tasks/<id>.xlsx: a task written as one form sheet, in the words a clerk uses.

The first worksheet has a header row (项目, 填写内容, …) and one row per item of the task:

- a field of the task file (``headers.TASK``) under its Chinese name: ``名称``, ``抽查事项`` (several
  values separated by 、) …;
- ``抽取范围``: one condition per row (the row may be repeated), written ``登记状态 等于 存续``,
  ``行业风险等级 属于 高、中``, ``成立日期 早于 2022-01-01``;
- ``分层1·名称``, ``分层1·条件``, ``分层1·比例`` (or ``·数量``) …: one group of rows per stratum,
  conditions as above, several in one cell on separate lines;
- ``检查人员·抽取方式``, ``检查人员·每组人数`` …;
- ``随机源1·名称``, ``随机源1·玩法`` …: one group per random source, in the order of the draw.

The rows become the very mapping a YAML task file gives (Chinese keys, the XLSX row of each
key remembered as its line), and ``tasks._TaskLoader`` loads it: the same task, the same checks,
the same parameters. The layout is made from ``headers.TASK`` and its nested tables, so a field
added to the task file is a row of the form as well (``gongshi template`` writes the form).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..model import Origin
from . import headers as H
from .base import LoadContext, text
from .tabular import TableError, read_table
from .yamlio import LineDict

SEP = "·"
_SEP_RE = re.compile(r"\s*[·.．/／]\s*")
# Nested parts of a task: field -> (table of the part's fields, repeated?)
NESTED: dict[str, tuple[H.Table, bool]] = {
    "strata": (H.STRATUM, True),
    "inspectors": (H.INSPECTORS, False),
    "sources": (H.SOURCE, True),
    "provenance": (H.PROVENANCE, False),
}
CONDITION_FIELDS = {("task", "population"), ("strata", "when")}
# Fields that YAML gives as integers (a text cell "2" is read as 2).
INTEGER_FIELDS = {("task", "year"), ("task", "n"), ("task", "protocol"), ("inspectors", "group_size"),
                  ("inspectors", "experts_count"), ("strata", "count"), ("sources", "count")}
HEADER = ("项目", "填写内容", "说明", "示例")
_OP_WORDS = ("等于", "属于", "包含于", "开头为", "前缀", "早于", "晚于", "eq", "in", "prefix", "before",
             "after", "=", "<", ">")
_CONDITION = re.compile(
    r"^\s*(?P<column>.+?)\s*(?P<op>" + "|".join(re.escape(w) for w in _OP_WORDS)
    + r")\s*(?P<value>.*?)\s*$")
_CONDITION_SPLIT = re.compile(r"[\r\n；;]+|\s+且\s+")


@dataclass(frozen=True)
class FormRow:
    """One row of the form: its label and where its value goes."""

    label: str  # 名称, 抽取范围, 分层1·名称 …
    part: str  # task | strata | inspectors | sources
    field: str  # field of the part's table
    index: int = 0  # 1-based stratum or source number (0: not repeated)


def form_rows(strata: int = 3, sources: int = 4, conditions: int = 3) -> list[FormRow]:
    """The rows of the form in order: how many strata, sources and population conditions the
    template offers (the reader takes any number)."""
    rows: list[FormRow] = []
    for fld, (header, _aliases) in H.TASK.items():
        if fld in NESTED:
            table, repeated = NESTED[fld]
            for i in range(1, (strata if fld == "strata" else sources) + 1) if repeated else (0,):
                prefix = f"{header}{i}" if repeated else header
                rows.extend(FormRow(f"{prefix}{SEP}{sub_header}", fld, sub, i)
                            for sub, (sub_header, _a) in table.items())
        elif fld == "population":
            rows.extend(FormRow(header, "task", fld) for _ in range(conditions))
        else:
            rows.append(FormRow(header, "task", fld))
    return rows


def parse_label(label: str) -> tuple[str, str, int] | None:
    """A row's label -> (part, field, index), or None when it names nothing known."""
    parts = _SEP_RE.split(label.strip(), maxsplit=1)
    top = H.lookup(H.TASK)
    if len(parts) == 1:
        fld = top.get(H.normalise(parts[0]))
        return None if fld is None or fld in NESTED else ("task", fld, 0)
    head, sub = parts
    m = re.fullmatch(r"(.*?)(\d*)", head.strip())
    assert m is not None
    fld = top.get(H.normalise(m.group(1)))
    if fld not in NESTED:
        return None
    table, repeated = NESTED[fld]
    sub_fld = H.lookup(table).get(H.normalise(sub))
    if sub_fld is None:
        return None
    index = int(m.group(2) or 1) if repeated else 0
    return fld, sub_fld, index


def condition_words(cell: str) -> list[dict]:
    """``登记状态 等于 存续`` (several on separate lines) -> [{列, 条件, 值}]. A condition without a
    known operator is passed on split at its first space (``登记状态 存续`` -> 列 登记状态, 条件
    存续), so that the task loader reports the very part that is wrong, at the form's row."""
    out = []
    for part in _CONDITION_SPLIT.split(cell):
        if not part.strip():
            continue
        m = _CONDITION.match(part)
        if m is not None and m.group("value"):
            out.append({"列": m.group("column"), "条件": m.group("op"), "值": m.group("value")})
            continue
        column, _sep, rest = part.strip().partition(" ")
        out.append({"列": column, "条件": rest.strip(), "值": ""})
    return out


_PAIR_SPLIT = re.compile(r"[\r\n；;]+")
_PAIR = re.compile(r"\s*(?P<key>[^:：\s]+)\s*[:：\s]\s*(?P<value>.+?)\s*$")


def _pairs(cell: str) -> dict[str, str] | str:
    """``SX01：食品科；SX02：质量计量科`` -> {SX01: 食品科, SX02: 质量计量科} (检查实施机关); the
    text as written when it is not such a list (the task loader then reports it)."""
    out: dict[str, str] = {}
    for part in _PAIR_SPLIT.split(cell):
        if not part.strip():
            continue
        m = _PAIR.match(part)
        if m is None:
            return cell
        out[m.group("key")] = m.group("value")
    return out


def _value(part: str, fld: str, raw: object) -> object:
    """A cell as YAML would give it: integers, ratios as "5%", mappings, text as written."""
    if (part, fld) == ("task", "item_authorities"):
        return _pairs(text(raw))
    if (part, fld) in INTEGER_FIELDS:
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        t = text(raw)
        return int(t) if t.isascii() and t.isdigit() else raw
    if part == "strata" and fld == "ratio" and isinstance(raw, int | float) and not isinstance(raw, bool):
        percent = (Decimal(repr(raw)) * 100).normalize()
        return f"{percent:f}%"
    if isinstance(raw, dt.datetime) and part != "sources":
        return raw.date() if raw.time() == dt.time(0) else raw
    if isinstance(raw, str):
        return raw.strip()
    return raw


def _mapping(line: int | None = None) -> LineDict:
    out = LineDict()
    out.line = line
    out.key_lines = {}
    return out


def _put(mapping: LineDict, key: str, value: object, line: int) -> None:
    mapping[key] = value
    mapping.key_lines.setdefault(key, line)


def read_task_form(ctx: LoadContext, path: Path) -> tuple[bool, object]:
    """(ok, the task as a YAML-like mapping) from a task form; errors name the XLSX row."""
    rel = ctx.rel(path)
    try:
        table = read_table(path)
    except TableError as exc:
        ctx.error("schema.file", str(exc), Origin(rel), fix="按提示另存文件后重新运行 gongshi check。")
        return False, None
    task = _mapping(1)
    nested: dict[str, dict[int, LineDict]] = {"strata": {}, "sources": {}}
    inspectors: LineDict | None = None
    rows = list(table.rows)
    first_label = text(table.headers[0]) if table.headers else ""
    if first_label and parse_label(first_label) is not None:  # no header row: row 1 is data
        rows.insert(0, (1, tuple(table.headers)))
    for row_no, cells in rows:
        label = text(cells[0] if cells else None)
        raw = cells[1] if len(cells) > 1 else None
        if not label or raw is None or text(raw) == "":
            continue
        where = parse_label(label)
        if where is None:
            ctx.warning("schema.unknown_key", f"任务表中无法识别的项目「{label}」，该行已忽略",
                        Origin(rel, row_no, "项目"), value=label,
                        fix="项目名称请保持 gongshi template 生成的写法，例如 名称、抽取范围、分层1·比例、随机源1·玩法。")
            continue
        part, fld, index = where
        value = _value(part, fld, raw)
        if (part, fld) in CONDITION_FIELDS:
            value = [_condition_mapping(c, row_no) for c in condition_words(text(value))]
        if part == "task":
            key = H.canonical(H.TASK, fld)
            if fld == "population":
                task.setdefault(key, [])
                task.key_lines.setdefault(key, row_no)
                task[key].extend(value)  # type: ignore[union-attr]
            else:
                _put(task, key, value, row_no)
            continue
        table_of, _repeated = NESTED[part]
        if part == "inspectors":
            if inspectors is None:
                inspectors = _mapping(row_no)
                _put(task, H.canonical(H.TASK, "inspectors"), inspectors, row_no)
            _put(inspectors, H.canonical(table_of, fld), value, row_no)
            continue
        group = nested[part].get(index)
        if group is None:
            group = nested[part][index] = _mapping(row_no)
        _put(group, H.canonical(table_of, fld), value, row_no)
    for part in ("strata", "sources"):
        if nested[part]:
            key = H.canonical(H.TASK, part)
            line = min(g.line or 0 for g in nested[part].values())
            _put(task, key, [nested[part][i] for i in sorted(nested[part])], line)
    return True, task


def _condition_mapping(condition: dict, line: int) -> LineDict:
    out = _mapping(line)
    for key, value in condition.items():
        _put(out, key, value, line)
    return out
