"""External anchors of log entries: ``log/anchors/<seq>.json`` (PROTOCOL §8, §13).

Standard library only (bundled into the standalone ``verify.py``); no I/O.

An anchor file is the JCS of ``{"kind", "ref", "seq", "time"}`` and LF: ``kind`` is
``notice`` (a notice on the national 公示系统 or the government portal), ``rfc3161`` (an
RFC 3161 timestamp over the checkpoint) or ``cosignature`` (a witness cosignature); ``ref`` is
the URL or the token in base64; ``time`` is ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from ._jcs import dumps as jcs_dumps
from .entries import valid_time

KINDS = ("notice", "rfc3161", "cosignature")
LEAD = timedelta(hours=24)  # anchored at least 24 h before the first source's time (§8)


def anchor_path(seq: int) -> str:
    return f"log/anchors/{seq}.json"


def format_anchor(seq: int, kind: str, ref: str, time: str) -> bytes:
    anchor = {"kind": kind, "ref": ref, "seq": seq, "time": time}
    problem = anchor_problem(anchor, seq)
    if problem:
        raise ValueError(problem)
    return jcs_dumps(anchor) + b"\n"


def anchor_problem(anchor: Any, seq: int) -> str | None:
    if not isinstance(anchor, dict) or set(anchor) != {"kind", "ref", "seq", "time"}:
        return "锚定记录应恰有 kind、ref、seq、time 四个字段"
    if anchor["kind"] not in KINDS:
        return f"锚定方式应为 {'、'.join(KINDS)} 之一，实为 {anchor['kind']!r}"
    if not isinstance(anchor["ref"], str) or not anchor["ref"]:
        return "锚定记录的 ref（网址或 base64 凭证）不能为空"
    if anchor["seq"] != seq:
        return f"锚定记录的 seq 应为 {seq}，实为 {anchor['seq']!r}"
    if not valid_time(anchor["time"]):
        return f"锚定时间应为 YYYY-MM-DDTHH:MM:SSZ，实为 {anchor['time']!r}"
    return None


def parse_anchor(data: bytes, seq: int) -> dict[str, Any]:
    """Parse an anchor file; ValueError (Chinese) unless it is canonical and well-formed."""
    try:
        anchor = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("锚定记录不是 JSON") from None
    problem = anchor_problem(anchor, seq)
    if problem:
        raise ValueError(problem)
    if jcs_dumps(anchor) + b"\n" != data:
        raise ValueError("锚定记录不是 RFC 8785 规范形式加换行")
    return anchor


def anchor_deadline(announce: dict[str, Any]) -> datetime | None:
    """The latest acceptable anchor time: the first source's scheduled time minus 24 h."""
    try:
        scheduled = datetime.fromisoformat(announce["sources"][0]["scheduled"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if scheduled.tzinfo is None:
        return None
    return scheduled.astimezone(UTC) - LEAD


def parse_time(time: str) -> datetime:
    return datetime.strptime(time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
