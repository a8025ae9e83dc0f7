"""The in-browser verifier obtains a task's inputs from the snapshot store, full or patched.

A small synthetic year (``gongshi demo --directory 10000 …``: new registrations on 1 April and
1 July, so later tasks' directories are patches against the first snapshot) is built into a
site; the verifier page of a task whose directory is a patch must say 一致, and must say 不一致
once a byte of that patch is changed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from browser_helpers import CHROMIUM, serve  # noqa: E402

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def patched_site(tmp_path_factory) -> tuple[Path, str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (make browser-deps)")
    root = tmp_path_factory.mktemp("snapshot-site")
    data, site = root / "data", root / "site"
    for cmd in (["demo", "--out", str(data), "--directory", "10000", "--inspected", "200", "--tasks", "4"],
                ["build", "--data", str(data), "--as-of", "2023-12-31", "--out", str(site)]):
        done = subprocess.run([sys.executable, "-m", "generator.cli", *cmd], cwd=ROOT,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    index = json.loads((site / "draws" / "index.json").read_text("utf-8"))
    task = next(t for t, v in index.items()
                if any(p.endswith(".patch") for p in v.get("stored", {}).get("directory.csv", [])))
    return site, task


def _verify(browser, site: Path, task: str) -> str:
    server, url = serve(site)
    try:
        page = browser.new_page()
        page.goto(url + f"verify/?task={task}")
        page.click("#gs-verify-form button[type=submit]")
        page.wait_for_selector("#gs-verify-verdict", timeout=60000)
        text = page.inner_text("#gs-verify-result")
        page.close()
    finally:
        server.shutdown()
    return text


def test_browser_verifier_rebuilds_a_patched_directory(browser, patched_site, tmp_path):
    site, task = patched_site
    text = _verify(browser, site, task)
    assert "核验结果：一致" in text, text
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    index = json.loads((copy / "draws" / "index.json").read_text("utf-8"))
    patch = copy / index[task]["stored"]["directory.csv"][0]
    patch.write_bytes(patch.read_bytes().replace(b",20", b",19", 1))
    text = _verify(browser, copy, task)
    assert "核验结果：不一致" in text and "directory.csv" in text, text
