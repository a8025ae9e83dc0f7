"""The public view: what the site may show as of a date (DESIGN §2, PROTOCOL §9 and §11).

``generator.state.public_view(model, data_dir, as_of)`` returns a :class:`PublicView`. Renderers
take the model plus this view and never read the office's files: everything a task may publish
as of the date is already filtered here (log entries, bundle files, listing, results). Fields
that are embargoed before publication (``listing``, ``results``) are ``None`` until then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..model import Result, Task, TaskState
from ..tlog.anchors import AnchorStatus

#: Publication status kinds (结果公示时限, 20 working days after completion).
ON_TIME = "on_time"  # 按时公示
LATE = "late"  # 逾期公示
OVERDUE = "overdue"  # 已逾期未公示
DUE = "due"  # 待公示 (clock running, deadline not passed)
NOT_DUE = "not_due"  # 未到公示阶段 (not completed yet)
UNKNOWN = "unknown"  # 无法计算 (calendar year unknown)


@dataclass(frozen=True)
class Publication:
    """Where a task stands against its publication deadline."""

    kind: str  # one of ON_TIME, LATE, OVERDUE, DUE, NOT_DUE, UNKNOWN
    deadline: dt.date | None = None  # last working day to publish
    published_on: dt.date | None = None  # Beijing date of the publish entry
    workdays_late: int = 0  # > 0 only for LATE / OVERDUE


@dataclass(frozen=True)
class StratumView:
    """One stratum as far as it is public: N_before at announcement; N, k, cutoff at reveal."""

    label: str  # S1, S2, ...
    name: str  # display name
    N_before: int  # noqa: N815 - protocol name
    N: int | None = None  # noqa: N815 - after exclusions, at reveal
    k: int | None = None
    cutoff: str | None = None  # 64 hex; None when k = 0 or not revealed


@dataclass(frozen=True)
class ListingRow:
    """A line of the listing (PROTOCOL §6.8); present only once the task is published."""

    code: str
    stratum: str
    ticket: str  # 64 hex
    inspector_ids: tuple[str, ...]
    expert_ids: tuple[str, ...] = ()
    fallback: str = "-"  # "-" | "cap" | "all"


@dataclass(frozen=True)
class StoredFile:
    """A canonical input of a task kept once in the snapshot store (``protocol.snapshots``):
    the committed hash and rows (from the announce entry) and the store files that give it."""

    name: str  # directory.csv, roster.csv, experts.csv
    sha256: str
    rows: int
    paths: tuple[str, ...]  # site paths: the full snapshot, or the patch then its base


@dataclass(frozen=True)
class TaskView:
    """A task as the public may see it as of the date."""

    task: Task
    state: TaskState
    announce: Mapping | None = None  # log entries (parsed JSON objects) visible as of the date
    draw: Mapping | None = None
    reveal: Mapping | None = None
    publish: Mapping | None = None  # the last publish entry (the results shown)
    cancel: Mapping | None = None
    publishes: tuple[Mapping, ...] = ()  # every publish entry: the first, then corrections (更正)
    reassign: tuple[Mapping, ...] = ()
    audit: tuple[Mapping, ...] = ()
    files: Mapping[str, bytes] = field(default_factory=dict)  # PROTOCOL §11 names, allowed only
    stored: Mapping[str, StoredFile] = field(default_factory=dict)  # inputs in the snapshot store
    strata: tuple[StratumView, ...] = ()
    listing: tuple[ListingRow, ...] | None = None  # only when published
    results: tuple[Result, ...] | None = None  # only when published
    deadline: dt.date | None = None  # publication deadline (same as publication.deadline)
    publication: Publication = Publication(NOT_DUE)
    reassign_count: int = 0
    commitment_overdue: bool = False  # a commitment not revealed by its deadline: 未揭示
    imports: tuple[Mapping, ...] = ()  # import entries of an imported list (and corrections)
    plan_only: bool = False  # a planned task whose plan is public: only the plan's fields
    completion_overdue: bool = False  # 检查结束 passed, no 完成日期: 检查期已过，未报完成
    anchor: AnchorStatus | None = None  # the announce entry's external anchor, as published

    @property
    def published(self) -> bool:
        return self.results is not None and self.listing is not None


@dataclass(frozen=True)
class Embargo:
    """Values that must appear in no output file (checked by the leak scanner).

    Filled by ``state.public_view`` from the office's draw material that is not yet public:
    selected codes and names, inspector names of unpublished groups, codes, secrets, tickets.
    The scanner adds its own secret-free rules on top (names of enterprises without published
    results, internal columns, ID-card and phone numbers).
    """

    codes: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    secrets: frozenset[str] = frozenset()  # lowercase hex strings


@dataclass(frozen=True)
class PublicView:
    as_of: dt.date
    tasks: tuple[TaskView, ...]
    log_files: Mapping[str, bytes] = field(default_factory=dict)  # "log/draws.jsonl", ...
    snapshots: Mapping[str, bytes] = field(default_factory=dict)  # store files by site path
    verify_py: bytes = b""
    embargo: Embargo = Embargo()

    def task(self, task_id: str) -> TaskView | None:
        return next((t for t in self.tasks if t.task.id == task_id), None)
