"""Renderer fuzzing: hostile text in every rendered field never changes the page structure.

A *benign* site (every field ``正常文本·HXnnn``) and *hostile* sites (fields from
``hostile_models.PAYLOADS`` and hypothesis-drawn text) are built with the real pipeline from the
code-built fixture. Escaping is correct exactly when every HTML page of a hostile site has the
same element structure as the benign one (same tags, same attribute names, in the same order),
no hostile value appears raw, every XML/JSON file parses and the open-data CSV keeps formula
cells neutralised. Each page type is also checked for the exact escaped form of a value.

Examples: ``GONGSHI_FUZZ_EXAMPLES`` (default 8), derandomised so CI is reproducible.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hostile_models import (
    PAYLOADS,
    build_hostile_site,
    hostile_fixture,
    structure,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

ATOM = "{http://www.w3.org/2005/Atom}"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HTML_SPECIAL = set("<>&\"'")


@pytest.fixture(scope="module")
def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="gongshi-hostile-"))


@pytest.fixture(scope="module")
def benign(workdir: Path) -> Path:
    model, view, _ = hostile_fixture(("正常文本",))
    return build_hostile_site(model, view, workdir / "benign")


@pytest.fixture(scope="module")
def hostile(workdir: Path):
    model, view, values = hostile_fixture(PAYLOADS)
    site = build_hostile_site(model, view, workdir / "hostile")
    return site, model, view, values


# ---------------------------------------------------------------------------------------------
# the assertions shared by the fixed and the fuzzed builds


def _html_pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text("utf-8")
            for p in sorted(site.rglob("*.html"))}


def assert_site_is_safe(site: Path, benign_site: Path, values: dict[str, str]) -> None:
    pages = _html_pages(site)
    baseline = _html_pages(benign_site)
    assert sorted(pages) == sorted(baseline), "hostile text changed the set of pages"
    raw = [v for v in values.values() if HTML_SPECIAL & set(v)]
    for rel, text in pages.items():
        s = structure(text)
        assert not s.problems, (rel, s.problems[:5])
        assert not s.stack, (rel, "unclosed elements", s.stack[-5:])
        b = structure(baseline[rel])
        if s.tags != b.tags:  # show the first difference, not 10,000 tags
            first = next(i for i, (x, y) in enumerate(zip(s.tags, b.tags + [""] * len(s.tags),
                                                          strict=False)) if x != y)
            pytest.fail(f"{rel}: structure differs from the benign build at tag {first}: "
                        f"{s.tags[first - 2:first + 3]} vs {b.tags[first - 2:first + 3]}")
        assert s.scripts == b.scripts, rel
        for v in raw:
            assert v not in text, (rel, "raw hostile value", v[:60])
    for path in sorted(site.rglob("*.xml")):
        ET.parse(path)  # feed.xml, sitemap.xml
    for path in sorted(site.rglob("*.json")):
        json.loads(path.read_bytes())
    for path in sorted(site.rglob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            json.loads(line)
    for path in sorted((site / "data").rglob("*.csv")):
        assert_csv_neutralised(path)


def assert_csv_neutralised(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), path
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    assert rows, path
    width = len(rows[0])
    for n, row in enumerate(rows):
        assert len(row) == width, (path, n, "ragged row: a value broke the CSV quoting")
        for cell in row:
            assert not cell.startswith(FORMULA_START), (path, n, "formula cell", cell[:40])


# ---------------------------------------------------------------------------------------------
# fixed hostile build


def test_build_succeeds_and_every_page_keeps_its_structure(hostile, benign):
    site, _, _, values = hostile
    assert_site_is_safe(site, benign, values)


def test_hostile_values_escape_for_their_page(hostile):
    site, model, view, values = hostile
    tv = view.task("2023-01")
    assert tv is not None and tv.published
    code = sorted(r.code for r in tv.results or ())[0]
    line = next(x for x in tv.listing or () if x.code == code)
    pid = line.inspector_ids[0]
    result = next(r for r in tv.results or () if r.code == code)
    expect = {
        "index.html": ["portal.office_name", "task.title:2023-03"],
        "tasks/index.html": ["task.title:2023-01", "task.title:2023-03", "vocab.methods:onsite"],
        "tasks/2023-01/index.html": [
            "task.title:2023-01", "task.description:2023-01", "stratum.name:2023-01:0",
            f"enterprise.name:{code}", f"inspector.name:{pid}", f"result.note:2023-01:{code}",
            f"vocab.results:{result.results[0]}", "unit.name:s01", "vocab.scopes:units",
            "item.name:SJ01"],
        "tasks/2023-03/index.html": ["task.title:2023-03", "vocab.scopes:all"],
        f"enterprises/{code}/index.html": [f"enterprise.name:{code}",
                                           f"enterprise.industry:{code}", "task.title:2023-01"],
        "items/index.html": ["item.category:SJ01", "item.name:SJ01", "item.objects:SJ01",
                             "item.authority:SJ01", "item.basis:SJ01", "vocab.item_kinds:key"],
        "stats/index.html": ["item.name:SJ01"],
        "data/index.html": ["task.title:2023-01"],
        "verify/index.html": ["task.title:2023-01"],
        "about/index.html": ["portal.office_name"],
    }
    missing = []
    for rel, keys in expect.items():
        text = (site / rel).read_text("utf-8")
        for key in keys:
            if str(escape(values[key])) not in text:
                missing.append((rel, key))
    assert not missing, missing


def test_title_element_holds_the_escaped_name(hostile):
    site, _, view, values = hostile
    code = sorted(r.code for r in view.task("2023-01").results or ())[0]
    page = (site / f"enterprises/{code}/index.html").read_text("utf-8")
    start = page.index("<title>") + len("<title>")
    title = page[start:page.index("</title>", start)]
    assert str(escape(values[f"enterprise.name:{code}"])) in title
    assert "<" not in title


def test_feed_carries_the_exact_text(hostile):
    site, _, _, values = hostile
    feed = ET.parse(site / "feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert f"抽查任务公告：{values['task.title:2023-03']}" in titles
    assert feed.findtext(f"{ATOM}title") == f"{values['portal.office_name']} 双随机抽查公示"
    ET.parse(site / "sitemap.xml")


def test_open_data_round_trips_values(hostile):
    site, _, view, values = hostile
    code = sorted(r.code for r in view.task("2023-01").results or ())[0]
    records = json.loads((site / "data/2023-01/results.json").read_bytes())
    rec = next(r for r in records if r["code"] == code)
    assert rec["name"] == values[f"enterprise.name:{code}"]
    assert rec["note"] == values[f"result.note:2023-01:{code}"]
    assert b"<" not in (site / "data/results.json").read_bytes()
    rows = list(csv.DictReader(io.StringIO(
        (site / "data/2023-01/results.csv").read_bytes()[3:].decode("utf-8"), newline="")))
    row = next(r for r in rows if r["统一社会信用代码"] == code)
    for column, key in (("企业名称", f"enterprise.name:{code}"),
                        ("备注", f"result.note:2023-01:{code}")):
        value = values[key]
        shown = "'" + value if value.startswith(FORMULA_START) else value
        assert row[column] == shown, (column, value[:40])


def test_formula_values_reach_the_csv_neutralised(workdir, benign):
    """Every payload starting with a formula character, as a name and a note."""
    formulas = tuple(p for p in PAYLOADS if p.startswith(FORMULA_START))
    assert len(formulas) >= 4
    model, view, values = hostile_fixture(formulas)
    site = build_hostile_site(model, view, workdir / "formulas")
    assert_site_is_safe(site, benign, values)
    text = (site / "data/results.csv").read_bytes().decode("utf-8")
    assert "'=HYPERLINK" in text or "'+1+cmd" in text or "'-2+3" in text or "'@SUM" in text


def test_control_characters_keep_the_feed_well_formed(workdir):
    """The loaders only warn about control characters, and a task title written in YAML as
    "...\\v..." holds one: the feed must stay well-formed XML whatever the title holds."""
    model, view, values = hostile_fixture(("标题\x0b\x1f\x08结束",))
    site = build_hostile_site(model, view, workdir / "controls")
    ET.parse(site / "feed.xml")


# ---------------------------------------------------------------------------------------------
# fuzzed builds

_HOSTILE_CHARS = (
    "<>&\"'`=/\\{}%#*_[]()!|:-@+\t\n "
    "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u200e\u200f\u061c\u00a0\u3000中文示例😀🇨🇳"
)
_fragment = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=_HOSTILE_CHARS, min_size=1, max_size=40),
    st.sampled_from(["<script", "</script>", "]]>", "-->", "<!--", "{{", "}}", "{%", "%}",
                     "---", "&", "&#", "<![CDATA[", "</", "<p", "<svg/onload=x>"]),
)
_payload = st.lists(_fragment, min_size=1, max_size=4).map("".join)
_N = int(os.environ.get("GONGSHI_FUZZ_EXAMPLES", "8"))
_counter = iter(range(10**6))


@settings(max_examples=_N, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(payloads=st.lists(_payload, min_size=1, max_size=5).map(tuple))
def test_fuzzed_fields_never_break_the_site(payloads, benign, workdir):
    model, view, values = hostile_fixture(payloads)
    site = build_hostile_site(model, view, workdir / f"fuzz-{next(_counter)}")
    try:
        assert_site_is_safe(site, benign, values)
    finally:
        import shutil

        shutil.rmtree(site, ignore_errors=True)


def test_the_structure_reader_sees_injections():
    """Guard for the checker itself: an unescaped value does change the structure."""
    good = structure("<p>&lt;img src=x onerror=alert(1)&gt;</p>")
    bad = structure("<p><img src=x onerror=alert(1)></p>")
    assert good.tags != bad.tags and bad.problems and not good.problems
    assert structure("<div><span></div>").problems
    assert structure("<title><script>x</script></title>").scripts == ["inline"]
