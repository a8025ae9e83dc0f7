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
    """局机关科室 (kind ``hq``) or 市场监管所 (kind ``station``)."""

    id: str
    name: str
    kind: str  # "hq" | "station"
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
    units: tuple[Unit, ...] = ()
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
    origin: Origin | None = None


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
    origin: Origin | None = None


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
