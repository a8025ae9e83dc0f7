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


def decode(data: bytes) -> tuple[str, str]:
    """Bytes of a CSV file -> (text, encoding name)."""
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise TableError(
            f"无法识别文件编码（第 {exc.start} 字节）：应为 UTF-8 或 GB18030/GBK。"
            "请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”或 .xlsx 格式"
        ) from None


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
    records = list(reader)
    if not records:
        return Table((), (), encoding)
    headers = tuple(h.strip() for h in records[0])
    rows = tuple(
        (i, tuple(rec)) for i, rec in enumerate(records[1:], start=2) if not _blank(tuple(rec))
    )
    return Table(headers, rows, encoding)


def _read_xlsx(path: Path) -> Table:
    import openpyxl  # slow import: only when an office uses XLSX

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise TableError(f"无法打开 Excel 文件：{exc}（请确认是 .xlsx 格式且未损坏）") from None
    try:
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
        return Table(headers, tuple(rows), "xlsx")
    finally:
        wb.close()


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
