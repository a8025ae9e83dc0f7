"""The one in-memory model of an office's records.

Data flows one way: load -> validate -> derive -> check -> render. Loaders (``generator.load``)
are the only code that reads the office's files; they return a :class:`Model`. Checks
(``generator.checks``) and renderers (``generator.site``) take a model and return new values.

Every record remembers where it came from (:class:`Origin`) so that a finding can name the file,
row and column the office has to fix. All classes are frozen: nothing below the loaders mutates
the model.

Terms (one English identifier per Chinese term):

=====================  ==========================================
enterprise             检查对象（市场主体）
directory              检查对象名录库
inspector              执法检查人员
roster                 执法检查人员名录库
expert                 专家（专家名录库）
item                   抽查事项（抽查事项清单）
task                   抽查任务
stratum                分层（按规则划分的抽取范围）
result                 检查结果
followup               后续处置
unit                   单位：局机关科室 (hq) 或 市场监管所 (station)
=====================  ==========================================
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, order=True)
class Origin:
    """Where a value came from: a file relative to the data folder, a 1-based row, a column."""

    file: str
    row: int | None = None  # 1-based data row as the office sees it in Excel (header = row 1)
    column: str | None = None  # the column header as written in the file


# ---------------------------------------------------------------------------------------------
# Vocabularies (data, not code): data/vocab/*.yaml, with defaults shipped in generator/defaults/


@dataclass(frozen=True)
class Term:
    """One vocabulary value: a stable code and the exact wording the office uses."""

    code: str
    label: str
    parent: str | None = None  # hierarchical vocabularies (result block C): parent code
    note: str = ""
    same_as: str | None = None  # a variant wording of this code's value (counted once)
    platform: str = ""  # the national platform's code for the value, when known


@dataclass(frozen=True)
class Vocabulary:
    name: str  # results | followups | methods | scopes | item_kinds | entity_types | statuses
    terms: tuple[Term, ...]
    multi: bool = False

    def by_code(self) -> dict[str, Term]:
        return {t.code: t for t in self.terms}

    def by_label(self) -> dict[str, Term]:
        return {t.label: t for t in self.terms}

    def label(self, code: str) -> str:
        term = self.by_code().get(code)
        return term.label if term else code

    def canonical(self, code: str) -> str:
        """The value a variant wording stands for (统计时同义取值只算一次)."""
        term = self.by_code().get(code)
        return term.same_as if term and term.same_as else code


@dataclass(frozen=True)
class Vocabularies:
    results: Vocabulary
    followups: Vocabulary
    methods: Vocabulary  # 现场检查、书面检查、网络检查、委托专业机构检查
    scopes: Vocabulary  # all / hq+own / units / own with the plan's Chinese names
    item_kinds: Vocabulary  # 重点检查事项 / 一般检查事项


# ---------------------------------------------------------------------------------------------
# The office


@dataclass(frozen=True)
class Unit:
    """局机关科室 (kind ``hq``), 市场监管所 (kind ``station``) or another department of the
    government taking part in joint tasks (kind ``dept``: 税务, 应急管理, 卫生健康 …)."""

    id: str
    name: str
    kind: str  # "hq" | "station" | "dept"
    origin: Origin | None = None


@dataclass(frozen=True)
class YearSchedule:
    """A year's State Council holiday schedule entered by the office (data/portal.yaml).

    ``holidays``: weekdays (and weekend days) that are days off; ``workdays``: weekend days that
    are working days (调休上班).
    """

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str = ""


@dataclass(frozen=True)
class Portal:
    office_name: str  # 洛阳市偃师区市场监督管理局 style full name
    short_name: str
    region_code: str  # GB/T 2260, 6 digits
    site_url: str  # absolute, ending in '/'; used for feeds and the sitemap
    deadline_workdays: int = 20
    calendar_overrides: tuple[YearSchedule, ...] = ()
    demo: bool = False  # every page says 示例数据
    units: tuple[Unit, ...] = ()  # kind "dept": another department (税务, 应急管理 …) in joint tasks
    contact: str = ""
    origin: Origin | None = None

    def unit(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.id == unit_id), None)


# ---------------------------------------------------------------------------------------------
# The two rosters (两库) and the items list


@dataclass(frozen=True)
class Item:
    """抽查事项清单 row."""

    code: str  # ^[A-Za-z0-9_-]{1,32}$
    category: str  # 抽查类别
    name: str  # 抽查事项
    objects: str  # 检查对象
    kind: str  # item_kinds code: 重点 / 一般
    methods: tuple[str, ...]  # methods codes
    authority: str  # 检查主体
    basis: str  # 检查依据
    origin: Origin | None = None


@dataclass(frozen=True)
class Enterprise:
    """A row of the 检查对象名录库. Only the public fields are ever rendered.

    ``internal`` holds internal columns (信用风险分类 as ``risk``): never public, never rendered,
    never in search, downloads or the sitemap.
    """

    code: str  # 统一社会信用代码, 18 chars, upper-case, valid check character
    name: str
    entity_type: str  # 市场主体类型
    industry: str  # 行业
    industry_risk: str  # 行业风险等级 (public)
    unit: str  # 所属监管所: Unit.id
    registered: dt.date  # 成立日期
    status: str  # 登记状态, e.g. 存续
    address: str = ""  # 住所 (public on the national system)
    internal: Mapping[str, str] = field(default_factory=dict)
    origin: Origin | None = None


@dataclass(frozen=True)
class Inspector:
    """执法检查人员. Personal data (ID card, phone, home address) is never loaded into the model."""

    id: str  # 人员编号, ^[A-Za-z0-9_-]{1,32}$
    name: str
    unit: str  # Unit.id
    title: str  # 职务
    expertise: tuple[str, ...]  # 业务专长 tags
    badge: str  # 执法证号
    qualified: bool  # 执法资格
    recusals: tuple[str, ...] = ()  # codes of related enterprises (回避)
    cap: int = 0  # 个人上限, 0 = none
    origin: Origin | None = None


@dataclass(frozen=True)
class Expert:
    """专家名录库 row. Experts never count toward a group's size."""

    id: str
    name: str
    organisation: str
    expertise: tuple[str, ...]
    recusals: tuple[str, ...] = ()
    origin: Origin | None = None


