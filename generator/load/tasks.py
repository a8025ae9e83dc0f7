"""data/tasks/<id>.yaml: one 抽查任务 each.

Conditions (抽取范围 and 分层.条件) are {列, 条件, 值} over the protocol's directory columns
(``type industry industry_risk unit registered status``; ``risk`` in audit mode only, see the
``risk`` check). Ratios are kept exactly as written once they match
``^(0|[1-9][0-9]{0,2})(\\.[0-9]{1,4})?%$`` and lie in (0, 100].
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from ..model import (
    LIST_SOURCES,
    Condition,
    ListProvenance,
    Origin,
    Portal,
    Scope,
    Source,
    StratumRule,
    Task,
    Vocabularies,
)
from . import headers as H
from .base import ID_RE, LoadContext, parse_bool, resolve_unit, split_multi, text
from .cache import LoadCache, dependency_digest
from .dates import DATE_FORMS, parse_date
from .records import key_origin, record
from .task_sheet import read_task_form
from .vocab import resolve, resolve_many
from .yamlio import load_yaml

COLUMNS = {
    "type": ("type", "市场主体类型", "主体类型", "企业类型"),
    "industry": ("industry", "行业", "所属行业"),
    "industry_risk": ("industry_risk", "行业风险等级", "行业风险"),
    "unit": ("unit", "所属监管所", "监管所"),
    "registered": ("registered", "成立日期"),
    "status": ("status", "登记状态", "经营状态"),
    "risk": ("risk", "信用风险分类", "风险分类", "信用风险等级"),
}
OPS = {
    "eq": ("eq", "等于", "="),
    "in": ("in", "属于", "包含于"),
    "prefix": ("prefix", "开头为", "前缀"),
    "before": ("before", "早于", "<"),
    "after": ("after", "晚于", ">"),
}
_COLUMN_OF = {H.normalise(a): c for c, names in COLUMNS.items() for a in names}
_OP_OF = {H.normalise(a): o for o, names in OPS.items() for a in names}
RATIO_RE = re.compile(r"(0|[1-9][0-9]{0,2})(\.[0-9]{1,4})?%")
DIRECTED = {"定向": True, "定向抽查": True, "不定向": False, "不定向抽查": False}
MODES = {"公开": "public", "public": "public", "审计": "audit", "audit": "audit"}
EXCLUSION_RULES = {"same-item-same-year": "same-item-same-year",
                   "同一事项同年已抽中": "same-item-same-year"}
GAMES = ("fc3d", "pl5", "ssq", "dlt", "drand")
SCHEDULED_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00")

TASK_SUFFIXES = (".yaml", ".yml", ".xlsx")  # .xlsx: the task form (load/task_sheet.py)
LIST_SOURCE_OF = {H.normalise(k): k for k in LIST_SOURCES} | {
    H.normalise(v): k for k, v in LIST_SOURCES.items()} | {
    H.normalise("平台抽取"): "platform", H.normalise("部门协同监管平台抽取"): "platform",
    H.normalise("国家企业信用信息公示系统抽取"): "platform", H.normalise("上级抽取下发"): "superior"}

MAX_CHAIN = 100_000  # hash-chain length: computing H^n must stay instant at commit


def load_tasks(ctx: LoadContext, portal: Portal | None, vocab: Vocabularies,
               cache: LoadCache | None = None) -> tuple[Task, ...]:
    """The tasks; with a ``cache``, each file's task and findings of the last load of the same
    bytes (a task file depends on the portal's units and the vocabularies)."""
    folder = ctx.data_dir / "tasks"
    if not folder.is_dir():
        return ()
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in TASK_SUFFIXES
                   and not p.name.startswith(("~$", ".")))
    deps = dependency_digest(portal.units if portal else (), vocab) if cache is not None else ""
    out = []
    for path in paths:
        if cache is None:
            task = _TaskLoader(ctx, path, portal, vocab).load()
        else:
            task = cache.memo(ctx, "tasks", [path], deps,
                              lambda p=path: _TaskLoader(ctx, p, portal, vocab).load())
        if task is not None:
            out.append(task)
    return tuple(out)


