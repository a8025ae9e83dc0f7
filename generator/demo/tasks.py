"""The demo's 2023 tasks and the timetable of their draws (as of 2023-12-29).

One :class:`TaskPlan` per task holds both the task file (``data/tasks/<id>.yaml``) and the times
at which the office ran ``commit``, ``draw``, ``cancel``, ``reveal`` and ``publish``, so the
file and the replay schedule (:mod:`generator.demo.schedule`) cannot drift apart.

States as of :data:`~generator.demo.district.AS_OF` (DESIGN §2):

=======  ==============================================================================
2023-01  published on time (completed 2023-06-30, deadline 2023-07-28, published 07-11)
2023-02  published late (completed 2023-07-31, deadline 2023-08-28, published 09-12)
2023-03  completed, overdue (completed 2023-10-31, deadline 2023-11-28, not published)
2023-04  cancelled before its draw (announced 2023-08-14, cancelled 08-15)
2023-05  completed, awaiting publication (completed 2023-12-15, deadline 2024-01-15);
         excludes 2023-01's selection (same item 年报, same year)
2023-06  drawn, inspecting (inspection 2023-11-20 … 2024-01-31), one expert per group
2023-07  announced, not drawn (announced 2023-12-27, sources drawn 2024-01-02/03)
=======  ==============================================================================
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

# game -> (名称, 取数, 个数, 有序, 开奖时刻, 网址, draw weekdays (Mon=0) or None = daily)
GAMES: dict[str, tuple[str, str, int, bool, dt.time, str, tuple[int, ...] | None]] = {
    "ssq": (
        "中国福利彩票双色球",
        "开奖公告的红球 6 个（从小到大）后接蓝球 1 个，共 7 个号码，按此顺序",
        7,
        True,
        dt.time(21, 15),
        "https://www.cwl.gov.cn/ygkj/wqkjgg/ssq/",
        (1, 3, 6),
    ),
    "dlt": (
        "中国体育彩票超级大乐透",
        "开奖公告的前区 5 个（从小到大）后接后区 2 个（从小到大），共 7 个号码，按此顺序",
        7,
        True,
        dt.time(21, 25),
        "https://www.lottery.gov.cn/kj/kjlb.html?dlt",
        (0, 2, 5),
    ),
    "pl5": (
        "中国体育彩票排列5",
        "开奖号码 5 位数字，按开奖顺序",
        5,
        True,
        dt.time(21, 25),
        "https://www.lottery.gov.cn/kj/kjlb.html?plw",
        None,
    ),
    "fc3d": (
        "中国福利彩票3D",
        "开奖号码 3 位数字，按开奖顺序",
        3,
        True,
        dt.time(21, 15),
        "https://www.cwl.gov.cn/ygkj/wqkjgg/fc3d/",
        None,
    ),
}
FALLBACK = "若该期未按期开奖，取同一玩法按期开奖的下一期"

POPULATION = [
    {"列": "status", "条件": "eq", "值": "存续"},
    {"列": "registered", "条件": "before", "值": dt.date(2022, 1, 1)},
]
BY_RISK = [
    {"名称": "高风险行业", "条件": [{"列": "industry_risk", "条件": "eq", "值": "高"}], "比例": "20%"},
    {"名称": "中风险行业", "条件": [{"列": "industry_risk", "条件": "eq", "值": "中"}], "比例": "10%"},
    {"名称": "低风险行业", "条件": [{"列": "industry_risk", "条件": "eq", "值": "低"}], "比例": "5%"},
]


def _industry(name: str, ratio: str, display: str | None = None) -> dict:
    cond = [{"列": "industry", "条件": "eq", "值": name}]
    return {"名称": display or name, "条件": cond, "比例": ratio}


@dataclass(frozen=True)
class SourcePlan:
    game: str
    day: dt.date

    @property
    def scheduled(self) -> dt.datetime:
        return dt.datetime.combine(self.day, GAMES[self.game][4], BEIJING)

    @property
    def issue(self) -> str:
        """A plausible, fictitious issue number: year + the draw's ordinal in that year."""
        days = GAMES[self.game][6]
        start = dt.date(self.day.year, 1, 1)
        n = sum(
            1
            for k in range((self.day - start).days + 1)
            if days is None or (start + dt.timedelta(days=k)).weekday() in days
        )
        return f"{self.day.year}{n:03d}"

    def numbers(self) -> str:
        """Fictitious drawn numbers, typed as the lottery prints them (leading zeros kept)."""
        rng = random.Random(f"gongshi-demo:{self.game}:{self.issue}")
        if self.game == "ssq":
            nums = sorted(rng.sample(range(1, 34), 6)) + [rng.randint(1, 16)]
            return " ".join(f"{n:02d}" for n in nums)
        if self.game == "dlt":
            nums = sorted(rng.sample(range(1, 36), 5)) + sorted(rng.sample(range(1, 13), 2))
            return " ".join(f"{n:02d}" for n in nums)
        count = GAMES[self.game][2]
        return " ".join(str(rng.randrange(10)) for _ in range(count))

    def document(self) -> dict:
        name, take, count, ordered, _t, url, _d = GAMES[self.game]
        return {
            "名称": name,
            "玩法": self.game,
            "期号": self.issue,
            "开奖时间": self.scheduled.isoformat(),
            "取数": take,
            "个数": count,
            "有序": ordered,
            "备用规则": FALLBACK,
            "网址": url,
        }


