"""The public's pages in headless Chromium on the demo office's site: screenshots at a phone's
and a desktop's width, nothing of a result cut off, axe-core with zero violations in light and
dark mode, the verification archive and the in-browser check of the published results."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from browser_helpers import AXE, serve, verify_page  # noqa: E402
from site_helpers import built_site, demo_site  # noqa: E402

from generator.site import downloads  # noqa: E402

pytestmark = pytest.mark.browser
WIDTHS = {"phone": (390, 844), "desktop": (1366, 900)}
PUBLISHED_TASK = "2023-02"  # the demo's published protocol-1 task (39 enterprises)


def _an_enterprise(site: Path) -> str:
    """An enterprise of the published task with a 备注 (the longest card)."""
    page = (site / "tasks" / PUBLISHED_TASK / "index.html").read_text("utf-8")
    codes = re.findall(r'<tr data-code="([0-9A-Z]{18})">', page)
    return next((c for c in codes if re.search(
        rf'data-code="{c}">(?:(?!</tr>).)*class="gs-c-note">', page, re.S)), codes[0])


def _pages(site: Path) -> dict[str, str]:
    """Page type -> path; the first seven are the ones screenshotted."""
    return {
        "home": "", "tasks": "tasks/", "task": f"tasks/{PUBLISHED_TASK}/",
        "enterprise": f"enterprises/{_an_enterprise(site)}/", "stats": "stats/",
        "verify": "verify/", "search": "search/?q=" + urllib.request.quote("示例"),
        "task-cancelled": "tasks/2023-04/", "task-protocol-2": "tasks/2023-08/", "log": "log/",
        "data": "data/", "items": "items/",
    }


SCREENSHOTTED = ("home", "tasks", "task", "enterprise", "stats", "verify", "search")
RESULT_PAGES = ("task", "enterprise", "task-protocol-2")

# Every visible text node of the article and the boxes that clip it: a text rectangle outside
# the viewport or outside an ancestor that clips (overflow other than visible) is cut off.
# Screen-reader-only text (clip / clip-path, as the stacked cards' column headers) is skipped.
_CLIPPED_JS = """() => {
  const vw = document.documentElement.clientWidth, bad = [];
  const root = document.querySelector("article");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const srOnly = (el) => { for (let a = el; a && a !== root; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.clipPath !== "none" || (cs.clip && cs.clip !== "auto")) return true; }
    return false; };
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility({visibilityProperty: true}) || srOnly(el)) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      const where = node.textContent.trim().slice(0, 30);
      if (r.left < -0.5 || r.right > vw + 0.5) bad.push(`viewport: ${where} (${Math.round(r.left)}..${Math.round(r.right)} of ${vw})`);
      for (let a = el; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.overflowX === "visible" && cs.overflowY === "visible") continue;
        const b = a.getBoundingClientRect();
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5)
          bad.push(`clipped by ${a.tagName}.${a.className}: ${where}`);
      }
    }
  }
  return bad;
}"""

# Every cell of a result table within the viewport and within its (scrolling) table box.
_CELLS_OUT_JS = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  const cells = document.querySelectorAll("table.gs-results td, table.gs-history td");
  for (const td of cells) {
    const r = td.getBoundingClientRect(), box = td.closest(".gs-table").getBoundingClientRect();
    if (!td.checkVisibility()) continue;  // not rendered (an empty 备注 of a card)
    if (r.left < -0.5 || r.right > vw + 0.5 || r.left < box.left - 0.5 || r.right > box.right + 0.5)
      out.push(`${td.dataset.label || td.className}: ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return [cells.length, out];
}"""


