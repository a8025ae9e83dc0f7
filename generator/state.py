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
# protocol 2 adds recusals-selected.csv (the selected enterprises' recusal rows) and people.csv
REVEALED_PUBLIC_FILES = ("code.txt", "cutoffs.csv", "exclusions.csv", "recusals-selected.csv",
                         "people.csv")  # + listing*.csv
REVEALED_AUDIT_FILES = ("selected.csv", "exclusions.csv", "recusals-selected.csv", "people.csv")
PUBLISHED_FILES = ("results.csv", "imported.csv")  # imported.csv: an imported list (名单来源)


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
    imports: tuple[Mapping, ...] = ()  # an imported list and its corrections, in log order
    all: tuple[Mapping, ...] = field(default=())

    @property
    def imported(self) -> Mapping | None:
        """The latest import entry: the list in force."""
        return self.imports[-1] if self.imports else None

    @property
    def revealed(self) -> bool:
        return self.reveal is not None

    @property
    def published(self) -> bool:
        return self.publish is not None

    @property
    def publishes(self) -> tuple[Mapping, ...]:
        """Every publish entry in log order: the first publication, then its corrections."""
        return tuple(e for e in self.all if e["type"] == "publish")

    @property
    def first_publish(self) -> Mapping | None:
        """The first publication: its date counts for timeliness (a correction keeps it)."""
        return next((e for e in self.all if e["type"] == "publish"), None)


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
        imports=tuple(e for e in mine if e["type"] == "import"),
        all=tuple(mine),
    )


def task_state(task: Task, entries: TaskEntries, as_of: dt.date) -> TaskState:
    """The state of ``task`` as of ``as_of``, given its entries visible as of that date."""
    if entries.cancel is not None:
        return TaskState.CANCELLED
    if entries.publish is not None:
        return TaskState.PUBLISHED
    if task.imported:  # no commitment: announced on its date, "drawn" once its list is imported
        if as_of < task.announce_date:
            return TaskState.PLANNED
        if entries.imported is None:
            return TaskState.ANNOUNCED
    elif entries.announce is None or as_of < task.announce_date:
        return TaskState.PLANNED
    elif entries.draw is None:
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


# ---------------------------------------------------------------------------------------------
# The public view (what the site shows) and the checks' draw context, from the draw record.


def _calendar_context(model, as_of: dt.date, published, cancelled):
    from .checks.context import CheckContext

    return CheckContext.for_model(model, as_of, published=published, cancelled=cancelled)


def _published_dates(tasks_entries: Mapping[str, TaskEntries]) -> dict[str, dt.date]:
    """Each published task's first publication date: a correction (更正) keeps the original date."""
    return {t: beijing_date(e.first_publish) for t, e in tasks_entries.items()
            if e.first_publish is not None}


def _listing_rows(data: bytes):
    from .protocol.listing import parse_listing
    from .site.view import ListingRow

    return tuple(
        ListingRow(ln.code, ln.stratum, ln.ticket, tuple(ln.inspectors), tuple(ln.experts), ln.fallback)
        for ln in parse_listing(data)
    )


def plan_fields(task: Task) -> Task:
    """The task as its plan entry shows it: name, year, departments, items, type, timing and
    where its list comes from; no population, strata, inspectors' rules, sources or notes."""
    import dataclasses

    from .model import Scope

    return dataclasses.replace(
        task, population=(), strata=(), scope=Scope("all"), expertise=(), experts_count=0,
        experts_expertise=(), exclusion_rules=(), sources=(), n=1, completion_date=None,
        redraw_of=None, description="", provenance=None, item_authorities=())


def imported_rows(data: bytes):
    """The rows of a published imported list (``imported.csv``: code,inspectors)."""
    from .site.view import ListingRow

    out = []
    for line in data.decode("utf-8").splitlines()[1:]:
        code, _, ids = line.partition(",")
        out.append(ListingRow(code, "", "", tuple(i for i in ids.split(";") if i)))
    return tuple(out)


