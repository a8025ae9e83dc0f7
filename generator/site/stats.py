"""Figures for the home and statistics pages, computed from the public view only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..model import Model
from . import labels
from . import view as v


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
    for r in tv.results or ():
        counts.update(r.results)
    return [(t.label, counts[t.code]) for t in model.vocab.results.terms if counts[t.code]]


def compute(model: Model, view: v.PublicView) -> Stats:
    by_item: Counter = Counter()
    by_unit: Counter = Counter()
    by_industry: Counter = Counter()
    by_year: Counter = Counter()
    by_result: Counter = Counter()
    codes: set[str] = set()
    inspected = 0
    for tv in view.tasks:
        for r in tv.results or ():
            inspected += 1
            codes.add(r.code)
            ent = model.enterprises.get(r.code)
            for item in tv.task.items:
                item_obj = model.item(item)
                by_item[item_obj.name if item_obj else item] += 1
            if ent:
                by_unit[labels.unit_name(model, ent.unit)] += 1
                by_industry[ent.industry] += 1
            by_year[str(tv.task.year)] += 1
            by_result.update(model.vocab.results.label(c) for c in r.results)
    kinds = Counter(tv.publication.kind for tv in view.tasks)
    return Stats(
        tasks=len(view.tasks),
        announced=sum(1 for tv in view.tasks if tv.announce),
        published=sum(1 for tv in view.tasks if tv.published),
        inspected=inspected,
        enterprises=len(codes),
        on_time=kinds[v.ON_TIME],
        late=kinds[v.LATE],
        overdue=kinds[v.OVERDUE],
        by_item=_sorted(by_item),
        by_unit=_sorted(by_unit),
        by_industry=_sorted(by_industry),
        by_year=sorted(by_year.items()),
        by_result=_sorted(by_result),
    )
