"""Incremental builds through the standby copy (generator.site.standby).

Each incremental build must leave ``out`` byte-identical to a full build of the same inputs,
the standby equal to the site as it was one build before, and a killed build must leave the
served site whole (old or new) and the next build correct.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator.site import standby
from generator.site.build import build_from_view, build_site
from generator.site.source import load_view

ROOT = Path(__file__).resolve().parents[1]
DEMO_AS_OF = __import__("datetime").date(2023, 12, 29)


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def build(data: Path, out: Path, incremental: bool = True, as_of=DEMO_AS_OF):
    model, view, _ = load_view(str(data), as_of)
    return build_from_view(model, view, out, incremental=incremental)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def test_each_incremental_build_equals_a_full_build_and_keeps_the_last_site(demo, tmp_path):
    out = tmp_path / "site"
    first = build(demo, out)  # no site yet: a full build, and a copy of it as the standby
    assert "assemble" not in first.timings
    assert tree(standby.folder_for(out)) == tree(out)
    spare = standby.load(out)
    assert spare is not None and spare.delta == frozenset()

    steps = [  # (file, old, new): each one changes some pages
        ("results/2023-01.csv", ",2023-04-03,", ",2023-04-04,"),  # one inspection date
        ("results/2023-01.csv", ",2023-04-04,", ",2023-04-03,"),  # and back
        ("results/2023-02.csv", "未发现问题", "发现问题已责令改正"),
    ]
    for n, (rel, old, new) in enumerate(steps):
        before = tree(out)
        edit(demo / rel, old, new)
        report = build(demo, out)
        assert "assemble" in report.timings, f"step {n}: the standby was not used"
        full = tmp_path / f"full-{n}"
        build_site(str(demo), DEMO_AS_OF, full)
        assert tree(out) == tree(full), f"step {n}"
        assert folders(out) == folders(full), f"step {n}: folders differ"
        # the standby is the site of the build before, and its recorded delta covers the change
        assert tree(standby.folder_for(out)) == before, f"step {n}"
        spare = standby.load(out)
        assert spare is not None
        changed = {r for r in set(before) | set(tree(out)) if before.get(r) != tree(out).get(r)}
        assert changed and changed <= spare.delta, f"step {n}"
        if n == 0:  # an unchanged task's results files were reused, not written again
            for name in ("results.csv", "results.json"):
                rel = f"data/2023-02/{name}"
                assert ((out / rel).stat().st_ino
                        == (standby.folder_for(out) / rel).stat().st_ino), rel
        # of the bulk pages (carried over unless changed), only the changed ones
        bulk = ("enterprises/", "tasks/")
        assert ({r for r in spare.delta if r.startswith(bulk)}
                <= {r for r in changed if r.startswith(bulk)} | {"tasks/index.html",
                                                                 "enterprises/index.html"})


def test_removed_pages_are_removed_from_the_standby_too(demo, tmp_path):
    out = tmp_path / "site"
    build(demo, out)
    as_of_before = __import__("datetime").date(2023, 6, 30)  # fewer tasks published
    report = build(demo, out, as_of=as_of_before)
    assert "assemble" in report.timings
    full = tmp_path / "full"
    build_from_view(*load_view(str(demo), as_of_before)[:2], full)
    assert tree(out) == tree(full) and folders(out) == folders(full)
    report = build(demo, out)  # back to the end of the year: the pages come back
    assert "assemble" in report.timings
    full2 = tmp_path / "full2"
    build_site(str(demo), DEMO_AS_OF, full2)
    assert tree(out) == tree(full2) and folders(out) == folders(full2)


def test_a_full_build_drops_the_standby(demo, tmp_path):
    out = tmp_path / "site"
    build(demo, out)
    assert standby.load(out) is not None
    build(demo, out, incremental=False)
    assert standby.load(out) is None
    assert not standby.state_for(out).exists()


def test_a_build_failing_while_assembling_leaves_the_site_and_the_next_build_is_right(
        demo, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(demo, out)
    before = tree(out)
    edit(demo / "results/2023-01.csv", ",2023-04-03,", ",2023-04-04,")
    real = standby._put
    calls = {"n": 0}

    def failing(src, dst, *, link):
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError("磁盘已满（测试）")
        return real(src, dst, link=link)

    monkeypatch.setattr(standby, "_put", failing)
    with pytest.raises(OSError):
        build(demo, out)
    monkeypatch.setattr(standby, "_put", real)
    assert tree(out) == before
    assert standby.load(out) is None  # half-updated: not trusted
    report = build(demo, out)
    assert "assemble" not in report.timings  # the slow way, once
    full = tmp_path / "full"
    build_site(str(demo), DEMO_AS_OF, full)
    assert tree(out) == tree(full)
    assert standby.load(out) is not None
    edit(demo / "results/2023-01.csv", ",2023-04-04,", ",2023-04-03,")
    assert "assemble" in build(demo, out).timings  # and the standby again after that
    build_site(str(demo), DEMO_AS_OF, full)
    assert tree(out) == tree(full)


def test_a_state_file_for_other_folders_is_not_trusted(demo, tmp_path):
    out = tmp_path / "site"
    build(demo, out)
    state = json.loads(standby.state_for(out).read_text("utf-8"))
    # someone replaced the standby folder by a copy (other inode): its content is unknown
    copy = tmp_path / "copy"
    shutil.copytree(standby.folder_for(out), copy)
    shutil.rmtree(standby.folder_for(out))
    copy.rename(standby.folder_for(out))
    assert standby.load(out) is None
    state["delta"] = []
    standby.state_for(out).write_text(json.dumps(state), "utf-8")
    assert standby.load(out) is None


# -- kills during an incremental build that uses the standby ------------------------------

_WRAPPER = r"""
import importlib, os, signal, sys
phase, out, as_of = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
def die():
    os.kill(os.getpid(), signal.SIGKILL)
