"""The parameter object (PROTOCOL §3, §13 "Parameter object"): build, validate, hash, evaluate.

Bytes are the RFC 8785 JCS of the object (:mod:`.jcs`), hashed to ``params_sha256``; the
published ``params.json`` is exactly those bytes. Conditions are ``{column, op, value}`` over
``directory.csv`` columns (``risk`` in audit mode only); an enterprise is in the population when
it meets every population condition and in the **first** stratum whose conditions it meets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from .encoding import is_date, is_id, is_nfc, sha256_hex
from .errors import ProtocolError
from .jcs import canonicalize
from .sources import GAMES

PROTOCOL_1 = "gongshi-draw/1"
PROTOCOL_2 = "gongshi-draw/2"
PROTOCOLS = (PROTOCOL_1, PROTOCOL_2)
PROTOCOL = PROTOCOL_2  # new tasks; every task already in a log keeps its own protocol
KEYS = frozenset(
    "protocol task mode population strata group_size scope expertise experts exclusion_rules "
    "items sources n".split()
)
SOURCE_KEYS = frozenset("name game issue scheduled take count ordered fallback url".split())
OPS = frozenset(["eq", "in", "prefix", "before", "after"])
DIRECTORY_COLUMNS = ("type", "industry", "industry_risk", "unit", "registered", "status")
DATE_COLUMNS = frozenset(["registered"])
EXCLUSION_RULES = frozenset(["same-item-same-year"])
RATIO_RE = re.compile(r"(0|[1-9][0-9]{0,2})(\.[0-9]{1,4})?%")  # §6.4
SCHEDULED_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+08:00")


def _bkey(s: str) -> bytes:
    return s.encode("utf-8")


def sorted_set(values: Iterable[str]) -> list[str]:
    """A set as the parameter object holds it: unique, sorted by UTF-8 bytes (§13)."""
    return sorted(set(values), key=_bkey)


def ratio_fraction(ratio: str) -> tuple[int, int]:
    """``"33.3333%"`` → ``(333333, 1000000)``: the exact fraction p/q of §6.4 (no floats)."""
    m = RATIO_RE.fullmatch(ratio) if isinstance(ratio, str) else None
    if m is None:
        raise ProtocolError("ratio", f"比例须形如 5% 或 33.3333%（^(0|[1-9][0-9]{{0,2}})(\\.[0-9]{{1,4}})?%$），实际为 {ratio!r}")
    frac = (m.group(2) or ".")[1:]
    p, q = int(m.group(1) + frac), 100 * 10 ** len(frac)  # r% = digits / (100·10^len(frac))
    if p == 0 or p > q:
        raise ProtocolError("ratio", f"比例须在 (0, 100%] 之内，实际为 {ratio!r}")
    return p, q


def is_full_ratio(stratum: Mapping[str, object]) -> bool:
    """True when the stratum's ratio equals 1 in any spelling (``100%``, ``100.00%``)."""
    ratio = stratum.get("ratio")
    if not isinstance(ratio, str):
        return False
    p, q = ratio_fraction(ratio)
    return p == q


def build_params(
    *, task: str, mode: str, population: list[dict], strata: list[dict], group_size: int,
    scope: dict, expertise: Iterable[str], experts: dict, exclusion_rules: Iterable[str],
    items: Iterable[str], sources: list[dict], n: int, protocol: str = PROTOCOL_1,
) -> dict:
    """A parameter object with every set sorted by bytes and strata labelled ``S1``, ``S2``, …"""

    def cond(c: Mapping) -> dict:
        value = sorted_set(c["value"]) if c["op"] == "in" else c["value"]
        return {"column": c["column"], "op": c["op"], "value": value}

    out_scope = {"kind": scope["kind"]}
    for key in ("units", "hq"):
        if key in scope:
            out_scope[key] = sorted_set(scope[key])
    out_experts: dict = {"count": experts["count"]}
    if experts["count"]:
        out_experts["expertise"] = sorted_set(experts.get("expertise", ()))
    out_strata = []
    for i, s in enumerate(strata, start=1):
        entry = {"label": f"S{i}", "when": [cond(c) for c in s.get("when", ())]}
        if "ratio" in s:
            entry["ratio"] = s["ratio"]
        else:
            entry["count"] = s["count"]
        out_strata.append(entry)
    obj = {
        "protocol": protocol, "task": task, "mode": mode,
        "population": [cond(c) for c in population], "strata": out_strata,
        "group_size": group_size, "scope": out_scope, "expertise": sorted_set(expertise),
        "experts": out_experts, "exclusion_rules": sorted_set(exclusion_rules),
        "items": sorted_set(items), "sources": [dict(s) for s in sources], "n": n,
    }
    errors = validate_params(obj)
    if errors:
        raise errors[0]
    return obj


