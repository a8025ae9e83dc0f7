"""The protocol page's worked examples of protocol 2, computed by the protocol code.

Each example is a small task whose inputs and every intermediate value (ranking with ticket
prefixes, what each filter kept, each expertise swap, loads, fallbacks, the listing, the
reassignment walk, the exclusions, the hash chain) are printed here from the very functions the
draw and the verifiers run; the traced group formation is checked against the engine's listing,
so the trace cannot drift from the rule. The page holds each example between
``<!-- gen:NAME -->`` and ``<!-- /gen:NAME -->``; ``tests/test_protocol_examples.py`` compares
every block verbatim, and ``python -m generator.worked_examples content/verify/protocol.md``
rewrites them.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .protocol import engine, recusals
from .protocol.canonical import parse_csv, write_csv
from .protocol.encoding import uscc_check_char
from .protocol.exclusions import build_exclusions, exclusions_commitment
from .protocol.groups import (
    FALLBACKS,
    Inspector,
    Rules,
    in_scope,
    inspectors_from_rows,
    limit,
    ranking,
)
from .protocol.listing import parse_listing
from .protocol.params import build_params
from .protocol.tickets import Tickets, hash_chain
from .protocol.verify import selected_csv

SOURCES = [
    {"count": 7, "fallback": "若未按期开奖，取同一玩法的下一期", "game": "ssq", "issue": "2024033",
     "name": "中国福利彩票双色球", "ordered": True, "scheduled": "2024-03-24T21:15:00+08:00",
     "take": "开奖公告所列红球6个（公告按从小到大列出）后接蓝球1个，按此顺序", "url": "https://www.cwl.gov.cn/"},
    {"count": 7, "fallback": "若未按期开奖，取同一玩法的下一期", "game": "dlt", "issue": "2024032",
     "name": "中国体育彩票超级大乐透", "ordered": False, "scheduled": "2024-03-23T21:25:00+08:00",
     "take": "前区5个与后区2个，共7个，不计顺序", "url": "https://www.lottery.gov.cn/"},
    {"count": 5, "fallback": "若未按期开奖，取同一玩法的下一期", "game": "pl5", "issue": "2024078",
     "name": "中国体育彩票排列5", "ordered": True, "scheduled": "2024-03-23T21:25:00+08:00",
     "take": "开奖号码5位，按开奖顺序", "url": "https://www.lottery.gov.cn/"},
]
NUMBERS = [["3", "9", "14", "22", "27", "31", "8"], ["11", "5", "33", "28", "19", "9", "2"], ["3", "0", "7", "7", "1"]]
ANNOUNCE_TIME = "2024-03-20T02:00:00Z"


def code_of(n: int) -> str:
    body = f"914403000000{n:05d}"
    return body + uscc_check_char(body)


def secret_of(name: str) -> bytes:
    """The examples' secrets: SHA-256 of a name (a real task must use the OS's random bytes)."""
    return hashlib.sha256(b"gongshi worked example " + name.encode()).digest()


# --- the examples' world: three stations, a bureau office, nine enterprises ----------------

DIRECTORY = [
    (code_of(n), "有限责任公司", ind, risk, unit, f"201{n}-0{n}-1{n}", "存续")
    for n, (unit, ind, risk) in enumerate([
        ("U1", "餐饮服务", "高"), ("U1", "食品销售", "高"), ("U1", "零售业", "低"),
        ("U2", "餐饮服务", "高"), ("U2", "食品销售", "高"), ("U2", "零售业", "低"),
        ("U3", "餐饮服务", "高"), ("U3", "食品销售", "高"), ("U3", "零售业", "低"),
    ], start=1)
]
ROSTER = [  # id, unit, qualified, expertise, own cap (recusals are committed apart)
    ("A1", "U1", True, {"价格"}, 0), ("A2", "U1", True, set(), 0), ("A3", "U1", True, {"食品"}, 0),
    ("B1", "U2", True, {"价格", "食品"}, 0), ("B2", "U2", True, set(), 0), ("B3", "U2", False, set(), 0),
    ("C1", "U3", True, set(), 2), ("C2", "U3", True, {"食品"}, 0),
    ("H1", "HQ", True, {"价格"}, 0), ("H2", "HQ", True, {"食品"}, 0),
]
EXPERTS = [("E1", {"食品"}), ("E2", {"药品", "食品"}), ("E3", {"药品"})]
RECUSALS = {code_of(4): {"B2"}, code_of(2): {"A3", "E1"}}  # private: committed, never published whole


def world(roster=ROSTER, experts=EXPERTS, directory=DIRECTORY) -> dict[str, bytes]:
    return {
        "directory.csv": write_csv("directory.csv", directory),
        "roster.csv": write_csv("roster.csv", [(*r, ()) for r in roster]),
        "experts.csv": write_csv("experts.csv", [(i, t, ()) for i, t in experts]),
    }


def params(task: str, **over) -> dict:
    base = dict(
        task=task, mode="public", population=[{"column": "status", "op": "eq", "value": "存续"}],
        strata=[{"when": [], "ratio": "100%"}], group_size=2, scope={"kind": "all"}, expertise=[],
        experts={"count": 0}, exclusion_rules=[], items=["SX09"], sources=SOURCES, n=2,
        protocol="gongshi-draw/2",
    )
    base.update(over)
    return build_params(**base)


# --- tracing the group rule (§10–§11) with the reference functions --------------------------


def _ids(xs: Sequence[Inspector]) -> str:
    return "、".join(i.id for i in xs) or "（无）"


def trace_group(tickets: Tickets, code: str, unit: str, inspectors: Sequence[Inspector],
                loads: Mapping[str, int], rules: Rules, out: list[str]) -> tuple[tuple[str, ...], str] | str:
    """One enterprise's attempts, written into ``out``; the same result as ``groups.form_group``."""
    ranked = ranking(tickets, code, inspectors)
    out.append("  排序：" + " < ".join(f"{i.id}({tickets.inspector(code, i.id).hex()[:8]})" for i in ranked))
    failure = "scope"
    g = rules.group_size
    for fallback in FALLBACKS:
        kept = [i for i in ranked if in_scope(i, unit, rules.scope, fallback == "all")]
        steps = [f"scope→{_ids(kept)}"]
        got: str | None = None
        if len(kept) < g:
            got = "scope"
        else:
            kept = [i for i in kept if code not in i.recusals]
            steps.append(f"recusal→{_ids(kept)}")
            if len(kept) < g:
                got = "recusal"
            else:
                kept = [i for i in kept if loads.get(i.id, 0) < limit(i, rules.cap, fallback)]
                steps.append(f"load→{_ids(kept)}")
                if len(kept) < g:
                    got = "load"
        if got is not None:
            out.append(f"  尝试 {fallback}：" + "；".join(steps) + f"；不足 {g} 人，失败 {got}")
            failure = got
            continue
        group = list(kept[:g])
        out.append(f"  尝试 {fallback}：" + "；".join(steps) + f"；G = {_ids(group)}")
        rank = {i.id: n for n, i in enumerate(kept)}
        ok = True
        for tag in rules.expertise:
            if any(tag in m.expertise for m in group):
                out.append(f"    专长 {tag}：已覆盖")
                continue
            ids = {m.id for m in group}
            new = next((c for c in kept if c.id not in ids and tag in c.expertise), None)
            holders = {t: [m.id for m in group if t in m.expertise] for t in rules.expertise}
            pinned = sorted({hs[0] for hs in holders.values() if len(hs) == 1})
            free = [m for m in group if m.id not in pinned]
            if new is None or not free:
                why = "剩余候选人中无人具备" if new is None else f"G 中每人都被依赖（{'、'.join(pinned)}）"
                out.append(f"    专长 {tag}：未覆盖，{why}，失败 expertise")
                ok = False
                break
            gone = max(free, key=lambda m: rank[m.id])
            out.append(f"    专长 {tag}：未覆盖；被依赖者 {'、'.join(pinned) or '无'}；换下排名最低的可换成员 "
                       f"{gone.id}，换上第一个具备者 {new.id}")
            group.remove(gone)
            group.append(new)
        if not ok:
            failure = "expertise"
            continue
        group.sort(key=lambda m: rank[m.id])
        out.append(f"    检查组（按排名）：{_ids(group)}，后备 {fallback}")
        return tuple(m.id for m in group), fallback
    return failure