def _strata_views(task: Task, entries: TaskEntries, files: Mapping[str, bytes]):
    from .protocol.canonical import parse_csv
    from .site.view import StratumView

    if entries.announce is None:
        return ()
    revealed: dict[str, tuple] = {}
    if "cutoffs.csv" in files:
        for label, n, k, cutoff in parse_csv("cutoffs.csv", files["cutoffs.csv"]):
            revealed[label] = (n, k, cutoff or None)
    out = []
    for i, s in enumerate(entries.announce.get("strata", ()), start=1):
        name = task.strata[i - 1].name if i - 1 < len(task.strata) else s["label"]
        n, k, cutoff = revealed.get(s["label"], (None, None, None))
        out.append(StratumView(s["label"], name, s["N_before"], n, k, cutoff))
    return tuple(out)


def _commitment_overdue(task: Task, entries: TaskEntries, ctx, deadline_workdays: int) -> bool:
    """A commitment not revealed by its deadline (PROTOCOL §7: cancel → 20 working days;
    a completed task → its publication deadline)."""
    from .workdays import CalendarGapError

    if entries.announce is None or entries.reveal is not None:
        return False
    try:
        if entries.cancel is not None:
            due = ctx.calendar.add_workdays(beijing_date(entries.cancel), deadline_workdays)
        elif entries.draw is not None and task.completion_date is not None:
            due = ctx.calendar.add_workdays(task.completion_date, deadline_workdays)
        else:
            return False
    except CalendarGapError:
        return False
    return ctx.as_of > due


def public_view(model, data_dir, as_of: dt.date, record=None):
    """What the site may show as of ``as_of`` (a ``generator.site.view.PublicView``)."""
    from .checks.deadlines import publication_status
    from .draws.record import log_prefix_files, read_record, stored_inputs
    from .protocol.snapshots import STORE
    from .site.view import Embargo, Publication, PublicView, StoredFile, TaskView
    from .tlog.anchors import AnchorContext, anchor_status
    from .verifier.bundle import build_verify_py

    record = record or read_record(data_dir)
    shown = visible(record.entries, as_of)
    size = len(shown) if len(shown) == len(record.entries) else _prefix_size(record.entries, shown)
    log_files = log_prefix_files(record, size)
    anchors = AnchorContext(log_files)
    by_task = {t.id: task_entries(shown, t.id) for t in model.tasks}
    ctx = _calendar_context(model, as_of, _published_dates(by_task),
                            frozenset(t for t, e in by_task.items() if e.cancel is not None))
    views = []
    embargo_codes: set[str] = set()
    public_codes: set[str] = set()
    embargo_ids: set[str] = set()
    public_ids: set[str] = set()
    secrets: set[str] = set()
    snapshots: dict[str, bytes] = {}
    for task in model.tasks:
        entries = by_task[task.id]
        bundle = record.bundles.get(task.id, {})
        names = public_file_names(task, entries, bundle)
        files = {n: bundle[n] for n in names}
        state = task_state(task, entries, as_of)
        # DESIGN §2: before its announcement a task publishes nothing unless its plan entry is
        # public (计划公开), and then only the plan's fields.
        planned = state is TaskState.PLANNED
        stored = {}  # inputs kept once in the snapshot store: public from the announcement on
        if entries.announce is not None and not planned:
            for name, (sha, rows, store_files) in stored_inputs(record, entries.announce, bundle).items():
                paths = tuple(f"{STORE}/{f}" for f in store_files)
                stored[name] = StoredFile(name, sha, rows, paths)
                for f, path in zip(store_files, paths, strict=True):
                    snapshots[path] = record.snapshots[f]
        published = state is TaskState.PUBLISHED
        listing = _listing_rows(files["listing.csv"]) if published and "listing.csv" in files else None
        if published and listing is None and "selected.csv" in files:  # audit mode
            from .protocol.canonical import parse_csv
            from .site.view import ListingRow

            listing = tuple(ListingRow(c, "", "", tuple(i), tuple(x))
                            for c, i, x in parse_csv("selected.csv", files["selected.csv"]))
        if published and listing is None and "imported.csv" in files:
            listing = imported_rows(files["imported.csv"])
        results = tuple(model.results.get(task.id, ())) if published else None
        status = publication_status(task, ctx, model.portal.deadline_workdays)
        if planned and task.plan_public:
            views.append(TaskView(task=plan_fields(task), state=state, plan_only=True))
        elif not planned:
            views.append(TaskView(
                task=task, state=state,
                announce=entries.announce, draw=entries.draw, reveal=entries.reveal,
                publish=entries.publish, cancel=entries.cancel, publishes=entries.publishes,
                reassign=entries.reassigns, audit=entries.audits,
                files=files, stored=stored, strata=_strata_views(task, entries, files),
                listing=listing, results=results,
                deadline=status.deadline,
                publication=Publication(status.kind, status.deadline, status.published, status.workdays_late),
                reassign_count=len(entries.reassigns),
                commitment_overdue=_commitment_overdue(task, entries, ctx, model.portal.deadline_workdays),
                imports=entries.imports,
                completion_overdue=(state is TaskState.INSPECTING and task.completion_date is None
                                    and as_of > task.inspect_end),
                anchor=anchor_status(log_files, entries.announce, anchors) if entries.announce else None,
            ))
        # Embargo: what the office's folder holds about this task that is not public yet.
        hidden_listing = bundle.get("listing.csv") if listing is None else None
        codes = {r.code for r in model.results.get(task.id, ())}
        ids: set[str] = set()
        if hidden_listing:
            for row in _listing_rows(hidden_listing):
                codes.add(row.code)
                ids.update(row.inspector_ids)
                secrets.add(row.ticket)
        if listing is not None:
            public_codes.update(r.code for r in listing)
            for r in listing:
                public_ids.update(r.inspector_ids)
        else:
            embargo_codes.update(codes)
            embargo_ids.update(ids)
        if entries.reveal is None and "code.txt" in bundle:
            secrets.add(bundle["code.txt"].decode("ascii", "replace").strip())
    embargo_codes -= public_codes
    names = {model.enterprises[c].name for c in embargo_codes if c in model.enterprises}
    names |= {i.name for i in model.inspectors if i.id in embargo_ids - public_ids}
    return PublicView(
        as_of=as_of,
        tasks=tuple(views),
        log_files=log_files,
        snapshots=snapshots,
        verify_py=build_verify_py(),
        embargo=Embargo(frozenset(embargo_codes), frozenset(names), frozenset(secrets)),
    )


