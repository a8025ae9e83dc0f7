"""Browser tests share the site helpers of tests/ (one fixture build per session)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os  # noqa: E402

import pytest  # noqa: E402
from browser_helpers import ARGS, CHROMIUM, serve  # noqa: E402
from site_helpers import built_site  # noqa: E402


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
    server, url = serve(site_root)
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