def trace_draw(p: Mapping, files: Mapping[str, bytes], secret: bytes, pairs: Mapping[str, set[str]],
               exclusions: bytes | None = None) -> tuple[list[str], engine.DrawOutcome, bytes]:
    """The whole draw, traced; asserts that the trace gives the engine's listing."""
    commitment, code = hash_chain(secret, p["n"])
    ex = exclusions if exclusions is not None else write_csv("exclusions.csv", [])
    merged = recusals.merged(files, pairs)
    outcome = engine.draw(p, merged, ex, code, NUMBERS)
    tickets = Tickets(code, outcome.key_string)
    inspectors = inspectors_from_rows(parse_csv("roster.csv", merged["roster.csv"]))
    lines = parse_listing(outcome.listing)
    qualified = sum(i.qualified for i in inspectors)
    rules = Rules.make(p, len(lines), qualified)
    units = {r[0]: r[4] for r in parse_csv("directory.csv", files["directory.csv"])}
    out = [f"K = {len(lines)}，P = {qualified}，g = {rules.group_size}，公式上限 cap = ⌈K·g/P⌉ = {rules.cap}"]
    loads: Counter = Counter()
    traced: dict[str, tuple] = {}
    failed = False
    for ln in sorted(lines, key=lambda ln: (ln.ticket, ln.code)):
        if failed:
            out.append(f"{ln.code}（{units[ln.code]}）：抽取已失败，不再处理")
            traced[ln.code] = ((), "-")
            continue
        recused = sorted(pairs.get(ln.code, ()))
        out.append(f"{ln.code}（{units[ln.code]}，签号 {ln.ticket[:8]}…，回避：{'、'.join(recused) or '无'}）")
        got = trace_group(tickets, ln.code, units[ln.code], inspectors, loads, rules, out)
        if isinstance(got, str):
            out.append(f"  三次尝试都失败：抽取失败，failure = {got}")
            failed = True
            traced[ln.code] = ((), "-")
            continue
        if ln.experts == () and p["experts"]["count"] > 0:
            out.append("  专家：合格专家不足，抽取失败，failure = experts（本行编号列留空）")
            failed = True
            traced[ln.code] = ((), "-")
            continue
        if p["experts"]["count"]:
            out.append(f"  专家：{'、'.join(ln.experts)}")
        for i in got[0]:
            loads[i] += 1
        out.append("  负荷：" + "，".join(f"{k}={loads[k]}" for k in sorted(loads)))
        traced[ln.code] = got
    for ln in lines:
        assert traced[ln.code] == (ln.inspectors, ln.fallback), (ln, traced[ln.code])
    assert outcome.failure is None or failed
    return out, outcome, code


