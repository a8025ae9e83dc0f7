"""The built demo site verifies: its own published verify.py and `gongshi verify --site` give the
same verdicts, at the end of the demo year and at an earlier date (a prefix of the log)."""

from __future__ import annotations

import datetime as dt
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
    for task_dir in (p for p in (site / "draws").iterdir() if p.is_dir()):
        assert f"任务 {task_dir.name} " in out
