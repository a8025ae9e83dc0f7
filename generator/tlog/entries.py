"""Draw-log entries: field rules, the entry hash and the hash chain (PROTOCOL §8, §13).

Standard library only (bundled into the standalone ``verify.py``); no I/O.

An entry is a JSON object with ASCII keys, NFC strings, integers in [0, 2^53), no floats and no
``null`` (optional fields are absent). Common fields: ``seq`` (from 0, the Merkle leaf index),
``type``, ``task``, ``time`` (``YYYY-MM-DDTHH:MM:SSZ``), ``prev`` (the previous entry's
``hash``; 64 ``0`` for the first) and ``hash`` = H(JCS(entry without ``hash``)). The stored line
is JCS(entry) + LF, at most 65,535 bytes; the Merkle leaf is the line without its LF.

>>> e = make_entry({"type": "cancel", "task": "T1", "reason": "计划调整"}, 0,
...                "2024-03-01T02:00:00Z", ZERO_HASH)
>>> e["hash"]
'27b16ef3e746d869942efcd83a318fc788d8b04a188156eecbba4974f76b843b'
>>> parse_line(stored_line(e), 1) == e
True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ._jcs import dumps as jcs_dumps

ZERO_HASH = "0" * 64
MAX_LINE = 65_535  # PROTOCOL §8: a stored line (without LF) is at most 65,535 bytes
MAX_INT = 2**53  # PROTOCOL §8: integers in [0, 2^53)
COMMON_FIELDS = ("seq", "type", "task", "time", "prev", "hash")
TYPES = ("announce", "draw", "reassign", "reveal", "publish", "cancel", "audit", "import")
LIST_SOURCES = ("platform", "superior")  # PROTOCOL §8 "Imported lists": who drew the list
ONCE_PER_TASK = ("announce", "draw", "reveal", "cancel")  # PROTOCOL §13 "Log fields"
FAILURES = ("scope", "recusal", "load", "expertise", "experts")  # PROTOCOL §13 "Groups"
REASSIGN_REASONS = ("recusal", "unavailable")  # PROTOCOL §13 "Reassignment"

_HEX64 = re.compile(r"[0-9a-f]{64}")
_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_KEY_STRING = re.compile(r"(?:(?:[0-9]+\.)+/)+")  # PROTOCOL §4
_FILE_NAME = re.compile(r"[a-z][a-z0-9_-]*\.csv")


class LogError(ValueError):
    """The stored log or an entry breaks a rule. The message is Chinese and names the place."""

    def __init__(self, message: str, *, line: int | None = None, seq: int | None = None):
        super().__init__(message)
        self.line = line  # 1-based line number in draws.jsonl, when known
        self.seq = seq


# --- values -------------------------------------------------------------------------------


def _json_problem(value: Any, path: str) -> str | None:
    """The first way ``value`` breaks PROTOCOL §8's JSON rules, or None."""
    if value is None:
        return f"{path} 为 null（可选字段应省略，不得写 null）"
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not 0 <= value < MAX_INT:
            return f"{path} = {value} 超出整数范围 [0, 2^53)"
        return None
    if isinstance(value, float):
        return f"{path} = {value!r} 是小数（协议只用整数）"
    if isinstance(value, str):
        if not unicodedata.is_normalized("NFC", value):
            return f"{path} 不是 NFC 规范化的文本"
        return None
    if isinstance(value, list):
        for i, item in enumerate(value):
            problem = _json_problem(item, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                return f"{path} 的键 {key!r} 不是 ASCII"
            problem = _json_problem(item, f"{path}.{key}")
            if problem:
                return problem
        return None
    return f"{path} 的类型 {type(value).__name__} 不是 JSON 值"


def _is_int(v: Any, minimum: int = 0) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and minimum <= v < MAX_INT


def _hex64(v: Any) -> str | None:
    ok = isinstance(v, str) and _HEX64.fullmatch(v)
    return None if ok else f"应为 64 位小写十六进制，实为 {v!r}"


def _task_id(v: Any) -> str | None:
    ok = isinstance(v, str) and _ID.fullmatch(v)
    return None if ok else f"应为任务编号（1–32 位字母、数字、_ 或 -），实为 {v!r}"


def _int_at_least(minimum: int) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if _is_int(v, minimum) else f"应为不小于 {minimum} 的整数，实为 {v!r}"

    return check


def _one_of(*allowed: str) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        return None if v in allowed else f"应为 {'、'.join(allowed)} 之一，实为 {v!r}"

    return check


def _text(v: Any) -> str | None:
    return None if isinstance(v, str) and v else f"应为非空文本，实为 {v!r}"


def _key_string(v: Any) -> str | None:
    ok = isinstance(v, str) and _KEY_STRING.fullmatch(v)
    return None if ok else f"应为 key string（如 9319./2.5.8.10.12./），实为 {v!r}"


def _inputs(v: Any) -> str | None:
    if not isinstance(v, dict) or not v:
        return f"应为 {{文件名: {{sha256, rows}}}} 对象，实为 {v!r}"
    for name, item in v.items():
        if not _FILE_NAME.fullmatch(name):
            return f"文件名 {name!r} 不合规（应如 directory.csv）"
        if not isinstance(item, dict) or set(item) != {"sha256", "rows"}:
            return f"{name} 应恰有 sha256 与 rows 两个字段"
        if _hex64(item["sha256"]) or not _is_int(item["rows"]):
            return f"{name} 的 sha256 或 rows 不合规：{item!r}"
    return None


def _strata(v: Any) -> str | None:
    if not isinstance(v, list) or not v:
        return f"应为非空列表，实为 {v!r}"
    for i, item in enumerate(v, start=1):
        # PROTOCOL §13 "Grammar": the i-th entry of strata is labelled S + i.
        if not isinstance(item, dict) or set(item) != {"label", "N_before"}:
            return f"第 {i} 层应恰有 label 与 N_before 两个字段"
        if item["label"] != f"S{i}":
            return f"第 {i} 层的 label 应为 S{i}，实为 {item['label']!r}"
        if not _is_int(item["N_before"]):
            return f"S{i} 的 N_before 应为整数，实为 {item['N_before']!r}"
    return None


def _sources(v: Any) -> str | None:
    if not isinstance(v, list) or not v or not all(isinstance(s, dict) for s in v):
        return f"应为非空的对象列表，实为 {v!r}"
    return None


def _auditors(v: Any) -> str | None:
    if not isinstance(v, list) or not v or not all(isinstance(a, str) and a for a in v):
        return f"应为非空的审计人员名称列表，实为 {v!r}"
    return None


def _date(v: Any) -> str | None:
    ok = isinstance(v, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v)
    if ok:
        try:
            datetime.strptime(v, "%Y-%m-%d")
        except ValueError:
            ok = False
    return None if ok else f"应为日期 YYYY-MM-DD，实为 {v!r}"


def _signature(v: Any) -> str | None:
    try:
        raw = base64.b64decode(v, validate=True) if isinstance(v, str) else b""
    except binascii.Error:
        raw = b""
    if len(raw) != 64 or base64.b64encode(raw).decode() != v:
        return "应为 Ed25519 签名（64 字节）的标准 base64"
    return None


Validator = Callable[[Any], "str | None"]

# PROTOCOL §8 table and §13 "Log fields": (required, optional) fields of each type.
FIELDS: dict[str, tuple[dict[str, Validator], dict[str, Validator]]] = {
    "announce": (
        {
            "commitment": _hex64,
            "n": _int_at_least(1),
            "params_sha256": _hex64,
            "inputs": _inputs,
            "strata": _strata,
            "sources": _sources,
        },
        {"redraw_of": _task_id, "recusals_root": _hex64},
    ),
    "draw": (
        {"key_string": _key_string, "selection_sha256": _hex64, "status": _one_of("ok", "failed")},
        {"failure": _one_of(*FAILURES)},
    ),
    "reassign": (
        {"reason": _one_of(*REASSIGN_REASONS), "count": _int_at_least(1), "selection_sha256": _hex64},
        {},
    ),
    "reveal": ({}, {"code": _hex64, "auditors": _auditors, "people_sha256": _hex64}),
    "publish": ({"results_sha256": _hex64}, {"reason": _text, "changed": _int_at_least(1)}),
    "cancel": ({"reason": _text}, {}),
    "audit": ({"auditor": _text, "verdict": _one_of("ok", "mismatch"), "signature": _signature}, {}),
    # A list drawn elsewhere (部门协同监管平台, or handed down by a superior bureau), fixed at import.
    "import": (
        {
            "source": _one_of(*LIST_SOURCES),
            "list_sha256": _hex64,
            "rows": _int_at_least(1),
            "reference": _text,
            "issuer": _text,
            "date": _date,
        },
        {"corrects": _int_at_least(0), "change": _text},
    ),
}


def valid_time(v: Any) -> bool:
    if not isinstance(v, str) or not _TIME.fullmatch(v):
        return False
    try:
        datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


def entry_problems(entry: Mapping[str, Any], *, with_chain_fields: bool = True) -> list[str]:
    """Every way ``entry`` breaks the field rules of its type (Chinese, one per problem)."""
    problems: list[str] = []
    json_problem = _json_problem(dict(entry), "条目")
    if json_problem:
        problems.append(json_problem)
    kind = entry.get("type")
    if kind not in FIELDS:
        return problems + [f"type 应为 {'、'.join(TYPES)} 之一，实为 {kind!r}"]
    required, optional = FIELDS[kind]
    common = COMMON_FIELDS if with_chain_fields else ("type", "task")
    for name in common + tuple(required):
        if name not in entry:
            problems.append(f"{kind} 条目缺少字段 {name}")
    for name in entry:
        if name not in common and name not in required and name not in optional:
            problems.append(f"{kind} 条目不应有字段 {name}")
    for name, check in {**required, **optional}.items():
        if name in entry:
            problem = check(entry[name])
            if problem:
                problems.append(f"字段 {name} {problem}")
    if "task" in entry and (p := _task_id(entry["task"])):
        problems.append(f"字段 task {p}")
    if with_chain_fields:
        if "seq" in entry and not _is_int(entry["seq"]):
            problems.append(f"字段 seq 应为整数，实为 {entry['seq']!r}")
        if "time" in entry and not valid_time(entry["time"]):
            problems.append(f"字段 time 应为 YYYY-MM-DDTHH:MM:SSZ（UTC），实为 {entry['time']!r}")
        for name in ("prev", "hash"):
            if name in entry and (p := _hex64(entry[name])):
                problems.append(f"字段 {name} {p}")
    if kind == "draw":
        failed = entry.get("status") == "failed"
        if failed != ("failure" in entry):
            problems.append("draw 条目：status 为 failed 时必须有 failure，为 ok 时不得有 failure")
    if kind == "import" and ("corrects" in entry) != ("change" in entry):
        problems.append("import 条目：更正名单时须同时有 corrects 与 change")
    if kind == "reveal" and ("code" in entry) == ("auditors" in entry):
        problems.append("reveal 条目应恰有 code（公开模式）或 auditors（审计模式）之一")
    return problems


# --- hashes and lines ------------------------------------------------------------------------


def entry_hash(entry: Mapping[str, Any]) -> str:
    """PROTOCOL §8: hash = H(JCS(entry without "hash")), lowercase hex."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(jcs_dumps(body)).hexdigest()


def stored_line(entry: Mapping[str, Any]) -> bytes:
    """The stored line without its LF = the Merkle leaf data (PROTOCOL §8)."""
    return jcs_dumps(dict(entry))


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with whole seconds, as the log writes it (PROTOCOL §13 "Sources")."""
    if moment.tzinfo is None:
        raise ValueError("log time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_entry(fields: Mapping[str, Any], seq: int, time: str, prev: str) -> dict[str, Any]:
    """The complete entry for ``fields`` (type, task and the type's fields) at ``seq``."""
    for name in ("seq", "time", "prev", "hash"):
        if name in fields:
            raise LogError(f"字段 {name} 由日志自动填写，调用方不应提供", seq=seq)
    entry = {**fields, "seq": seq, "time": time, "prev": prev}
    entry["hash"] = entry_hash(entry)
    problems = entry_problems(entry)
    if problems:
        raise LogError(f"新条目（seq {seq}）不合规：" + "；".join(problems), seq=seq)
    if len(stored_line(entry)) > MAX_LINE:
        raise LogError(f"新条目（seq {seq}）超过 {MAX_LINE} 字节", seq=seq)
    return entry


# --- the chain -------------------------------------------------------------------------------


class ChainState:
    """Running state of the chain check, so entries can be checked one at a time."""

    def __init__(self) -> None:
        self.size = 0
        self.last_hash = ZERO_HASH
        self.last_time = ""
        self.hashes: dict[str, int] = {}  # entry hash -> seq
        self.seen: dict[tuple[str, str], int] = {}  # (task, type) -> seq of the first one
        self.latest_import: dict[str, int] = {}  # task -> seq of its latest import entry

    def problem(self, entry: Mapping[str, Any]) -> str | None:
        """Why ``entry`` cannot be the next entry of the chain, or None."""
        seq = entry["seq"]
        if entry["hash"] in self.hashes:
            return f"与 seq {self.hashes[entry['hash']]} 的条目重复"
        if seq != self.size:
            return f"seq 应为 {self.size}，实为 {seq}（条目被删除、重排或插入）"
        if entry["prev"] != self.last_hash:
            return f"prev 应为上一条目的 hash {self.last_hash}，实为 {entry['prev']}"
        actual = entry_hash(entry)
        if entry["hash"] != actual:
            return f"hash 应为 {actual}，实为 {entry['hash']}（条目被改动）"
        if entry["time"] < self.last_time:
            return f"time {entry['time']} 早于上一条目的 {self.last_time}（时间不得倒退）"
        task, kind = entry["task"], entry["type"]
        if kind in ONCE_PER_TASK and (task, kind) in self.seen:
            return f"任务 {task} 已有 {kind} 条目（seq {self.seen[(task, kind)]}），不得再有"
        imported = (task, "import") in self.seen
        if kind == "import":
            return self._import_problem(entry, imported)
        if kind == "announce" and imported:
            return f"任务 {task} 的名单已导入（seq {self.seen[(task, 'import')]}），不能再公告本局抽取"
        if imported and kind in ("publish", "cancel"):
            return None
        if kind != "announce" and (task, "announce") not in self.seen:
            return f"任务 {task} 尚无 announce 条目，不能有 {kind} 条目"
        if kind in ("reassign", "publish") and (task, "draw") not in self.seen:
            return f"任务 {task} 尚无 draw 条目，不能有 {kind} 条目"
        if kind == "draw" and (task, "cancel") in self.seen:
            return f"任务 {task} 已撤销（seq {self.seen[(task, 'cancel')]}），不能再抽取"
        return None

    def _import_problem(self, entry: Mapping[str, Any], imported: bool) -> str | None:
        """An imported list: never for a task drawn here; a second import only as a correction
        of the task's latest one, and none after publication or cancellation."""
        task = entry["task"]
        if (task, "announce") in self.seen:
            return f"任务 {task} 已公告本局抽取（seq {self.seen[(task, 'announce')]}），不能导入名单"
        for kind in ("publish", "cancel"):
            if (task, kind) in self.seen:
                return f"任务 {task} 已有 {kind} 条目（seq {self.seen[(task, kind)]}），不能再导入名单"
        if not imported:
            return None if "corrects" not in entry else f"任务 {task} 尚无导入的名单，无可更正"
        latest = self.latest_import[task]
        if entry.get("corrects") != latest:
            return (f"任务 {task} 已导入名单（seq {latest}）；再次导入须是对它的更正"
                    f"（corrects = {latest}，并写明 change）")
        return None

    def copy(self) -> ChainState:
        other = ChainState()
        other.size, other.last_hash, other.last_time = self.size, self.last_hash, self.last_time
        other.hashes, other.seen = dict(self.hashes), dict(self.seen)
        other.latest_import = dict(self.latest_import)
        return other

    def add(self, entry: Mapping[str, Any]) -> None:
        if entry["type"] == "import":
            self.latest_import[entry["task"]] = entry["seq"]
        self.size += 1
        self.last_hash = entry["hash"]
        self.last_time = entry["time"]
        self.hashes[entry["hash"]] = entry["seq"]
        self.seen.setdefault((entry["task"], entry["type"]), entry["seq"])


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"重复的键 {key!r}")
        obj[key] = value
    return obj


def _refuse_float(text: str) -> Any:
    raise ValueError(f"小数 {text}（协议只用整数）")


def _refuse_constant(text: str) -> Any:
    raise ValueError(f"非法常量 {text}")


def parse_line(line: bytes, number: int) -> dict[str, Any]:
    """Parse one stored line (without LF); ``number`` is its 1-based line number."""
    where = f"第 {number} 行"
    if len(line) > MAX_LINE:
        raise LogError(f"{where}长 {len(line)} 字节，超过 {MAX_LINE}", line=number)
    try:
        obj = json.loads(
            line.decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise LogError(f"{where}不是完整的 JSON 条目（行被截断或改动）：{exc}", line=number) from None
    if not isinstance(obj, dict):
        raise LogError(f"{where}不是 JSON 对象", line=number)
    seq = obj.get("seq") if _is_int(obj.get("seq")) else None
    if seq is not None:
        where = f"第 {number} 行（seq {seq}）"
    problems = entry_problems(obj)
    if problems:
        raise LogError(f"{where}：" + "；".join(problems), line=number, seq=seq)
    if stored_line(obj) != line:
        raise LogError(f"{where}不是 RFC 8785 规范形式（行被手工改动）", line=number, seq=seq)
    return obj


def parse_log_prefix(data: bytes) -> tuple[list[dict[str, Any]], LogError | None]:
    """The longest valid prefix of the stored log, and why it stops there (None: all valid).

    Refuses torn, edited, duplicated, reordered and inserted lines, naming line and seq.
    """
    entries: list[dict[str, Any]] = []
    if not data:
        return entries, None
    lines = data.split(b"\n")
    torn = lines.pop()  # b"" when the data ends with LF
    state = ChainState()
    start = 0
    checked, checked_state = _CHECKED
    if checked and data.startswith(checked) and checked_state is not None:
        # Speed only: these very bytes passed every check below in this process (a log read
        # again after an append); their entries are parsed afresh, the checks not repeated.
        start = checked_state.size
        entries = [json.loads(line) for line in lines[:start]]
        state = checked_state.copy()
    for number, line in enumerate(lines[start:], start=start + 1):
        try:
            entry = parse_line(line, number)
        except LogError as exc:
            return entries, exc
        problem = state.problem(entry)
        if problem:
            seq = entry["seq"]
            return entries, LogError(f"第 {number} 行（seq {seq}）：{problem}", line=number, seq=seq)
        state.add(entry)
        entries.append(entry)
    if len(entries) > start:
        _CHECKED[:] = [data[:len(data) - len(torn)], state.copy()]
    if torn:
        number = len(lines) + 1
        return entries, LogError(
            f"第 {number} 行不完整（缺少结尾换行，写入时中断或文件被截断）", line=number
        )
    return entries, None


_CHECKED: list = [b"", None]  # the longest log prefix checked in this process, its chain state


def parse_log(data: bytes) -> list[dict[str, Any]]:
    """All entries of the stored log; raises LogError at the first bad line."""
    entries, error = parse_log_prefix(data)
    if error:
        raise error
    return entries


def check_chain(entries: list[Mapping[str, Any]]) -> None:
    """Check already-parsed entries as a chain; raises LogError naming the seq."""
    state = ChainState()
    for entry in entries:
        problems = entry_problems(entry)
        problem = "；".join(problems) if problems else state.problem(entry)
        if problem:
            raise LogError(f"seq {entry.get('seq')}：{problem}", seq=entry.get("seq"))
        state.add(entry)