# ---------------------------------------------------------------------------------------------
# Tasks


@dataclass(frozen=True)
class Condition:
    """A rule over a directory column (PROTOCOL §3): op in eq, in, prefix, before, after."""

    column: str  # type, industry, industry_risk, unit, registered, status (risk: audit mode)
    op: str
    value: str | tuple[str, ...]


@dataclass(frozen=True)
class StratumRule:
    name: str  # display name, e.g. 高风险行业
    when: tuple[Condition, ...]
    ratio: str | None = None  # "5%" (exact decimal percent string)
    count: int | None = None


@dataclass(frozen=True)
class Scope:
    """Inspector scope. kind: all (全局内随机), hq+own (局机关与市场监管所随机),
    units (若干市场监管所随机), own (单一市场监管所随机)."""

    kind: str
    units: tuple[str, ...] = ()
    hq: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """A named future public randomness source (PROTOCOL §4)."""

    name: str
    game: str  # fc3d | pl5 | ssq | dlt | drand
    issue: str
    scheduled: str  # YYYY-MM-DDTHH:MM:SS+08:00
    take: str
    count: int
    ordered: bool
    fallback: str
    url: str


class TaskState(StrEnum):
    """What is public depends on the state as of a date (DESIGN §2, PROTOCOL §9)."""

    PLANNED = "planned"  # 计划
    ANNOUNCED = "announced"  # 公告
    DRAWN = "drawn"  # 已抽取
    INSPECTING = "inspecting"  # 检查中
    COMPLETED = "completed"  # 检查完成（待公示）
    PUBLISHED = "published"  # 结果公示
    CANCELLED = "cancelled"  # 已取消

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    TaskState.PLANNED: "计划",
    TaskState.ANNOUNCED: "已公告",
    TaskState.DRAWN: "已抽取",
    TaskState.INSPECTING: "检查中",
    TaskState.COMPLETED: "检查完成",
    TaskState.PUBLISHED: "结果已公示",
    TaskState.CANCELLED: "已取消",
}


