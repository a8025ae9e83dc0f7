"""The adversarial corpus: hostile files and values as office staff (or a bad export) make them.

Small cases are built in code here (and a few are committed under ``samples/``, written by
``cd tests && python -c "import adversarial; adversarial.write_samples()"``); large ones (a CSV of at least 50 MB, 100,000 blank
rows) are generated at test time into ``tmp_path`` and never committed.

Every builder starts from the tiny valid data folder of ``tests/datamin.py`` and changes one
thing, so a test can say exactly which file, row and column the finding must name.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import openpyxl
from datamin import CODES, DIRECTORY_HEADER, code, directory_rows, write_data_min

from generator.findings import ERROR, Finding
from generator.load import load_model
from generator.model import Model

SAMPLES = Path(__file__).parent / "samples"
DIRECTORY = "directory/enterprises.csv"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Characters outside GBK that GB18030 encodes in four bytes: CJK Extension B (𠀀), Extension A
# (㐀, 䶮) and a rare surname character of Extension B (𡈼).
OUTSIDE_GBK = ("𠀀", "䶮", "㐀", "𡈼")

# Names that are hostile to templates, Markdown, YAML and terminals. Loading keeps each exactly;
# rendering escapes it (tests/test_site_escaping.py).
HOSTILE_NAMES: dict[str, str] = {
    "html": '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;有限公司',
    "markdown": "# 标题 **粗体** [链接](javascript:alert(1)) `代码` | 表格 |\n---",
    "jinja": "{{ config }}{% for x in y %}{# 注释 #}{{ ''.__class__ }}有限公司",
    "yaml": "key: value\n- 列表\n? 复杂键\n&锚 *别名 !!python/object 有限公司",
    "emoji": "😀🏪👨‍👩‍👧 示例🍜餐饮有限公司",
    "long": "长" * 10_000,
    "csv": '逗号,分号;引号"换行\r\n回车\r制表\t有限公司',
}
# Invisible characters: loaded exactly, reported as warnings (rule schema.control).
CONTROL_NAMES: dict[str, str] = {
    "zero_width": "示例\u200b餐饮\u200d有限\u2060公司",
    "bidi": "示例\u202e司公限有\u202c餐饮\u2067有限\u2069公司",
    "bom_inside": "示例\ufeff有限公司",
    "nul": "示例\x00有限公司",
    "c1": "示例\x85\x9b有限公司",
}


def bad_check_digit(c: str) -> str:
    """The code with its check character changed (GB 32100 check fails)."""
    return c[:-1] + ("0" if c[-1] != "0" else "1")


# --------------------------------------------------------------------------------- folders


def folder(root: Path, **files: bytes | str) -> Path:
    """The tiny valid data folder with some files replaced (keys: path with '/' → '__').

    ``directory__enterprises_csv=...`` replaces directory/enterprises.csv; a value of ``""``
    with key ending ``_delete`` removes the file instead."""
    write_data_min(root)
    for key, content in files.items():
        rel = _rel(key)
        path = root / rel
        if key.endswith("_delete"):
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return root


def _rel(key: str) -> str:
    key = key.removesuffix("_delete")
    head, _, ext = key.rpartition("_")
    return head.replace("__", "/") + "." + ext


def csv_bytes(rows: Iterable[Sequence[object]], encoding: str = "utf-8", newline: str = "\n") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    return buf.getvalue().encode(encoding)


def directory_csv(rows: list[list[str]] | None = None, **kw) -> bytes:
    return csv_bytes([DIRECTORY_HEADER, *(directory_rows() if rows is None else rows)], **kw)


def row_with(i: int, **changes: str) -> list[str]:
    """Directory row ``i`` (0-based) with columns changed by their canonical header."""
    row = directory_rows()[i]
    for header, value in changes.items():
        row[DIRECTORY_HEADER.index(header)] = value
    return row


def rows_with(i: int, **changes: str) -> list[list[str]]:
    rows = directory_rows()
    rows[i] = row_with(i, **changes)
    return rows


# --------------------------------------------------------------------------------- XLSX


def xlsx_bytes(rows: Iterable[Sequence[object]], edit: Callable | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    if edit is not None:
        edit(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The XLSX archive with each member passed through ``change`` (None drops the member)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
    return out.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells the cached values Excel stores (openpyxl writes ``<v/>``): cell ref →
    inline string value."""

    def change(name: str, body: bytes) -> bytes:
        if not name.endswith("sheet1.xml"):
            return body
        text = body.decode("utf-8")
        for ref, value in values.items():
            text = re.sub(
                rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>',
                lambda m, v=value, r=ref: f'<c r="{r}"{m.group(1)} t="str"><f>{m.group(2)}</f><v>{v}</v>',
                text,
            )
        return text.encode("utf-8")

    return rezip(data, change)


