"""Review of issue 4 (the public portal), on the real demo data (``data/``), not the built-in
fixtures that ``test_site_build`` uses: one build as of the end of the demo year.

* The PROTOCOL §11 bundle holds, per task, exactly the files its state allows (announced, drawn,
  cancelled before its draw, revealed/published), the state read from the site's own log.
* Every page type shows demo content; every /data/ CSV starts with a UTF-8 BOM; the feed carries
  announcements and result publications; no HTML page, stylesheet or feed points off the site.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from generator.site.build import build_site

ROOT = Path(__file__).resolve().parents[1]
CANONICAL = {"params.json", "directory.csv", "roster.csv", "experts.csv"}
REVEALED = {"code.txt", "exclusions.csv", "listing-0.csv", "listing.csv", "cutoffs.csv"}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review4") / "site"
    build_site(str(ROOT / "data"), dt.date(2023, 12, 29), out)
    return out


def _entries(site: Path) -> dict[str, dict[str, list[dict]]]:
    tasks: dict[str, dict[str, list[dict]]] = {}
    for line in (site / "log/draws.jsonl").read_text("utf-8").splitlines():
        e = json.loads(line)
        tasks.setdefault(e["task"], {}).setdefault(e["type"], []).append(e)
    return tasks


def test_bundle_paths_follow_the_state_of_each_task(site: Path):
    tasks = _entries(site)
    states = set()
    for task, kinds in tasks.items():
        if "import" in kinds:  # a list drawn elsewhere: public with its results, nothing before
            got = {p.name for p in (site / "draws" / task).iterdir()} if (site / "draws" / task).is_dir() else set()
            assert got == ({"imported.csv", "results.csv"} if "publish" in kinds else set()), task
            continue
        assert "announce" in kinds, task
        params = json.loads((site / "draws" / task / "params.json").read_bytes())
        audit = params.get("mode") == "audit"
        want = {"params.json"}  # the canonical inputs are in the snapshot store, by their hash
        for name in CANONICAL - want:
            sha = kinds["announce"][0]["inputs"][name]["sha256"]
            assert (site / "draws/snapshots.d" / f"{sha}.csv").is_file(), (task, name)
        if "draw" in kinds:
            want.add("sources.json")
        if "reveal" in kinds:
            if "draw" not in kinds:  # cancelled before its draw: only the code
                want.add("code.txt")
            elif audit:
                want |= {"selected.csv", "exclusions.csv"}
            else:
                want |= REVEALED | {f"listing-{i + 1}.csv" for i in range(len(kinds.get("reassign", [])))}
            if "draw" in kinds and params["protocol"] == "gongshi-draw/2":
                want |= {"recusals-selected.csv", "people.csv"}
        if "publish" in kinds:
            want.add("results.csv")
        got = {p.name for p in (site / "draws" / task).iterdir()}
        assert got == want, (task, sorted(got ^ want))
        states.add(tuple(sorted(k for k in kinds if k in ("draw", "reveal", "publish", "cancel"))))
    # the demo exercises announced, drawn, cancelled-before-draw and published tasks
    assert {(), ("draw",), ("cancel", "reveal"), ("draw", "publish", "reveal")} <= states
    log = site / "log"
    size = len((log / "draws.jsonl").read_text("utf-8").splitlines())
    assert {p.name for p in (log / "checkpoints").iterdir()} == {str(i) for i in range(1, size + 1)}
    assert (log / "checkpoint").read_text("utf-8").split("\n")[1] == str(size)
    assert (log / "key.pub").read_text("utf-8").count("\n") == 1
    announces = {str(kinds["announce"][0]["seq"]) + ".json" for kinds in tasks.values() if "announce" in kinds}
    assert announces <= {p.name for p in (log / "anchors").iterdir()}
    assert (log / "tile").is_dir() and (site / "verify.py").is_file()


def test_every_page_type_has_demo_content(site: Path):
    def page(rel: str) -> str:
        return (site / rel / "index.html").read_text("utf-8")

    tasks = _entries(site)
    published = sorted(t for t, k in tasks.items() if "publish" in k)
    assert published
    home = page("")
    assert 'lang="zh"' in home and "示例数据" in home and "待公示结果的任务" in home and "按时公示率" in home
    assert 'data-md-color-scheme="default"' in home and 'data-md-color-scheme="slate"' in home
    listing = page("tasks")
    for task in tasks:
        assert f"tasks/{task}/" in listing or f'href="{task}/"' in listing, task
    t = page(f"tasks/{published[0]}")
    for needle in ("抽查任务公告", "检查结果公告", "截止签号", "执法证号", "<svg", "抽取结果哈希"):
        assert needle in t, needle
    results = (site / "draws" / published[0] / "listing.csv").read_text("utf-8").splitlines()[1]
    code = results.split(",")[0]
    assert code in t and results.split(",")[2] in t  # an enterprise with its ticket
    ent = page(f"enterprises/{code}")
    for column in ("序号", "检查实施机关", "类型", "日期", "结果"):
        assert f">{column}<" in ent, column
    assert f"tasks/{published[0]}/" in ent
    assert "SX01" in page("items")
    assert "未揭示" in page("log") and "checkpoint" in page("log")
    verify = page("verify")
    assert "verify.py" in verify and (site / "verify/protocol/index.html").is_file()
    assert page("stats").count("<svg") >= 3
    assert "results.csv" in page("data") and (site / "search-index/meta.json").is_file()
    assert (site / "search/index.html").is_file()


def test_data_downloads_and_feed(site: Path):
    csvs = list((site / "data").rglob("*.csv"))
    assert len(csvs) >= 2
    for path in csvs:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path
    for path in (site / "data").rglob("*.json"):
        json.loads(path.read_bytes())
    feed = (site / "feed.xml").read_text("utf-8")
    assert "<title>抽查任务公告：" in feed and "<title>检查结果公告：" in feed


def test_no_request_leaves_the_demo_site(site: Path):
    feed = (site / "feed.xml").read_text("utf-8")
    own = re.search(r"<id>(https?://[^<]+)</id>", feed).group(1)
    ok = (own, "http://www.w3.org/", "http://www.sitemaps.org/")
    attr = re.compile(r"""(?:href|src|action|srcset|poster|data)\s*=\s*["']\s*((?:https?:)?//[^"']*)""", re.I)
    for path in site.rglob("*"):
        if path.suffix in (".html", ".svg"):
            for url in attr.findall(path.read_text("utf-8")):
                assert url.startswith(ok), (path, url)
        elif path.suffix == ".css":
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", path.read_text("utf-8")):
                assert not url.startswith(("http:", "https:", "//")), (path, url)
            assert not re.search(r"@import\s+['\"](?:https?:)?//", path.read_text("utf-8")), path
        elif path.suffix == ".xml":
            for url in re.findall(r"https?://[^\s<\"']+", path.read_text("utf-8")):
                assert url.startswith(ok), (path, url)
