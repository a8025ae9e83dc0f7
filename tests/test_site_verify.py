"""The built demo site verifies: its own published verify.py and `gongshi verify --site` give the
same verdicts, at the end of the demo year and at an earlier date (a prefix of the log)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.site.build import build_site

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", params=["2023-12-29", "2023-08-01"])
def site(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(str(ROOT / "data"), dt.date.fromisoformat(request.param), out)
    return out


def run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_published_verify_py_and_gongshi_verify_agree_on_the_built_site(site: Path, tmp_path: Path):
    # A third party downloads the site and runs the verify.py found in it, outside our venv.
    verify_py = tmp_path / "verify.py"
    verify_py.write_bytes((site / "verify.py").read_bytes())
    standalone = run(["python3", "-I", str(verify_py), str(site)])
    ours = run([sys.executable, "-m", "generator", "verify", "--site", str(site)])
    assert standalone.returncode == 0, standalone.stdout[-2000:] + standalone.stderr
    assert ours.returncode == 0, ours.stdout[-2000:] + ours.stderr
    assert standalone.stdout == ours.stdout
    assert standalone.stdout.splitlines()[-1].startswith("核验通过")


def test_site_verify_covers_every_published_task(site: Path):
    out = run([sys.executable, "-m", "generator", "verify", "--site", str(site)]).stdout
    for task_dir in (p for p in (site / "draws").iterdir() if p.is_dir() and p.name != "snapshots.d"):
        assert f"任务 {task_dir.name} " in out


def test_task_pages_show_the_bound_display_file(site: Path):
    """Protocol 2: the names, units and 执法证号 on a revealed task's page are people.csv's."""
    from generator.protocol.canonical import parse_csv

    for people in sorted(site.glob("draws/*/people.csv")):
        page = (site / "tasks" / people.parent.name / "index.html").read_text(encoding="utf-8")
        rows = parse_csv("people.csv", people.read_bytes())
        assert rows
        for _pid, name, unit, badge in rows:
            assert name in page and unit in page and (not badge or badge in page), (people, name)


def test_the_protocol_page_lists_every_published_file(site: Path):
    """The file table of the protocol page names every file under draws/ and log/."""
    text = (ROOT / "content" / "verify" / "protocol.md").read_text(encoding="utf-8")
    table = text.split("## 18. 发布路径", 1)[1].split("\n## ", 1)[0]
    patterns = []
    for cell in re.findall(r"^\| (.+?) \|", table, re.M):
        for path in re.findall(r"`([^`]+)`", cell):
            if not (path.startswith("draws/") or path.startswith("log/") or "/" not in path):
                continue
            rx = re.escape(path).replace(re.escape("<task>"), "[^/]+").replace(re.escape("…"), ".+")
            rx = re.sub(r"\\<[^>]+\\>", "[^/]+", rx)
            patterns.append(rx)
    dirs = {"draws/<task>/": "draws/[^/]+/", "log/": "log/"}
    # names given bare after a path in the same cell (e.g. `roster.csv`) live in draws/<task>/
    patterns += [dirs["draws/<task>/"] + re.escape(p) for p in re.findall(r"`([a-z-]+(?:-<[a-z]+>)?\.(?:csv|json|txt))`", table)]
    patterns = [re.sub(r"\\-<[^>]+>|<[^>]+>", "[^/]+", p) for p in patterns]
    files = [p.relative_to(site).as_posix() for p in site.rglob("*")
             if p.is_file() and p.relative_to(site).parts[0] in ("draws", "log")]
    unlisted = sorted(f for f in files if not any(re.fullmatch(rx, f) for rx in patterns))
    assert not unlisted, unlisted[:20]