def _bj(day: str, hhmm: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=BEIJING)


@dataclass(frozen=True)
class TaskPlan:
    id: str
    title: str
    department: str
    items: tuple[str, ...]
    directed: bool
    population: tuple[dict, ...]
    strata: tuple[dict, ...]
    inspectors: dict
    methods: tuple[str, ...]
    announce: dt.datetime  # commit time (Beijing); 公告日期 is its date
    inspect_start: dt.date
    inspect_end: dt.date
    sources: tuple[SourcePlan, ...]
    state: str  # expected TaskState value as of AS_OF (cancelled / published / …)
    description: str
    completion: dt.date | None = None
    exclusion_rules: tuple[str, ...] = ()
    draw: dt.datetime | None = None
    cancel: dt.datetime | None = None
    cancel_reason: str = ""
    reveal: dt.datetime | None = None
    publish: dt.datetime | None = None
    results: bool = False  # the office recorded results (results/<id>.csv after the draw)
    on_time: bool | None = None  # for published / overdue tasks
    # An imported list (名单来源 other than 本局抽取): the task file's extra keys and when the
    # office imported the list (no commit, draw or reveal: no sources).
    extra: dict | None = None
    imported: dt.datetime | None = None
    list_size: int = 0  # the imported list's number of enterprises
    plan_public: bool = False  # 计划公开: the plan's fields are public before the announcement
    year: int = 2023  # 年度
    protocol: int = 1  # the draw protocol the task was announced under (1 or 2)
    reassign: tuple[tuple[dt.datetime, str], ...] = ()  # (time, reason) of each reassignment

    def document(self) -> dict:
        doc: dict = {
            "编号": self.id,
            "名称": self.title,
            "年度": self.year,
            "发起科室": self.department,
            "抽查事项": list(self.items),
            "抽查类型": "定向" if self.directed else "不定向",
            "模式": "公开",
            "抽取范围": [dict(c) for c in self.population],
            "分层": [dict(s) for s in self.strata],
            "检查人员": dict(self.inspectors),
            "检查方式": list(self.methods),
            "公告日期": self.announce.date(),
            "检查开始": self.inspect_start,
            "检查结束": self.inspect_end,
        }
        if self.completion is not None:
            doc["完成日期"] = self.completion
        if self.exclusion_rules:
            doc["排除规则"] = list(self.exclusion_rules)
        if self.extra is None:
            doc["随机源"] = [s.document() for s in self.sources]
            doc["哈希链长度"] = 1 if self.protocol == 1 else 2
            doc["协议版本"] = self.protocol
        doc["说明"] = self.description
        if self.plan_public:
            doc["计划公开"] = True
        doc.update(self.extra or {})
        return doc


