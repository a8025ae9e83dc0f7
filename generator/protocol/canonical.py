"""Canonical CSV files (PROTOCOL §2, §13 "CSV"): one writer, one strict parser.

A canonical file is UTF-8 without BOM, NFC, a fixed ASCII header, ``,`` between fields, no
quoting, LF after every line (the last included), rows sorted by the UTF-8 bytes of the unique
first column. Sets are ``;``-joined unique values sorted by bytes. The parser refuses every
non-canonical byte; it never re-canonicalises (§2: "A verifier hashes the published bytes").

Column types: ``code`` (§13 enterprise label), ``id``, ``text``, ``date``, ``bool``, ``int``,
``set`` (of text), ``codes`` (set of codes), ``ticket`` (64 hex), ``ticket?`` (ticket or empty),
``label`` (``S`` + i), ``ids`` (``;``-joined ids in rank order, unique, not sorted), ``hexes``
(``;``-joined 64-hex hashes in their order: an inclusion proof).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Sequence

from .encoding import is_date, is_hex64, is_id, is_uscc, text_problem
from .errors import ProtocolError

SCHEMAS: dict[str, tuple[tuple[str, str], ...]] = {
    "directory.csv": (
        ("code", "code"), ("type", "text"), ("industry", "text"), ("industry_risk", "text"),
        ("unit", "text"), ("registered", "date"), ("status", "text"),
    ),
    "roster.csv": (
        ("id", "id"), ("unit", "text"), ("qualified", "bool"), ("expertise", "set"),
        ("cap", "int"), ("recusals", "codes"),
    ),
    "experts.csv": (("id", "id"), ("expertise", "set"), ("recusals", "codes")),
    "exclusions.csv": (("code", "code"), ("rule", "text"), ("ref", "id"), ("ticket", "ticket")),
    "risk.csv": (("code", "code"), ("risk", "text")),
    "results.csv": (
        ("code", "code"), ("inspected", "date"), ("completed", "date"), ("results", "set"),
        ("followups", "set"),
    ),
    "cutoffs.csv": (("label", "label"), ("N", "int"), ("k", "int"), ("cutoff", "ticket?")),
    "selected.csv": (("code", "code"), ("inspector_ids", "ids"), ("expert_ids", "ids")),
    # protocol 2: the recusal commitment (secret, one row per directory.csv row), the rows of
    # the selected enterprises with their inclusion proofs (published at reveal), and the
    # display file bound by the reveal entry's people_sha256
    "recusals.csv": (("code", "code"), ("salt", "ticket"), ("ids", "set")),
    "recusals-selected.csv": (
        ("code", "code"), ("salt", "ticket"), ("ids", "set"), ("index", "int"), ("proof", "hexes"),
    ),
    "people.csv": (("id", "id"), ("name", "text"), ("unit", "text"), ("license", "text")),
}

LABEL_RE = re.compile(r"S[1-9][0-9]*")
INT_RE = re.compile(r"0|[1-9][0-9]*")
_FORBIDDEN = {",": "逗号", '"': "引号", "\r": "回车符", "\n": "换行符"}
_MISSING = object()
_MEMO_MAX = 65_536  # accepted values memoised per column by iter_rows
Value = str | int | bool | tuple[str, ...] | None
_MEMO_TYPES = (str, int, bool, datetime.date, type(None))


def schema(name: str) -> tuple[tuple[str, str], ...]:
    if name not in SCHEMAS:
        raise ProtocolError("canonical", f"未知的规范文件名 {name!r}", file=name)
    return SCHEMAS[name]


def header(name: str) -> bytes:
    return (",".join(col for col, _ in schema(name)) + "\n").encode("ascii")


# --------------------------------------------------------------------------- field rules


def _check_text(s: str) -> str | None:
    for ch, what in _FORBIDDEN.items():
        if ch in s:
            return f"字段不得含{what}"
    return text_problem(s)


def _check_set_items(items: Sequence[str], kind: str, ordered: bool) -> str | None:
    for item in items:
        if item == "":
            return "集合中不得有空值"
        if ";" in item:
            return f"集合值 {item!r} 不得含分号"
        problem = _check_text(item)
        if problem:
            return f"集合值 {item!r}：{problem}"
        if kind == "codes" and not is_uscc(item):
            return f"{item!r} 不是有效的统一社会信用代码"
        if kind == "ids" and not is_id(item):
            return f"{item!r} 不是有效编号（[A-Za-z0-9_-]{{1,32}}）"
        if kind == "hexes" and not is_hex64(item):
            return f"{item!r} 不是 64 位小写十六进制哈希"
    if kind == "hexes":
        return None  # a proof may repeat a hash and is never sorted
    if len(set(items)) != len(items):
        return "集合中有重复值"
    if not ordered and list(items) != sorted(items, key=lambda v: v.encode("utf-8")):
        return "集合值须按 UTF-8 字节排序"
    return None


def parse_field(kind: str, raw: str) -> Value:
    """Read one canonical field; raise ``ValueError`` (message in Chinese) when not canonical."""
    problem = _check_text(raw)
    if problem:
        raise ValueError(problem)
    if kind == "text":
        return raw
    if kind == "code":
        if not is_uscc(raw):
            raise ValueError(f"{raw!r} 不是有效的统一社会信用代码（18 位大写，校验位正确）")
        return raw
    if kind == "id":
        if not is_id(raw):
            raise ValueError(f"{raw!r} 不是有效编号（[A-Za-z0-9_-]{{1,32}}）")
        return raw
    if kind == "label":
        if LABEL_RE.fullmatch(raw) is None:
            raise ValueError(f"{raw!r} 不是分层标签（S1、S2……）")
        return raw
    if kind == "date":
        if not is_date(raw):
            raise ValueError(f"{raw!r} 不是 YYYY-MM-DD 日期")
        return raw
    if kind == "bool":
        if raw not in ("0", "1"):
            raise ValueError(f"布尔值须为 1 或 0，实际为 {raw!r}")
        return raw == "1"
    if kind == "int":
        if INT_RE.fullmatch(raw) is None or int(raw) >= 2**53:
            raise ValueError(f"整数须为最短十进制非负整数，实际为 {raw!r}")
        return int(raw)
    if kind in ("ticket", "ticket?"):
        if kind == "ticket?" and raw == "":
            return None
        if not is_hex64(raw):
            raise ValueError(f"须为 64 位小写十六进制，实际为 {raw!r}")
        return raw
    if kind in ("set", "codes", "ids", "hexes"):
        items = tuple(raw.split(";")) if raw else ()
        problem = _check_set_items(items, kind, ordered=(kind in ("ids", "hexes")))
        if problem:
            raise ValueError(problem)
        return items
    raise AssertionError(f"unknown column kind {kind}")  # a bug, not bad input


def format_field(kind: str, value: object) -> str:
    """Write one field from a Python value, then check it with :func:`parse_field`."""
    if value is None:
        raw = ""
    elif isinstance(value, bool):
        raw = "1" if value else "0"
    elif isinstance(value, int):
        raw = str(value)
    elif isinstance(value, datetime.date):
        raw = value.isoformat()
    elif isinstance(value, str):
        raw = value
    elif isinstance(value, Iterable):
        items = [str(v) for v in value]
        if kind not in ("ids", "hexes"):
            items = sorted(set(items), key=lambda v: v.encode("utf-8"))
        raw = ";".join(items)
    else:
        raise ValueError(f"不支持的值类型 {type(value).__name__}")
    if kind == "bool" and not isinstance(value, bool):
        raise ValueError(f"布尔列须为 True/False，实际为 {value!r}")
    if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"整数列须为 int，实际为 {value!r}")
    parse_field(kind, raw)
    return raw


# --------------------------------------------------------------------------- writer


def write_csv(name: str, rows: Iterable[Sequence[object]]) -> bytes:
    """The canonical bytes of file ``name`` from rows of Python values (any order)."""
    cols = schema(name)
    lines: list[tuple[bytes, bytes]] = []
    # Speed only: format_field is a pure function of (kind, value), so each column memoises the
    # fields it has written for hashable values (keyed by type too: True == 1), bounded as
    # iter_rows' memo is, and a code that passes is_uscc is written at once; failures are
    # never memoised and raise as before.
    memos: list[dict] = [{} for _ in cols]
    for n, row in enumerate(rows, start=1):
        if len(row) != len(cols):
            raise ProtocolError("canonical", f"应有 {len(cols)} 个字段，实际 {len(row)} 个", file=name, line=n + 1)
        fields = []
        for c, ((col, kind), value) in enumerate(zip(cols, row, strict=True), start=1):
            if kind == "code" and type(value) is str and is_uscc(value):
                fields.append(value)  # a valid code is always valid text (as in iter_rows)
                continue
            memo = memos[c - 1]
            key = (type(value), value) if type(value) in _MEMO_TYPES else None
            raw = memo.get(key) if key is not None else None
            if raw is None:
                try:
                    raw = format_field(kind, value)
                except ValueError as exc:
                    raise ProtocolError("canonical", f"列 {col}：{exc}", file=name, column=c) from None
                if key is not None and len(memo) < _MEMO_MAX:
                    memo[key] = raw
            fields.append(raw)
        line = ",".join(fields).encode("utf-8")
        lines.append((fields[0].encode("utf-8"), line))
    lines.sort()
    for (a, _), (b, _) in zip(lines, lines[1:], strict=False):
        if a == b:
            raise ProtocolError("canonical", f"首列 {a.decode()!r} 重复", file=name)
    return header(name) + b"".join(line + b"\n" for _, line in lines)


# --------------------------------------------------------------------------- parser


def iter_rows(name: str, data: bytes) -> Iterator[tuple[Value, ...]]:
    """Yield the typed rows of a canonical file, refusing any non-canonical byte."""
    cols = schema(name)

    def fail(msg: str, line: int | None = None, column: int | None = None) -> ProtocolError:
        return ProtocolError("canonical", msg, file=name, line=line, column=column)

    if data.startswith(b"\xef\xbb\xbf"):
        raise fail("不得有 BOM（字节顺序标记）", 1, 1)
    if not data.endswith(b"\n"):
        raise fail("文件须以换行符 LF 结尾（最后一行也要有 LF）")
    head = header(name)
    if not data.startswith(head):
        first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
        raise fail(f"表头应为 {head.decode().strip()!r}，实际为 {first!r}", 1)
    prev: str | None = None
    pos, lineno, size, ncols = len(head), 1, len(data), len(cols)
    # Speed only: parse_field is a pure function of (kind, raw), so each column memoises the
    # values it has accepted (bounded; failures are never memoised and raise as before), and a
    # code that passes is_uscc is returned at once (a valid code is always valid text).
    memos: list[dict[str, Value]] = [{} for _ in cols]
    getters = [m.get for m in memos]
    first_is_code = cols[0][1] == "code"
    while pos < size:
        end = data.index(b"\n", pos)
        raw_line, pos = data[pos:end], end + 1
        lineno += 1
        try:
            text = raw_line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(f"不是有效的 UTF-8（字节偏移 {exc.start}）", lineno) from None
        parts = text.split(",")
        if len(parts) != ncols:
            raise fail(f"应有 {len(cols)} 个字段，实际 {len(parts)} 个", lineno)
        values = [get(raw, _MISSING) for get, raw in zip(getters, parts, strict=True)]
        if first_is_code and values[0] is _MISSING and is_uscc(parts[0]):
            values[0] = parts[0]
        if _MISSING in values:
            for c in range(ncols):
                if values[c] is not _MISSING:
                    continue
                raw, memo = parts[c], memos[c]
                try:
                    values[c] = parse_field(cols[c][1], raw)
                except ValueError as exc:
                    raise fail(f"列 {cols[c][0]}：{exc}", lineno, c + 1) from None
                if len(memo) < _MEMO_MAX and not (c == 0 and first_is_code):
                    memo[raw] = values[c]
        key = parts[0]  # str order by code point = UTF-8 byte order
        if prev is not None and key <= prev:
            what = "重复" if key == prev else "未按 UTF-8 字节升序排列"
            raise fail(f"首列 {parts[0]!r} {what}", lineno, 1)
        prev = key
        yield tuple(values)


def parse_csv(name: str, data: bytes) -> list[tuple[Value, ...]]:
    """All typed rows of a canonical file (see :func:`iter_rows`)."""
    return list(iter_rows(name, data))


def row_count(data: bytes) -> int:
    """§2: rows = lines − 1."""
    return data.count(b"\n") - 1