def _block(kind: str, body: str | bytes) -> str:
    text = body.decode() if isinstance(body, bytes) else body
    return f"```{kind}\n{text}{'' if text.endswith(chr(10)) else chr(10)}```"


DRAWN: list[tuple[dict, dict[str, bytes], bytes, dict, bytes | None]] = []  # what the examples drew


def _draw_example(p, files, secret, pairs, note: str = "", exclusions=None) -> tuple[str, engine.DrawOutcome, bytes]:
    DRAWN.append((p, files, secret, pairs, exclusions))
    out, outcome, code = trace_draw(p, files, secret, pairs, exclusions)
    parts = []
    if note:
        parts.append(note)
    parts.append("过程：\n\n" + _block("text", "\n".join(out)))
    parts.append(f"清单（status = {outcome.status}{'' if outcome.failure is None else '，failure = ' + outcome.failure}）：\n\n"
                 + _block("text", outcome.listing))
    return "\n\n".join(parts), outcome, code


def _params_line(p: Mapping) -> str:
    keys = ("scope", "group_size", "expertise", "experts", "strata")
    return "参数（与基本参数不同之处）：" + "；".join(f"`{k}` = `{_compact(p[k])}`" for k in keys)


def _compact(v) -> str:
    from .protocol.jcs import canonicalize

    return canonicalize(v).decode()