def params_bytes(params: Mapping) -> bytes:
    """The bytes hashed to ``params_sha256`` and published as ``params.json`` (§3, §11)."""
    return canonicalize(dict(params))


def params_sha256(params: Mapping) -> str:
    return sha256_hex(params_bytes(params))


# --------------------------------------------------------------------------- validation


class _Collector:
    def __init__(self) -> None:
        self.errors: list[ProtocolError] = []

    def add(self, msg: str, rule: str = "params") -> None:
        self.errors.append(ProtocolError(rule, msg, file="params.json"))


def _is_int(v: object, lo: int = 0) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and lo <= v < 2**53


def _is_set(v: object, check=None) -> bool:
    return (
        isinstance(v, list) and all(isinstance(x, str) and x for x in v)
        and v == sorted_set(v) and (check is None or all(check(x) for x in v))
    )


def _check_condition(c: object, mode: str, where: str, col: _Collector) -> None:
    if not isinstance(c, dict) or set(c) != {"column", "op", "value"}:
        col.add(f"{where}：条件须恰为 {{column, op, value}} 三个键，实际为 {c!r}")
        return
    column, op, value = c["column"], c["op"], c["value"]
    allowed = DIRECTORY_COLUMNS + (("risk",) if mode == "audit" else ())
    if column == "code":
        col.add(f"{where}：条件不得使用 code 列（不能用规则孤立某个企业）")
    elif column not in allowed:
        col.add(f"{where}：列须为 {'、'.join(allowed)} 之一，实际为 {column!r}")
    if op not in OPS:
        col.add(f"{where}：运算符须为 eq、in、prefix、before、after 之一，实际为 {op!r}")
    elif op == "in":
        if not (_is_set(value) and value):
            col.add(f"{where}：in 的值须为非空、去重、按字节排序的字符串列表，实际为 {value!r}")
    elif not isinstance(value, str):
        col.add(f"{where}：{op} 的值须为字符串，实际为 {value!r}")
    elif op in ("before", "after"):
        if column not in DATE_COLUMNS:
            col.add(f"{where}：before/after 只能用于日期列（registered），实际为 {column!r}")
        elif not is_date(value):
            col.add(f"{where}：日期须为 YYYY-MM-DD，实际为 {value!r}")


def _check_source(s: object, where: str, col: _Collector) -> None:
    if not isinstance(s, dict) or set(s) != SOURCE_KEYS:
        got = sorted(s) if isinstance(s, dict) else s
        col.add(f"{where}：随机源须恰有键 {sorted(SOURCE_KEYS)}，实际为 {got}")
        return
    if s["game"] not in GAMES:
        col.add(f"{where}：game 须为 {'、'.join(GAMES)} 之一，实际为 {s['game']!r}", "entropy")
    if not isinstance(s["scheduled"], str) or SCHEDULED_RE.fullmatch(s["scheduled"]) is None:
        col.add(f"{where}：scheduled 须为 YYYY-MM-DDTHH:MM:SS+08:00，实际为 {s['scheduled']!r}", "timing")
    if not _is_int(s["count"], 1):
        col.add(f"{where}：count 须为正整数，实际为 {s['count']!r}")
    elif s["game"] == "drand" and s["count"] != 1:
        col.add(f"{where}：drand 随机源的 count 须为 1，实际为 {s['count']}")
    if not isinstance(s["ordered"], bool):
        col.add(f"{where}：ordered 须为 true/false，实际为 {s['ordered']!r}")
    for key in ("name", "issue", "take", "fallback", "url"):
        if not isinstance(s[key], str) or not s[key]:
            col.add(f"{where}：{key} 须为非空字符串，实际为 {s[key]!r}")


def _walk_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _walk_strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _walk_strings(v)


