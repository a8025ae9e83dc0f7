"""Fast path for the bulk pages (task pages, enterprise pages), and incremental builds.

MkDocs costs about 3 ms per page (DESIGN §9). The bulk pages all share one Material layout
that depends only on the page's section, so MkDocs renders one *shell* page per section, with sentinel
title, address and content, and the fast path fills it per page: the Jinja2 content of the
page goes where the sentinel content was, the escaped title where the sentinel title was. The
result is the page MkDocs would have written (the equivalence is tested on the demo).

Pages are rendered in worker processes (``fork``: the model and view are inherited, not
pickled), each worker writing its own files and leak-scanning what it filled in (the shell is
scanned once). Incremental builds reuse (hard-link) every enterprise page of the previous
site whose inputs are unchanged; see :class:`BuildCache`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import operator
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import escape

from . import labels, leak, pages, search_index, standby

#: One shell per section of bulk pages (relative links to the section differ per section).
SECTIONS = ("tasks", "enterprises")
SHELL_KEY = "gs-shell-page-a7c3"
SHELL_SRCS = {f"{section}/{SHELL_KEY}/index.md": section for section in SECTIONS}
SHELL_URL = SHELL_KEY
SHELL_TITLE = "GSSHELLTITLEa7c3"
# "<h1": Material adds a heading of its own to pages without one; bulk pages have theirs.
SHELL_CONTENT = "<!--GSSHELLCONTENTa7c3 <h1 -->"
CACHE_VERSION = 7

_TITLE, _TITLE_TAG, _URL, _CONTENT = range(4)
_SENTINELS = re.compile("(" + "|".join(map(re.escape, (SHELL_TITLE, SHELL_URL,
                                                         SHELL_CONTENT))) + ")")
_CODE = [Path(__file__).with_name(n) for n in ("pages.py", "labels.py", "fastpath.py",
                                               "stats.py", "svg.py", "downloads.py")]


class Shell:
    """The Material layout of a depth-2 generated page, cut at the sentinels."""

    def __init__(self, html: str) -> None:
        self.html = html
        parts: list[str | int] = []
        pos = 0
        for m in _SENTINELS.finditer(html):
            parts.append(html[pos:m.start()])
            before = html[:m.start()]
            if m.group() == SHELL_TITLE:
                in_tag = before.rfind("<title>") > before.rfind("</title>")
                parts.append(_TITLE_TAG if in_tag else _TITLE)
            elif m.group() == SHELL_URL:
                parts.append(_URL)
            else:
                parts.append(_CONTENT)
            pos = m.end()
        parts.append(html[pos:])
        if parts.count(_CONTENT) != 1:
            raise ValueError("Material 页面模板中找不到唯一的内容位置（shell 页面）")
        self.parts = tuple(parts)
        # the constant parts encoded once: a page is the shell's bytes around its own
        self._encoded = tuple(_utf8(p) if isinstance(p, str) else p for p in parts)
        self.digest = hashlib.sha256(_utf8(html)).hexdigest()

    def _values(self, page: pages.GeneratedPage) -> dict[int, str]:
        # The plugin gives MkDocs the escaped title (page.meta["title"]); Material prints it
        # as is, in <title> (from page.meta.title) and in the header.
        if "<h1" not in page.html:
            raise ValueError(f"{page.src_uri}：快速生成的页面须有 <h1> 标题")
        title = str(escape(page.title))
        return {_TITLE: title, _TITLE_TAG: title,
                _URL: page.src_uri.split("/")[1], _CONTENT: page.html}

    def fill(self, page: pages.GeneratedPage) -> bytes:
        """The page's file: the shell with the page filled in, UTF-8 (a lone surrogate as a
        character reference); only what the page adds to the shell is encoded per page."""
        values = {k: _utf8(v) for k, v in self._values(page).items()}
        return b"".join(p if isinstance(p, bytes) else values[p] for p in self._encoded)

    def variable_text(self, page: pages.GeneratedPage) -> str:
        """What ``fill`` adds to the shell (leak-scanned per page; the shell once)."""
        title = str(escape(page.title))
        return "\n".join((title, page.src_uri, page.html))

    def constant_text(self) -> str:
        return "\n".join(p for p in self.parts if isinstance(p, str))


def _utf8(text: str) -> bytes:
    """A page's text as written: UTF-8, a lone surrogate as a character reference (such a
    character is replaced on its own, so the parts of a page can be encoded apart)."""
    return text.encode("utf-8", errors="xmlcharrefreplace")


def output_path(src: str) -> str:
    """``tasks/x/index.md`` -> ``tasks/x/index.html``."""
    return src[: -len(".md")] + ".html"


# -- fingerprints (incremental builds) -------------------------------------------------------

def _h(*parts: object) -> str:
    """A digest of ``parts``' repr: dataclasses, tuples, dicts, dates and text, no sets (whose
    order changes with the process hash seed; see :func:`_canonical`)."""
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def _canonical(value: object) -> object:
    """``value`` with every set in sorted order (a set's order depends on the per-process hash
    seed: its pickle or repr would differ from one build to the next)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,
                tuple((f.name, _canonical(getattr(value, f.name)))
                      for f in dataclasses.fields(value)))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted((_canonical(v) for v in value), key=repr)))
    if isinstance(value, dict):
        return ("dict", tuple((_canonical(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_canonical(v) for v in value)
    return value


def global_digest(renderer: pages.Renderer, shells: dict[str, Shell]) -> str:
    """Inputs shared by every bulk page: layout, templates, code, office, vocabularies, date."""
    h = hashlib.sha256()
    for path in sorted(pages.TEMPLATES.iterdir()) + _CODE:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    model = renderer.model
    h.update(_h(sorted((k, sh.digest) for k, sh in shells.items()),
                _canonical((model.portal, model.vocab)), renderer.view.as_of).encode())
    return h.hexdigest()


def _task_digests(renderer: pages.Renderer) -> dict[str, str]:
    """Per task, what an enterprise page shows of it (title, dates, type...)."""
    return {tv.task.id: _h(tv.task, labels.directed(tv.task)) for tv in renderer.view.tasks}


def _enterprise_fingerprint(renderer: pages.Renderer, task_fp: dict[str, str],
                            code: str) -> str:
    return _h(renderer.model.enterprises.get(code),
              [(task_fp[h["tv"].task.id], h["result"]) for h in renderer.histories[code]])


def enterprise_fingerprints(renderer: pages.Renderer, previous: BuildCache | None = None,
                            task_pages: dict[str, str] | None = None) -> dict[str, str]:
    """Per enterprise page: a digest of everything its template reads besides the globals.

    With the ``previous`` build's cache and this build's task page fingerprints
    (``task_pages``, which cover every task's results): when the directory is the one the
    previous build read (same content digest), only the enterprises of tasks whose page
    fingerprint changed, before or now, can have another fingerprint; the others keep theirs.
    """
    task_fp = _task_digests(renderer)
    directory = directory_digest(renderer)
    old_pages = previous.pages if previous is not None else {}
    if previous is None or task_pages is None or not directory \
            or previous.directory_digest != directory:
        return {f"enterprises/{code}/index.md": _enterprise_fingerprint(renderer, task_fp, code)
                for code in renderer.histories}
    changed = {src.split("/")[1] for src in set(task_pages) | set(previous.task_codes_srcs())
               if src.startswith("tasks/") and old_pages.get(src) != task_pages.get(src)}
    dirty: set[str] = set()
    for task in changed:
        dirty.update(previous.task_codes.get(task, ()))
    for task, codes in task_codes(renderer).items():
        if task in changed:
            dirty.update(codes)
    out = {}
    for code in renderer.histories:
        src = f"enterprises/{code}/index.md"
        old = old_pages.get(src)
        out[src] = (old if old is not None and code not in dirty
                    else _enterprise_fingerprint(renderer, task_fp, code))
    return out


def task_codes(renderer: pages.Renderer) -> dict[str, list[str]]:
    """Per task, the enterprises whose page shows it."""
    out: dict[str, list[str]] = {}
    for code, history in renderer.histories.items():
        for h in history:
            out.setdefault(h["tv"].task.id, []).append(code)
    return out


def directory_digest(renderer: pages.Renderer) -> str:
    """The directory's content digest (``DirectoryTable.digest``), or "" when it has none."""
    return str(getattr(renderer.model.enterprises, "digest", "") or "")


def task_fingerprints(renderer: pages.Renderer) -> dict[str, str]:
    """Per task page: its view (files by digest), the listed enterprises, roster, log entries.
    Also what the task's results downloads read (``downloads.write_results`` reuses them).
    The listed enterprises count by the directory's content digest when it has one (cheaper
    than looking each one up; any directory change then renders every task page again)."""
    model = renderer.model
    roster = _h(model.inspectors, model.experts, model.items)
    directory = directory_digest(renderer)
    out = {}
    for tv in renderer.view.tasks:
        files = sorted((n, hashlib.sha256(b).hexdigest()) for n, b in tv.files.items())
        codes = [line.code for line in tv.listing or ()]
        codes += sorted({r.code for r in tv.results or ()} - set(codes))
        listed = directory or [model.enterprises.get(code) for code in codes]
        out[f"tasks/{tv.task.id}/index.md"] = _h(
            dataclasses.replace(tv, files={}), files, listed, roster,
            renderer.task_entries.get(tv.task.id, []))
    return out


@dataclass
class BuildCache:
    """What the previous build of a site used; stored next to the site, never in it."""

    global_digest: str = ""
    scan_digest: str = ""
    search_digest: str = ""
    pages: dict[str, str] = field(default_factory=dict)
    # files the leak scanner found clean: <rel> -> sha256, valid under ``verdict_digest``
    verdict_digest: str = ""
    verdicts: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # every file of the site, sorted
    directory_digest: str = ""
    task_codes: dict[str, list[str]] = field(default_factory=dict)  # see task_codes()

    def task_codes_srcs(self) -> list[str]:
        return [f"tasks/{task}/index.md" for task in self.task_codes]

    @staticmethod
    def path_for(out: Path) -> Path:
        return out.parent / f".{out.name}.gongshi-cache.json"

    @classmethod
    def load(cls, out: Path) -> BuildCache | None:
        try:
            raw = json.loads(cls.path_for(out).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if raw.get("version") != CACHE_VERSION or not out.is_dir():
            return None
        return cls(raw["global"], raw["scan"], raw["search"], raw["pages"],
                   raw["verdict_digest"], raw["verdicts"], raw["files"], raw["directory"],
                   raw["task_codes"])

    def save(self, out: Path) -> None:
        path = self.path_for(out)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({
            "version": CACHE_VERSION, "global": self.global_digest, "scan": self.scan_digest,
            "search": self.search_digest, "pages": self.pages,
            "verdict_digest": self.verdict_digest,
            "verdicts": self.verdicts, "files": self.files,
            "directory": self.directory_digest, "task_codes": self.task_codes},
            sort_keys=True), "utf-8")
        os.replace(tmp, path)


# -- rendering in worker processes -----------------------------------------------------------

_WORK: dict = {}  # set in the parent before the workers fork


def _render_chunk(srcs: list[str]) -> tuple[list[leak.Leak], dict[str, str]]:
    renderer: pages.Renderer = _WORK["renderer"]
    shells: dict[str, Shell] = _WORK["shells"]
    root: Path = _WORK["root"]
    scanner: leak.Scanner | None = _WORK["scanner"]
    task_fp: dict[str, str] | None = _WORK["task_fp"]
    leaks: list[leak.Leak] = []
    fps: dict[str, str] = {}
    # A thread writes while this process renders the next pages (a folder and a file per page
    # cost kernel time, and a wait when the disk is busy).
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(WRITERS) as writers:
        pending = []
        for src in srcs:
            if task_fp is not None and src.startswith("enterprises/"):
                fps[src] = _enterprise_fingerprint(renderer, task_fp, src.split("/")[1])
            page = renderer.bulk(src)
            shell = shells[src.split("/", 1)[0]]
            data = shell.fill(page)
            rel = output_path(src)
            pending.append(writers.submit(_write, root / rel, data))
            if scanner is not None:
                text = shell.variable_text(page)
                leaks += leak.unique(scanner.scan_text(rel, text, personal=True))
        for done in pending:
            done.result()  # raises what a write raised
    return leaks, fps


#: Threads writing rendered pages, per rendering process. One: creating folders and files is
#: mostly kernel CPU here, which more threads only spend contending for the file system's locks
#: (city, quiet disk, pairs of runs: 4,063 and 2,515 pages/s with one writer, 2,684 and 2,170
#: with four; a bare create-and-write loop costs 30-90 % more system time with 2-4 threads).
WRITERS = 1


def _write(target: Path, data: bytes) -> None:
    standby.ensure_folder(target.parent)
    with open(target, "wb") as f:
        f.write(data)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def render_bulk(root: Path, renderer: pages.Renderer, shells: dict[str, Shell], srcs: list[str],
                scanner: leak.Scanner | None, workers: int | None = None,
                fingerprint: bool = False) -> tuple[list[leak.Leak], dict[str, str]]:
    """Render ``srcs`` into ``root``; returns the leaks found in what was filled in and, with
    ``fingerprint``, the rendered enterprise pages' fingerprints (computed by the workers)."""
    workers = workers or os.cpu_count() or 1
    _WORK.update(renderer=renderer, shells=shells, root=root, scanner=scanner,
                 task_fp=_task_digests(renderer) if fingerprint else None)
    try:
        if workers <= 1 or len(srcs) < 200:
            return _render_chunk(srcs)
        size = max(50, min(1000, len(srcs) // (workers * 8) or 1))
        leaks: list[leak.Leak] = []
        fps: dict[str, str] = {}
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers) as pool:
            for found, chunk_fps in pool.imap_unordered(_render_chunk, _chunks(srcs, size)):
                leaks += found
                fps.update(chunk_fps)
        return leaks, fps
    finally:
        _WORK.clear()


@dataclass
class BulkResult:
    rendered: int
    reused: int
    leaks: list[leak.Leak]
    cache: BuildCache
    carried: list[str]  # output paths of the reused pages


def build_bulk(root: Path, renderer: pages.Renderer, shells: dict[str, Shell],
               scanner: leak.Scanner | None, previous: BuildCache | None,
               previous_site: Path | None, link: bool = True) -> BulkResult:
    """All bulk pages into ``root``: render what changed, hard-link the rest from before
    (``link=False``: leave them out of ``root``, the caller carries them over; see
    :mod:`generator.site.standby`).

    A page is reused only when the previous build had the same global digest (layout,
    templates, code, office, vocabularies, date), the same leak rules and the same page
    fingerprint; anything else is rendered (and scanned) again.
    """
    gd = global_digest(renderer, shells)
    fps = task_fingerprints(renderer)
    reuse: list[str] = []
    can_reuse = (previous is not None and previous_site is not None
                 and previous.global_digest == gd
                 and (scanner is None or previous.scan_digest == scanner.digest))
    if can_reuse:
        fps |= enterprise_fingerprints(renderer, previous, fps)
        there = set(previous.files)  # type: ignore[union-attr]
        reuse = [src for src, fp in fps.items() if previous.pages.get(src) == fp  # type: ignore[union-attr]
                 and (output_path(src) in there if there
                      else (previous_site / output_path(src)).is_file())]  # type: ignore[operator]
    reused = set(reuse)
    carried = [output_path(src) for src in reuse]
    if link:
        standby.link_files(previous_site, root, carried)  # type: ignore[arg-type]
    todo = [src for src in renderer.bulk_sources() if src not in reused]
    # nothing to reuse: the enterprise pages' fingerprints (for the next build) are computed by
    # the workers that render them
    leaks, rendered_fps = render_bulk(root, renderer, shells, todo, scanner,
                                      fingerprint=not can_reuse)
    fps |= rendered_fps
    cache = BuildCache(gd, scanner.digest if scanner else "", "", fps,
                       directory_digest=directory_digest(renderer),
                       task_codes=task_codes(renderer))
    return BulkResult(len(todo), len(reuse), leaks, cache, carried)


# -- search: compact records, indexed by generator.site.search_index ---------------------------

def _task_records(renderer: pages.Renderer) -> list[search_index.Record]:
    model = renderer.model
    out = []
    for tv in renderer.view.tasks:
        t = tv.task
        out.append(search_index.Record(f"tasks/{t.id}/", t.title,
                                       f"{t.id} {t.year}年度 {labels.items(model, t)}", "抽查任务"))
    return out


def search_records(renderer: pages.Renderer) -> list[search_index.Record]:
    """One record per searchable page (tasks, enterprises): names and codes, not whole pages."""
    model = renderer.model
    out = _task_records(renderer)
    unit_names = {u.id: u.name for u in model.portal.units}
    for code in sorted(renderer.histories):
        ent = model.enterprises.get(code)
        if ent is None:
            out.append(search_index.Record(f"enterprises/{code}/", code, code, "", code))
            continue
        detail = " · ".join(x for x in (ent.entity_type, ent.industry,
                                        unit_names.get(ent.unit, ent.unit)) if x)
        out.append(search_index.Record(f"enterprises/{code}/", ent.name, code, detail, code))
    return out


def search_digest(records: list[search_index.Record]) -> str:
    """What the search index depends on: the records and the code that writes them."""
    h = hashlib.sha256(Path(search_index.__file__).read_bytes())
    fields = operator.attrgetter(*(f.name for f in dataclasses.fields(search_index.Record)))
    h.update(json.dumps([fields(rec) for rec in records], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def search_key(renderer: pages.Renderer) -> str:
    """What the search index depends on, cheaply: with the directory's content digest, the
    task records, that digest, the unit names and the enterprises' codes (the enterprise
    records are made of these; building them means looking up every enterprise), plus the
    code that makes and writes the records; without it, :func:`search_digest` of the records.
    """
    directory = directory_digest(renderer)
    if not directory:
        return search_digest(search_records(renderer))
    h = hashlib.sha256(b"by-directory-digest\0")
    for module in (search_index.__file__, __file__, labels.__file__):
        h.update(Path(module).read_bytes())
    fields = operator.attrgetter(*(f.name for f in dataclasses.fields(search_index.Record)))
    h.update(json.dumps([[fields(rec) for rec in _task_records(renderer)], directory,
                         sorted((u.id, u.name) for u in renderer.model.portal.units),
                         sorted(renderer.histories)], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def build_search(site_dir: Path, records: Callable[[], list[search_index.Record]],
                 previous_site: Path | None = None, reuse: bool = False,
                 link: bool = True) -> list[str]:
    """The search index of ``records()`` into ``site_dir``. ``reuse``: the previous site's index
    was written from the same records by the same code (equal :func:`search_key`); its files
    are hard-linked instead (the leak scan still reads them unless their bytes were found clean
    before), or with ``link=False`` left out for the caller to carry over (only when the leak
    rules are those the previous site was scanned with). Returns the reused files' paths."""
    old = previous_site / search_index.INDEX_DIR if previous_site is not None else None
    if reuse and old is not None and (old / "meta.json").is_file():
        rels = [f"{search_index.INDEX_DIR}/{rel}" for rel in leak.list_files(old)]
        if link:
            standby.link_files(previous_site, site_dir, rels)  # type: ignore[arg-type]
        return rels
    search_index.write_index(site_dir, records())
    return []


# -- sitemap ---------------------------------------------------------------------------------

def write_sitemap(site_dir: Path, urls: list[str], lastmod: str, epoch: int) -> None:
    """``sitemap.xml`` (+ ``.gz``) in MkDocs' format, listing every page."""
    import gzip

    from .feed import xml_text

    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in urls:
        lines.append(f"    <url>\n         <loc>{escape(xml_text(url))}</loc>\n"
                     f"         <lastmod>{lastmod}</lastmod>\n    </url>")
    lines.append("</urlset>")
    data = "\n".join(lines).encode("utf-8")
    (site_dir / "sitemap.xml").write_bytes(data)
    with open(site_dir / "sitemap.xml.gz", "wb") as f, gzip.GzipFile(
            fileobj=f, filename="sitemap.xml.gz", mode="wb", mtime=epoch) as gz:
        gz.write(data)