# --- the examples ---------------------------------------------------------------------------


def ex_world() -> str:
    f = world()
    whole = recusals.commitment_file(recusals.directory_codes(f["directory.csv"]), RECUSALS, secret_of("swap"))
    return "\n\n".join([
        "`directory.csv`：\n\n" + _block("text", f["directory.csv"]),
        "`roster.csv`（协议 2：`recusals` 列为空；B3 无执法资格；C1 本人上限 2）：\n\n" + _block("text", f["roster.csv"]),
        "`experts.csv`：\n\n" + _block("text", f["experts.csv"]),
        "机关登记的回避（不公开）：B2 对 …004、A3 和 E1 对 …002。以例 1 的秘密得到的 `recusals.csv`"
        "（只在机关和审计人员手中）与公告条目中的 `recusals_root`：\n\n" + _block("text", whole)
        + f"\n\n`recusals_root` = `{recusals.root(whole)}`",
    ])


def ex_swap() -> str:
    p = params("EX-SWAP", group_size=3, expertise=["价格", "食品"], scope={"kind": "all"})
    return _params_line(p) + "\n\n" + _draw_example(p, world(), secret_of("swap"), RECUSALS)[0]


def ex_scope(kind: str) -> Callable[[], str]:
    scopes = {"all": {"kind": "all"}, "own": {"kind": "own"}, "units": {"kind": "units", "units": ["U1", "U2"]},
              "hq+own": {"kind": "hq+own", "hq": ["HQ"]}}

    def run() -> str:
        p = params(f"EX-{kind.upper().replace('+', '')}", scope=scopes[kind])
        return _params_line(p) + "\n\n" + _draw_example(p, world(), secret_of(kind), RECUSALS)[0]
    return run


def ex_reassign() -> str:
    p = params("EX-REASSIGN", expertise=["食品"], scope={"kind": "hq+own", "hq": ["HQ"]},
               strata=[{"when": [], "count": 3}])
    text, outcome, code = _draw_example(p, world(), secret_of("reassign"), RECUSALS)
    files = recusals.merged(world(), RECUSALS)
    steps = [text]
    listing, history = outcome.listing, []
    lines = parse_listing(listing)
    tickets = Tickets(code, outcome.key_string)
    inspectors = inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"]))
    plan = [(lines[0].code, lines[0].inspectors[0], "recusal"), (lines[1].code, None, "unavailable")]
    for n, (ent, leaver, reason) in enumerate(plan, start=1):
        current = {ln.code: ln for ln in parse_listing(listing)}[ent]
        leaver = leaver or current.inspectors[-1]
        walk = []
        group = set(current.inspectors) - {leaver}
        gone = {i for e, i in history if e == ent} | {leaver}
        loads = Counter(i for ln in parse_listing(listing) for i in ln.inspectors)
        loads[leaver] -= 1
        unit = next(r[4] for r in parse_csv("directory.csv", files["directory.csv"]) if r[0] == ent)
        rules = Rules.make(p, len(lines), sum(i.qualified for i in inspectors))
        for cand in ranking(tickets, ent, inspectors):
            if cand.id in group:
                walk.append(f"{cand.id}：已在组内")
            elif cand.id in gone:
                walk.append(f"{cand.id}：曾离开该组")
            elif not in_scope(cand, unit, rules.scope, current.fallback == "all"):
                walk.append(f"{cand.id}：抽取方式不允许（后备 {current.fallback}）")
            elif ent in cand.recusals:
                walk.append(f"{cand.id}：回避")
            elif loads[cand.id] >= limit(cand, rules.cap, current.fallback):
                walk.append(f"{cand.id}：负荷已满（{loads[cand.id]}）")
            elif not all(any(t in m.expertise for m in [*(i for i in inspectors if i.id in group), cand]) for t in rules.expertise):
                walk.append(f"{cand.id}：换上后必需专长不再全部覆盖")
            else:
                walk.append(f"{cand.id}：替补")
                break
        new = engine.reassign(p, files, code, outcome.key_string, listing, history, ent, leaver, reason)
        after = {ln.code: ln for ln in parse_listing(new)}[ent]
        steps.append(f"第 {n} 次改派（`reason` = `{reason}`，{leaver} 离开 {ent} 的组）：按该企业的完整排序逐个检查——"
                     + "；".join(walk) + f"。新组（按排名）：{'、'.join(after.inspectors)}；`listing-{n}.csv`：\n\n"
                     + _block("text", new) + f"\n\n`selection_sha256` = `{hashlib.sha256(new).hexdigest()}`")
        history.append((ent, leaver))
        listing = new
    return _params_line(p) + "\n\n" + "\n\n".join(steps)


