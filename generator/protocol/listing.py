"""The listing (PROTOCOL §6.8): one line per selected enterprise, sorted by bytes.

``code,stratum,ticket,inspector_ids,expert_ids,fallback`` — ids ``;``-joined in rank order,
fallback ``-``, ``cap`` or ``all``; LF after every line; no header.
``selection_sha256 = H(listing)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .encoding import is_hex64, is_id, is_uscc, sha256_hex
from .errors import ProtocolError

_LABEL = re.compile(r"S[1-9][0-9]*")


@dataclass(frozen=True)
class Line:
    code: str
    stratum: str
    ticket: str  # 64 lowercase hex
    inspectors: tuple[str, ...]  # rank order
    experts: tuple[str, ...]  # rank order
    fallback: str  # "-", "cap" or "all"

    def text(self) -> str:
        return ",".join(
            [self.code, self.stratum, self.ticket, ";".join(self.inspectors), ";".join(self.experts), self.fallback]
        )


def format_listing(lines: Iterable[Line]) -> bytes:
    """The listing bytes: lines sorted by their UTF-8 bytes, LF after each."""
    encoded = sorted(line.text().encode("utf-8") for line in lines)
    return b"".join(b + b"\n" for b in encoded)


def selection_sha256(listing: bytes) -> str:
    return sha256_hex(listing)


def parse_listing(data: bytes, name: str = "listing.csv") -> list[Line]:
    """Strictly parse listing bytes; refuse anything :func:`format_listing` would not write."""

    def fail(msg: str, line: int | None = None, column: int | None = None) -> ProtocolError:
        return ProtocolError("canonical", msg, file=name, line=line, column=column)

    if data and not data.endswith(b"\n"):
        raise fail("文件须以换行符 LF 结尾")
    out: list[Line] = []
    prev = None
    for n, raw in enumerate(data.split(b"\n")[:-1] if data else [], start=1):
        if prev is not None and raw <= prev:
            raise fail("行须按字节升序排列且不得重复", n)
        prev = raw
        try:
            parts = raw.decode("ascii").split(",")
        except UnicodeDecodeError:
            raise fail("清单只能含 ASCII 字符", n) from None
        if len(parts) != 6:
            raise fail(f"应有 6 个字段，实际 {len(parts)} 个", n)
        code, label, ticket, insp, exp, fallback = parts
        checks = [
            (is_uscc(code), 1, f"{code!r} 不是有效的统一社会信用代码"),
            (_LABEL.fullmatch(label) is not None, 2, f"{label!r} 不是分层标签"),
            (is_hex64(ticket), 3, f"{ticket!r} 不是 64 位小写十六进制签号"),
            (fallback in ("-", "cap", "all"), 6, f"fallback 须为 -、cap 或 all，实际为 {fallback!r}"),
        ]
        for ok, col, msg in checks:
            if not ok:
                raise fail(msg, n, col)
        ids = []
        for col, field in ((4, insp), (5, exp)):
            items = tuple(field.split(";")) if field else ()
            if not all(is_id(i) for i in items) or len(set(items)) != len(items):
                raise fail(f"编号列表 {field!r} 无效或有重复", n, col)
            ids.append(items)
        out.append(Line(code, label, ticket, ids[0], ids[1], fallback))
    return out
