"""A small reader of ASN.1 DER (ITU-T X.690), enough for RFC 3161 tokens and X.509 certificates.

Standard library only (bundled into the standalone ``verify.py``); no I/O. Only definite
lengths in their shortest form are accepted (DER); anything else is a ``DerError``.

>>> t = parse(bytes.fromhex("300602010502010a"))
>>> t.tag, [c.integer() for c in t.children()]
(48, [5, 10])
>>> oid(parse(bytes.fromhex("06092a864886f70d01010b")))
'1.2.840.113549.1.1.11'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

INTEGER, BIT_STRING, OCTET_STRING, NULL, OID = 0x02, 0x03, 0x04, 0x05, 0x06
UTC_TIME, GENERALIZED_TIME, SEQUENCE, SET = 0x17, 0x18, 0x30, 0x31
BOOLEAN = 0x01


class DerError(ValueError):
    """Bytes that are not the DER the caller expects (message in Chinese)."""


@dataclass(frozen=True)
class Tlv:
    """One DER element: its identifier octet, its whole encoding and where its content lies."""

    tag: int
    raw: bytes  # the whole element: identifier, length and content

    @property
    def content(self) -> bytes:
        return self.raw[_header_length(self.raw) :]

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    def children(self) -> list[Tlv]:
        if not self.constructed:
            raise DerError(f"DER 元素 0x{self.tag:02x} 不是构造类型")
        return parse_all(self.content)

    def expect(self, tag: int, what: str) -> Tlv:
        if self.tag != tag:
            raise DerError(f"{what}：应为 DER 标签 0x{tag:02x}，实为 0x{self.tag:02x}")
        return self

    def integer(self) -> int:
        self.expect(INTEGER, "整数")
        data = self.content
        if not data or (len(data) > 1 and (data[0], data[1] & 0x80) in ((0, 0), (0xFF, 0x80))):
            raise DerError("DER 整数编码不是最短形式")
        return int.from_bytes(data, "big", signed=True)


def _header_length(data: bytes) -> int:
    first = data[1]
    return 2 if first < 0x80 else 2 + (first & 0x7F)


def _read(data: bytes, pos: int) -> tuple[Tlv, int]:
    if pos + 2 > len(data):
        raise DerError("DER 数据被截断")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("不支持多字节 DER 标签")
    first = data[pos + 1]
    if first < 0x80:
        length, start = first, pos + 2
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + 2 + count > len(data):
            raise DerError("DER 长度不合规（不定长或过长）")
        length = int.from_bytes(data[pos + 2 : pos + 2 + count], "big")
        if length < 0x80 or data[pos + 2] == 0:
            raise DerError("DER 长度不是最短形式")
        start = pos + 2 + count
    end = start + length
    if end > len(data):
        raise DerError("DER 元素超出数据末尾")
    return Tlv(tag, data[pos:end]), end


def parse(data: bytes) -> Tlv:
    """Exactly one element filling ``data``."""
    tlv, end = _read(data, 0)
    if end != len(data):
        raise DerError("DER 元素之后还有多余字节")
    return tlv


def parse_all(data: bytes) -> list[Tlv]:
    out, pos = [], 0
    while pos < len(data):
        tlv, pos = _read(data, pos)
        out.append(tlv)
    return out


def oid(tlv: Tlv) -> str:
    data = tlv.expect(OID, "对象标识符").content
    if not data or data[-1] & 0x80:
        raise DerError("对象标识符编码不合规")
    arcs, value = [], 0
    for byte in data:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def time(tlv: Tlv) -> datetime:
    """A UTCTime or GeneralizedTime in UTC (``Z``), fractions of a second allowed."""
    text = tlv.content.decode("ascii", "replace")
    if tlv.tag == UTC_TIME and len(text) == 13 and text.endswith("Z"):
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    elif tlv.tag != GENERALIZED_TIME:
        raise DerError(f"应为时间类型，实为 DER 标签 0x{tlv.tag:02x}")
    if not text.endswith("Z") or len(text) < 15:
        raise DerError(f"时间应为以 Z 结尾的 UTC 时间，实为 {text!r}")
    main, frac = text[:14], text[14:-1]
    if frac and not (frac[0] == "." and frac[1:].isdigit() and not frac.endswith("0")):
        raise DerError(f"时间的秒小数部分不合规：{text!r}")
    try:
        moment = datetime.strptime(main, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise DerError(f"时间不合规：{text!r}") from None
    if frac:
        moment = moment.replace(microsecond=int((frac[1:] + "000000")[:6]))
    return moment


def bit_string(tlv: Tlv) -> bytes:
    data = tlv.expect(BIT_STRING, "位串").content
    if not data or data[0] != 0:
        raise DerError("位串应不含未用位")
    return data[1:]


def explicit(tlv: Tlv, number: int) -> Tlv:
    """The single element inside the context tag ``[number] EXPLICIT``."""
    tlv.expect(0xA0 | number, f"[{number}] 显式标签")
    inner = tlv.children()
    if len(inner) != 1:
        raise DerError(f"[{number}] 显式标签内应恰有一个元素")
    return inner[0]