#: Where a task's list of enterprises comes from (名单来源).
LIST_SOURCES = {
    "local": "本局抽取",  # the verifiable draw of PROTOCOL (commit/draw/reveal)
    "platform": "协同监管平台抽取",  # drawn on the national 部门协同监管平台, imported
    "superior": "上级下发",  # handed down by a superior bureau, imported
}


@dataclass(frozen=True)
class ListProvenance:
    """Who drew an imported list (名单来源 other than 本局抽取), as the office enters it.

    platform: ``reference`` = the platform's task number (平台任务编号), ``issuer`` = the platform
    or the bureau that ran the draw there, ``date`` = the platform's draw date.
    superior: ``reference`` = the 文号 of the handing-down notice, ``issuer`` = the issuing
    bureau (下发机关), ``date`` = its date.
    """

    reference: str
    issuer: str
    date: dt.date


@dataclass(frozen=True)
class Task:
    """One 抽查任务 (data/tasks/<id>.yaml)."""

    id: str  # ^[A-Za-z0-9_-]{1,32}$, e.g. 2023-01
    title: str
    year: int
    department: str  # 发起科室 (Unit.id)
    items: tuple[str, ...]  # Item codes
    directed: bool  # True = 定向, False = 不定向
    population: tuple[Condition, ...]
    strata: tuple[StratumRule, ...]
    group_size: int
    scope: Scope
    methods: tuple[str, ...]  # methods codes
    announce_date: dt.date  # 公告日期
    inspect_start: dt.date  # 检查开始
    inspect_end: dt.date  # 计划检查结束
    mode: str = "public"  # public | audit
    expertise: tuple[str, ...] = ()
    experts_count: int = 0
    experts_expertise: tuple[str, ...] = ()
    exclusion_rules: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    n: int = 1  # hash-chain length
    protocol: int = 1  # draw protocol version (1 or 2); the loader's default is 2 (new tasks)
    completion_date: dt.date | None = None  # 检查完成日期: starts the 20-working-day clock
    plan_public: bool = False  # publish the plan before announcement
    redraw_of: str | None = None
    description: str = ""
    list_source: str = "local"  # LIST_SOURCES key: local | platform | superior
    provenance: ListProvenance | None = None  # required unless list_source is local
    partners: tuple[str, ...] = ()  # 配合部门: Unit ids (hq or dept) or names as written
    # 检查实施机关 per item: (item code, Unit id or name); items not listed: the 发起部门
    item_authorities: tuple[tuple[str, str], ...] = ()
    origin: Origin | None = None

    @property
    def imported(self) -> bool:
        """The list is imported (platform or superior), not drawn by this site."""
        return self.list_source != "local"

    @property
    def list_source_label(self) -> str:
        return LIST_SOURCES.get(self.list_source, self.list_source)

    @property
    def joint(self) -> bool:
        return bool(self.partners)

    def authority_of(self, item: str) -> str:
        """The department that inspects ``item`` (检查实施机关)."""
        return dict(self.item_authorities).get(item, self.department)


@dataclass(frozen=True)
class ItemResult:
    """One 检查事项's result for one enterprise (the national 公示系统's 序号 | 检查事项 | 检查结果)."""

    item: str  # Item code
    results: tuple[str, ...]  # result vocabulary codes
    lab: str = ""  # 检验机构 (product sampling)
    report: str = ""  # 报告编号 (product sampling)


@dataclass(frozen=True)
class Result:
    """One enterprise's result in a task (data/results/<task>.csv|xlsx)."""

    task: str
    code: str
    inspected: dt.date  # 检查日期
    completed: dt.date  # 完成日期
    results: tuple[str, ...]  # result vocabulary codes (multi-select)
    followups: tuple[str, ...] = ()  # follow-up vocabulary codes
    note: str = ""  # 备注
    # per item (rows of the results file that name a 检查事项); empty: one whole-task result
    items: tuple[ItemResult, ...] = ()
    origin: Origin | None = None


