"""A small fictitious office built in code, for developing and testing the site.

Datasette-style: the fixture is data made by code, deterministic, and runs the draw protocol
(PROTOCOL.md §3-§8, simplified group step) so that the in-browser verifier has real bytes to
check. It contains an adversarial enterprise name to prove that every value is escaped.

Timeline (Beijing dates): 2023-01 public task, published on time; 2023-04 audit-mode task,
published late; 2023-02 drawn, completed, not published (overdue as of 2023-12-29); 2023-03
announced only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

import rfc8785
from stdnum.cn import uscc

from ..model import (
    Condition,
    Enterprise,
    Expert,
    Inspector,
    Item,
    Model,
    Portal,
    Result,
    Scope,
    Source,
    StratumRule,
    Task,
    TaskState,
    Term,
    Unit,
    Vocabularies,
    Vocabulary,
)
from .view import (
    DUE,
    LATE,
    NOT_DUE,
    ON_TIME,
    OVERDUE,
    Embargo,
    ListingRow,
    Publication,
    PublicView,
    StratumView,
    TaskView,
)

ADVERSARIAL_NAME = "<script>alert(1)</script> | **x** [a](javascript:alert(1))"
BEIJING = dt.timezone(dt.timedelta(hours=8))

_NAMES = [
    "金穗", "华康", "鸿运", "百味", "顺达", "永兴", "瑞丰", "祥和", "嘉禾", "宏图",
    "福满", "乐购", "佳美", "兴旺", "龙腾", "凤鸣", "春晖", "秋实", "明月", "清风",
    "东方", "西岭", "南山", "北辰", "中原", "洛水", "伊川", "首阳", "邙岭", "古槐",
    "新城", "翠竹", "青松", "白云", "红叶", "碧波", "银杏", "玉兰", "海棠", "牡丹",
    "丰收", "旺角", "鑫源", "汇通", "恒信", "诚泰", "安康", "和美", "星辰", "朝阳",
    "晨光", "晚霞", "山泉", "溪流", "田园", "果香", "麦香", "稻花", "豆香", "茶韵",
]
_KINDS = ["餐饮店", "食品商行", "超市", "副食店", "饭庄", "便利店"]
_INSPECTORS = [
    ("P001", "李明华", "hq"), ("P002", "王建国", "hq"), ("P003", "赵丽娟", "s01"),
    ("P004", "孙志强", "s01"), ("P005", "周晓燕", "s02"), ("P006", "吴海涛", "s02"),
    ("P007", "郑文博", "s03"), ("P008", "冯雅静", "s03"), ("P009", "陈国栋", "s03"),
    ("P010", "褚卫东", "s01"),
]


def _code(i: int) -> str:
    body = f"92410381MA{i:07d}"
    return body + uscc.calc_check_digit(body)


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _ticket(prk: bytes, label: str) -> str:
    # HKDF-Expand with L = 32: T(1) = HMAC(PRK, info || 0x01) (RFC 5869 §2.3)
    return hmac.new(prk, label.encode() + b"\x01", hashlib.sha256).hexdigest()


def _vocab() -> Vocabularies:
    def v(name: str, pairs: list[tuple[str, str]], multi: bool = False) -> Vocabulary:
        return Vocabulary(name, tuple(Term(c, lab) for c, lab in pairs), multi)

    return Vocabularies(
        results=v("results", [
            ("1", "未发现问题"), ("E", "发现问题经责令已改正"), ("A", "发现问题待后续处理"),
            ("6", "通过登记的住所（经营场所）无法联系"), ("F", "未发现开展本次抽查涉及的经营活动"),
        ], True),
        followups=v("followups", [
            ("none", "未发现问题或相关问题已规范、已改正，无需后续处置"),
            ("order", "违反本部门相关规定，责令改正；后续跟踪由日常监管部门负责"),
            ("case", "发现案件线索，初步固定相关证据后移送办案机构依法依规处理"),
        ], True),
        methods=v("methods", [("onsite", "现场检查"), ("paper", "书面检查"), ("online", "网络检查")]),
        scopes=v("scopes", [("all", "全局内随机"), ("hq+own", "局机关与市场监管所随机"),
                            ("units", "若干市场监管所随机"), ("own", "单一市场监管所随机")]),
        item_kinds=v("item_kinds", [("key", "重点检查事项"), ("general", "一般检查事项")]),
    )


def fixture_model() -> Model:
    units = (
        Unit("hq", "信用监管科", "hq"), Unit("s01", "城关市场监管所", "station"),
        Unit("s02", "首阳山市场监管所", "station"), Unit("s03", "顾县市场监管所", "station"),
    )
    portal = Portal(
        office_name="示例市示例区市场监督管理局", short_name="示例区市场监管局",
        region_code="410381", site_url="https://gongshi.example.gov.cn/", demo=True,
        units=units, contact="信用监管科 0379-00000000（示例）",
    )
    enterprises: dict[str, Enterprise] = {}
    for i in range(60):
        code = _code(i + 1)
        name = f"示例区{_NAMES[i]}{_KINDS[i % len(_KINDS)]}"
        if i == 7:
            name = ADVERSARIAL_NAME
        enterprises[code] = Enterprise(
            code=code, name=name,
            entity_type="个体工商户" if i % 3 else "有限责任公司",
            industry=["餐饮服务", "食品销售", "批发零售"][i % 3],
            industry_risk="高" if i % 5 < 2 else "一般",
            unit=("s01", "s02", "s03")[i % 3],
            registered=dt.date(2015 + i % 7, 1 + i % 12, 1 + i % 27),
            status="存续",
            address=f"示例区示例路{i + 1}号",
            internal={"risk": "D类（内部）"},
        )
    inspectors = tuple(
        Inspector(id=pid, name=name, unit=unit, title="科员", expertise=("食品",),
                  badge=f"豫A{4100 + n:05d}", qualified=True)
        for n, (pid, name, unit) in enumerate(_INSPECTORS)
    )
    items = (
        Item("SJ01", "食品经营", "食品经营者经营条件检查", "食品经营者", "key", ("onsite",),
             "示例区市场监管局", "《食品安全法》第一百一十条"),
        Item("SJ02", "企业公示信息", "企业公示信息抽查", "各类企业", "general", ("paper", "online"),
             "示例区市场监管局", "《企业信息公示暂行条例》第十四条"),
    )

    def sources(day: str) -> tuple[Source, ...]:
        return (
            Source("中国福利彩票双色球", "ssq", day.replace("-", "")[:4] + "025", f"{day}T21:15:00+08:00",
                   "红球6个与蓝球1个", 7, False, "若未按期开奖，取同一玩法的下一期",
                   "https://www.cwl.gov.cn/ygkj/wqkjgg/"),
            Source("超级大乐透", "dlt", day.replace("-", "")[:4] + "024", f"{day}T21:25:00+08:00",
                   "前区5个与后区2个", 7, False, "若未按期开奖，取同一玩法的下一期",
                   "https://www.lottery.gov.cn/kj/kjlb.html"),
            Source("排列5", "pl5", day.replace("-", "")[:4] + "055", f"{day}T21:25:00+08:00",
                   "5个号码按顺序", 5, True, "若未按期开奖，取同一玩法的下一期",
                   "https://www.lottery.gov.cn/kj/kjlb.html"),
        )

    pop = (Condition("status", "eq", "存续"),)
    strata = (
        StratumRule("高风险行业", (Condition("industry_risk", "eq", "高"),), ratio="25%"),
        StratumRule("其他", (), ratio="10%"),
    )
    common = dict(population=pop, strata=strata, group_size=2, items=("SJ01",),
                  methods=("onsite",), directed=True)
    tasks = (
        Task(id="2023-01", title="2023年度第001号 食品经营者经营条件双随机抽查", year=2023,
             department="hq", scope=Scope("units", units=("s01", "s02")),
             announce_date=dt.date(2023, 3, 1), inspect_start=dt.date(2023, 3, 10),
             inspect_end=dt.date(2023, 4, 30), completion_date=dt.date(2023, 5, 10),
             sources=sources("2023-03-03"), n=4, **common),
        Task(id="2023-04", title="2023年度第004号 企业公示信息抽查（审计模式）", year=2023,
             department="hq", scope=Scope("units", units=("s01", "s02")),
             announce_date=dt.date(2023, 6, 1), inspect_start=dt.date(2023, 6, 10),
             inspect_end=dt.date(2023, 7, 10), completion_date=dt.date(2023, 7, 14),
             sources=sources("2023-06-03"), mode="audit", population=pop,
             strata=(StratumRule("全部", (), ratio="10%"),), group_size=2, items=("SJ02",),
             methods=("paper", "online"), directed=False),
        Task(id="2023-02", title="2023年度第002号 食品经营者经营条件双随机抽查（第二批）",
             year=2023, department="hq", scope=Scope("units", units=("s03",)),
             announce_date=dt.date(2023, 9, 1), inspect_start=dt.date(2023, 9, 10),
             inspect_end=dt.date(2023, 11, 30), completion_date=dt.date(2023, 11, 20),
             sources=sources("2023-09-03"), **common),
        Task(id="2023-03", title="2023年度第003号 企业公示信息抽查", year=2023,
             department="hq", scope=Scope("all"),
             announce_date=dt.date(2023, 12, 20), inspect_start=dt.date(2024, 1, 10),
             inspect_end=dt.date(2024, 3, 31), sources=sources("2024-01-05"),
             population=pop, strata=(StratumRule("全部", (), ratio="5%"),), group_size=2,
             items=("SJ02",), methods=("paper",), directed=False),
    )
    return Model(
        portal=portal, vocab=_vocab(), items=items, enterprises=enterprises,
        inspectors=inspectors, experts=(Expert("E01", "钱专家", "示例检测中心", ("食品",)),),
        tasks=tasks, results={}, data_dir="@fixtures",
    )


# ---------------------------------------------------------------------------------------------
# The draw (fixture-grade implementation of PROTOCOL §3-§6 without expertise swaps)


@dataclass
class _Drawn:
    files: dict[str, bytes]  # all bundle files, public or not yet
    entries: list[dict]  # announce, draw, reveal, publish (not chained yet)
    strata: list[StratumView]
    listing: list[ListingRow]
    results: tuple[Result, ...]


def _cond(c: Condition) -> dict:
    value = sorted(c.value) if isinstance(c.value, tuple) else c.value
    return {"column": c.column, "op": c.op, "value": value}


def _meets(row: dict, c: Condition) -> bool:
    v = row[c.column]
    if c.op == "eq":
        return v == c.value
    if c.op == "in":
        return v in c.value
    if c.op == "prefix":
        return v.startswith(str(c.value))
    if c.op == "before":
        return v < str(c.value)
    return v > str(c.value)


def _k(ratio: str, n: int) -> int:
    num = ratio.rstrip("%")
    whole, _, frac = num.partition(".")
    p = int(whole + frac)
    q = 100 * 10 ** len(frac)
    return min(n, (p * n + q - 1) // q)


def _source_spec(s: Source) -> dict:
    return {"name": s.name, "game": s.game, "issue": s.issue, "scheduled": s.scheduled,
            "take": s.take, "count": s.count, "ordered": s.ordered, "fallback": s.fallback,
            "url": s.url}


def _draw(model: Model, task: Task, seed: bytes, taken: set[str]) -> _Drawn:
    ents = sorted(model.enterprises.values(), key=lambda e: e.code)
    rows = [{"code": e.code, "type": e.entity_type, "industry": e.industry,
             "industry_risk": e.industry_risk, "unit": e.unit,
             "registered": e.registered.isoformat(), "status": e.status} for e in ents]
    cols = ["code", "type", "industry", "industry_risk", "unit", "registered", "status"]
    directory = (",".join(cols) + "\n" + "".join(",".join(r[c] for c in cols) + "\n"
                                                  for r in rows)).encode()
    roster = ("id,unit,qualified,expertise,cap,recusals\n" + "".join(
        f"{i.id},{i.unit},{int(i.qualified)},{';'.join(sorted(i.expertise))},{i.cap},\n"
        for i in sorted(model.inspectors, key=lambda i: i.id))).encode()
    experts = b"id,expertise,recusals\nE01,\xe9\xa3\x9f\xe5\x93\x81,\n"
    exclusions = b"code,rule,ref,ticket\n"
    scope: dict = {"kind": task.scope.kind}
    if task.scope.kind == "units":
        scope["units"] = sorted(task.scope.units)
    params = {
        "protocol": "gongshi-draw/1", "task": task.id, "mode": task.mode,
        "population": [_cond(c) for c in task.population],
        "strata": [{"label": f"S{i + 1}", "when": [_cond(c) for c in s.when], "ratio": s.ratio}
                   for i, s in enumerate(task.strata)],
        "group_size": task.group_size, "scope": scope, "expertise": [],
        "experts": {"count": 0}, "exclusion_rules": [], "items": sorted(task.items),
        "sources": [_source_spec(s) for s in task.sources], "n": task.n,
    }
    params_bytes = rfc8785.dumps(params)
    secret = hashlib.sha256(b"fixture-secret/" + seed).digest()
    chain = [secret]
    for _ in range(task.n):
        chain.append(hashlib.sha256(chain[-1]).digest())
    commitment, code = chain[-1], chain[-2]
    numbers = [[str((int(_sha(seed + bytes([j, m]))[:6], 16) % 33) + 1) for m in range(s.count)]
               for j, s in enumerate(task.sources)]
    key_string = ""
    for s, nums in zip(task.sources, numbers, strict=True):
        ordered = nums if s.ordered else sorted(nums, key=int)
        key_string += "".join(n + "." for n in ordered) + "/"
    prk = hmac.new(code, key_string.encode(), hashlib.sha256).digest()
    members: dict[str, list[dict]] = {}
    for r in rows:
        if not all(_meets(r, c) for c in task.population):
            continue
        for i, s in enumerate(task.strata):
            if all(_meets(r, c) for c in s.when):
                members.setdefault(f"S{i + 1}", []).append(r)
                break
    strata: list[StratumView] = []
    selected: list[tuple[str, str, str]] = []
    for i, s in enumerate(task.strata):
        label = f"S{i + 1}"
        mem = members.get(label, [])
        ranked = sorted((_ticket(prk, r["code"]), r["code"]) for r in mem)
        k = _k(s.ratio or "100%", len(mem))
        chosen = ranked[:k]
        selected += [(t, c, label) for t, c in chosen]
        strata.append(StratumView(label, s.name, len(mem), len(mem), k,
                                  chosen[-1][0] if chosen else None))
    selected.sort()
    allowed = [i for i in model.inspectors if i.qualified and
               (task.scope.kind == "all" or i.unit in task.scope.units)]
    cap = -(-len(selected) * task.group_size // len(allowed))
    load = {i.id: 0 for i in allowed}
    listing: list[ListingRow] = []
    for t, c, label in selected:
        ranked_ids = sorted((_ticket(prk, f"{c}/{i.id}"), i.id) for i in allowed)
        group = [i for _, i in ranked_ids if load[i] < cap][: task.group_size]
        for i in group:
            load[i] += 1
        listing.append(ListingRow(c, label, t, tuple(group)))
    listing_bytes = "".join(
        f"{r.code},{r.stratum},{r.ticket},{';'.join(r.inspector_ids)},,{r.fallback}\n"
        for r in sorted(listing, key=lambda r: r.code)).encode()
    cutoffs = ("label,N,k,cutoff\n" + "".join(
        f"{s.label},{s.N},{s.k},{s.cutoff or ''}\n" for s in strata)).encode()
    sources_json = rfc8785.dumps({"key_string": key_string, "sources": [
        {"issue_used": s.issue, "numbers": nums}
        for s, nums in zip(task.sources, numbers, strict=True)]}) + b"\n"
    res_codes = ["1", "1", "E", "1", "A", "6", "1", "F"]
    results = tuple(
        Result(task=task.id, code=r.code, inspected=task.inspect_start + dt.timedelta(days=n),
               completed=task.completion_date or task.inspect_end,
               results=(res_codes[n % len(res_codes)],),
               followups=("order",) if res_codes[n % len(res_codes)] in ("E", "A") else ("none",),
               note="")
        for n, r in enumerate(sorted(listing, key=lambda r: r.code)))
    results_bytes = ("code,inspected,completed,results,followups\n" + "".join(
        f"{r.code},{r.inspected},{r.completed},{';'.join(r.results)},{';'.join(r.followups)}\n"
        for r in results)).encode()
    files = {
        "params.json": params_bytes, "directory.csv": directory, "roster.csv": roster,
        "experts.csv": experts, "sources.json": sources_json, "exclusions.csv": exclusions,
        "listing-0.csv": listing_bytes, "listing.csv": listing_bytes,
        "code.txt": code.hex().encode() + b"\n", "cutoffs.csv": cutoffs, "results.csv": results_bytes,
    }
    if task.mode == "audit":
        for name in ("listing-0.csv", "listing.csv", "code.txt", "cutoffs.csv"):
            files.pop(name)
        files["selected.csv"] = ("code,inspector_ids,expert_ids\n" + "".join(
            f"{r.code},{';'.join(r.inspector_ids)},\n"
            for r in sorted(listing, key=lambda r: r.code))).encode()
    announce = {
        "type": "announce", "task": task.id, "commitment": commitment.hex(), "n": task.n,
        "params_sha256": _sha(params_bytes),
        "inputs": {
            "directory.csv": {"sha256": _sha(directory), "rows": len(rows)},
            "roster.csv": {"sha256": _sha(roster), "rows": len(model.inspectors)},
            "experts.csv": {"sha256": _sha(experts), "rows": 1},
            "exclusions.csv": {"sha256": _sha(code + exclusions), "rows": 0},
        },
        "strata": [{"label": s.label, "N_before": s.N_before} for s in strata],
        "sources": [_source_spec(s) for s in task.sources],
    }
    draw = {"type": "draw", "task": task.id, "key_string": key_string,
            "selection_sha256": _sha(listing_bytes), "status": "ok"}
    reveal = ({"type": "reveal", "task": task.id, "code": code.hex()} if task.mode == "public"
              else {"type": "reveal", "task": task.id, "auditors": ["示例市审计局 张审计"]})
    publish = {"type": "publish", "task": task.id, "results_sha256": _sha(results_bytes)}
    _ = taken
    return _Drawn(files, [announce, draw, reveal, publish], strata, listing, results)


# Log times (UTC) per task: announce, draw, reveal, publish (None = not yet happened)
_TIMES = {
    "2023-01": ("2023-03-01T02:00:00Z", "2023-03-06T02:00:00Z", "2023-05-25T02:00:00Z",
                "2023-05-25T02:05:00Z"),
    "2023-04": ("2023-06-01T02:00:00Z", "2023-06-06T02:00:00Z", "2023-08-30T02:00:00Z",
                "2023-08-30T02:05:00Z"),
    "2023-02": ("2023-09-01T02:00:00Z", "2023-09-06T02:00:00Z", None, None),
    "2023-03": ("2023-12-20T02:00:00Z", None, None, None),
}
_SEEDS = {"2023-01": b"a9", "2023-04": b"b0", "2023-02": b"c11", "2023-03": b"d0"}


def _fixture_draws(model: Model) -> dict[str, _Drawn]:
    taken: set[str] = set()
    return {t.id: _draw(model, t, _SEEDS[t.id], taken) for t in model.tasks}


def _chain(entries: list[dict]) -> list[bytes]:
    lines, prev = [], "0" * 64
    for seq, e in enumerate(entries):
        body = dict(e, seq=seq, prev=prev)
        body["hash"] = _sha(rfc8785.dumps(body))
        prev = body["hash"]
        lines.append(rfc8785.dumps(body))
    return lines


def _date_of(time: str) -> dt.date:
    return dt.datetime.fromisoformat(time.replace("Z", "+00:00")).astimezone(BEIJING).date()


def _add_workdays(start: dt.date, n: int) -> dt.date:
    d = start
    while n:
        d += dt.timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def _workdays_between(a: dt.date, b: dt.date) -> int:
    n, d = 0, a
    while d < b:
        d += dt.timedelta(days=1)
        n += d.weekday() < 5
    return n


_PUBLIC_AT = {  # PROTOCOL §11: file -> log entry type that makes it public
    "params.json": "announce", "directory.csv": "announce", "roster.csv": "announce",
    "experts.csv": "announce", "sources.json": "draw", "exclusions.csv": "reveal",
    "listing-0.csv": "reveal", "listing.csv": "reveal", "code.txt": "reveal",
    "cutoffs.csv": "reveal", "selected.csv": "reveal", "results.csv": "publish",
}


def fixture_view(model: Model, as_of: dt.date) -> PublicView:
    """A fixture-grade ``state.public_view``: filters entries and files by date."""
    drawn = _fixture_draws(model)
    raw: list[tuple[str, dict]] = []
    for task in model.tasks:
        for entry, time in zip(drawn[task.id].entries, _TIMES[task.id], strict=True):
            if time is not None:
                raw.append((time, dict(entry, time=time)))
        if task.mode == "audit" and _TIMES[task.id][3]:
            raw.append(("2023-09-05T02:00:00Z", {
                "type": "audit", "task": task.id, "time": "2023-09-05T02:00:00Z",
                "auditor": "示例市审计局 张审计", "verdict": "ok", "signature": "c2lnbmF0dXJl"}))
    raw.sort(key=lambda x: x[0])
    visible = [e for t, e in raw if _date_of(t) <= as_of]
    lines = _chain(visible)
    entries = [dict(e, seq=i) for i, e in enumerate(visible)]
    import json

    entries = [json.loads(line) for line in lines]
    tasks: list[TaskView] = []
    embargo_codes: set[str] = set()
    embargo_names: set[str] = set()
    embargo_secrets: set[str] = set()
    published_inspectors: set[str] = set()
    unpublished_inspectors: set[str] = set()
    for task in model.tasks:
        d = drawn[task.id]
        mine = {e["type"]: e for e in entries if e["task"] == task.id}
        audits = tuple(e for e in entries if e["task"] == task.id and e["type"] == "audit")
        published = "publish" in mine
        files = {n: b for n, b in d.files.items() if _PUBLIC_AT[n] in mine}
        if "announce" not in mine:
            state = TaskState.PLANNED
        elif published:
            state = TaskState.PUBLISHED
        elif task.completion_date and as_of >= task.completion_date:
            state = TaskState.COMPLETED
        elif "draw" in mine and as_of >= task.inspect_start:
            state = TaskState.INSPECTING
        elif "draw" in mine:
            state = TaskState.DRAWN
        else:
            state = TaskState.ANNOUNCED
        deadline = (_add_workdays(task.completion_date, model.portal.deadline_workdays)
                    if task.completion_date else None)
        if published:
            pub_day = _date_of(mine["publish"]["time"])
            late = _workdays_between(deadline, pub_day) if deadline and pub_day > deadline else 0
            publication = Publication(LATE if late else ON_TIME, deadline, pub_day, late)
            for r in d.listing:
                published_inspectors.update(r.inspector_ids)
        elif deadline and as_of > deadline:
            publication = Publication(OVERDUE, deadline, None, _workdays_between(deadline, as_of))
        elif deadline and as_of >= task.completion_date:
            publication = Publication(DUE, deadline)
        else:
            publication = Publication(NOT_DUE, deadline)
        if not published:
            embargo_codes.update(r.code for r in d.listing)
            embargo_names.update(model.enterprises[r.code].name for r in d.listing)
            embargo_secrets.update(r.ticket for r in d.listing)
            embargo_secrets.add(d.files.get("code.txt", b"").decode().strip() or "-")
            for r in d.listing:
                unpublished_inspectors.update(r.inspector_ids)
        strata = tuple(
            s if "reveal" in mine and task.mode == "public"
            else StratumView(s.label, s.name, s.N_before) for s in d.strata)
        tasks.append(TaskView(
            task=task, state=state, announce=mine.get("announce"), draw=mine.get("draw"),
            reveal=mine.get("reveal"), publish=mine.get("publish"), audit=audits,
            files=files, strata=strata,
            listing=tuple(d.listing) if published else None,
            results=d.results if published else None,
            deadline=deadline, publication=publication,
        ))
    for pid in unpublished_inspectors - published_inspectors:
        insp = model.inspector(pid)
        if insp:
            embargo_names.add(insp.name)
    embargo_secrets.discard("-")
    log_files = {
        "log/draws.jsonl": b"".join(line + b"\n" for line in lines),
        "log/checkpoint": (f"gongshi.example.gov.cn/log\n{len(lines)}\n"
                           f"{_sha(b''.join(lines))[:43]}=\n\n— gongshi.example.gov.cn/log "
                           "AAAAfixture\n").encode(),
        "log/key.pub": b"gongshi.example.gov.cn/log+0badc0de+AQfixturekey\n",
    }
    return PublicView(
        as_of=as_of, tasks=tuple(tasks), log_files=log_files,
        verify_py=b"#!/usr/bin/env python3\n\"\"\"fixture verify.py\"\"\"\nprint('ok')\n",
        embargo=Embargo(frozenset(embargo_codes), frozenset(embargo_names),
                        frozenset(embargo_secrets)),
    )


def fixture_model_with_results(as_of: dt.date) -> tuple[Model, PublicView]:
    """The fixture model (with results of published tasks) and its view as of ``as_of``."""
    model = fixture_model()
    drawn = _fixture_draws(model)
    model = Model(**{**model.__dict__, "results": {t: d.results for t, d in drawn.items()}})
    return model, fixture_view(model, as_of)