from generator.site import standby, build as b
import generator.fileio as fileio
if phase == "assemble-half":
    real = standby._put
    n = [0]
    def put(src, dst, *, link):
        n[0] += 1
        if n[0] == 20:
            die()
        return real(src, dst, link=link)
    standby._put = put
elif phase == "assembled":
    real_update = standby.update
    def update(*a, **k):
        r = real_update(*a, **k)
        die()
    standby.update = update
elif phase == "exchanged":
    real_exchange = fileio._renameat2_exchange
    def exchange(a, c):
        done = real_exchange(a, c)
        if done and os.path.realpath(c) == out:
            die()
        return done
    fileio._renameat2_exchange = exchange
from generator.cli import main
sys.exit(main(["build", "--data", "@fixtures", "--as-of", as_of, "--out", out,
               "--incremental"]))
"""

OLD, NEW = "2023-04-01", "2023-12-29"


def _cli(out: Path, as_of: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--data", "@fixtures",
                           "--as-of", as_of, "--out", str(out), "--incremental"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[str, dict[str, str]]:
    base = tmp_path_factory.mktemp("standby-ref")
    refs = {}
    for as_of in (OLD, NEW):
        out = base / as_of
        proc = subprocess.run([sys.executable, "-m", "generator", "build", "--data",
                               "@fixtures", "--as-of", as_of, "--out", str(out)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        refs[as_of] = tree(out)
    return refs


@pytest.mark.parametrize("phase", ["assemble-half", "assembled", "exchanged"])
def test_kill_while_using_the_standby(references, tmp_path, phase):
    out = tmp_path / "site"
    _cli(out, NEW)
    _cli(out, OLD)  # now the site is OLD, with a standby that holds NEW
    assert standby.load(out) is not None and tree(out) == references[OLD]
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, phase, str(out), NEW], cwd=ROOT,
                          capture_output=True, timeout=300, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert tree(out) == (references[NEW] if phase == "exchanged" else references[OLD])
    assert standby.load(out) is None  # the standby's state went before it was touched
    _cli(out, NEW)
    assert tree(out) == references[NEW]
    _cli(out, OLD)  # through the standby again
    assert tree(out) == references[OLD]
    assert tree(standby.folder_for(out)) == references[NEW]


def test_without_the_atomic_exchange_builds_still_equal_full_builds(demo, tmp_path, monkeypatch):
    """File systems without renameat2's exchange: the two-rename fallback, no standby kept."""
    from generator import fileio

    monkeypatch.setattr(fileio, "_renameat2_exchange", lambda a, b: False)
    out = tmp_path / "site"
    build(demo, out)
    for n, (old, new) in enumerate(((",2023-04-03,", ",2023-04-04,"),
                                    (",2023-04-04,", ",2023-04-03,"))):
        edit(demo / "results/2023-01.csv", old, new)
        build(demo, out)
        full = tmp_path / f"full-{n}"
        build_site(str(demo), DEMO_AS_OF, full)
        assert tree(out) == tree(full)