def _sources(ssq: str, dlt: str, pl5: str, fc3d: str | None = None) -> tuple[SourcePlan, ...]:
    out = [
        SourcePlan("ssq", dt.date.fromisoformat(ssq)),
        SourcePlan("dlt", dt.date.fromisoformat(dlt)),
        SourcePlan("pl5", dt.date.fromisoformat(pl5)),
    ]
    if fc3d:
        out.append(SourcePlan("fc3d", dt.date.fromisoformat(fc3d)))
    return tuple(out)


def _team(scope: str, size: int = 2, **extra: object) -> dict:
    team: dict = {"抽取方式": scope}
    team.update({k: v for k, v in extra.items() if k in ("单位", "局机关")})
    team["每组人数"] = size
    team.update({k: v for k, v in extra.items() if k not in ("单位", "局机关")})
    return team


_FOUR_STATIONS = ["dongcheng", "xicheng", "nancheng", "beicheng"]

IMPORTED_TASKS: tuple[TaskPlan, ...] = (
    TaskPlan(
        id="2023-09",
        title="2023年度部门联合双随机抽查（市场监管、税务、应急管理）",
        department="xinyong",
        items=("SX01", "SW01", "YJ01"),
        directed=False,
        population=tuple(POPULATION),
        strata=(),
        inspectors={"抽取方式": "全局内随机", "每组人数": 2},
        methods=("现场检查", "书面检查"),
        announce=_bj("2023-05-08"),
        inspect_start=dt.date(2023, 5, 22),
        inspect_end=dt.date(2023, 8, 31),
        completion=dt.date(2023, 8, 31),
        sources=(),
        state="published",
        description="依托国家企业信用信息公示系统（部门协同监管平台），由信用监管科发起、区税务局和区应急管理局配合，"
                    "在平台上按 5% 比例抽取辖区企业后导出名单；各部门按检查实施机关分别检查各自的事项，结果统一公示。",
        extra={"名单来源": "协同监管平台抽取",
               "名单出处": {"平台任务编号": "4199992023050001", "抽取机关": "示例区市场监督管理局（部门协同监管平台）",
                        "日期": dt.date(2023, 5, 12)},
               "配合部门": ["shuiwu", "yingji"],
               "检查实施机关": {"SW01": "shuiwu", "YJ01": "yingji"}},
        imported=_bj("2023-05-12", "16:00"),
        list_size=12,
        publish=_bj("2023-09-15"),
        results=True,
        on_time=True,
    ),
    TaskPlan(
        id="2023-10",
        title="2023年度流通领域商品质量抽查（市局下发名单）",
        department="zhiliang",
        items=("SX07",),
        directed=True,
        population=tuple(POPULATION),
        strata=(),
        inspectors={"抽取方式": "全局内随机", "每组人数": 2},
        methods=("现场检查",),
        announce=_bj("2023-07-03"),
        inspect_start=dt.date(2023, 7, 10),
        inspect_end=dt.date(2023, 9, 29),
        completion=dt.date(2023, 9, 28),
        sources=(),
        state="published",
        description="市局在全市范围内抽中本区经营者后下发名单，本局按名单对所列经营者销售的商品抽样送检；"
                    "检验结果按检验机构出具的报告公示。",
        extra={"名单来源": "上级下发",
               "名单出处": {"文号": "示市市监质〔2023〕21号", "下发机关": "示例市市场监督管理局", "日期": dt.date(2023, 7, 5)}},
        imported=_bj("2023-07-06", "15:00"),
        list_size=6,
        publish=_bj("2023-10-20"),
        results=True,
        on_time=True,
    ),
)

