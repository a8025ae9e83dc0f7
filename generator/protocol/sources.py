"""Randomness sources and the key string (PROTOCOL §4, §13 "Sources").

Numbers are typed as ASCII digits; leading zeros are dropped as RFC 3797's code does. The key
string joins, per source in order, its numbers (ascending numerically unless ``ordered``) each
followed by ``.``, then ``/`` after the source (RFC 3797 §4):

>>> key_string([{"ordered": False}] * 3, [["9319"], ["2", "5", "12", "8", "10"],
...             ["9", "18", "26", "34", "41", "45"]])
'9319./2.5.8.10.12./9.18.26.34.41.45./'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .errors import ProtocolError
from .jcs import canonicalize

# §13: entropy of one draw of each game, in tenths of a bit; the sum must be ≥ 640 (64 bits).
GAMES: dict[str, int] = {"fc3d": 100, "pl5": 166, "ssq": 241, "dlt": 244, "drand": 1280}
MIN_ENTROPY_TENTHS = 640
_DIGITS = re.compile(r"[0-9]+")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def entropy_tenths(sources: Sequence[Mapping]) -> int:
    """Σ of the §13 table over the announced sources (unknown games count 0)."""
    return sum(GAMES.get(s.get("game", ""), 0) for s in sources)


def canonical_number(typed: str, where: str = "") -> str:
    """``"08"`` → ``"8"``, ``"00"`` → ``"0"``; anything but ASCII digits is refused (§4)."""
    if not isinstance(typed, str) or _DIGITS.fullmatch(typed) is None:
        raise ProtocolError(
            "source-number",
            f"{where}开奖号码须为 ASCII 数字 [0-9]+（不得有全角数字、符号、小数点或空格），实际为 {typed!r}",
        )
    return str(int(typed))  # drops leading zeros exactly as RFC 3797's code does


def drand_decimal(randomness_hex: str) -> str:
    """A drand round's 32-byte randomness read as one big-endian integer, in decimal (§4)."""
    if not isinstance(randomness_hex, str) or _HEX64.fullmatch(randomness_hex) is None:
        raise ProtocolError("source-number", f"drand 随机数须为 64 位十六进制，实际为 {randomness_hex!r}")
    return str(int.from_bytes(bytes.fromhex(randomness_hex), "big"))


def canonical_numbers(source: Mapping, typed: Sequence[str], index: int = 1) -> list[str]:
    """The canonical numbers of one source: each canonical, exactly ``count`` of them."""
    where = f"第 {index} 个随机源（{source.get('name', '')}）："
    numbers = [canonical_number(t, where) for t in typed]
    if len(numbers) != source["count"]:
        raise ProtocolError("source-number", f"{where}应有 {source['count']} 个号码，实际 {len(numbers)} 个")
    return numbers


def key_string(sources: Sequence[Mapping], numbers: Sequence[Sequence[str]]) -> str:
    """RFC 3797 §4 key string from canonical numbers (repeats in an unordered source are kept)."""
    if len(sources) != len(numbers):
        raise ProtocolError("source-number", f"应有 {len(sources)} 个随机源的号码，实际 {len(numbers)} 个")
    parts = []
    for source, nums in zip(sources, numbers, strict=True):
        ordered = list(nums) if source["ordered"] else sorted(nums, key=int)
        parts.append("".join(f"{x}." for x in ordered) + "/")
    return "".join(parts)


def sources_json(key: str, used: Sequence[tuple[str, Sequence[str]]]) -> bytes:
    """``draws/<task>/sources.json``: JCS of {key_string, sources: [{issue_used, numbers}]} + LF."""
    obj = {
        "key_string": key,
        "sources": [{"issue_used": issue, "numbers": list(nums)} for issue, nums in used],
    }
    return canonicalize(obj) + b"\n"
