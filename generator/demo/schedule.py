"""The replay schedule of the demo's draws: what the office did, and when.

The lead's replay script walks :func:`demo_events` in order with an injected clock: ``commit``
announces a task, ``draw`` feeds it the published lottery numbers (one string per source, typed
as the lottery prints them), ``cancel``, ``reveal`` and ``publish`` do what they say. After a
``draw`` of a task whose :attr:`DemoEvent.results` is true, the replay calls
:func:`generator.demo.results.write_results` with the selected codes, before that task's
``publish``.

Only events up to the demo's as-of date (2023-12-29, Beijing) are listed: 2023-07's sources
are drawn in January 2024.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .district import AS_OF
from .tasks import BEIJING, IMPORTED_TASKS, TASKS

KINDS = ("commit", "import", "draw", "reassign", "cancel", "reveal", "publish")


@dataclass(frozen=True)
class DemoEvent:
    kind: str  # commit | import | draw | reassign | reveal | publish | cancel
    task: str
    time: dt.datetime  # UTC, tz-aware
    numbers: list[str] | None = None  # draw: one space-separated string per source, in order
    reason: str | None = None  # cancel: the reason (free text); reassign: recusal | unavailable
    protocol: int = 1  # commit: the task's protocol version
    results: bool = False  # draw: the office records results for this task afterwards
    results_seed: int | None = None  # draw: the rng_seed to pass to write_results


def results_seed(task_id: str) -> int:
    """A fixed per-task seed for :func:`write_results` (no hash(), no clock)."""
    year, _, number = task_id.partition("-")
    return int(year) * 1000 + int(number or 0)


def _utc(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC)


def demo_events(as_of: dt.date = AS_OF) -> list[DemoEvent]:
    """Every office action up to the end of ``as_of`` (Beijing time), in time order."""
    events: list[DemoEvent] = []
    for plan in TASKS:
        events.append(DemoEvent("commit", plan.id, _utc(plan.announce), protocol=plan.protocol))
        for when, why in plan.reassign:
            events.append(DemoEvent("reassign", plan.id, _utc(when), reason=why))
        if plan.cancel is not None:
            events.append(
                DemoEvent("cancel", plan.id, _utc(plan.cancel), reason=plan.cancel_reason)
            )
        if plan.draw is not None:
            events.append(
                DemoEvent(
                    "draw",
                    plan.id,
                    _utc(plan.draw),
                    numbers=[s.numbers() for s in plan.sources],
                    results=plan.results,
                    results_seed=results_seed(plan.id) if plan.results else None,
                )
            )
        if plan.reveal is not None:
            events.append(DemoEvent("reveal", plan.id, _utc(plan.reveal)))
        if plan.publish is not None:
            events.append(DemoEvent("publish", plan.id, _utc(plan.publish)))
    for plan in IMPORTED_TASKS:  # lists drawn elsewhere: imported, then published
        events.append(DemoEvent("import", plan.id, _utc(plan.imported), results=plan.results,
                                results_seed=results_seed(plan.id)))
        if plan.publish is not None:
            events.append(DemoEvent("publish", plan.id, _utc(plan.publish)))
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(0), BEIJING)
    events = [e for e in events if e.time < end]
    order = {k: i for i, k in enumerate(KINDS)}
    events.sort(key=lambda e: (e.time, e.task, order[e.kind]))
    return events
