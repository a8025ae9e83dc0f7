"""Rows and YAML records -> field dictionaries, with findings for headers and keys."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..model import Origin
from . import headers as H
from .base import LoadContext
from .tabular import TableError, read_table
from .yamlio import line_of


@dataclass(frozen=True)
class Row:
    file: str
    row: int
    values: dict[str, object]  # field -> raw cell
    columns: dict[str, str]  # field -> header as written in the file

    def origin(self, fld: str | None = None) -> Origin:
        return Origin(self.file, self.row, self.columns.get(fld) if fld else None)

    def column(self, fld: str, table: H.Table) -> str:
        return self.columns.get(fld) or H.canonical(table, fld)


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.5) -> str | None:
    """The candidate most like ``word`` (difflib's ratio over the normalised forms), or None."""
    forms = {H.normalise(c): c for c in candidates}
    got = difflib.get_close_matches(H.normalise(word), list(forms), n=1, cutoff=cutoff)
    return forms[got[0]] if got else None


def _suggestions(table: H.Table, missing: list[str], unknown) -> dict[str, str]:
    """For each missing field, the unknown header written instead of it (检察结果 → 检查结果)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for fld in missing:
        canonical, aliases = table[fld]
        best, score = None, 0.0
        for _i, header in unknown:
            if header in taken:
                continue
            for name in (canonical, *aliases):
                ratio = difflib.SequenceMatcher(None, H.normalise(header), H.normalise(name)).ratio()
                if ratio > score:
                    best, score = header, ratio
        if best is not None and score >= 0.5:
            out[fld] = best
            taken.add(best)
    return out


def looks_like_title(headers, found) -> bool:
    """A title row above the header (合并居中的“XX 年度抽查结果”): no known column and at most
    two cells written."""
    return not found and 1 <= sum(1 for h in headers if str(h or "").strip()) <= 2


def report_headers(report, rel: str, table: H.Table, headers, found, unknown, dups,
                   required: tuple[str, ...] = (), what: str = "") -> bool:
    """Findings for a header row: unknown columns (warnings), duplicate fields and missing
    ``required`` fields (errors); False when a required field is missing (``what`` names the
    file in the message).

    A missing column is reported alone for the file (the caller reads no row of it): with the
    header written instead of it when one is close (您是否想写「检查结果」？), or, when row 1 holds
    no known column and at most two cells, as a title row to delete.

    ``report`` has ``warning``/``error(rule, message, origin, fix=…)`` (a LoadContext or the
    directory loader's ordered sink)."""
    missing = [f for f in required if f not in found]
    if missing and looks_like_title(headers, found):
        title = "".join(str(h or "").strip() for h in headers)
        report.error(
            "schema.title_row",
            f"{what or '文件'}第 1 行是标题「{title}」而不是表头：第 1 行应是列名（"
            + "、".join(H.canonical(table, f) for f in required) + "）",
            Origin(rel, 1),
            value=title,
            fix="删除第 1 行（标题行，合并的也一并删除），使列名所在的行成为第 1 行，然后保存。",
        )
        return False
    suggested = _suggestions(table, missing, unknown) if missing else {}
    for _i, header in unknown:
        if header in suggested.values():
            continue
        report.warning(
            "schema.unknown_column",
            f"无法识别的列名「{header}」，该列已忽略",
            Origin(rel, 1, header),
            fix="可用的列名：" + "、".join(v[0] for k, v in table.items()) + "；若该列不需要可删除。",
        )
    for fld, i in dups:
        report.error(
            "schema.duplicate_column",
            f"列「{headers[i]}」与列「{headers[found[fld]]}」表示同一字段「{H.canonical(table, fld)}」",
            Origin(rel, 1, headers[i]),
            fix="删除其中一列。",
        )
    for fld in missing:
        if fld in suggested:
            name = H.canonical(table, fld)
            report.error(
                "schema.missing_column",
                f"{what or '文件'}缺少必需的列「{name}」；表头中有「{suggested[fld]}」，您是否想写「{name}」？",
                Origin(rel, 1, suggested[fld]),
                value=suggested[fld],
                fix=f"把第 1 行的列名「{suggested[fld]}」改为「{name}」，然后保存。",
            )
    plain = [f for f in missing if f not in suggested]
    if plain:
        names = "、".join(H.canonical(table, f) for f in plain)
        report.error(
            "schema.missing_column",
            f"{what or '文件'}缺少必需的列：{names}",
            Origin(rel, 1),
            fix=f"在第 1 行（表头）加上列「{names}」；列名也可用其常见别名（见 gongshi template 生成的模板）。",
        )
    return not missing


def read_rows(
    ctx: LoadContext,
    path: Path,
    table: H.Table,
    required: tuple[str, ...],
    ignore: tuple[str, ...] = (),
    what: str = "",
) -> Iterator[Row]:
    """Yield the data rows of one CSV/XLSX file; report unreadable files and missing columns."""
    rel = ctx.rel(path)
    try:
        tab = read_table(path)
    except TableError as exc:
        ctx.error("schema.file", str(exc), Origin(rel), fix="按提示另存文件后重新运行 gongshi check。")
        return
    found, unknown, dups = H.match_headers(table, tab.headers, ignore)
    if not report_headers(ctx, rel, table, tab.headers, found, unknown, dups, required, what):
        return
    columns = {fld: tab.headers[i] for fld, i in found.items()}
    for ref in tab.merged:
        _merged(ctx, rel, tab.headers, ref)
    for row_no, cells in tab.rows:
        values = {fld: (cells[i] if i < len(cells) else None) for fld, i in found.items()}
        if CONTROL.search("".join(v for v in values.values() if isinstance(v, str))):
            _controls(ctx, rel, row_no, values, columns)
        yield Row(rel, row_no, values, columns)


# Invisible characters: C0/C1 controls except tab and line breaks (Cc) and the format
# characters of Unicode 15 (Cf: zero-width space/joiners, bidirectional embeddings, overrides
# and isolates, soft hyphen, BOM, tags …). The text is kept exactly as written (every page
# escapes it), but a name that looks the same as another yet differs, or that reorders the
# text around it, is worth a warning.
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


def _invisible(value: str) -> str | None:
    """The first invisible character of a cell; a zero-width joiner inside an emoji sequence
    (👨‍👩‍👧) is part of the emoji, not hidden."""
    for m in CONTROL.finditer(value):
        i = m.start()
        if m.group() == "\u200d" and 0 < i < len(value) - 1 and _pictograph(value[i - 1]) \
                and _pictograph(value[i + 1]):
            continue
        return m.group()
    return None


def _pictograph(ch: str) -> bool:
    return ord(ch) >= 0x1F000 or 0x2600 <= ord(ch) <= 0x27BF or ch == "\ufe0f"


def _controls(ctx: LoadContext, rel: str, row_no: int, values: dict, columns: dict) -> None:
    for fld, value in values.items():
        if isinstance(value, str) and (ch := _invisible(value)):
            ctx.warning(
                "schema.control",
                f"「{columns[fld]}」含不可见的控制字符 U+{ord(ch):04X}"
                f"（{unicodedata.name(ch, '控制字符')}），看起来相同的文字可能并不相同",
                Origin(rel, row_no, columns[fld]),
                value=value.encode("unicode_escape").decode("ascii")[:200],
                fix="删除该单元格中的不可见字符（常见于从网页或聊天软件复制的文字）后重新保存。",
            )


def _merged(ctx: LoadContext, rel: str, headers: tuple[str, ...], ref: str) -> None:
    first = ref.split(":")[0]
    letters = first.rstrip("0123456789")
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - ord("A") + 1
    header = headers[index - 1] if 0 < index <= len(headers) else None
    ctx.error(
        "schema.merged",
        f"合并单元格 {ref}：合并后只有左上角的 {first} 有值，其余单元格读作空白",
        Origin(rel, int(first[len(letters):]), header or letters),
        value=ref,
        fix="选中该区域，取消“合并后居中”，并在每个单元格中填写各自的值（可用“填充”复制）。",
    )


def record(
    ctx: LoadContext, table: H.Table, data: object, file: str, what: str
) -> tuple[dict[str, object], Origin] | None:
    """Map one YAML mapping's keys to fields; warn about unknown keys. None if not a mapping."""
    line = line_of(data)
    origin = Origin(file, line)
    if not isinstance(data, dict):
        ctx.error(
            "schema.type",
            f"{what}应为“键: 值”的映射，实际为 {type(data).__name__}",
            origin,
            value=data,
            fix="按 ARCHITECTURE.md 中的格式书写。",
        )
        return None
    fields, unknown = H.map_keys(table, data)
    for key in unknown:
        ctx.warning(
            "schema.unknown_key",
            f"{what}中无法识别的键「{key}」，已忽略",
            Origin(file, line_of(data, key), key),
            fix="可用的键：" + "、".join(v[0] for v in table.values()) + "。",
        )
    return fields, origin


def key_origin(data: object, file: str, table: H.Table, fld: str) -> Origin:
    """The origin (file, line, canonical key name) of a field of a YAML mapping."""
    line = None
    if isinstance(data, dict):
        names = H.lookup(table)
        for key in data:
            if names.get(H.normalise(key)) == fld:
                line = line_of(data, str(key))
                break
        else:
            line = line_of(data)
    return Origin(file, line, H.canonical(table, fld))
