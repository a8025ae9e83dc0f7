"""RFC 8785 JSON Canonicalization Scheme for the subset the protocol uses.

Objects with string keys, arrays, strings, integers in [0, 2^53), booleans and null. Floats and
integers out of range are refused (§3, §8: integers only). Keys are sorted by their UTF-16 code
units (RFC 8785 §3.2.3); strings are escaped as ECMAScript's JSON.stringify does (§3.2.2.2).

>>> canonicalize({"b": 1, "a": [True, None, "é"]})
b'{"a":[true,null,"\\xc3\\xa9"],"b":1}'
"""

from __future__ import annotations

from .errors import ProtocolError

MAX_INT = 2**53  # exclusive upper bound (§8)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")  # RFC 8785 §3.2.2.2: lowercase hex
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            raise ProtocolError("canonical", f"JSON 字符串含孤立代理码位 U+{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _emit(value: object, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if not 0 <= value < MAX_INT:
            raise ProtocolError("canonical", f"整数须在 [0, 2^53) 之内，实际为 {value}")
        out.append(str(value))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _emit(item, out)
        out.append("]")
    elif isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise ProtocolError("canonical", f"JSON 对象的键须为字符串，实际为 {key!r}")
        out.append("{")
        # RFC 8785 §3.2.3: sort by UTF-16 code units
        for i, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be"))):
            if i:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _emit(value[key], out)
        out.append("}")
    else:
        raise ProtocolError("canonical", f"不允许的 JSON 值类型 {type(value).__name__}（不得使用浮点数）")


def canonicalize(value: object) -> bytes:
    """The JCS bytes of ``value`` (UTF-8, no trailing newline)."""
    out: list[str] = []
    _emit(value, out)
    return "".join(out).encode("utf-8")
