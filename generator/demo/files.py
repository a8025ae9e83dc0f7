"""Deterministic writers for the demo's office files (CSV in several encodings, XLSX, YAML).

Every writer produces the same bytes on every run: rows come in the order given, no timestamps,
no dependence on locale or hash seeds. XLSX files are re-zipped with fixed member times and a
fixed ``dcterms:modified`` (openpyxl stamps the current time on save).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

FIXED_TIME = dt.datetime(2023, 1, 1, 0, 0, 0)
_ZIP_TIME = (2023, 1, 1, 0, 0, 0)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], encoding: str) -> bytes:
    """CSV as Excel on Chinese Windows writes it: CRLF line ends, minimal quoting.

    ``encoding`` is a Python codec name: ``gb18030``, ``utf-8-sig`` (BOM) or ``utf-8``.
    """
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return buf.getvalue().encode(encoding)


def write_bytes(path: Path, data: bytes) -> None:
    """Write only when the bytes differ, so reruns leave file times alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return
    path.write_bytes(data)


def xlsx_bytes(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A one-sheet workbook with stable bytes."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.properties.creator = "gongshi demo"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    return _restamp_zip(raw.getvalue())


def _restamp_zip(data: bytes) -> bytes:
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    body,
                )
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, body)
    return out.getvalue()


def yaml_bytes(data: object, comment: str = "") -> bytes:
    """YAML with keys in insertion order and Chinese kept readable."""
    text = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )
    head = "".join(f"# {line}\n" for line in comment.splitlines()) if comment else ""
    return (head + text).encode("utf-8")