@pytest.fixture(scope="module")
def demo_url():
    server, url = serve(demo_site())
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory) -> Path:
    """Where the screenshots go: $GONGSHI_SCREENSHOTS, else a temporary folder."""
    folder = os.environ.get("GONGSHI_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_public_pages_at_phone_and_desktop_width(browser, demo_url, shots_dir, width, scheme):
    """Per width and colour scheme, every page type: axe-core finds no violation of any
    impact; on the result pages no table cell is outside the viewport and no text is clipped;
    in light mode a full-page screenshot of the seven main pages."""
    w, h = WIDTHS[width]
    ctx = browser.new_context(viewport={"width": w, "height": h}, color_scheme=scheme,
                              locale="zh-CN", device_scale_factor=1)
    page = ctx.new_page()
    axe = AXE.read_text("utf-8")
    problems: dict[str, object] = {}
    try:
        for kind, path in _pages(demo_site()).items():
            page.goto(demo_url + path)
            if kind == "search":
                page.wait_for_function("document.querySelectorAll('#gs-search-results li').length > 0")
            want = "slate" if scheme == "dark" else "default"
            assert page.locator("body").get_attribute("data-md-color-scheme") == want
            if kind in RESULT_PAGES:
                clipped = page.evaluate(_CLIPPED_JS)
                cells, outside = page.evaluate(_CELLS_OUT_JS)
                assert cells > 0, kind
                if clipped or outside:
                    problems[f"{kind} cut off"] = (clipped + outside)[:5]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems[f"{kind} scrolls sideways"] = overflow
            if scheme == "light" and kind in SCREENSHOTTED:
                page.screenshot(path=str(shots_dir / f"{kind}-{w}x{h}.png"), full_page=True)
            page.add_script_tag(content=axe)
            result = page.evaluate("async () => await axe.run(document.querySelector('.md-container'),"
                                   " {resultTypes: ['violations']})")
            bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                   for v in result["violations"]]
            if bad:
                problems[f"{kind} axe"] = bad
    finally:
        ctx.close()
    assert problems == {}, problems
    if scheme == "light":
        assert {p.name for p in shots_dir.glob(f"*-{w}x{h}.png")} >= {
            f"{k}-{w}x{h}.png" for k in SCREENSHOTTED}


def test_verification_archive_from_a_served_site_verifies(demo_url, tmp_path):
    """Download the archive the verify page links, run the commands it gives, in order."""
    html = urllib.request.urlopen(demo_url + "verify/").read().decode("utf-8")
    assert f'href="../{downloads.ARCHIVE}" download' in html
    block = re.search(r'<pre class="gs-pre" id="gs-offline-command"><code>(.*?)</code></pre>',
                      html, re.S).group(1)
    commands = [shlex.split(line) for line in block.strip().splitlines()]
    (tmp_path / downloads.ARCHIVE).write_bytes(
        urllib.request.urlopen(demo_url + downloads.ARCHIVE).read())
    for cmd in commands:
        done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (cmd, done.stdout[-2000:], done.stderr[-2000:])
    assert done.stdout.splitlines()[-1].startswith("核验通过：")
    verified = {m for m in re.findall(r"任务 (\d{4}-\d{2})", done.stdout)}
    assert {PUBLISHED_TASK, "2023-08", "2023-04"} <= verified


def _first_result(html: str) -> tuple[str, str]:
    m = re.search(r'<td data-label="检查结果" class="gs-c-result">([^<]*)</td>', html)
    return m.group(0), m.group(1)


def test_in_browser_verifier_catches_an_edited_result(browser, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(built_site(), copy)
    task_page = copy / "tasks/2023-01/index.html"
    html = task_page.read_text("utf-8")
    cell, value = _first_result(html)
    forged = "发现问题经责令已改正" if value != "发现问题经责令已改正" else "未发现问题"
    task_page.write_text(html.replace(cell, cell.replace(value, forged), 1), "utf-8")
    server, url = serve(copy)
    try:
        pg = browser.new_page()
        text = verify_page(pg, url)
        assert "核验结果：不一致" in text, text
        page_check = pg.locator("#gs-verify-result li[data-ok='0']").all_inner_texts()
        assert any("任务页面的检查结果表" in t and forged in t for t in page_check), page_check
        assert not any("开放数据" in t for t in page_check), page_check
        # the open data edited as well: its own check says 不一致
        csv = copy / "data/results.csv"
        rows = csv.read_text("utf-8-sig").splitlines(keepends=True)
        i = next(i for i, r in enumerate(rows) if r.startswith("2023-01,"))
        rows[i] = rows[i].replace(",2023-", ",2022-", 1)
        csv.write_text("\ufeff" + "".join(rows), "utf-8")
        text = verify_page(pg, url)
        bad = pg.locator("#gs-verify-result li[data-ok='0']").all_inner_texts()
        assert any("data/results.csv" in t for t in bad), bad
        pg.close()
    finally:
        server.shutdown()


def test_in_browser_verifier_checks_the_published_copies(page, site_url):
    text = verify_page(page, site_url)
    assert "核验结果：一致" in text
    ok = page.locator("#gs-verify-result li[data-ok='1']").all_inner_texts()
    assert any("任务页面的检查结果表" in t for t in ok), ok
    assert any("data/results.csv" in t for t in ok) and any("data/2023-01/results.csv" in t
                                                            for t in ok), ok


def test_show_more_is_hidden_without_more_results(page, site_url):
    for q in ("", "ｘｙｚ无此企业"):
        page.goto(site_url + "search/?q=" + urllib.request.quote(q))
        if q:
            page.wait_for_function("document.getElementById('gs-search-status').textContent"
                                   ".includes('未找到')")
        assert not page.locator("#gs-search-more").is_visible(), q