def check_ratio(value: object) -> str | None:
    """Why a ratio is not valid (Chinese), or None. Ratios stay strings: "5%", "2.5%"."""
    if not isinstance(value, str) or not RATIO_RE.fullmatch(value):
        return "比例应写作百分数字符串，如 \"5%\"、\"2.5%\"、\"100%\"（最多 4 位小数）"
    number = Decimal(value[:-1])
    if not Decimal(0) < number <= Decimal(100):
        return "比例应大于 0% 且不超过 100%"
    return None


class _TaskLoader:
    def __init__(self, ctx: LoadContext, path: Path, portal: Portal | None, vocab: Vocabularies):
        self.ctx, self.path, self.vocab = ctx, path, vocab
        self.units = portal.units if portal else ()
        self.file = ctx.rel(path)
        self.ok = True

    def err(self, rule: str, message: str, origin: Origin, value: object = None, fix: str = "") -> None:
        self.ok = False
        self.ctx.error(rule, message, origin, value=value, fix=fix)

    def at(self, data: object, table: H.Table, fld: str) -> Origin:
        return key_origin(data, self.file, table, fld)

    def load(self) -> Task | None:
        if self.path.suffix.lower() == ".xlsx":
            ok, data = read_task_form(self.ctx, self.path)
        else:
            ok, data = load_yaml(self.ctx, self.path)
        if not ok:
            return None
        got = record(self.ctx, H.TASK, data, self.file, "任务文件")
        if got is None:
            return None
        f, origin = got
        tid = text(f.get("id")) or self.path.stem
        if not ID_RE.fullmatch(tid):
            self.err("schema.id", "任务「编号」应为 1–32 位字母、数字、_ 或 -", self.at(data, H.TASK, "id"),
                     tid, "例如 2023-01。")
        elif tid != self.path.stem:
            self.err("schema.id", f"任务「编号」{tid} 与文件名 {self.path.name} 不一致",
                     self.at(data, H.TASK, "id"), tid, f"把文件改名为 {tid}{self.path.suffix}，或改正编号。")
        title = self.required_text(f, data, "title")
        department = self.unit_ref(self.required_text(f, data, "department"))
        items = split_multi(f.get("items"))
        if not items:
            self.err("schema.required", "「抽查事项」不能为空（列出事项编号）",
                     self.at(data, H.TASK, "items"), fix="例如 抽查事项: [A01, A02]")
        directed = self.directed(f, data)
        mode = MODES.get(text(f.get("mode", "公开")).lower())
        if mode is None:
            self.err("schema.vocab", "「模式」应为 公开 或 审计", self.at(data, H.TASK, "mode"),
                     f.get("mode"), "一般写 公开；按信用风险分类分层的任务写 审计。")
        list_source, provenance = self.list_source(f, data)
        population = self.conditions(f.get("population"), data, "population", "抽取范围")
        # an imported list is not drawn here: its 分层 (if any) only describes the plan
        strata = self.strata(f.get("strata"), data) if list_source == "local" or f.get("strata") else ()
        scope, group_size, insp = self.inspectors(f.get("inspectors"), data)
        methods = resolve_many(self.ctx, self.vocab.methods, split_multi(f.get("methods")),
                               self.at(data, H.TASK, "methods"), "检查方式")
        if len(methods) != len(split_multi(f.get("methods"))):
            self.ok = False
        announce = self.date(f, data, "announce_date", required=True)
        start = self.date(f, data, "inspect_start", required=True)
        end = self.date(f, data, "inspect_end", required=True)
        completion = self.date(f, data, "completion_date", required=False)
        if announce and start and end and not announce <= start <= end:
            self.err("schema.dates", f"日期顺序应为 公告日期 ≤ 检查开始 ≤ 检查结束，实际为 {announce}、{start}、{end}",
                     self.at(data, H.TASK, "inspect_start"), fix="改正这三个日期。")
        if start and completion and completion < start:
            self.err("schema.dates", f"完成日期 {completion} 早于检查开始 {start}",
                     self.at(data, H.TASK, "completion_date"), fix="改正完成日期。")
        year = f.get("year", announce.year if announce else None)
        if isinstance(year, bool) or not isinstance(year, int):
            self.err("schema.int", "「年度」应为四位整数", self.at(data, H.TASK, "year"), year, "例如 年度: 2023")
        exclusions = []
        for r in split_multi(f.get("exclusion_rules")):
            if r in EXCLUSION_RULES:
                exclusions.append(EXCLUSION_RULES[r])
            else:
                self.err("schema.vocab", f"未知的排除规则「{r}」", self.at(data, H.TASK, "exclusion_rules"), r,
                         "可用：same-item-same-year（同一事项同年已抽中）。")
        sources = self.sources(f.get("sources"), data)
        protocol = f.get("protocol", 2)
        if protocol not in (1, 2) or isinstance(protocol, bool):
            self.err("schema.int", "「协议版本」应为 1 或 2（新任务用 2，不写即为 2）",
                     self.at(data, H.TASK, "protocol"), protocol, "删去这一行，或写 2。")
            protocol = 2
        n = f.get("n", 2 if protocol == 2 else 1)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_CHAIN:
            self.err("schema.int", f"「哈希链长度」应为 1 到 {MAX_CHAIN} 之间的整数",
                     self.at(data, H.TASK, "n"), n, "一般写 2。")
        elif protocol == 2 and n < 2:
            self.err("schema.int", "协议 2 的「哈希链长度」须不小于 2（一次性码不能是秘密本身）",
                     self.at(data, H.TASK, "n"), n, "写 2，或删去这一行（默认为 2）。")
        plan_public = parse_bool(f.get("plan_public", False))
        if plan_public is None:
            self.err("schema.bool", "「计划公开」应为 是 或 否", self.at(data, H.TASK, "plan_public"),
                     f.get("plan_public"), "写 是 或 否。")
        partners = tuple(self.unit_ref(u) for u in split_multi(f.get("partners")))
        authorities = self.authorities(f, data, items)
        if not self.ok:
            return None
        return Task(
            id=tid, title=title, year=year, department=department, items=items, directed=directed,
            population=population, strata=strata, group_size=group_size, scope=scope,
            methods=methods, announce_date=announce, inspect_start=start, inspect_end=end,
            mode=mode, expertise=insp["expertise"], experts_count=insp["experts_count"],
            experts_expertise=insp["experts_expertise"], exclusion_rules=tuple(exclusions),
            sources=sources, n=n, protocol=protocol, completion_date=completion, plan_public=bool(plan_public),
            redraw_of=text(f.get("redraw_of")) or None, description=text(f.get("description")),
            list_source=list_source, provenance=provenance, partners=partners,
            item_authorities=authorities, origin=origin,
        )

    # -- fields ---------------------------------------------------------------------------------

    def required_text(self, f: dict, data: object, fld: str) -> str:
        value = text(f.get(fld))
        if not value:
            self.err("schema.required", f"缺少「{H.canonical(H.TASK, fld)}」", self.at(data, H.TASK, fld),
                     fix=f"在任务文件中填写 {H.canonical(H.TASK, fld)}。")
        return value

    def list_source(self, f: dict, data: object) -> tuple[str, ListProvenance | None]:
        """名单来源 and, for an imported list, its 名单出处 {文号/平台任务编号, 下发机关, 日期}."""
        raw = f.get("list_source")
        source = LIST_SOURCE_OF.get(H.normalise(text(raw))) if raw is not None else "local"
        if source is None:
            self.err("schema.vocab", f"「名单来源」无法识别：{raw}", self.at(data, H.TASK, "list_source"), raw,
                     "可用：" + "、".join(LIST_SOURCES.values()) + "（不写即为 本局抽取）。")
            return "local", None
        raw_p = f.get("provenance")
        if source == "local":
            if raw_p is not None:
                self.err("schema.vocab", "「名单出处」只用于 协同监管平台抽取 或 上级下发 的任务",
                         self.at(data, H.TASK, "provenance"), fix="删去「名单出处」，或写明「名单来源」。")
            return source, None
        ref_name = "平台任务编号" if source == "platform" else "文号"
        who = "抽取机关" if source == "platform" else "下发机关"
        example = (f"名单出处: {{{ref_name}: …, {who}: …, 日期: 2023-03-06}}")
        origin = self.at(data, H.TASK, "provenance")
        if raw_p is None:
            self.err("schema.required", f"名单来源为{LIST_SOURCES[source]}时须写「名单出处」", origin,
                     fix=f"例如 {example}")
            return source, None
        got = record(self.ctx, H.PROVENANCE, raw_p, self.file, "名单出处")
        if got is None:
            self.ok = False
            return source, None
        p, _ = got
        reference, issuer = text(p.get("reference")), text(p.get("issuer"))
        day = None
        try:
            day = parse_date(p.get("date")) if text(p.get("date")) else None
        except ValueError as exc:
            self.err("schema.date", str(exc), key_origin(raw_p, self.file, H.PROVENANCE, "date"), p.get("date"),
                     f"日期写作 {DATE_FORMS}。")
            return source, None
        missing = [n for n, v in ((ref_name, reference), (who, issuer), ("日期", day)) if not v]
        if missing:
            self.err("schema.required", "「名单出处」缺少 " + "、".join(missing), origin, fix=f"例如 {example}")
            return source, None
        return source, ListProvenance(reference, issuer, day)

    def authorities(self, f: dict, data: object, items: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """检查实施机关: {事项编号: 部门} — the department that inspects each item."""
        raw = f.get("item_authorities")
        if raw is None:
            return ()
        origin = self.at(data, H.TASK, "item_authorities")
        if not isinstance(raw, dict):
            self.err("schema.type", "「检查实施机关」应为 {事项编号: 部门} 的映射", origin, raw,
                     fix="例如 检查实施机关: {A05: 区税务局}")
            return ()
        out = []
        for item, unit in raw.items():
            code = text(item)
            if code not in items:
                self.err("schema.vocab", f"「检查实施机关」中的事项 {code} 不在本任务的「抽查事项」中", origin, code,
                         "只为本任务的事项指定检查实施机关。")
                continue
            out.append((code, self.unit_ref(text(unit))))
        return tuple(sorted(out))

    def unit_ref(self, value: str) -> str:
        """Unit id for a unit written as id or name; unknown units are kept as written
        (the ``references`` check reports them)."""
        return resolve_unit(self.units, value) or value

    def directed(self, f: dict, data: object) -> bool:
        raw = f.get("directed", "不定向")
        if isinstance(raw, bool):
            return raw
        value = DIRECTED.get(text(raw))
        if value is None:
            self.err("schema.vocab", "「抽查类型」应为 定向 或 不定向", self.at(data, H.TASK, "directed"), raw,
                     "写 定向 或 不定向。")
            return False
        return value

    def date(self, f: dict, data: object, fld: str, required: bool) -> dt.date | None:
        raw = f.get(fld)
        if raw is None or text(raw) == "":
            if required:
                self.err("schema.required", f"缺少「{H.canonical(H.TASK, fld)}」", self.at(data, H.TASK, fld),
                         fix=f"日期写作 {DATE_FORMS}。")
            return None
        try:
            return parse_date(raw)
        except ValueError as exc:
            self.err("schema.date", str(exc), self.at(data, H.TASK, fld), raw, f"日期写作 {DATE_FORMS}。")
            return None

    def conditions(self, raw: object, parent: object, fld: str, where: str) -> tuple[Condition, ...]:
        if raw is None:
            return ()
        origin = key_origin(parent, self.file, H.TASK if fld == "population" else H.STRATUM, fld)
        if not isinstance(raw, list):
            self.err("schema.type", f"「{where}」应为条件列表：- {{列, 条件, 值}}", origin,
                     fix="例如 - {列: 登记状态, 条件: 等于, 值: 存续}")
            return ()
        out = []
        for entry in raw:
            got = record(self.ctx, H.CONDITION, entry, self.file, f"{where}的条件")
            if got is None:
                self.ok = False
                continue
            c, corigin = got
            column = _COLUMN_OF.get(H.normalise(text(c.get("column"))))
            op = _OP_OF.get(H.normalise(text(c.get("op"))))
            if column is None:
                self.err("schema.vocab", f"条件的「列」无法识别：{c.get('column')}", corigin, c.get("column"),
                         "可用：" + "、".join(f"{n[1]}（{k}）" for k, n in COLUMNS.items()) + "。")
                continue
            if op is None:
                self.err("schema.vocab", f"条件的「条件」无法识别：{c.get('op')}", corigin, c.get("op"),
                         "可用：等于（eq）、属于（in）、开头为（prefix）、早于（before）、晚于（after）。")
                continue
            value = self.condition_value(column, op, c.get("value"), corigin)
            if value is not None:
                out.append(Condition(column, op, value))
        return tuple(out)

    def condition_value(self, column: str, op: str, raw: object, origin: Origin):
        if op in ("before", "after"):
            if column != "registered":
                self.err("schema.vocab", "早于/晚于 只能用于日期列「成立日期」", origin, column,
                         "对文本列用 等于、属于 或 开头为。")
                return None
            try:
                return parse_date(raw).isoformat()
            except ValueError as exc:
                self.err("schema.date", str(exc), origin, raw, f"日期写作 {DATE_FORMS}。")
                return None
        if op == "in":
            values = split_multi(raw)
            if not values:
                self.err("schema.required", "「属于」的值应为非空列表", origin, raw, "例如 值: [餐饮业, 零售业]")
                return None
            return tuple(self.unit_ref(v) for v in values) if column == "unit" else values
        value = text(raw)
        if not value:
            self.err("schema.required", "条件的「值」不能为空", origin, fix="填写比较的值。")
            return None
        return self.unit_ref(value) if column == "unit" and op == "eq" else value

    def strata(self, raw: object, parent: object) -> tuple[StratumRule, ...]:
        origin = key_origin(parent, self.file, H.TASK, "strata")
        if not isinstance(raw, list) or not raw:
            self.err("schema.required", "「分层」应为非空列表：- {名称, 条件, 比例 或 数量}", origin,
                     fix="不分层时也写一层，例如 - {名称: 全部, 条件: [], 比例: \"5%\"}")
            return ()
        out = []
        for entry in raw:
            got = record(self.ctx, H.STRATUM, entry, self.file, "分层")
            if got is None:
                self.ok = False
                continue
            s, sorigin = got
            name = text(s.get("name"))
            when = self.conditions(s.get("when", []), entry, "when", "分层条件")
            ratio, count = s.get("ratio"), s.get("count")
            if (ratio is None) == (count is None):
                self.err("schema.required", f"分层「{name}」应写「比例」或「数量」二者之一", sorigin,
                         fix="例如 比例: \"5%\" 或 数量: 12")
                continue
            if ratio is not None:
                problem = check_ratio(ratio)
                if problem:
                    self.err("schema.ratio", problem, key_origin(entry, self.file, H.STRATUM, "ratio"),
                             ratio, "把比例写作带引号的百分数，例如 比例: \"5%\"。")
                    continue
            elif isinstance(count, bool) or not isinstance(count, int) or count < 1:
                self.err("schema.int", "「数量」应为正整数", key_origin(entry, self.file, H.STRATUM, "count"),
                         count, "例如 数量: 12")
                continue
            out.append(StratumRule(name or f"S{len(out) + 1}", when, ratio, count))
        return tuple(out)

    def inspectors(self, raw: object, parent: object) -> tuple[Scope, int, dict]:
        insp = {"expertise": (), "experts_count": 0, "experts_expertise": ()}
        origin = key_origin(parent, self.file, H.TASK, "inspectors")
        if raw is None:
            self.err("schema.required", "缺少「检查人员」", origin,
                     fix="例如 检查人员: {抽取方式: 全局内随机, 每组人数: 2}")
            return Scope("all"), 2, insp
        got = record(self.ctx, H.INSPECTORS, raw, self.file, "检查人员")
        if got is None:
            self.ok = False
            return Scope("all"), 2, insp
        f, _ = got
        kind = resolve(self.vocab.scopes, text(f.get("scope")))
        if kind is None:
            self.err("schema.vocab", f"「抽取方式」无法识别：{f.get('scope')}",
                     key_origin(raw, self.file, H.INSPECTORS, "scope"), f.get("scope"),
                     "可用：" + "、".join(t.label for t in self.vocab.scopes.terms) + "。")
            kind = "all"
        units = tuple(self.unit_ref(u) for u in split_multi(f.get("units")))
        hq = tuple(self.unit_ref(u) for u in split_multi(f.get("hq")))
        if kind == "units" and not units:
            self.err("schema.required", "若干市场监管所随机：应在「单位」中列出参与的监管所",
                     key_origin(raw, self.file, H.INSPECTORS, "units"), fix="例如 单位: [s01, s02]")
        if kind == "hq+own" and not hq:
            self.err("schema.required", "局机关与市场监管所随机：应在「局机关」中列出参与的科室",
                     key_origin(raw, self.file, H.INSPECTORS, "hq"), fix="例如 局机关: [hq-credit]")
        size = f.get("group_size", 2)
        if isinstance(size, bool) or not isinstance(size, int) or size < 2:
            self.err("groups.size", "「每组人数」应为不少于 2 的整数（《行政处罚法》第四十二条：执法人员不得少于两人）",
                     key_origin(raw, self.file, H.INSPECTORS, "group_size"), size, "写 每组人数: 2 或更多。")
            size = 2
        experts = f.get("experts_count", 0)
        if isinstance(experts, bool) or not isinstance(experts, int) or experts < 0:
            self.err("schema.int", "「专家人数」应为非负整数",
                     key_origin(raw, self.file, H.INSPECTORS, "experts_count"), experts, "不需要专家时写 0。")
            experts = 0
        insp = {
            "expertise": split_multi(f.get("expertise")),
            "experts_count": experts,
            "experts_expertise": split_multi(f.get("experts_expertise")),
        }
        return Scope(kind, units, hq), size, insp

    def sources(self, raw: object, parent: object) -> tuple[Source, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.err("schema.type", "「随机源」应为列表", key_origin(parent, self.file, H.TASK, "sources"),
                     fix="每个随机源写一项 - {名称, 玩法, 期号, 开奖时间, 取数, 个数, 有序, 备用规则, 网址}")
            return ()
        out = []
        for entry in raw:
            got = record(self.ctx, H.SOURCE, entry, self.file, "随机源")
            if got is None:
                self.ok = False
                continue
            s, sorigin = got
            game = text(s.get("game")).lower()
            if game not in GAMES:
                self.err("schema.vocab", f"随机源「玩法」应为 {'/'.join(GAMES)} 之一",
                         key_origin(entry, self.file, H.SOURCE, "game"), s.get("game"),
                         "福彩3D 写 fc3d，排列5 写 pl5，双色球 写 ssq，大乐透 写 dlt，drand 写 drand。")
                continue
            scheduled = _scheduled(s.get("scheduled"))
            if scheduled is None:
                self.err("schema.date", "「开奖时间」应写作 2023-03-06T21:15:00+08:00",
                         key_origin(entry, self.file, H.SOURCE, "scheduled"), s.get("scheduled"),
                         "写北京时间，带 +08:00。")
                continue
            count = s.get("count")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                self.err("schema.int", "「个数」应为正整数", key_origin(entry, self.file, H.SOURCE, "count"),
                         count, "例如 双色球 7 个号码写 个数: 7")
                continue
            blank = [fld for fld in ("name", "issue", "take", "fallback", "url") if not text(s.get(fld))]
            for fld in blank:
                self.err("schema.required", f"随机源缺少「{H.canonical(H.SOURCE, fld)}」（公告时必须写明）",
                         key_origin(entry, self.file, H.SOURCE, fld), fix=_SOURCE_FIX[fld])
            if blank:
                continue
            ordered = parse_bool(s.get("ordered", False))
            out.append(Source(
                name=text(s.get("name")), game=game, issue=text(s.get("issue")), scheduled=scheduled,
                take=text(s.get("take")), count=count, ordered=bool(ordered),
                fallback=text(s.get("fallback")), url=text(s.get("url")),
            ))
        return tuple(out)


_SOURCE_FIX = {
    "name": "写随机源的名称，如 中国福利彩票双色球。",
    "issue": "写所用的期号，如 2024025。",
    "take": "写取数规则，如 开奖公告的红球 6 个（从小到大）后接蓝球 1 个。",
    "fallback": "写备用规则，如 若该期未按期开奖，取同一玩法按期开奖的下一期。",
    "url": "写开奖公告的网址，如 https://www.cwl.gov.cn/ygkj/wqkjgg/ssq/。",
}


def _scheduled(raw: object) -> str | None:
    """Normalise a draw time to YYYY-MM-DDTHH:MM:SS+08:00 (YAML may give a datetime)."""
    if isinstance(raw, dt.datetime):
        if raw.tzinfo is None:
            raw = raw.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
        if raw.utcoffset() != dt.timedelta(hours=8):
            raw = raw.astimezone(dt.timezone(dt.timedelta(hours=8)))
        return raw.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    value = text(raw).replace(" ", "T")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", value):
        value = (value + ":00" if value.count(":") == 1 else value) + "+08:00"
    return value if SCHEDULED_RE.fullmatch(value) else None
