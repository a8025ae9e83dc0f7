"""抽查情况汇总 by unit and year (plan 八(六)): one computation for the statistics page and for
``gongshi report`` (the XLSX sent up to the 信用监管科), so the two always agree.

Computed from the public view only: published tasks, their listings, results and follow-up
records. Per station (所属监管所 of the enterprise) and per 科室 (the task's 发起科室):

- 任务数: tasks with at least one enterprise of the unit (科室: the tasks it started, published or
  overdue); 抽取户数: listed enterprises; 已检查: result rows;
- 发现问题: results with a value that is, or falls under, a term whose wording starts 发现问题
  (or is 不合格, a product-sampling verdict);
- 责令改正, 列入经营异常, 立案, 移送: enterprises with a follow-up record of that kind
  (data/followups/), or a 后续处置 value whose wording names it (责令改正, 经营异常, 立案, 移送);
- 按时公示率: on-time publications among the unit's tasks due (on time, late, overdue).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..model import Model, Vocabulary
from . import labels
from . import view as v

COLUMNS = ("单位", "任务数", "抽取户数", "已检查", "发现问题", "责令改正", "列入经营异常", "立案", "移送", "按时公示率")
KINDS = ("rectify", "abnormal", "case", "transfer")
_WORDS = {"rectify": ("责令改正",), "abnormal": ("经营异常",), "case": ("立案",), "transfer": ("移送",)}


@dataclass
class UnitRow:
    unit: str
    tasks: set[str] = field(default_factory=set)
    drawn: int = 0
    inspected: int = 0
    problems: int = 0
    kinds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    on_time: set[str] = field(default_factory=set)
    due: set[str] = field(default_factory=set)

    def rate(self) -> str:
        if not self.due:
            return "—"
        return f"{len(self.on_time) * 1000 // len(self.due) / 10:g}%"

    def cells(self) -> tuple:
        return (self.unit, len(self.tasks), self.drawn, self.inspected, self.problems,
                *(self.kinds[k] for k in KINDS), self.rate())


@dataclass(frozen=True)
class Summary:
    year: int
    stations: tuple[tuple, ...]  # rows of COLUMNS, the total last
    departments: tuple[tuple, ...]


def _problem_codes(vocab: Vocabulary) -> set[str]:
    by_code = {t.code: t for t in vocab.terms}
    out = set()
    for term in vocab.terms:
        t, seen = term, set()
        while t is not None and t.code not in seen:
            seen.add(t.code)
            if t.label.startswith("发现问题") or t.label == "不合格":
                out.add(term.code)
                break
            t = by_code.get(t.parent) if t.parent else None
    return out


def _followup_kinds(vocab: Vocabulary) -> dict[str, set[str]]:
    return {kind: {t.code for t in vocab.terms if any(w in t.label for w in words)}
            for kind, words in _WORDS.items()}


def years(view: v.PublicView) -> list[int]:
    return sorted({tv.task.year for tv in view.tasks if tv.published or tv.publication.kind == v.OVERDUE},
                  reverse=True)


def summarise(model: Model, view: v.PublicView, year: int) -> Summary:
    problems = _problem_codes(model.vocab.results)
    followup_codes = _followup_kinds(model.vocab.followups)
    stations: dict[str, UnitRow] = {}
    departments: dict[str, UnitRow] = {}
    total_s, total_d = UnitRow("合计"), UnitRow("合计")

    def row(table: dict[str, UnitRow], unit_id: str) -> UnitRow:
        if unit_id not in table:
            table[unit_id] = UnitRow(labels.unit_name(model, unit_id))
        return table[unit_id]

    for tv in view.tasks:
        task = tv.task
        if task.year != year:
            continue
        kind = tv.publication.kind
        if kind not in (v.ON_TIME, v.LATE, v.OVERDUE) and not tv.published:
            continue
        dept_rows = (row(departments, task.department), total_d)
        if kind in (v.ON_TIME, v.LATE, v.OVERDUE):
            for r in dept_rows:
                r.due.add(task.id)
                r.tasks.add(task.id)
                if kind == v.ON_TIME:
                    r.on_time.add(task.id)
        if not tv.published:
            continue
        records: dict[str, set[str]] = defaultdict(set)
        for f in model.followups.get(task.id, ()) if hasattr(model, "followups") else ():
            records[f.code].add(f.kind)
        results = {r.code: r for r in tv.results or ()}
        for line in tv.listing or ():
            e = model.enterprises.get(line.code)
            station = e.unit if e else ""
            rows = (row(stations, station), total_s, *dept_rows)
            result = results.get(line.code)
            kinds = set(records.get(line.code, ()))
            if result is not None:
                kinds |= {k for k, codes in followup_codes.items() if codes & set(result.followups)}
            for r in rows:
                r.tasks.add(task.id)
                r.drawn += 1
                if result is None:
                    continue
                r.inspected += 1
                if problems & set(result.results):
                    r.problems += 1
                for k in kinds:
                    r.kinds[k] += 1
            for r in rows[:2]:  # a station's rate: its published tasks
                r.due.add(task.id)
                if kind == v.ON_TIME:
                    r.on_time.add(task.id)

    def ordered(table: dict[str, UnitRow], total: UnitRow) -> tuple[tuple, ...]:
        units = [u.id for u in model.portal.units]
        keys = sorted(table, key=lambda k: (units.index(k) if k in units else len(units), k))
        return tuple(table[k].cells() for k in keys) + ((total.cells(),) if table else ())

    return Summary(year, ordered(stations, total_s), ordered(departments, total_d))