def _prefix_size(entries, shown) -> int:
    """Entries are visible by time and times never decrease, so the visible ones are a prefix."""
    n = 0
    for a, b in zip(entries, shown, strict=False):
        if a is not b and a != b:
            break
        n += 1
    return n


def check_context_extras(data_dir, model, as_of: dt.date, secrets_dir=None):
    """Draw information for ``gongshi check``: selections and groups (revealed listings, and
    on the office's machine the not-yet-revealed ones under ``secrets/``), publication dates,
    drawn and cancelled tasks, all as of ``as_of``."""
    from pathlib import Path

    from .draws.record import read_record
    from .protocol.listing import parse_listing

    record = read_record(data_dir)
    shown = visible(record.entries, as_of)
    by_task = {t.id: task_entries(shown, t.id) for t in model.tasks}
    secrets_root = Path(secrets_dir) if secrets_dir else Path(data_dir).resolve().parent / "secrets"
    selections: dict[str, frozenset[str]] = {}
    groups: dict[str, dict[str, tuple[str, ...]]] = {}
    for task_id, entries in by_task.items():
        if entries.draw is None or entries.draw.get("status") != "ok":
            continue
        listing = record.bundles.get(task_id, {}).get("listing.csv")
        if listing is None:
            folder = secrets_root / task_id
            names = sorted((p for p in folder.glob("listing-*.csv")),
                           key=lambda p: int(p.stem.split("-")[1])) if folder.is_dir() else []
            listing = names[-1].read_bytes() if names else None
        if listing is None:
            continue
        lines = parse_listing(listing)
        selections[task_id] = frozenset(ln.code for ln in lines)
        groups[task_id] = {ln.code: tuple(ln.inspectors) for ln in lines}
    return {
        "selections": selections,
        "groups": groups,
        # No log at all: publication is unknown (the office does not draw with gongshi yet).
        "published": _published_dates(by_task) if record.log_bytes else None,
        "drawn": frozenset(t for t, e in by_task.items() if e.draw is not None),
        "cancelled": frozenset(t for t, e in by_task.items() if e.cancel is not None),
        "draw_dates": {t: beijing_date(e.draw or e.imports[0]) for t, e in by_task.items()
                       if e.draw is not None or e.imports},
    }