def ex_experts() -> str:
    p = params("EX-EXPERTS", experts={"count": 1, "expertise": ["食品"]})
    ok = _draw_example(p, world(), secret_of("experts"), RECUSALS)[0]
    bad = params("EX-EXPERTS2", experts={"count": 2, "expertise": ["食品"]})
    fail = _draw_example(bad, world(), secret_of("experts"), RECUSALS)[0]
    return "\n\n".join([_params_line(p), ok, "同样的名录，每家 2 名具备“食品”的专家（只有 E1、E2 两人，E1 对 …002 回避）：\n\n"
                        + _params_line(bad), fail])


def ex_failed() -> str:
    pairs = {**RECUSALS, code_of(5): {"A1", "A2", "A3", "B1", "C1", "C2", "H1", "H2"}}
    p = params("EX-FAILED", scope={"kind": "own"})
    return ("本例中 …005 的企业被 8 名人员申报回避（只剩 B2 一人可派）。回避不计入公告时的可行性检查（它有 `all` 后备），"
            "所以任务照常公告。\n\n" + _params_line(p) + "\n\n" + _draw_example(p, world(), secret_of("failed"), pairs)[0])


def ex_redraw() -> str:
    again = params("EX-REDRAW", scope={"kind": "all"})
    c1, k1 = hash_chain(secret_of("failed"), 2)
    c2, k2 = hash_chain(secret_of("redraw"), 2)
    pairs = {**RECUSALS, code_of(5): {"A1", "B1"}}
    text = _draw_example(again, world(), secret_of("redraw"), pairs)[0]
    return (f"上例失败后，机关核实发现 …005 的回避申报多录了 6 项，更正后用**新的秘密**公告重抽任务 EX-REDRAW"
            f"（公告条目带 `redraw_of` = `EX-FAILED`，新的回避承诺，抽取方式改为 `all`；真实任务还须用晚于新公告的随机源，"
            f"本例为便于比较沿用同一组号码）。"
            f"原任务的承诺 `{c1.hex()}`、一次性码 `{k1.hex()}`；重抽任务的承诺 `{c2.hex()}`、一次性码 `{k2.hex()}`。"
            f"原任务的一次性码不晚于重抽任务揭示。\n\n" + _params_line(again) + "\n\n" + text)


