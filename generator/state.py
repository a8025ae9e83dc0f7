"""Task states and what is public as of a date (DESIGN §2, PROTOCOL §9 and §11).

Pure functions over the model and the draw log's entries: no file is read here. The state of a
task as of a date depends only on the task file's dates and the times of its log entries, so a
build with the same data and ``--as-of`` is reproducible.

A log entry counts as of a date when its time, read in Beijing time (UTC+8), falls on or before
that date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .model import Task, TaskState

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

# Files of a task's public bundle (PROTOCOL §11) by the event that makes them public.
ANNOUNCED_FILES = ("params.json", "directory.csv", "roster.csv", "experts.csv")
DRAWN_FILES = ("sources.json",)
REVEALED_PUBLIC_FILES = ("code.txt", "cutoffs.csv", "exclusions.csv")  # + listing*.csv
REVEALED_AUDIT_FILES = ("selected.csv", "exclusions.csv")
PUBLISHED_FILES = ("results.csv",)


def entry_time(entry: Mapping) -> dt.datetime:
    """The entry's time (``YYYY-MM-DDTHH:MM:SSZ``) as an aware UTC datetime."""
    return dt.datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def beijing_date(entry: Mapping) -> dt.date:
    return entry_time(entry).astimezone(BEIJING).date()


def visible(entries: Iterable[Mapping], as_of: dt.date) -> list[Mapping]:
    """The entries whose Beijing date is on or before ``as_of``, in log order."""
    return [e for e in entries if beijing_date(e) <= as_of]


@dataclass(frozen=True)
class TaskEntries:
    """A task's log entries visible as of a date, by type."""

    announce: Mapping | None = None
    draw: Mapping | None = None
    reveal: Mapping | None = None
    publish: Mapping | None = None  # the last publish counts
    cancel: Mapping | None = None
    reassigns: tuple[Mapping, ...] = ()
    audits: tuple[Mapping, ...] = ()
    all: tuple[Mapping, ...] = field(default=())

    @property
    def revealed(self) -> bool:
        return self.reveal is not None

    @property
    def published(self) -> bool:
        return self.publish is not None


def task_entries(entries: Iterable[Mapping], task_id: str) -> TaskEntries:
    """Group one task's entries. A redraw is its own task id, so entries never mix."""
    mine = [e for e in entries if e.get("task") == task_id]
    by_type: dict[str, Mapping] = {}
    for e in mine:
        by_type[e["type"]] = e  # the last of a type wins (matters only for publish)
    return TaskEntries(
        announce=by_type.get("announce"),
        draw=by_type.get("draw"),
        reveal=by_type.get("reveal"),
        publish=by_type.get("publish"),
        cancel=by_type.get("cancel"),
        reassigns=tuple(e for e in mine if e["type"] == "reassign"),
        audits=tuple(e for e in mine if e["type"] == "audit"),
        all=tuple(mine),
    )


def task_state(task: Task, entries: TaskEntries, as_of: dt.date) -> TaskState:
    """The state of ``task`` as of ``as_of``, given its entries visible as of that date."""
    if entries.cancel is not None:
        return TaskState.CANCELLED
    if entries.publish is not None:
        return TaskState.PUBLISHED
    if entries.announce is None or as_of < task.announce_date:
        return TaskState.PLANNED
    if entries.draw is None:
        return TaskState.ANNOUNCED
    if task.completion_date is not None and as_of >= task.completion_date:
        return TaskState.COMPLETED
    if as_of >= task.inspect_start:
        return TaskState.INSPECTING
    return TaskState.DRAWN


def public_file_names(task: Task, entries: TaskEntries, available: Iterable[str]) -> list[str]:
    """Which of the task's bundle files may be published, given its visible entries.

    ``available`` are the file names present in ``data/draws/<task>/``. The result never holds a
    file whose event is not yet visible; in audit mode it never holds the code, the listing or
    the cut-offs (PROTOCOL §9).
    """
    names = set(available)
    allowed: set[str] = set()
    if entries.announce is not None:
        allowed.update(ANNOUNCED_FILES)
    if entries.draw is not None:
        allowed.update(DRAWN_FILES)
    if entries.reveal is not None:
        if task.mode == "audit":
            allowed.update(REVEALED_AUDIT_FILES)
        else:
            allowed.update(REVEALED_PUBLIC_FILES)
            allowed.update(n for n in names if n.startswith("listing") and n.endswith(".csv"))
    if entries.publish is not None:
        allowed.update(PUBLISHED_FILES)
    return sorted(names & allowed)
