"""End-to-end tests in headless Chromium (Debian package) against the built fixture site."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from site_helpers import built_site, fixture  # noqa: E402

from generator.site.fixtures import ADVERSARIAL_NAME  # noqa: E402

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - keep test output clean
        pass


def _serve(root: Path):
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("GONGSHI_REQUIRE_BROWSER") == "1":  # CI: a skip would hide the tests
            pytest.fail("chromium is required (GONGSHI_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site_root():
    return built_site()


@pytest.fixture(scope="module")
def site_url(site_root):
    server, url = _serve(site_root)
    yield url
    server.shutdown()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    pg = context.new_page()
    external: list[str] = []
    pg.on("request", lambda r: external.append(r.url)
          if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    yield pg
    context.close()
    assert external == [], f"requests left the site: {external}"


def _adversarial_code() -> str:
    model, _ = fixture()
    return next(c for c, e in model.enterprises.items() if e.name == ADVERSARIAL_NAME)


def _a_published_enterprise():
    model, view = fixture()
    tv = view.task("2023-01")
    code = sorted(r.code for r in tv.results if model.enterprises[r.code].name != ADVERSARIAL_NAME)[0]
    return code, model.enterprises[code].name


def test_home_in_chinese(page, site_url):
    page.goto(site_url)
    assert page.locator("html").get_attribute("lang") == "zh"
    assert "示例数据" in page.inner_text(".md-banner")
    assert "最新公告" in page.inner_text("article")


def _search(page, site_url, q: str, until: int = 0) -> list[str]:
    """Result links (paths relative to the site) of the search page for ``q``; with ``until``,
    "显示更多"/"继续查找" is clicked until that many results are shown or there are no more
    (a step stops after reading a set number of files)."""
    page.goto(site_url + "search/?q=" + urllib.parse.quote(q))
    done = ("(s => s !== '' && !s.startsWith('正在'))"  # an answer, or a hint
            "(document.getElementById('gs-search-status').textContent)")
    page.wait_for_function(done, timeout=15000)
    while (until and page.locator("#gs-search-results li").count() < until
           and page.locator("#gs-search-more:not([hidden])").count()):
        page.click("#gs-search-more")
        page.wait_for_function(done, timeout=15000)
    links = page.locator("#gs-search-results a").evaluate_all("els => els.map(e => e.href)")
    return [h[len(site_url):] for h in links]


def test_search_by_name_fragment_and_by_code(page, site_url):
    code, name = _a_published_enterprise()
    fragment = name[3:5]  # two characters of the distinctive part, e.g. 金穗
    assert f"enterprises/{code}/" in _search(page, site_url, fragment)
    titles = page.locator("#gs-search-results a").all_inner_texts()
    assert name in titles, (fragment, titles)
    assert _search(page, site_url, code)[0] == f"enterprises/{code}/"
    assert f"enterprises/{code}/" in _search(page, site_url, code[:8].lower())


def test_search_in_the_browser_equals_the_reference(page, site_url, site_root):
    """gongshi-search.js gives exactly the answers of search_index.query over the same files."""
    from generator.site import search_index

    code, name = _a_published_enterprise()
    index = site_root / search_index.INDEX_DIR
    for q in (name, name[3:5], code[:6], "有限公司", "食品", "2023", "抽查", "ｘｙｚ无此企业",
              name[3:5] + " " + name[-2:]):
        want, _files = search_index.query(index, q, limit=20)
        got = _search(page, site_url, q)
        assert got == want, q
    _search(page, site_url, "鸿")
    assert "至少输入两个字" in page.inner_text("#gs-search-status")


def test_enterprise_page_lists_results(page, site_url):
    code, name = _a_published_enterprise()
    page.goto(site_url + f"enterprises/{code}/")
    assert page.inner_text("h1") == name
    table = page.locator("table").nth(1)
    heads = table.locator("thead th").all_inner_texts()
    assert heads[:5] == ["序号", "检查实施机关", "类型", "日期", "结果"]
    assert table.locator("tbody tr").count() >= 1


def test_adversarial_name_is_text(page, site_url):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site_url + f"enterprises/{_adversarial_code()}/")
    assert page.inner_text("h1") == ADVERSARIAL_NAME
    page.goto(site_url + "tasks/2023-01/")
    assert ADVERSARIAL_NAME in page.inner_text("article")
    assert dialogs == []


def _verify(page, url: str, code: str = "", task: str = "2023-01") -> str:
    page.goto(url + f"verify/?task={task}")
    if code:
        page.fill("#gs-verify-code", code)
    page.click("#gs-verify-form button[type=submit]")
    page.wait_for_selector("#gs-verify-verdict", timeout=30000)
    return page.inner_text("#gs-verify-result")


def test_verifier_says_consistent(page, site_url):
    code, _ = _a_published_enterprise()
    text = _verify(page, site_url, code)
    assert "核验结果：一致" in text, text
    assert "应入选" in text and "与公布的清单一致" in text
    # the anchor status the build computed (the fixture log has no external anchor)
    assert "公告时间未经外部证明" in page.inner_text("#gs-verify-anchor")


def test_verifier_reports_a_tampered_copy(browser, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(built_site(), copy)
    listing = copy / "draws/2023-01/listing-0.csv"
    lines = listing.read_text().splitlines(keepends=True)
    first = lines[0].split(",")
    first[2] = "0" * 64  # a forged ticket
    lines[0] = ",".join(first)
    listing.write_text("".join(lines))
    server, url = _serve(copy)
    try:
        pg = browser.new_page()
        text = _verify(pg, url)
        pg.close()
    finally:
        server.shutdown()
    assert "核验结果：不一致" in text
    assert "清单哈希" in text and "0" * 64 in text


def test_verifier_without_web_crypto_uses_vendored_library(browser, site_url):
    pg = browser.new_page()
    pg.add_init_script("Object.defineProperty(window, 'isSecureContext', {value: false});")
    text = _verify(pg, site_url)
    pg.close()
    assert "核验结果：一致" in text and "@noble/hashes" in text


@pytest.mark.parametrize("path", ["", "tasks/", "tasks/2023-01/", "stats/", "log/"])
def test_phone_viewport_has_no_horizontal_scroll(browser, site_url, path):
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=1)
    pg = ctx.new_page()
    pg.goto(site_url + path)
    overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    ctx.close()
    assert overflow <= 0, f"{path}: {overflow}px"


@pytest.mark.parametrize("path", ["", "tasks/2023-01/", "enterprise", "verify/"])
def test_axe_no_serious_violations(page, site_url, path):
    if path == "enterprise":
        path = f"enterprises/{_a_published_enterprise()[0]}/"
    page.goto(site_url + path)
    page.add_script_tag(content=AXE.read_text("utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


def test_search_shows_more_on_request(page, site_url, site_root):
    from generator.site import search_index

    want, _files = search_index.query(site_root / search_index.INDEX_DIR, "示例")
    assert len(want) > 10
    page.goto(site_url + "search/")
    page.evaluate("document.getElementById('gs-search-form').setAttribute('data-page-size', '5')")
    page.fill("#gs-search-q", "示例")
    page.click("#gs-search-form button[type=submit]")
    page.wait_for_selector("#gs-search-more:not([hidden])")
    assert "已显示 5 条结果" in page.inner_text("#gs-search-status")
    page.click("#gs-search-more")
    page.wait_for_function("document.querySelectorAll('#gs-search-results li').length >= 10")
    links = page.locator("#gs-search-results a").evaluate_all("els => els.map(e => e.href)")
    assert [h[len(site_url):] for h in links] == want[:10]
    assert "q=%E7%A4%BA%E4%BE%8B" in page.url  # the query is kept in the address


def test_search_in_the_browser_on_a_paged_index(page, site_root, tmp_path, monkeypatch):
    """The browser code on an index built with tiny sizes, so that frequent terms have paged
    ids, records span many files and codes many groups: same answers as the reference."""
    from generator.site import search_index as si

    monkeypatch.setattr(si, "CHUNK", 4)
    monkeypatch.setattr(si, "RANGE", 16)
    monkeypatch.setattr(si, "INLINE_MAX", 5)
    monkeypatch.setattr(si, "BUCKET_BYTES", 200)
    monkeypatch.setattr(si, "GROUP", 3)
    words = "鸿绣超市食品有限公司华兴"
    records = [si.Record(f"enterprises/{9141000000000 + 7919 * i:018d}/",
                         "".join(words[(i * p) % len(words)] for p in (1, 3, 5)) + "有限公司",
                         f"{9141000000000 + 7919 * i:018d}", "", f"{9141000000000 + 7919 * i:018d}")
               for i in range(300)]
    records.append(si.Record("tasks/2023-01/", "2023年度食品抽查", "2023-01 2023年度", "抽查任务"))
    root = tmp_path / "site"
    shutil.copytree(site_root / "search", root / "search")
    shutil.copytree(site_root / "assets", root / "assets")
    si.write_index(root, records)
    assert any((root / si.INDEX_DIR / "p").rglob("*.json"))
    server, url = _serve(root)
    try:
        for q in ("有限公司", "鸿绣", "超市有限", "食品 公司", records[123].title, "91410000",
                  records[200].code, "2023", "华兴超市", "有限、公司", "限·公司"):
            want, _files = si.query(root / si.INDEX_DIR, q, limit=20)
            assert _search(page, url, q, until=20)[:20] == want, q
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo site as of its end date (protocol 1 and protocol 2 tasks), served locally."""
    import datetime as dt

    from generator.site.build import build_site

    out = tmp_path_factory.mktemp("demo-site") / "site"
    build_site(str(Path(__file__).resolve().parents[2] / "data"), dt.date(2023, 12, 29), out)
    server, url = _serve(out)
    yield out, url
    server.shutdown()