def truncated_xlsx_cases() -> dict[str, bytes]:
    """Broken workbooks: cut short anywhere, a sheet cut short inside the archive, no sheet."""
    good = xlsx_bytes([DIRECTORY_HEADER, *directory_rows()])
    return {
        "empty": b"",
        "first_100_bytes": good[:100],
        "half": good[: len(good) // 2],
        "last_byte_missing": good[:-1],
        "sheet_xml_cut": rezip(good, lambda n, b: b[: len(b) // 2] if n.endswith("sheet1.xml") else b),
        "sheet_xml_missing": rezip(good, lambda n, b: None if n.endswith("sheet1.xml") else b),
        "csv_renamed_xlsx": directory_csv(),
        "zip_of_nothing": rezip(good, lambda n, b: None),
    }


# --------------------------------------------------------------------------------- large files


def write_big_directory_csv(path: Path, min_bytes: int = 50 * 1024 * 1024) -> int:
    """A UTF-8 directory CSV of at least ``min_bytes`` (about 500,000 rows); returns the row count.

    Every row is valid; every 100,000th row carries a wrong check digit (the one finding)."""
    head = ",".join(DIRECTORY_HEADER) + "\n"
    units = ("s01", "s02", "城关市场监管所")
    size = 0
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(head)
        size += len(head.encode("utf-8"))
        chunk: list[str] = []
        while size < min_bytes:
            n += 1
            c = code(n)
            if n % 100_000 == 0:
                c = bad_check_digit(c)
            line = (f"{c},示例第{n}号餐饮有限公司,有限责任公司,餐饮业,低,{units[n % 3]},"
                    f"2015-0{1 + n % 9}-1{n % 10},存续,中心路{n}号,{'ABCD'[n % 4]}\n")
            chunk.append(line)
            size += len(line.encode("utf-8"))
            if len(chunk) == 10_000:
                fh.write("".join(chunk))
                chunk.clear()
        fh.write("".join(chunk))
    return n


def blank_rows_csv(n: int = 100_000) -> bytes:
    """Two data rows around ``n`` blank rows (empty lines and lines of bare commas)."""
    rows = directory_rows()
    blanks = "".join(",,,,,,,,,\n" if i % 2 else "\n" for i in range(n))
    return directory_csv(rows[:1]) + blanks.encode() + csv_bytes(rows[1:2])


def blank_rows_xlsx(n: int = 100_000) -> bytes:
    rows = directory_rows()

    def edit(ws) -> None:
        for _ in range(n):
            ws.append([None, "", " "])
        ws.append(rows[1])

    return xlsx_bytes([DIRECTORY_HEADER, rows[0]], edit)


# --------------------------------------------------------------------------------- encodings


def mixed_encoding_csv(bom: bool = False) -> bytes:
    """Ten rows in UTF-8, then the rest in GBK: one file, two encodings."""
    rows = directory_rows()
    head = directory_csv(rows[:10])
    tail = csv_bytes(rows[10:], encoding="gbk")
    return (codecs.BOM_UTF8 if bom else b"") + head + tail


def gbk_then_utf8_csv() -> bytes:
    rows = directory_rows()
    return directory_csv(rows[:10], encoding="gbk") + csv_bytes(rows[10:], encoding="utf-8")


def outside_gbk_csv() -> bytes:
    """GB18030 with names holding characters that GBK cannot encode."""
    rows = directory_rows()
    for i, ch in enumerate(OUTSIDE_GBK):
        rows[i][1] = f"示例{ch}有限公司"
    return directory_csv(rows, encoding="gb18030")


# --------------------------------------------------------------------------------- findings


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def load(root: Path) -> tuple[Model | None, list[Finding]]:
    return load_model(root)


def assert_error(
    findings: Iterable[Finding], *, file: str, rule: str | None = None, row: int | None | bool = False,
    column: str | None | bool = False, value: str | None = None,
) -> Finding:
    """One error naming ``file`` (and the row/column/value when given), with a Chinese message.

    ``row``/``column`` False = not checked; None = must be absent."""
    fs = list(findings)
    for f in errors(fs):
        if f.file != file or (rule is not None and f.rule != rule):
            continue
        if row is not False and f.row != row:
            continue
        if column is not False and f.column != column:
            continue
        if value is not None and f.value != value:
            continue
        assert CHINESE.search(f.message), f
        assert f.fix and CHINESE.search(f.fix), f
        return f
    raise AssertionError(
        f"no error for file={file} rule={rule} row={row} column={column} value={value}; got:\n"
        + "\n".join(f"{f.severity} {f.rule} {f.file}:{f.row} [{f.column}] {f.value!r} {f.message}" for f in fs)
    )


# --------------------------------------------------------------------------------- samples

SAMPLE_FILES: dict[str, Callable[[], bytes]] = {
    "bom_crlf.csv": lambda: codecs.BOM_UTF8 + directory_csv(newline="\r\n"),
    "gb18030_outside_gbk.csv": outside_gbk_csv,
    "mixed_utf8_then_gbk.csv": mixed_encoding_csv,
    "mixed_gbk_then_utf8.csv": gbk_then_utf8_csv,
    "header_only.csv": lambda: csv_bytes([DIRECTORY_HEADER]),
    "codes_untidy.csv": lambda: directory_csv([
        row_with(0, 统一社会信用代码=CODES[0].lower()),
        row_with(1, 统一社会信用代码=" ".join(CODES[1][i:i + 4] for i in range(0, 18, 4))),
        row_with(2, 统一社会信用代码=CODES[2].translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})),
        row_with(3, 统一社会信用代码=bad_check_digit(CODES[3])),
        row_with(4, 统一社会信用代码="410381000012345"),
    ]),
}


def write_samples(folder: Path = SAMPLES) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in SAMPLE_FILES.items():
        (folder / name).write_bytes(make())
