"""Generated pages: the model and the public view in, page HTML out.

Pages are rendered with Jinja2 (autoescape on) straight to HTML, so no office value is ever
interpreted as Markdown. The MkDocs plugin wraps each page in the Material layout, out of the
navigation (DESIGN §9).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..model import Model, TaskState
from . import kinds, labels, stats, summary, svg
from . import view as v

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str  # e.g. "tasks/2023-01/index.md"
    title: str  # plain text; escaped by the plugin
    html: str  # page content (already escaped)
    indexed: bool = False  # searched by Pagefind


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.globals.update(zip=zip, L=labels, K=kinds, PUBLICATION=labels.PUBLICATION, TaskState=TaskState)
    env.filters["d"] = labels.date
    env.filters["bj"] = labels.beijing_time
    env.filters["size"] = lambda n: f"{n:,} 字节"
    env.filters["sha256"] = lambda b: hashlib.sha256(b).hexdigest()
    return env


def _root(src_uri: str) -> str:
    depth = src_uri.count("/")  # "tasks/x/index.md" -> 2
    return "../" * depth


def _events(view: v.PublicView) -> list[dict]:
    """Announcements and result publications, newest first (home and feed)."""
    events = []
    for tv in view.tasks:
        if tv.announce:
            events.append({"time": tv.announce["time"], "kind": "公告", "tv": tv})
        if tv.publish:
            events.append({"time": tv.publish["time"], "kind": "结果公示", "tv": tv})
        if tv.cancel:
            events.append({"time": tv.cancel["time"], "kind": "取消", "tv": tv})
    events.sort(key=lambda e: (e["time"], e["tv"].task.id), reverse=True)
    return events


def _histories(model: Model, view: v.PublicView) -> dict[str, list[dict]]:
    """Per enterprise code, its published inspections across tasks (date order)."""
    out: dict[str, list[dict]] = {}
    get = out.get
    for tv in view.tasks:
        if not tv.published:
            continue
        for r in tv.results or ():
            rows = get(r.code)
            if rows is None:
                out[r.code] = [{"tv": tv, "result": r}]
            else:
                rows.append({"tv": tv, "result": r})
    for rows in out.values():
        if len(rows) > 1:
            rows.sort(key=lambda x: (x["result"].inspected, x["tv"].task.id))
    return out


def _people(tv: v.TaskView) -> dict[str, tuple[str, str, str]]:
    """``people.csv`` of a revealed protocol-2 task: id → (name, unit, 执法证号)."""
    from ..protocol.canonical import parse_csv

    data = tv.files.get("people.csv")
    if not data:
        return {}
    return {pid: (name, unit, badge) for pid, name, unit, badge in parse_csv("people.csv", data)}


def _task_rows(model: Model, tv: v.TaskView) -> list[dict]:
    """The 检查结果公告 rows: listing joined with results and the roster."""
    if not tv.published:
        return []
    results = {r.code: r for r in tv.results or ()}
    cutoffs = {s.label: s.cutoff for s in tv.strata}
    shown = _people(tv)  # protocol 2: the names the reveal entry's people_sha256 binds
    rows = []
    for line in sorted(tv.listing or (), key=lambda r: (r.ticket, r.code)):
        ent = model.enterprises.get(line.code)
        inspectors = []
        for pid in line.inspector_ids:
            insp = model.inspector(pid)
            if pid in shown:
                name, unit, badge = shown[pid]
                inspectors.append({"id": pid, "name": name, "unit": unit, "badge": badge})
            elif insp:
                inspectors.append({"id": pid, "name": insp.name,
                                   "unit": labels.unit_name(model, insp.unit),
                                   "badge": insp.badge})
            else:
                inspectors.append({"id": pid, "name": pid, "unit": "", "badge": ""})
        experts = []
        for eid in line.expert_ids:
            ex = model.expert(eid)
            if eid in shown:
                experts.append({"id": eid, "name": shown[eid][0], "org": shown[eid][1]})
                continue
            experts.append({"id": eid, "name": ex.name if ex else eid,
                            "org": ex.organisation if ex else ""})
        rows.append({
            "line": line, "ent": ent, "name": ent.name if ent else "",
            "result": results.get(line.code), "inspectors": inspectors, "experts": experts,
            "cutoff": cutoffs.get(line.stratum),
            "audit": tv.task.mode == "audit",
        })
    return rows


def _published_numbers(tv: v.TaskView) -> dict | None:
    raw = tv.files.get("sources.json")
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _log_entries(view: v.PublicView) -> list[dict]:
    raw = view.log_files.get("log/draws.jsonl", b"")
    entries = []
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.strip():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return entries


class Renderer:
    """Renders every generated page; bulk pages (tasks, enterprises) one at a time by key.

    The fast path (``generator.site.fastpath``) renders the bulk pages in worker processes
    and wraps them in a Material shell; ``render_pages`` renders everything for MkDocs.
    """

    def __init__(self, model: Model, view: v.PublicView) -> None:
        self.model = model
        self.view = view
        self.env = _env()
        self.st = stats.compute(model, view)
        self.histories = _histories(model, view)
        self.log_entries = _log_entries(view)
        self.task_entries: dict[str, list[dict]] = {}  # a task's entries, in log order
        for e in self.log_entries:
            if isinstance(e.get("task"), str):
                self.task_entries.setdefault(e["task"], []).append(e)
        self.common = {"model": model, "view": view, "portal": model.portal,
                       "as_of": view.as_of, "st": self.st}
        self.tasks = {tv.task.id: tv for tv in view.tasks}

    def _page(self, src: str, template: str, title: str, indexed: bool = False,
              **ctx) -> GeneratedPage:
        html = self.env.get_template(template).render(root=_root(src), title=title,
                                                      **self.common, **ctx)
        return GeneratedPage(src, title, html, indexed)

    # -- bulk pages -------------------------------------------------------------------------

    def bulk_sources(self) -> list[str]:
        """Source paths of the bulk pages: every task page, every enterprise page."""
        return ([f"tasks/{tv.task.id}/index.md" for tv in self.view.tasks]
                + [f"enterprises/{code}/index.md" for code in sorted(self.histories)])

    def bulk(self, src: str) -> GeneratedPage:
        section, key = src.split("/")[:2]
        return self.task_page(self.tasks[key]) if section == "tasks" \
            else self.enterprise_page(key)

    def task_page(self, tv: v.TaskView) -> GeneratedPage:
        model = self.model
        entries = self.task_entries.get(tv.task.id, [])
        chart = (svg.bar_chart(stats.result_counts(model, tv), "检查结果分布")
                 if tv.published else Markup(""))
        return self._page(
            f"tasks/{tv.task.id}/index.md", "task.html", tv.task.title, indexed=True, tv=tv,
            rows=_task_rows(model, tv), pub_numbers=_published_numbers(tv), chart=chart,
            result_counts=stats.result_counts(model, tv), entries=entries,
            rules=list(zip(tv.task.strata, tv.strata, strict=False)))

    def enterprise_page(self, code: str) -> GeneratedPage:
        ent = self.model.enterprises.get(code)
        name = ent.name if ent else code
        return self._page(f"enterprises/{code}/index.md", "enterprise.html", name,
                          indexed=True, code=code, ent=ent, name=name,
                          history=self.histories[code])

    # -- the few section pages (rendered through MkDocs) --------------------------------------

    def section_pages(self) -> list[GeneratedPage]:
        model, view, st = self.model, self.view, self.st
        portal = model.portal
        by_year: dict[int, list[v.TaskView]] = {}
        for tv in sorted(view.tasks, key=lambda t: (t.task.announce_date, t.task.id),
                         reverse=True):
            by_year.setdefault(tv.task.year, []).append(tv)
        awaiting = [
            tv for tv in view.tasks
            if tv.publication.kind in (v.DUE, v.OVERDUE) or tv.state in (
                TaskState.DRAWN, TaskState.INSPECTING, TaskState.COMPLETED)
        ]
        awaiting.sort(key=lambda tv: (tv.deadline is None, tv.deadline or tv.task.inspect_end,
                                      tv.task.id))
        verifiable = [tv for tv in view.tasks if tv.published and tv.task.mode == "public"
                      and "code.txt" in tv.files]
        page = self._page
        charts = {
            "by_item": svg.bar_chart(st.by_item, "按抽查事项统计检查户次"),
            "by_unit": svg.bar_chart(st.by_unit, "按所属监管所统计检查户次"),
            "by_industry": svg.bar_chart(st.by_industry, "按行业统计检查户次"),
            "by_year": svg.bar_chart(st.by_year, "按年度统计检查户次"),
            "by_result": svg.bar_chart(st.by_result, "检查结果分布", unit="次"),
        }
        return [
            page("index.md", "home.html", portal.office_name + " 双随机抽查公示",
                 events=_events(view)[:8], awaiting=awaiting),
            page("tasks/index.md", "tasks.html", "抽查任务", by_year=by_year),
            page("items/index.md", "items.html", "抽查事项清单"),
            page("log/index.md", "log.html", "抽取日志", entries=self.log_entries,
                 tiles=sorted(n for n in view.log_files if n.startswith("log/tile/"))),
            page("verify/index.md", "verify.html", "在线核验", verifiable=verifiable),
            page("stats/index.md", "stats.html", "统计", charts=charts,
                 summaries=[summary.summarise(model, view, y) for y in summary.years(view)],
                 summary_columns=summary.COLUMNS),
            page("data/index.md", "data.html", "开放数据",
                 published=[tv for tv in view.tasks if tv.published]),
            page("search/index.md", "search.html", "检查结果查询"),
        ] + self.plan_pages()

    def plan_pages(self) -> list[GeneratedPage]:
        """年度抽查计划: the plans the office marked public (none: no page)."""
        plans = sorted((p for p in self.model.plans if p.public), key=lambda p: p.year, reverse=True)
        if not plans:
            return []
        return [self._page("plan/index.md", "plan.html", "年度抽查计划", plans=plans,
                           shown=set(self.tasks))]


def render_pages(model: Model, view: v.PublicView) -> list[GeneratedPage]:
    """Every generated page (section pages first, then tasks, then enterprises)."""
    r = Renderer(model, view)
    return r.section_pages() + [r.bulk(src) for src in r.bulk_sources()]