TASKS: tuple[TaskPlan, ...] = (
    TaskPlan(
        id="2023-01",
        title="2023年度市场主体登记及公示信息不定向抽查",
        department="xinyong",
        items=("SX01", "SX02", "SX03"),
        directed=False,
        population=tuple(POPULATION),
        strata=tuple(BY_RISK),
        inspectors=_team("全局内随机"),
        methods=("书面检查", "网络检查", "现场检查"),
        announce=_bj("2023-03-20"),
        inspect_start=dt.date(2023, 4, 3),
        inspect_end=dt.date(2023, 6, 30),
        completion=dt.date(2023, 6, 30),
        sources=_sources("2023-03-23", "2023-03-22", "2023-03-22"),
        draw=_bj("2023-03-24", "09:30"),
        reveal=_bj("2023-07-10"),
        publish=_bj("2023-07-11"),
        results=True,
        state="published",
        on_time=True,
        description="依据本局2023年度“双随机、一公开”监管工作实施方案，按行业风险等级分层，"
        "从2021年12月31日前登记、处于存续状态的市场主体中随机抽取。",
    ),
    TaskPlan(
        id="2023-02",
        title="2023年度广告发布单位及企业网站信息定向抽查",
        department="guanggao",
        items=("SX05", "SX08"),
        directed=True,
        population=(
            *POPULATION,
            {"列": "industry", "条件": "in", "值": ["广告业", "互联网和相关服务"]},
        ),
        strata=(_industry("广告业", "30%"), _industry("互联网和相关服务", "10%")),
        inspectors=_team("局机关与市场监管所随机", 局机关=["guanggao", "xinyong"]),
        methods=("现场检查", "网络检查"),
        announce=_bj("2023-04-10"),
        inspect_start=dt.date(2023, 4, 24),
        inspect_end=dt.date(2023, 7, 31),
        completion=dt.date(2023, 7, 31),
        sources=_sources("2023-04-13", "2023-04-12", "2023-04-12"),
        draw=_bj("2023-04-14", "09:30"),
        reveal=_bj("2023-09-11", "15:00"),
        publish=_bj("2023-09-12"),
        results=True,
        state="published",
        on_time=False,
        description="按行业定向抽取广告业和互联网服务企业，检查广告发布行为及企业网站公示信息。"
        "结果逾期 11 个工作日公示：检查完成后，2 户企业的广告违法线索移送执法稽查部门核实，待核实结论一并公示。",
    ),
    TaskPlan(
        id="2023-03",
        title="2023年度商品零售批发单位价格行为定向抽查",
        department="jiage",
        items=("SX09", "SX10"),
        directed=True,
        population=(
            *POPULATION,
            {"列": "unit", "条件": "in", "值": list(_FOUR_STATIONS)},
            {"列": "industry", "条件": "in", "值": ["批发业", "零售业"]},
        ),
        strata=(_industry("批发业", "10%"), _industry("零售业", "5%")),
        inspectors=_team("若干市场监管所随机", 3, 单位=list(_FOUR_STATIONS), 业务专长=["价格"]),
        methods=("现场检查", "书面检查"),
        announce=_bj("2023-06-05"),
        inspect_start=dt.date(2023, 6, 19),
        inspect_end=dt.date(2023, 10, 31),
        completion=dt.date(2023, 10, 31),
        sources=_sources("2023-06-08", "2023-06-07", "2023-06-07"),
        draw=_bj("2023-06-09", "09:30"),
        results=True,
        state="completed",
        on_time=False,
        description="在东城、西城、南城、北城四个市场监管所辖区内，对批发、零售经营者的价格执行"
        "和明码标价情况定向抽查；每组 3 人，至少 1 人具有价格业务专长。",
    ),
    TaskPlan(
        id="2023-04",
        title="2023年度直销企业违法行为定向抽查",
        department="xinyong",
        items=("SX04",),
        directed=True,
        population=(
            *POPULATION,
            {"列": "type", "条件": "eq", "值": "企业"},
            {"列": "industry", "条件": "eq", "值": "批发业"},
        ),
        strata=(_industry("批发业", "10%", "批发业企业"),),
        inspectors=_team("全局内随机"),
        methods=("现场检查", "书面检查"),
        announce=_bj("2023-08-14"),
        inspect_start=dt.date(2023, 9, 4),
        inspect_end=dt.date(2023, 11, 30),
        sources=_sources("2023-08-17", "2023-08-16", "2023-08-16"),
        cancel=_bj("2023-08-15", "15:00"),
        cancel_reason="上级部门部署直销行业专项检查，本任务并入专项检查，取消本次抽查。",
        reveal=_bj("2023-08-21"),
        state="cancelled",
        description="原计划对批发业企业开展直销违法行为定向抽查；开奖前取消，一次性代码已公开。",
    ),
    TaskPlan(
        id="2023-05",
        title="2023年度个体工商户及农民专业合作社年度报告定向抽查",
        department="xinyong",
        items=("SX02",),
        directed=True,
        population=(
            *POPULATION,
            {"列": "type", "条件": "in", "值": ["个体工商户", "农民专业合作社"]},
        ),
        strata=(
            {
                "名称": "农民专业合作社",
                "条件": [{"列": "type", "条件": "eq", "值": "农民专业合作社"}],
                "比例": "10%",
            },
            {
                "名称": "个体工商户",
                "条件": [{"列": "type", "条件": "eq", "值": "个体工商户"}],
                "比例": "5%",
            },
        ),
        inspectors=_team("单一市场监管所随机"),
        methods=("书面检查", "网络检查", "现场检查"),
        announce=_bj("2023-09-11"),
        inspect_start=dt.date(2023, 10, 9),
        inspect_end=dt.date(2023, 12, 15),
        completion=dt.date(2023, 12, 15),
        exclusion_rules=("same-item-same-year",),
        sources=_sources("2023-09-14", "2023-09-13", "2023-09-13"),
        draw=_bj("2023-09-15", "09:30"),
        results=True,
        state="completed",
        on_time=None,
        description="对个体工商户、农民专业合作社的年度报告公示信息定向抽查；本年度已因"
        "年度报告公示信息检查被抽中的市场主体不再抽取（同一事项同一年度排除）。",
    ),
    TaskPlan(
        id="2023-06",
        title="2023年度流通领域商品质量及商标使用情况定向抽查",
        department="zhiliang",
        items=("SX06", "SX07"),
        directed=True,
        population=(*POPULATION, {"列": "industry", "条件": "in", "值": ["批发业", "零售业"]}),
        strata=(_industry("批发业", "5%"), _industry("零售业", "5%")),
        inspectors=_team("全局内随机", 专家人数=1, 专家专长=["商品质量"]),
        methods=("现场检查", "委托专业机构检查"),
        announce=_bj("2023-11-06"),
        inspect_start=dt.date(2023, 11, 20),
        inspect_end=dt.date(2024, 1, 31),
        sources=_sources("2023-11-09", "2023-11-08", "2023-11-08"),
        draw=_bj("2023-11-10", "09:30"),
        state="inspecting",
        protocol=2,
        description="对批发、零售经营者在售商品的质量及商标使用情况定向抽查，每户随机抽取"
        "1 名商品质量检验专家参与（专家不计入检查人员）。",
    ),
    TaskPlan(
        id="2023-07",
        title="2024年度第一批登记信息及明码标价不定向抽查",
        department="xinyong",
        items=("SX01", "SX10"),
        directed=False,
        population=tuple(POPULATION),
        strata=(
            {**BY_RISK[0], "比例": "20%"},
            {**BY_RISK[1], "比例": "5%"},
            {**BY_RISK[2], "比例": "5%"},
        ),
        inspectors=_team("全局内随机"),
        methods=("现场检查", "网络检查"),
        announce=_bj("2023-12-27"),
        inspect_start=dt.date(2024, 1, 15),
        inspect_end=dt.date(2024, 3, 29),
        sources=_sources("2024-01-02", "2024-01-03", "2024-01-03", "2024-01-03"),
        state="announced",
        plan_public=True,
        year=2024,  # announced at the end of 2023, inspected in 2024: a 2024 task
        protocol=2,
        description="年末批次：2023年12月27日公告，以2024年1月2日、3日开奖的彩票号码为随机源，"
        "开奖后抽取。",
    ),
    TaskPlan(
        id="2023-08",
        title="2023年度城区四所餐饮及食品零售经营者价格与明码标价定向抽查",
        department="jiage",
        items=("SX09", "SX10"),
        directed=True,
        population=(
            *POPULATION,
            {"列": "unit", "条件": "in", "值": list(_FOUR_STATIONS)},
            {"列": "industry", "条件": "in", "值": ["批发业", "零售业", "餐饮业"]},
        ),
        strata=(_industry("餐饮业", "1.5%"), _industry("零售业", "1%"), _industry("批发业", "2%")),
        inspectors=_team("若干市场监管所随机", 2, 单位=list(_FOUR_STATIONS), 业务专长=["价格", "食品"]),
        methods=("现场检查",),
        announce=_bj("2023-09-18"),
        inspect_start=dt.date(2023, 10, 9),
        inspect_end=dt.date(2023, 11, 30),
        completion=dt.date(2023, 11, 30),
        sources=_sources("2023-09-21", "2023-09-20", "2023-09-20"),
        draw=_bj("2023-09-22", "09:30"),
        reassign=((_bj("2023-10-10"), "recusal"),),
        reveal=_bj("2023-12-11"),
        publish=_bj("2023-12-12"),
        results=True,
        state="published",
        on_time=True,
        protocol=2,
        description="协议 2 的任务：在东城、西城、南城、北城四个市场监管所的检查人员中随机组成"
        "每组 2 人的检查组，每组须有人具备价格和食品业务专长；抽取后一名组员申报回避，"
        "按规则改派。",
    ),
)


