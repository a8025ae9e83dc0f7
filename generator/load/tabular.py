"""Reading the office's tables: CSV in UTF-8, UTF-8 with BOM or GB18030/GBK, and XLSX.

Encoding detection for CSV: a UTF-8 BOM means ``utf-8-sig``; otherwise the bytes are decoded as
strict UTF-8, and if that fails as GB18030 (a superset of GBK and GB2312, what Excel on Chinese
Windows writes). XLSX is read with openpyxl in read-only mode with cached values
(``data_only``); date cells arrive as dates. Rows are numbered as the office sees them in Excel
(header = row 1); blank rows are skipped but keep their numbers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

TABLE_SUFFIXES = (".csv", ".xlsx")


class TableError(Exception):
    """A file that cannot be read as a table; the message is Chinese."""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[object, ...]], ...]  # (1-based row number, cells)
    encoding: str = ""
    merged: tuple[str, ...] = ()  # XLSX merged ranges such as "F2:F5"


def decode(data: bytes) -> tuple[str, str]:
    """Bytes of a CSV file -> (text, encoding name).

    A file that is partly UTF-8 and partly something else (lines pasted from a GBK export into
    a UTF-8 file) is refused, never decoded into mojibake: once a line holds a UTF-8 encoded
    Chinese character (or the file starts with a UTF-8 BOM), every line must be UTF-8.
    """
    bom = data.startswith(codecs.BOM_UTF8)
    encoding = "utf-8-sig" if bom else "utf-8"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
    utf8_line = 1 if bom else _utf8_cjk_line(data)
    if utf8_line is not None:
        raise TableError(
            f"文件编码混杂：第 {utf8_line} 行是 UTF-8 编码，第 {bad_line} 行却不是 UTF-8（可能是 GBK），"
            "按任何一种编码读取都会出现乱码。请在 Excel 中打开原始数据，整体“另存为”"
            "“CSV UTF-8（逗号分隔）”或 .xlsx 格式"
        )
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TableError(
            f"无法识别文件编码（第 {line} 行）：应为 UTF-8 或 GB18030/GBK。"
            "请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”或 .xlsx 格式"
        ) from None


def _utf8_cjk_line(data: bytes) -> int | None:
    """The first line that is valid UTF-8 holding a character of U+0800 or above (Chinese).

    GBK text practically never decodes as UTF-8 with such characters, so one such line in a
    file that is not UTF-8 throughout means mixed encodings."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any(ord(c) >= 0x800 for c in text):
            return number
    return None


def read_table(path: Path) -> Table:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise TableError(f"不支持的文件类型 {path.suffix}：应为 .csv 或 .xlsx")


def _blank(cells: tuple[object, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _read_csv(path: Path) -> Table:
    content, encoding = decode(path.read_bytes())
    first = content.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:  # a cell longer than csv.field_size_limit() (128 Ki characters)
        raise TableError(
            f"第 {reader.line_num} 行无法读取（{exc}）：单元格过长，多半是引号 \" 未成对，"
            "把后面许多行都并进了一个单元格。请检查该行附近的引号"
        ) from None
    if not records:
        return Table((), (), encoding)
    headers = tuple(h.strip() for h in records[0])
    rows = tuple(
        (i, tuple(rec)) for i, rec in enumerate(records[1:], start=2) if not _blank(tuple(rec))
    )
    return Table(headers, rows, encoding)


def _read_xlsx(path: Path) -> Table:
    import openpyxl  # slow import: only when an office uses XLSX

    # openpyxl raises many types (BadZipFile, KeyError, XML ParseError, IndexError …) for a
    # broken or truncated file, also lazily while the rows are read: each is a TableError.
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(f"无法打开 Excel 文件：{exc}（请确认是 .xlsx 格式且未损坏）") from None
    try:
        if not wb.worksheets:
            raise TableError("Excel 文件中没有工作表（请确认是 .xlsx 格式且未损坏）")
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        try:
            header_row = next(it)
        except StopIteration:
            return Table((), (), "xlsx")
        headers = tuple("" if h is None else str(h).strip() for h in header_row)
        rows = []
        for i, rec in enumerate(it, start=2):
            cells = tuple(_cell(c) for c in rec)
            if not _blank(cells):
                rows.append((i, cells))
        merged = _merged_ranges(ws)
        return Table(headers, tuple(rows), "xlsx", merged)
    except TableError:
        raise
    except Exception as exc:
        raise TableError(
            f"Excel 文件已损坏或不完整，读取工作表时出错：{exc}。请在 Excel 中打开并重新保存为 .xlsx"
        ) from None
    finally:
        wb.close()


_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]{1,3}[0-9]+:[A-Z]{1,3}[0-9]+)\"")


def _merged_ranges(ws) -> tuple[str, ...]:
    """The merged ranges of a read-only worksheet (``<mergeCell ref="F2:F5"/>``, after the rows).

    openpyxl's read-only mode does not parse them; only the top-left cell of a merged range
    holds the value, the others read as empty."""
    found: list[str] = []
    tail = b""
    with ws._get_source() as src:  # the sheet's XML inside the archive
        while chunk := src.read(1 << 20):
            buf = tail + chunk
            for m in _MERGE_CELL.finditer(buf):
                ref = m.group(1).decode("ascii")
                if ref not in found:
                    found.append(ref)
            tail = buf[-256:]
    return tuple(found)


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    return value


def table_files(folder: Path, exclude_stems: tuple[str, ...] = ()) -> list[Path]:
    """The CSV/XLSX files of a folder, sorted; Excel lock files (~$…) skipped."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in TABLE_SUFFIXES
        and not p.name.startswith(("~$", "."))
        and p.stem.lower() not in exclude_stems
    )
