"""MkDocs plugin ``gongshi``: loads and checks the office's records, adds the generated pages.

Works the same from ``gongshi build`` (which injects an already checked model and view) and from
plain ``mkdocs build`` / ``mkdocs serve`` (options ``data_dir`` and ``as_of``; environment
``GONGSHI_DATA`` and ``GONGSHI_AS_OF``). Generated pages are rendered to HTML by
``generator.site.pages`` and only wrapped by Material; they stay out of the navigation except
the few section pages that ``mkdocs.yml`` names. After the build, the search index is written
and the leak scanner checks every file; a leak fails the build.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import shutil
import threading
import time
from pathlib import Path

import jinja2
from markupsafe import escape
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from .findings import DataError
from .model import Model
from .site import downloads, fastpath, feed, labels, leak, pages, source, standby
from .site.view import PublicView

log = get_plugin_logger(__name__)


class GongshiConfig(Config):
    data_dir = c.Type(str, default="data")
    as_of = c.Type(str, default="")
    search = c.Type(bool, default=True)  # the search index (generator.site.search_index)
    leak_scan = c.Type(bool, default=True)
    # Bulk pages (tasks, enterprises) through the fast path: MkDocs renders one shell page,
    # generator.site.fastpath fills it per page in parallel. False: every page through MkDocs.
    fast_path = c.Type(bool, default=True)


class GongshiPlugin(BasePlugin[GongshiConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.prepared: tuple[Model, PublicView] | None = None  # set by gongshi build
        self.model: Model | None = None
        self.view: PublicView | None = None
        self.pages: dict[str, pages.GeneratedPage] = {}
        self.renderer: pages.Renderer | None = None
        self.shell_html: dict[str, str] = {}  # section -> the Material shell page
        self.sitemap: list[str] = []
        # incremental builds (set by gongshi build): the previous site and what it was built from
        self.previous_site: Path | None = None
        self.previous_cache: fastpath.BuildCache | None = None
        self.cache: fastpath.BuildCache | None = None  # for the next build
        # False: files reused from the previous site are not linked into this build's folder;
        # gongshi build carries them over (generator.site.standby). Their paths: ``carried``.
        self.link_carried = True
        self.carried: list[str] = []
        self.cache_dir: Path | None = None  # compiled leak rules of earlier builds
        # set by gongshi build: make a hard-link copy of the finished site there (the standby
        # of the next incremental build), during the leak scan (it costs file-system latency,
        # the scan CPU)
        self.standby_copy: Path | None = None
        self.leaks: list[leak.Leak] = []
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    # -- configuration --------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.prepared is not None:
            self.model, self.view = self.prepared
        else:
            data_dir = os.environ.get("GONGSHI_DATA") or self.config.data_dir
            if data_dir != source.FIXTURES and not os.path.isabs(data_dir):
                data_dir = os.path.join(os.path.dirname(config.config_file_path or "."), data_dir)
            self.watched_data_dir = data_dir if data_dir != source.FIXTURES else None
            try:
                as_of = source.resolve_as_of(os.environ.get("GONGSHI_AS_OF") or self.config.as_of)
                self.model, self.view, findings = source.load_view(data_dir, as_of)
            except DataError as exc:
                text = "\n".join(f.text() for f in exc.findings if f.is_error)
                raise PluginError(f"数据有错误，不能生成站点：\n{text}") from None
            except ValueError as exc:
                raise PluginError(str(exc)) from None
            for f in findings:
                log.warning(f.text())
        portal = self.model.portal
        # Material renders site_name unescaped: escape office text once here.
        config.site_name = str(escape(portal.short_name or portal.office_name))
        if not config.site_url and portal.site_url:
            config.site_url = portal.site_url
        config.extra["gongshi"] = {
            "office_name": str(escape(portal.office_name)),
            "demo": portal.demo,
            "as_of": labels.date(self.view.as_of),
        }
        # Reproducible sitemap dates and gzip mtime: the build date is the as-of date.
        midnight = dt.datetime.combine(self.view.as_of, dt.time(), dt.UTC)
        os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(midnight.timetuple()))
        return config

    def on_serve(self, server, config: MkDocsConfig, builder):
        """``mkdocs serve``: rebuild when the office edits its data, not only the pages."""
        data_dir = getattr(self, "watched_data_dir", None)
        if data_dir and os.path.isdir(data_dir):
            server.watch(data_dir)
        return server

    # -- files ------------------------------------------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.model is not None and self.view is not None
        self.renderer = pages.Renderer(self.model, self.view)
        self.shell_html = {}
        self.sitemap = []
        rendered = self.renderer.section_pages()
        if self.config.fast_path:
            rendered += [pages.GeneratedPage(src, fastpath.SHELL_TITLE, fastpath.SHELL_CONTENT)
                         for src in fastpath.SHELL_SRCS]
        else:
            rendered += [self.renderer.bulk(src) for src in self.renderer.bulk_sources()]
        self.pages = {p.src_uri: p for p in rendered}
        for page in rendered:
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(
                config, page.src_uri, content=_placeholder(page),
                inclusion=InclusionLevel.NOT_IN_NAV))
        t = time.perf_counter()
        static = downloads.build_downloads(self.model, self.view)
        static["feed.xml"] = feed.build_feed(self.model, self.view)
        self.timings["downloads"] = time.perf_counter() - t
        for path, content in sorted(static.items()):
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, path, content=content))
        return files

    def on_env(self, env, config: MkDocsConfig, files: Files):
        """Incremental builds keep the theme's compiled templates (Jinja2's bytecode cache:
        keyed by template name and source checksum, so an edited template is compiled again)."""
        if self.cache_dir is not None:
            folder = self.cache_dir / "jinja"
            folder.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
        return env

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return markdown
        page.meta["title"] = (generated.title if generated.src_uri in fastpath.SHELL_SRCS
                              else str(escape(generated.title)))
        page.meta["hide"] = ["navigation", "toc"] if generated.src_uri != "index.md" else ["toc"]
        return ""

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig,
                        files: Files) -> str:
        generated = self.pages.get(page.file.src_uri)
        return generated.html if generated is not None else html

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if page.file.src_uri in fastpath.SHELL_SRCS:
            self.shell_html[fastpath.SHELL_SRCS[page.file.src_uri]] = output
        else:
            self.sitemap.append(page.canonical_url or page.abs_url or "")
        return output

    # -- after the build --------------------------------------------------------------------

    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.model is not None and self.view is not None and self.renderer is not None
        site = Path(config.site_dir)
        renderer = self.renderer
        t = time.perf_counter()
        scanner = (leak.scanner_for(self.model, self.view, self.cache_dir)
                   if self.config.leak_scan else None)
        self.timings["leak_rules"] = time.perf_counter() - t
        verdicts = leak.verdict_digest(scanner) if scanner is not None else ""
        self.carried = []
        skip: set[str] = set()
        previous = self.previous_cache
        cache = fastpath.BuildCache(scan_digest=scanner.digest if scanner else "")
        if self.config.fast_path:
            t = time.perf_counter()
            if set(self.shell_html) != set(fastpath.SECTIONS):
                raise PluginError("Material 未生成 shell 页面，无法生成企业和任务页面")
            shells = {}
            for section, html in sorted(self.shell_html.items()):
                shutil.rmtree(site / section / fastpath.SHELL_KEY)
                shells[section] = fastpath.Shell(html)
                if scanner is not None:
                    self.leaks += scanner.scan_text(f"（{section} 页面模板）",
                                                    shells[section].constant_text())
            bulk = fastpath.build_bulk(site, renderer, shells, scanner, previous,
                                       self.previous_site, link=self.link_carried)
            self.leaks += bulk.leaks
            self.carried += bulk.carried
            for section in fastpath.SECTIONS:  # no empty folder when a section has no pages
                try:
                    (site / section).rmdir()
                except OSError:
                    pass
            cache = bulk.cache
            skip |= {fastpath.output_path(src) for src in renderer.bulk_sources()}
            self.counts.update(rendered=bulk.rendered, reused=bulk.reused)
            self.timings["bulk"] = time.perf_counter() - t
            base = config.site_url or "/"
            urls = self.sitemap + [base + fastpath.output_path(src)[: -len("index.html")]
                                   for src in renderer.bulk_sources()]
            midnight = dt.datetime.combine(self.view.as_of, dt.time(), dt.UTC)
            fastpath.write_sitemap(site, urls, self.view.as_of.isoformat(),
                                   calendar.timegm(midnight.timetuple()))
        t = time.perf_counter()
        results_files = downloads.write_results(site, self.model, self.view,
                                                reuse=self._reusable_results(cache))
        self.timings["downloads"] = self.timings.get("downloads", 0.0) + time.perf_counter() - t
        if self.config.search:
            t = time.perf_counter()
            cache.search_digest = fastpath.search_key(renderer)
            # carried over unscanned only when scanned with these very rules before
            self.carried += fastpath.build_search(
                site, lambda: fastpath.search_records(renderer), self.previous_site,
                reuse=previous is not None and previous.search_digest == cache.search_digest,
                link=self.link_carried or previous is None
                or previous.verdict_digest != verdicts)
            self.timings["search"] = time.perf_counter() - t
        copying = None
        if self.standby_copy is not None:
            copying = _Background(standby.clone, site, self.standby_copy, leak.list_files(site))
        try:
            self._scan(site, scanner, verdicts, previous, cache, skip, results_files)
        finally:
            if copying is not None:
                copying.result()
        self.cache = cache
        if self.leaks:
            shown = "\n".join(x.text() for x in self.leaks[:50])
            more = f"\n……共 {len(self.leaks)} 处" if len(self.leaks) > 50 else ""
            raise PluginError(f"发现不应公开的内容，站点未发布：\n{shown}{more}")

    def _reusable_results(self, cache: fastpath.BuildCache):
        """The previous site's ``data/<task>/`` for a task whose page fingerprint (which covers
        what its results files show) and global digest are unchanged, else None."""
        previous, site = self.previous_cache, self.previous_site
        if previous is None or site is None or previous.global_digest != cache.global_digest \
                or not cache.global_digest:
            return None

        def reuse(task_id: str) -> Path | None:
            src = f"tasks/{task_id}/index.md"
            fp = cache.pages.get(src)
            return site / "data" / task_id if fp and previous.pages.get(src) == fp else None

        return reuse

    def _scan(self, site: Path, scanner: leak.Scanner | None, verdicts: str,
              previous: fastpath.BuildCache | None, cache: fastpath.BuildCache,
              skip: set[str], results_files: list[str]) -> None:
        if scanner is not None:
            t = time.perf_counter()
            cache.verdict_digest = verdicts
            known = (previous.verdicts if previous is not None
                     and previous.verdict_digest == cache.verdict_digest else None)
            if known is not None:  # files carried over keep their verdicts
                cache.verdicts.update((rel, known[rel]) for rel in self.carried if rel in known)
            composed = {whole: [rel for rel in results_files
                                if rel.count("/") == 2 and rel.endswith(whole[len("data"):])]
                        for whole in ("data/results.csv", "data/results.json")}
            self.leaks += leak.scan(site, self.model, self.view, frozenset(skip), scanner,
                                    known=known, clean=cache.verdicts, composed=composed)
            self.timings["leak_scan"] = time.perf_counter() - t


class _Background(threading.Thread):
    """``fn(*args)`` in a thread; ``result()`` waits and raises what it raised."""

    def __init__(self, fn, *args) -> None:
        super().__init__(daemon=True)
        self._call = (fn, args)
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        fn, args = self._call
        try:
            fn(*args)
        except BaseException as exc:  # handed to the waiting thread
            self._error = exc

    def result(self) -> None:
        self.join()
        if self._error is not None:
            raise self._error


def _placeholder(page: pages.GeneratedPage) -> str:
    # The Markdown source of a generated page is never interpreted (see on_page_markdown);
    # it only names the page for MkDocs.
    return f"<!-- generated by gongshi: {page.src_uri} -->\n"
