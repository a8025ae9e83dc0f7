"""A minimal RFC 8785 (JCS) serializer, standard library only.

It covers the JSON the draw log uses: objects with string keys, arrays, strings, integers in
[-(2^53 - 1), 2^53 - 1], true, false and null. Floats are refused (the protocol has no floats,
PROTOCOL §1/§8), so RFC 8785 §3.2.2.3's number serialization reduces to the shortest decimal.

>>> dumps({"b": [1, "é\\n"], "a": True})
b'{"a":true,"b":[1,"\\xc3\\xa9\\\\n"]}'
"""

from __future__ import annotations

import re
from typing import Any

_MAX_SAFE = 2**53 - 1

# RFC 8785 §3.2.2.2: ECMAScript JSON.stringify escapes: the two-character forms for these,
# \u00xx (lowercase hex) for the other controls, everything else literal.
_ESCAPES = {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\ud800-\udfff]')


def _escape(match: re.Match[str]) -> str:
    o = ord(match.group())
    if 0xD800 <= o <= 0xDFFF:
        raise ValueError("JCS: lone surrogate in string")
    return _ESCAPES.get(o) or f"\\u{o:04x}"


def _string(s: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape, s) + '"'


def _sort_key(key: str) -> list[int]:
    # RFC 8785 §3.2.3: property names sorted by their UTF-16 code units.
    return list(key.encode("utf-16-be"))


def _value(v: Any, out: list[str]) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, int):
        if not -_MAX_SAFE <= v <= _MAX_SAFE:
            raise ValueError(f"JCS: integer {v} outside the I-JSON range")
        out.append(str(int(v)))
    elif isinstance(v, float):
        raise ValueError("JCS: floats are not used by this protocol")
    elif isinstance(v, str):
        out.append(_string(v))
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _value(item, out)
        out.append("]")
    elif isinstance(v, dict):
        for k in v:
            if not isinstance(k, str):
                raise ValueError(f"JCS: object key {k!r} is not a string")
        out.append("{")
        for i, k in enumerate(sorted(v, key=_sort_key)):
            if i:
                out.append(",")
            out.append(_string(k))
            out.append(":")
            _value(v[k], out)
        out.append("}")
    else:
        raise ValueError(f"JCS: cannot serialize {type(v).__name__}")


def dumps(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``obj``."""
    out: list[str] = []
    _value(obj, out)
    return "".join(out).encode("utf-8")