def ex_exclusions() -> str:
    first = params("EX-A", strata=[{"when": [], "count": 3}])
    _t, a, _c = trace_draw(first, world(), secret_of("ex-a"), RECUSALS)
    referenced = {"EX-A": dict(a.tickets)}
    second = params("EX-B", strata=[{"when": [], "ratio": "50%"}], exclusion_rules=["same-item-same-year"])
    codes = [r[0] for r in DIRECTORY]
    exclusions = build_exclusions(iter(codes), referenced)
    _c2, code_b = hash_chain(secret_of("ex-b"), 2)
    text, b, _ = _draw_example(second, world(), secret_of("ex-b"), RECUSALS, exclusions=exclusions)
    announce = engine.announce(second, world(), exclusions, code_b, ANNOUNCE_TIME,
                               recusals.commitment_file(codes, RECUSALS, secret_of("ex-b")))
    return "\n\n".join([
        "任务 EX-A（事项 SX09，按数量抽 3 家）先抽取，清单：\n\n" + _block("text", a.listing),
        "同年公告的任务 EX-B 与 EX-A 有共同事项 SX09，`exclusion_rules` = `[\"same-item-same-year\"]`，"
        "比例 50%。EX-A 的 3 家都在 EX-B 的范围内，全部排除；`exclusions.csv` 的最后一列是它们在 EX-A 中的签号：\n\n"
        + _block("text", exclusions),
        f"公告条目中的排除承诺 `H(code ‖ exclusions.csv)` = `{exclusions_commitment(code_b, exclusions)}`，行数 3；"
        f"`N_before` = {announce.strata[0]['N_before']}（排除前）。排除后 N = 6，k = ⌈50% × 6⌉ = 3。",
        text,
    ])


def ex_audit() -> str:
    p = params("EX-AUDIT", mode="audit")
    text, outcome, _code = _draw_example(p, world(), secret_of("audit"), RECUSALS)
    return ("审计模式的抽取与公开模式完全相同；揭示时只公开 `selected.csv`（由最后一份清单去掉分层、签号和后备列，按代码排序）"
            "，一次性码、清单和截止签号只交审计人员。\n\n" + text + "\n\n`selected.csv`：\n\n" + _block("text", selected_csv(outcome.listing)))


def ex_chain() -> str:
    secret = secret_of("chain")
    values = [secret]
    for _ in range(3):
        values.append(hashlib.sha256(values[-1]).digest())
    commitment, code = hash_chain(secret, 3)
    assert commitment == values[3] and code == values[2]
    rows = "\n".join(f"H^{i}(secret) = {v.hex()}" for i, v in enumerate(values))
    return ("n = 3：\n\n" + _block("text", rows + "\n")
            + f"\n\n承诺 `C = H^3(secret)` = `{commitment.hex()}`；一次性码 `code = H^2(secret)` = `{code.hex()}`。"
            "揭示时只公开 code；秘密和 H^1 从不公开。核验者检查 `H(code) = C`。")


EXAMPLES: dict[str, Callable[[], str]] = {
    "world": ex_world,
    "swap": ex_swap,
    "scope-all": ex_scope("all"),
    "scope-own": ex_scope("own"),
    "scope-units": ex_scope("units"),
    "scope-hq-own": ex_scope("hq+own"),
    "reassign": ex_reassign,
    "exclusions": ex_exclusions,
    "experts": ex_experts,
    "failed": ex_failed,
    "redraw": ex_redraw,
    "audit": ex_audit,
    "chain": ex_chain,
}
_GEN = re.compile(r"(<!-- gen:([a-z0-9-]+) -->\n)(.*?)(<!-- /gen:\2 -->)", re.S)


def generated(text: str) -> dict[str, str]:
    """The page's generated blocks: name → body (without its last line break)."""
    return {m.group(2): m.group(3)[:-1] for m in _GEN.finditer(text)}


def rewrite(text: str) -> str:
    return _GEN.sub(lambda m: m.group(1) + EXAMPLES[m.group(2)]() + "\n" + m.group(4), text)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "content/verify/protocol.md")
    path.write_text(rewrite(path.read_text(encoding="utf-8")), encoding="utf-8")