def validate_params(p: object) -> list[ProtocolError]:
    """Every problem of the parameter object (all of them, not just the first)."""
    col = _Collector()
    if not isinstance(p, dict):
        col.add(f"参数对象须为 JSON 对象，实际为 {type(p).__name__}")
        return col.errors
    missing, unknown = KEYS - set(p), set(p) - KEYS
    if missing:
        col.add(f"缺少键：{'、'.join(sorted(missing))}")
    if unknown:
        col.add(f"不允许的键：{'、'.join(sorted(unknown))}")
    if missing:
        return col.errors
    for s in _walk_strings(p):
        if not is_nfc(s):
            col.add(f"字符串 {s!r} 不是 NFC 规范化形式")
    try:
        canonicalize(p)
    except ProtocolError as exc:
        col.add(exc.detail)
    if p["protocol"] not in PROTOCOLS:
        col.add(f"protocol 须为 {' 或 '.join(map(repr, PROTOCOLS))}，实际为 {p['protocol']!r}")
    if not is_id(p["task"]):
        col.add(f"task 须为编号（[A-Za-z0-9_-]{{1,32}}），实际为 {p['task']!r}")
    mode = p["mode"]
    if mode not in ("public", "audit"):
        col.add(f"mode 须为 public 或 audit，实际为 {mode!r}")
    if not isinstance(p["population"], list):
        col.add("population 须为条件列表")
    else:
        for i, c in enumerate(p["population"], start=1):
            _check_condition(c, mode, f"population 第 {i} 个条件", col)
    strata = p["strata"]
    if not isinstance(strata, list) or not strata:
        col.add("strata 须为非空列表")
        strata = []
    for i, s in enumerate(strata, start=1):
        where = f"strata 第 {i} 层"
        if not isinstance(s, dict) or not ({"label", "when"} <= set(s)) or len(set(s) & {"ratio", "count"}) != 1 or len(s) != 3:
            col.add(f"{where}：须恰为 {{label, when, ratio}} 或 {{label, when, count}}，实际为 {s!r}")
            continue
        if s["label"] != f"S{i}":
            col.add(f"{where}：label 须为 'S{i}'，实际为 {s['label']!r}")
        if not isinstance(s["when"], list):
            col.add(f"{where}：when 须为条件列表")
        else:
            for j, c in enumerate(s["when"], start=1):
                _check_condition(c, mode, f"{where} 第 {j} 个条件", col)
        if "ratio" in s:
            try:
                ratio_fraction(s["ratio"])
            except ProtocolError as exc:
                col.add(f"{where}：{exc.detail}", "ratio")
        elif not _is_int(s["count"], 1):
            col.add(f"{where}：count 须为正整数，实际为 {s['count']!r}")
    if not _is_int(p["group_size"], 2):
        col.add(f"group_size 须为不小于 2 的整数（至少两名执法人员），实际为 {p['group_size']!r}")
    scope = p["scope"]
    shapes = {"all": set(), "own": set(), "units": {"units"}, "hq+own": {"hq"}}
    if not isinstance(scope, dict) or scope.get("kind") not in shapes:
        col.add(f"scope.kind 须为 all、own、units、hq+own 之一，实际为 {scope!r}")
    elif set(scope) - {"kind"} != shapes[scope["kind"]]:
        col.add(f"scope 的键与 kind={scope['kind']} 不符：{sorted(scope)}")
    else:
        for key in shapes[scope["kind"]]:
            if not (_is_set(scope[key]) and scope[key]):
                col.add(f"scope.{key} 须为非空、去重、按字节排序的列表，实际为 {scope[key]!r}")
    if not _is_set(p["expertise"]):
        col.add(f"expertise 须为去重、按字节排序的字符串列表，实际为 {p['expertise']!r}")
    ex = p["experts"]
    if not isinstance(ex, dict) or not _is_int(ex.get("count")):
        col.add(f"experts 须为 {{\"count\": 0}} 或 {{\"count\": k, \"expertise\": […]}}，实际为 {ex!r}")
    elif ex["count"] == 0 and set(ex) != {"count"}:
        col.add("experts.count 为 0 时不得有其他键")
    elif ex["count"] > 0 and (set(ex) != {"count", "expertise"} or not _is_set(ex["expertise"])):
        col.add(f"experts 须为 {{\"count\": k, \"expertise\": [按字节排序的专长]}}，实际为 {ex!r}")
    rules = p["exclusion_rules"]
    if not (_is_set(rules) and set(rules) <= EXCLUSION_RULES):
        col.add(f"exclusion_rules 须为 ['same-item-same-year'] 的子集，实际为 {rules!r}")
    if not _is_set(p["items"], is_id):
        col.add(f"items 须为去重、按字节排序的事项编号列表，实际为 {p['items']!r}")
    if not isinstance(p["sources"], list) or not p["sources"]:
        col.add("sources 须为非空列表", "entropy")
    else:
        for i, s in enumerate(p["sources"], start=1):
            _check_source(s, f"sources 第 {i} 个", col)
    if not _is_int(p["n"], 1):
        col.add(f"n（哈希链长度）须为不小于 1 的整数，实际为 {p['n']!r}")
    elif p["protocol"] == PROTOCOL_2 and p["n"] < 2:
        col.add(f"协议 2 的 n（哈希链长度）须不小于 2（一次性码从不是秘密本身），实际为 {p['n']!r}")
    return col.errors


