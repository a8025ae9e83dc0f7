"""The fast path renders the bulk pages as MkDocs would; incremental builds equal full builds."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from site_helpers import _TMP, AS_OF, built_site, tree_hashes

from generator.site.build import build_site
from generator.site.source import FIXTURES

ROOT = Path(__file__).resolve().parents[1]
DEMO_AS_OF = dt.date(2023, 12, 29)


def _bulk(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for section in ("tasks", "enterprises")
                  for p in site.glob(f"{section}/*/index.html"))


def _text(html: str) -> str:
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _refs(html: str) -> list[str]:
    return re.findall(r"""(?:href|src)\s*=\s*["']([^"']*)""", html)


@pytest.fixture(scope="module")
def mkdocs_reference() -> Path:
    """The fixture site with every page rendered by MkDocs (the slow reference)."""
    return build_site(FIXTURES, AS_OF, _TMP / "all-mkdocs", fast_path=False)


def test_fast_path_pages_equal_mkdocs_pages(mkdocs_reference):
    fast = built_site()
    pages = _bulk(mkdocs_reference)
    assert pages and pages == _bulk(fast)
    for rel in pages:
        ref = (mkdocs_reference / rel).read_text("utf-8")
        got = (fast / rel).read_text("utf-8")
        assert _text(got) == _text(ref), rel
        assert _refs(got) == _refs(ref), rel
        assert got == ref, rel  # in fact byte for byte
    # the same set of files, the search index included
    assert set(tree_hashes(mkdocs_reference)) == set(tree_hashes(fast))


def test_fast_path_equals_mkdocs_on_the_demo(tmp_path):
    fast = build_site(str(ROOT / "data"), DEMO_AS_OF, tmp_path / "fast")
    slow = build_site(str(ROOT / "data"), DEMO_AS_OF, tmp_path / "slow", fast_path=False)
    pages = _bulk(slow)
    assert len(pages) > 100 and pages == _bulk(fast)
    for rel in pages:
        a, b = (slow / rel).read_text("utf-8"), (fast / rel).read_text("utf-8")
        assert _text(a) == _text(b) and _refs(a) == _refs(b), rel
        assert a == b, rel
    assert not list(fast.rglob("gs-shell-page*"))


def test_enterprise_pages_are_small():
    site = built_site()
    sizes = [p.stat().st_size for p in site.glob("enterprises/*/index.html")]
    assert sizes and max(sizes) <= 25 * 1024


def test_incremental_build_equals_full_build(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    out = tmp_path / "site"
    build_site(str(data), DEMO_AS_OF, out)
    results = data / "results" / "2023-01.csv"
    lines = results.read_bytes().decode("utf-8-sig").split("\n")
    assert ",2023-04-03," in lines[2]
    lines[2] = lines[2].replace(",2023-04-03,", ",2023-04-04,")  # one inspection date
    results.write_text("\n".join(lines), "utf-8")
    before = tree_hashes(out)
    index_inodes = {p.relative_to(out): p.stat().st_ino for p in (out / "search-index").rglob("*")
                    if p.is_file()}
    build_site(str(data), DEMO_AS_OF, out, incremental=True)
    full = build_site(str(data), DEMO_AS_OF, tmp_path / "full")
    after, reference = tree_hashes(out), tree_hashes(full)
    assert after == reference
    # the search records did not change (a date is not searched): the index was reused
    assert index_inodes == {p.relative_to(out): p.stat().st_ino
                            for p in (out / "search-index").rglob("*") if p.is_file()}
    changed_pages = {r for r in after if before.get(r) != after[r] and r.endswith(".html")}
    assert "tasks/2023-01/index.html" in changed_pages
    assert not any(r.startswith("tasks/2023-02") for r in changed_pages)
    assert len([r for r in changed_pages if r.startswith("enterprises/")]) >= 1


def test_incremental_build_rewrites_the_search_index_when_a_name_changes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    out = tmp_path / "site"
    build_site(str(data), DEMO_AS_OF, out)
    meta = (out / "search-index/meta.json").stat().st_ino
    directory = next((data / "directory").glob("*.csv"))
    raw = directory.read_bytes().decode("gb18030")
    published = (data / "results/2023-01.csv").read_text("utf-8-sig").splitlines()[1][:18]
    name = next(line.split(",")[1] for line in raw.splitlines() if line.startswith(published))
    directory.write_bytes(raw.replace(name, name + "新", 1).encode("gb18030"))
    build_site(str(data), DEMO_AS_OF, out, incremental=True)
    assert tree_hashes(out) == tree_hashes(build_site(str(data), DEMO_AS_OF, tmp_path / "full"))
    assert (out / "search-index/meta.json").stat().st_ino != meta


def test_fingerprints_from_the_workers_equal_the_parents(tmp_path):
    """A full build's cache holds the fingerprints its workers computed; they are the ones
    ``enterprise_fingerprints`` gives (else the next incremental build would reuse nothing)."""
    from generator.site import fastpath, pages
    from generator.site.source import load_view

    out = tmp_path / "site"
    build_site(str(ROOT / "data"), DEMO_AS_OF, out)
    cache = fastpath.BuildCache.load(out)
    model, view, _ = load_view(str(ROOT / "data"), DEMO_AS_OF)
    renderer = pages.Renderer(model, view)
    want = fastpath.task_fingerprints(renderer) | fastpath.enterprise_fingerprints(renderer)
    assert cache is not None and cache.pages == want and len(want) > 400


def test_shell_fill_encodes_like_mkdocs_writes_a_page():
    """A page's bytes are the shell's bytes around the page's own, encoded as MkDocs writes a
    page (UTF-8, a lone surrogate as a character reference), wherever it stands."""
    from generator.site import fastpath
    from generator.site.pages import GeneratedPage

    html = ("<html><head><title>" + fastpath.SHELL_TITLE + " - 公示台\ud83d</title></head>"
            "<body><a href='../" + fastpath.SHELL_URL + "/'>x</a><h1>"
            + fastpath.SHELL_TITLE + "</h1>" + fastpath.SHELL_CONTENT + "页脚</body></html>")
    shell = fastpath.Shell(html)
    page = GeneratedPage("enterprises/91110000X/index.md", "A&B 公司\udc00",
                         "<h1>A&amp;B 公司</h1><p>\ud800 内容 \U0001F600</p>", True)
    title = "A&amp;B 公司\udc00"
    expected = (html.replace(fastpath.SHELL_TITLE, title)
                .replace(fastpath.SHELL_URL, "91110000X")
                .replace(fastpath.SHELL_CONTENT, page.html))
    got = shell.fill(page)
    assert got == expected.encode("utf-8", errors="xmlcharrefreplace")
    assert b"&#55296;" in got and b"&#56320;" in got and b"&#55357;" in got
    assert "\U0001F600".encode() in got
    with pytest.raises(ValueError):
        shell.fill(GeneratedPage("enterprises/x/index.md", "x", "<p>无标题</p>", True))