def test_demo_site_verifies_in_the_browser_protocol_1_and_2(browser, demo_site):
    root, url = demo_site
    revealed = []
    for line in (root / "log/draws.jsonl").read_text("utf-8").splitlines():
        e = json.loads(line)
        if e["type"] == "reveal" and "code" in e and (root / "draws" / e["task"] / "listing.csv").exists():
            revealed.append(e["task"])
    protocols = {t: json.loads((root / "draws" / t / "params.json").read_bytes())["protocol"] for t in revealed}
    assert set(protocols.values()) == {"gongshi-draw/1", "gongshi-draw/2"}, protocols
    pg = browser.new_page()
    for task in revealed:
        text = _verify(pg, url, task=task)
        assert "核验结果：一致" in text, (task, text)
        if protocols[task] == "gongshi-draw/2":
            assert "回避承诺" in text and "people.csv" in text, text
    pg.close()


def test_browser_catches_a_dropped_recusal_pair(browser, demo_site, tmp_path):
    """Protocol 2: a published recusal row that leaves out a committed pair fails its proof."""
    root, _url = demo_site
    copy = tmp_path / "site"
    shutil.copytree(root, copy)
    path = copy / "draws/2023-08/recusals-selected.csv"
    lines = path.read_text().splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[2] = "R999" if not fields[2] else ""  # the row's recusal set changed
    lines[1] = ",".join(fields)
    path.write_text("".join(lines))
    server, url = _serve(copy)
    try:
        pg = browser.new_page()
        text = _verify(pg, url, task="2023-08")
        pg.close()
    finally:
        server.shutdown()
    assert "核验结果：不一致" in text and "recusals_root 不符" in text, text