# --------------------------------------------------------------------------- evaluation


def meets(cond: Mapping, row: Mapping[str, str]) -> bool:
    """One condition of §3/§13 against one directory row (``risk`` "" when absent)."""
    v, op, want = row[cond["column"]], cond["op"], cond["value"]
    if op == "eq":
        return v == want
    if op == "in":
        return v in want
    if op == "prefix":
        return v.encode("utf-8").startswith(want.encode("utf-8"))  # byte prefix
    if op == "before":
        return v < want  # strict; YYYY-MM-DD strings order as dates
    if op == "after":
        return v > want
    raise AssertionError(op)


def stratum_of(params: Mapping, row: Mapping[str, str]) -> str | None:
    """The label of the first stratum ``row`` meets, or ``None`` when not in the population."""
    if not all(meets(c, row) for c in params["population"]):
        return None
    for s in params["strata"]:
        if all(meets(c, row) for c in s["when"]):
            return s["label"]
    return None


def assign_strata(
    params: Mapping, directory: Iterable[tuple], risk: Mapping[str, str] | None = None
) -> Iterator[tuple[str, str, str]]:
    """Stream ``(code, label, unit)`` for every population member of ``directory`` rows.

    ``directory`` yields typed rows of ``directory.csv``; in audit mode ``risk`` maps codes to
    their risk class (absent → ``""``).
    """
    risk = risk or {}
    label_of = labeller(params)
    if any(c["column"] == "risk" for c in _conditions(params)):
        for row in directory:
            label = label_of(row + (risk.get(row[0], ""),))
            if label is not None:
                yield row[0], label, row[4]
    else:
        for row in directory:
            label = label_of(row)
            if label is not None:
                yield row[0], label, row[4]


_ROW_INDEX = {c: i for i, c in enumerate(("code",) + DIRECTORY_COLUMNS + ("risk",))}
_LABEL_MEMO_MAX = 65_536


def _conditions(params: Mapping) -> list[Mapping]:
    return list(params["population"]) + [c for s in params["strata"] for c in s["when"]]


def labeller(params: Mapping):
    """``row → stratum label or None``, equal to :func:`stratum_of` (speed only).

    ``row`` is a typed ``directory.csv`` row, plus the risk class as an 8th value when a
    condition uses ``risk``. The label depends only on the columns the conditions name, so it is
    memoised on those values (bounded).
    """
    used = sorted({_ROW_INDEX[c["column"]] for c in _conditions(params)})
    names = [c for c, i in sorted(_ROW_INDEX.items(), key=lambda kv: kv[1]) if i in used]
    memo: dict[tuple, str | None] = {}

    def label_of(row: tuple) -> str | None:
        key = tuple([row[i] for i in used])
        if key in memo:
            return memo[key]
        label = stratum_of(params, dict(zip(names, key, strict=True)))
        if len(memo) < _LABEL_MEMO_MAX:
            memo[key] = label
        return label

    return label_of


def version(params: Mapping) -> int:
    """1 or 2: the protocol version a (valid) parameter object names."""
    return 2 if params.get("protocol") == PROTOCOL_2 else 1