#: Kinds of tracked follow-up (后续处置记录).
FOLLOWUP_KINDS = {
    "rectify": "责令改正",
    "abnormal": "列入经营异常名录",
    "case": "立案查处",
    "transfer": "移送",
}


@dataclass(frozen=True)
class FollowUp:
    """One tracked follow-up of an inspected enterprise (data/followups/<task>.csv|xlsx).

    rectify: ``deadline`` (改正期限), ``review_date`` (复查日期), ``outcome`` (复查结果);
    abnormal: ``date`` (列入日期), ``reference`` (决定书文号), ``removed`` (移出日期);
    case: ``reference`` (案号), ``date`` (立案日期); transfer: ``receiver`` (接收机关), ``date``.
    ``closed``: the record is closed (办结).
    """

    task: str
    code: str
    kind: str  # FOLLOWUP_KINDS key
    date: dt.date | None = None
    deadline: dt.date | None = None
    reference: str = ""
    review_date: dt.date | None = None
    outcome: str = ""
    removed: dt.date | None = None
    receiver: str = ""
    closed: bool = False
    note: str = ""
    origin: Origin | None = None

    @property
    def label(self) -> str:
        return FOLLOWUP_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class PlanBatch:
    """One batch (批次) of the year's plan, as the office writes it."""

    title: str
    items: tuple[str, ...] = ()  # Item codes
    task: str = ""  # the Task id that carries the batch out, once it exists
    department: str = ""  # 发起部门 (Unit id or name)
    partners: tuple[str, ...] = ()  # 配合部门
    objects: str = ""  # 检查对象 / 抽查范围 as written
    ratio: str = ""  # 抽查比例 as written, e.g. "5%"
    timing: str = ""  # 时间安排 as written, e.g. "2023年3月"
    directed: bool = False


@dataclass(frozen=True)
class Plan:
    """The year's plan (年度抽查计划, data/plans/<year>.yaml); public only when ``public``."""

    year: int
    title: str
    public: bool = False
    intro: str = ""
    batches: tuple[PlanBatch, ...] = ()
    ratio_min: str | None = None  # e.g. "5%"
    ratio_max: str | None = None  # e.g. "100%"
    directed_default: bool = False  # the plan's 抽查类型 for the year (不定向 unless said)
    industries: tuple[str, ...] = ()  # industries the plan targets (empty: none named)
    origin: Origin | None = None

    def batch_of(self, task_id: str) -> PlanBatch | None:
        return next((b for b in self.batches if b.task == task_id), None)


# ---------------------------------------------------------------------------------------------
# The whole


@dataclass(frozen=True)
class Model:
    portal: Portal
    vocab: Vocabularies
    items: tuple[Item, ...]
    enterprises: Mapping[str, Enterprise]  # by code
    inspectors: tuple[Inspector, ...]
    experts: tuple[Expert, ...]
    tasks: tuple[Task, ...]
    results: Mapping[str, tuple[Result, ...]]  # by task id
    data_dir: str = "data"
    followups: Mapping[str, tuple[FollowUp, ...]] = field(default_factory=dict)  # by task id
    plans: tuple[Plan, ...] = ()

    def plan(self, year: int) -> Plan | None:
        return next((p for p in self.plans if p.year == year), None)

    def unit_name(self, unit: str) -> str:
        """A unit's name for a Unit id, or the value as written (another department's name)."""
        u = self.portal.unit(unit)
        return u.name if u else unit

    def task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def inspector(self, inspector_id: str) -> Inspector | None:
        """The first inspector with this id, case-insensitively."""
        return self._by_id[0].get(inspector_id.lower())

    def expert(self, expert_id: str) -> Expert | None:
        """The first expert with this id, case-insensitively."""
        return self._by_id[1].get(expert_id.lower())

    @functools.cached_property
    def _by_id(self) -> tuple[dict[str, Inspector], dict[str, Expert]]:
        # looked up for every row of every task page: built once per model
        inspectors: dict[str, Inspector] = {}
        for i in self.inspectors:
            inspectors.setdefault(i.id.lower(), i)
        experts: dict[str, Expert] = {}
        for e in self.experts:
            experts.setdefault(e.id.lower(), e)
        return inspectors, experts