def task_plan(task_id: str) -> TaskPlan:
    for plan in TASKS + IMPORTED_TASKS:
        if plan.id == task_id:
            return plan
    raise KeyError(task_id)


def task_documents() -> Iterator[tuple[str, dict]]:
    for plan in TASKS + IMPORTED_TASKS:
        yield plan.id, plan.document()


# ---------------------------------------------------------------------------------------------
# Population and strata over the demo directory (PROTOCOL §3), for self-checks and tests


def _value(v: object) -> str | tuple[str, ...]:
    if isinstance(v, list | tuple):
        return tuple(str(x) for x in v)
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def matches(row, conditions: Sequence[dict]) -> bool:
    """``row`` has ``column(name) -> str`` (EnterpriseRow)."""
    for c in conditions:
        have, value, op = row.column(c["列"]), _value(c["值"]), c["条件"]
        if op == "eq" and have != value:
            return False
        if op == "in" and have not in value:
            return False
        if op == "prefix" and not have.startswith(value):
            return False
        if op == "before" and not have < value:
            return False
        if op == "after" and not have > value:
            return False
    return True


def stratify(plan: TaskPlan, rows: Sequence) -> list[list]:
    """Members of each stratum: population first, then the first stratum that matches."""
    out: list[list] = [[] for _ in plan.strata]
    for row in rows:
        if not matches(row, plan.population):
            continue
        for i, s in enumerate(plan.strata):
            if matches(row, s["条件"]):
                out[i].append(row)
                break
    return out


def quota(ratio: str, n: int) -> int:
    """k = min(N, ceil(p·N/q)) with the ratio read as an exact fraction (PROTOCOL §6.4)."""
    whole, _, frac = ratio.rstrip("%").partition(".")
    q = 100 * 10 ** len(frac)
    p = int(whole + frac)
    return min(n, (p * n + q - 1) // q)
