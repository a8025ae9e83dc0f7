"""Figures for the home and statistics pages, computed from the public view only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import attrgetter

from ..model import Model
from . import labels
from . import view as v

_CODE = attrgetter("code")
_RESULTS = attrgetter("results")


@dataclass(frozen=True)
class Stats:
    tasks: int
    announced: int
    published: int
    inspected: int  # enterprise inspections published
    enterprises: int  # distinct enterprises with published results
    on_time: int
    late: int
    overdue: int
    by_item: list[tuple[str, int]]
    by_unit: list[tuple[str, int]]
    by_industry: list[tuple[str, int]]
    by_year: list[tuple[str, int]]
    by_result: list[tuple[str, int]]

    @property
    def on_time_rate(self) -> str:
        due = self.on_time + self.late + self.overdue
        if not due:
            return "—"
        return f"{self.on_time * 1000 // due / 10:g}%"


def _sorted(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def result_counts(model: Model, tv: v.TaskView) -> list[tuple[str, int]]:
    """Count per result value in vocabulary order (multi-valued results count once each)."""
    counts: Counter = Counter()
    canonical = model.vocab.results.canonical
    for r in tv.results or ():
        counts.update({canonical(c) for c in r.results})  # variants of one value count once
    return [(t.label, counts[t.code]) for t in model.vocab.results.terms if counts[t.code]]


def compute(model: Model, view: v.PublicView) -> Stats:
    """One pass over the published results, counting per task and per distinct value (an
    enterprise looked up once, a unit or an item named once) rather than per row."""
    item_names: dict[str, str] = {}
    for item in model.items:  # model.item: the first item of a code
        item_names.setdefault(item.code, item.name)
    by_item: Counter = Counter()
    by_year: Counter = Counter()
    code_counts: Counter = Counter()  # inspections per enterprise code
    result_sets: Counter = Counter()  # rows per tuple of result codes
    for tv in view.tasks:
        results = tv.results
        if not results:
            continue
        n = len(results)
        for item in tv.task.items:
            by_item[item_names.get(item, item)] += n
        by_year[str(tv.task.year)] += n
        code_counts.update(map(_CODE, results))
        result_sets.update(map(_RESULTS, results))
    by_unit_id: Counter = Counter()
    by_industry: Counter = Counter()
    codes = list(code_counts)
    column_of = getattr(model.enterprises, "column_of", None)
    if column_of is not None:  # a DirectoryTable: column-wise, no enterprise built
        units, industries = column_of(codes, "unit"), column_of(codes, "industry")
    else:
        found = [model.enterprises.get(code) for code in codes]
        units = [e.unit if e else None for e in found]
        industries = [e.industry if e else None for e in found]
    for code, unit, industry in zip(codes, units, industries, strict=True):
        if unit is not None:
            n = code_counts[code]
            by_unit_id[unit] += n
            by_industry[industry] += n
    by_unit: Counter = Counter()
    for unit, n in by_unit_id.items():
        by_unit[labels.unit_name(model, unit)] += n
    by_code: Counter = Counter()
    canonical = model.vocab.results.canonical
    for codes, n in result_sets.items():
        for c in {canonical(c) for c in codes}:  # variants of one value count once
            by_code[c] += n
    result_labels = labels.term_labels(model.vocab.results)
    by_result: Counter = Counter()
    for c, n in by_code.items():
        by_result[result_labels.get(c, c)] += n
    kinds = Counter(tv.publication.kind for tv in view.tasks)
    return Stats(
        tasks=len(view.tasks),
        announced=sum(1 for tv in view.tasks if tv.announce),
        published=sum(1 for tv in view.tasks if tv.published),
        inspected=code_counts.total(),
        enterprises=len(code_counts),
        on_time=kinds[v.ON_TIME],
        late=kinds[v.LATE],
        overdue=kinds[v.OVERDUE],
        by_item=_sorted(by_item),
        by_unit=_sorted(by_unit),
        by_industry=_sorted(by_industry),
        by_year=sorted(by_year.items()),
        by_result=_sorted(by_result),
    )
