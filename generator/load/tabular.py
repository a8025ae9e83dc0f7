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
import itertools
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
        if _is_utf8_cjk(line):
            return number
    return None


def _is_utf8_cjk(line: bytes) -> bool:
    """True when ``line`` is valid UTF-8 holding a character of U+0800 or above."""
    if line.isascii():
        return False
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(ord(c) >= 0x800 for c in text)


def read_table(path: Path) -> Table:
    """The whole table (blank rows left out); every reading problem is a :class:`TableError`."""
    stream = open_table(path)
    rows = tuple(
        (i, tuple(rec)) for start, batch in stream.batches() for i, rec in enumerate(batch, start)
        if not _blank(tuple(rec))
    )
    return Table(stream.headers, rows, stream.encoding, stream.merged)


class TableStream:
    """A table read in batches of rows, never whole: the header first, then ``batches()``.

    ``batches(size)`` yields ``(number of the first row, [cells, …])``, blank rows included (so
    the numbers run on); ``merged`` is known once the batches are exhausted. A problem found
    while reading raises :class:`TableError` from ``open_table`` or from ``batches``.
    """

    def __init__(self, headers: tuple[str, ...], encoding: str, batches) -> None:
        self.headers = headers
        self.encoding = encoding
        self.merged: tuple[str, ...] = ()
        self._batches = batches

    def batches(self, size: int = 1 << 16):
        yield from self._batches(self, size)


def open_table(path: Path) -> TableStream:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _open_csv(path)
    if suffix == ".xlsx":
        return _open_xlsx(path)
    raise TableError(f"不支持的文件类型 {path.suffix}：应为 .csv 或 .xlsx")


def _blank(cells: tuple[object, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


_BLOCK = 1 << 23  # bytes read at a time; blocks end after a line feed


def _byte_blocks(path: Path):
    """The file's bytes in blocks that end after b"\\n" (never inside a UTF-8 or GB18030
    character: b"\\n" is no continuation byte of either)."""
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            if not block.endswith(b"\n"):
                block += fh.readline()
            yield block


def _newlines_before(path: Path, end: int) -> int:
    count = pos = 0
    for block in _byte_blocks(path):
        if pos + len(block) >= end:
            return count + block.count(b"\n", 0, end - pos)
        count += block.count(b"\n")
        pos += len(block)
    return count


def _csv_encoding(path: Path) -> str:
    """The encoding :func:`decode` would choose, found block by block; the same errors."""
    with path.open("rb") as fh:
        bom = fh.read(3) == codecs.BOM_UTF8
    pos = 0
    for block in _byte_blocks(path):
        skip = 3 if bom and pos == 0 else 0
        try:
            block[skip:].decode("utf-8")
        except UnicodeDecodeError as exc:
            # decode() reports the offset within the text after the BOM
            bad_line = _newlines_before(path, pos + skip + exc.start - (3 if bom else 0)) + 1
            break
        pos += len(block)
    else:
        return "utf-8-sig" if bom else "utf-8"
    utf8_line = 1 if bom else _utf8_cjk_line_blocks(path)
    if utf8_line is not None:
        raise TableError(
            f"文件编码混杂：第 {utf8_line} 行是 UTF-8 编码，第 {bad_line} 行却不是 UTF-8（可能是 GBK），"
            "按任何一种编码读取都会出现乱码。请在 Excel 中打开原始数据，整体“另存为”"
            "“CSV UTF-8（逗号分隔）”或 .xlsx 格式"
        )
    pos = 0
    for block in _byte_blocks(path):
        try:
            block.decode("gb18030")
        except UnicodeDecodeError as exc:
            line = _newlines_before(path, pos + exc.start) + 1
            raise TableError(
                f"无法识别文件编码（第 {line} 行）：应为 UTF-8 或 GB18030/GBK。"
                "请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”或 .xlsx 格式"
            ) from None
        pos += len(block)
    return "gb18030"


def _utf8_cjk_line_blocks(path: Path) -> int | None:
    number = 0
    for block in _byte_blocks(path):
        lines = block.split(b"\n")
        if block.endswith(b"\n"):
            lines.pop()
        for line in lines:
            number += 1
            if _is_utf8_cjk(line):
                return number
    return None


def _texts(path: Path, encoding: str):
    first = True
    for block in _byte_blocks(path):
        yield block.decode(encoding if first else ("gb18030" if encoding == "gb18030" else "utf-8"))
        first = False


def _open_csv(path: Path) -> TableStream:
    encoding = _csv_encoding(path)
    texts = _texts(path, encoding)
    head = next(texts, "")
    first = head.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    lines = itertools.chain.from_iterable(
        io.StringIO(t, newline="") for t in itertools.chain((head,), texts))
    reader = csv.reader(lines, delimiter=delimiter)

    def records():
        try:
            yield from reader
        except csv.Error as exc:  # a cell longer than csv.field_size_limit() (128 Ki characters)
            raise TableError(
                f"第 {reader.line_num} 行无法读取（{exc}）：单元格过长，多半是引号 \" 未成对，"
                "把后面许多行都并进了一个单元格。请检查该行附近的引号"
            ) from None

    it = records()
    header = next(it, None)
    if header is None:
        return TableStream((), encoding, lambda stream, size: iter(()))

    def batches(stream, size):
        start = 2
        while batch := list(itertools.islice(it, size)):
            yield start, batch
            start += len(batch)

    return TableStream(tuple(h.strip() for h in header), encoding, batches)


def _open_xlsx(path: Path) -> TableStream:
    import openpyxl  # slow import: only when an office uses XLSX

    # openpyxl raises many types (BadZipFile, KeyError, XML ParseError, IndexError …) for a
    # broken or truncated file, also lazily while the rows are read: each is a TableError.
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(f"无法打开 Excel 文件：{exc}（请确认是 .xlsx 格式且未损坏）") from None
    done = False
    try:
        if not wb.worksheets:
            raise TableError("Excel 文件中没有工作表（请确认是 .xlsx 格式且未损坏）")
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        try:
            header_row = next(it)
        except StopIteration:
            done = True
            return TableStream((), "xlsx", lambda stream, size: iter(()))
        headers = tuple("" if h is None else str(h).strip() for h in header_row)
    except TableError:
        done = True
        raise
    except Exception as exc:
        done = True
        raise TableError(
            f"Excel 文件已损坏或不完整，读取工作表时出错：{exc}。请在 Excel 中打开并重新保存为 .xlsx"
        ) from None
    finally:
        if done:
            wb.close()

    def batches(stream, size):
        try:
            start = 2
            rows = (tuple(_cell(c) for c in rec) for rec in it)
            while batch := list(itertools.islice(rows, size)):
                yield start, batch
                start += len(batch)
            stream.merged = _merged_ranges(ws)
        except TableError:
            raise
        except Exception as exc:
            raise TableError(
                f"Excel 文件已损坏或不完整，读取工作表时出错：{exc}。请在 Excel 中打开并重新保存为 .xlsx"
            ) from None
        finally:
            wb.close()

    return TableStream(headers, "xlsx", batches)


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
