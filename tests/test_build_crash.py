"""Crash safety of ``gongshi build``: a SIGKILL at any point leaves the previous site intact.

The previous site is the fixture built as of 2023-04-01; every killed build targets 2023-12-29,
so "intact" (same bytes as before) and "replaced by the complete new site" are distinguishable
from any mixture. Two kinds of kill:

- timed: ``CYCLES`` builds killed after a delay drawn from a seeded generator (deterministic
  points in time, spread over the measured build time; the span shrinks whenever a build beat
  its kill, since a loaded machine makes build times vary);
- at a named phase: a small wrapper replaces one pipeline function by "run it, then SIGKILL
  myself", so each phase of the pipeline is hit exactly, including the two renames of the swap.

After the kills a normal build must complete and equal a clean build byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OLD, NEW = "2023-04-01", "2023-12-29"
CYCLES = int(os.environ.get("GONGSHI_CRASH_CYCLES", "10"))
SEED = 20231229


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _cmd(out: Path, as_of: str, incremental: bool = False) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--data", "@fixtures",
            "--as-of", as_of, "--out", str(out)] + (["--incremental"] if incremental else [])


def _cache(out: Path) -> Path:
    return out.parent / f".{out.name}.gongshi-cache.json"  # fastpath.BuildCache.path_for


def build(out: Path, as_of: str = NEW, incremental: bool = False) -> float:
    start = time.monotonic()
    proc = subprocess.run(_cmd(out, as_of, incremental), cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return time.monotonic() - start


def _reap(proc: subprocess.Popen) -> None:
    """Kill what is left of the killed build's session (e.g. an orphaned Pagefind)."""
    proc.wait(timeout=60)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith((".site-build-",
                                                                          ".site-old-")))


class Sites:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.old = base / "old-pristine"
        self.clean = base / "clean"
        self.old_hashes: dict[str, str] = {}
        self.clean_hashes: dict[str, str] = {}
        self.build_seconds = 0.0

    def fresh_old(self, parent: Path) -> Path:
        parent.mkdir(parents=True, exist_ok=True)
        out = parent / "site"
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(self.old, out)
        if _cache(self.old).is_file():  # the incremental build's record of the old site
            shutil.copy2(_cache(self.old), _cache(out))
        return out


@pytest.fixture(scope="module")
def sites() -> Sites:
    s = Sites(Path(tempfile.mkdtemp(prefix="gongshi-crash-")))
    build(s.old, OLD)
    s.build_seconds = build(s.clean, NEW)
    s.old_hashes, s.clean_hashes = tree(s.old), tree(s.clean)
    assert s.old_hashes != s.clean_hashes
    return s


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_timed_kills_never_damage_the_previous_site(sites: Sites, mode: str):
    """``--incremental`` hard-links unchanged pages from the previous site: a write through
    such a link would change the previous site in place, which the hashes would show."""
    incremental = mode == "incremental"
    parent = sites.base / f"timed-{mode}"
    out = sites.fresh_old(parent)
    rng = random.Random(SEED)
    outcomes = []
    span = max(sites.build_seconds, 1.0)
    cycles = CYCLES if not incremental else max(3, CYCLES // 2)
    cycle = -1
    # at least ``cycles`` kills, and more (up to three times as many) while fewer than three hit
    # a running build: a build that ran faster than the reference beats its kill
    while cycle + 1 < cycles or (outcomes.count("intact") < min(3, cycles)
                                 and cycle + 1 < 3 * cycles):
        cycle += 1
        delay = rng.uniform(0.05, span)
        proc = subprocess.Popen(_cmd(out, NEW, incremental), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        _reap(proc)
        assert out.is_dir(), f"cycle {cycle} (kill at {delay:.2f}s): the site is gone"
        now = tree(out)
        if now == sites.old_hashes:
            outcomes.append("intact")
        elif now == sites.clean_hashes:
            outcomes.append("replaced")  # the build had finished its swap: kill earlier
            span *= 0.7
            out = sites.fresh_old(parent)
        else:
            changed = sorted(set(now.items()) ^ set(sites.old_hashes.items()))[:5]
            pytest.fail(f"cycle {cycle} (kill at {delay:.2f}s): half-written site {changed}")
    assert outcomes.count("intact") >= min(3, cycles), outcomes
    print(f"\ncrash cycles ({mode}): {outcomes}; leftovers: {leftovers(parent)}")
    build(out, NEW, incremental)
    assert tree(out) == sites.clean_hashes


# Phase kills: "run the function, then SIGKILL myself".
_WRAPPER = r"""
import importlib, os, signal, sys
phase, out = sys.argv[1], os.path.realpath(sys.argv[2])
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def after(target):
    mod_name, name = target.split(":")
    mod = importlib.import_module(mod_name)
    orig = getattr(mod, name, None)
    if orig is None:
        return
    def wrapped(*a, **k):
        r = orig(*a, **k)
        die()
        return r
    setattr(mod, name, wrapped)
HOOKS = {  # the first of these to return kills the build (the pipeline is being reworked)
    "render": ["generator.site.pages:render_pages", "generator.site.fastpath:render_bulk"],
    "search": ["generator.site.fastpath:build_search"],
    "leak-scan": ["generator.site.leak:scan"],
    "mkdocs-done": ["generator.site.build:mkdocs_build"],
}
for target in HOOKS.get(phase, ()):
    after(target)
if phase in ("swap-away", "swap-in"):
    # The swap is fileio.replace_dir: one renameat2 exchange where available (old and new
    # change places in one step), else two renames. "swap-away": right after the old site left
    # ``out`` (the exchange, or the first rename); "swap-in": right after the new site arrived.
    real = os.replace
    def replace(src, dst, *a, **k):
        real(src, dst, *a, **k)
        if phase == "swap-away" and os.path.realpath(src) == out:
            die()
        if phase == "swap-in" and os.path.realpath(dst) == out:
            die()
    os.replace = replace
    import generator.fileio as fileio
    real_exchange = fileio._renameat2_exchange
    def exchange(a, b):
        done = real_exchange(a, b)
        if done and os.path.realpath(b) == out:
            die()
        return done
    fileio._renameat2_exchange = exchange
from generator.cli import main
sys.exit(main(["build", "--data", "@fixtures", "--as-of", sys.argv[3], "--out", out]))
"""


def _phase_kill(phase: str, out: Path) -> int:
    proc = subprocess.Popen([sys.executable, "-c", _WRAPPER, phase, str(out), NEW], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    _reap(proc)
    return proc.returncode


@pytest.mark.parametrize("phase", ["render", "search", "leak-scan", "mkdocs-done",
                                   "swap-in"])
def test_kill_at_phase_keeps_a_whole_site_and_rerun_equals_clean(sites: Sites, phase: str):
    out = sites.fresh_old(sites.base / f"phase-{phase}")
    assert _phase_kill(phase, out) == -signal.SIGKILL, f"hook for {phase} never ran"
    expected = sites.clean_hashes if phase == "swap-in" else sites.old_hashes
    assert tree(out) == expected
    build(out)
    assert tree(out) == sites.clean_hashes


def test_kill_between_the_two_renames_keeps_a_site(sites: Sites):
    out = sites.fresh_old(sites.base / "phase-swap-away")
    assert _phase_kill("swap-away", out) == -signal.SIGKILL
    assert out.is_dir() and tree(out) in (sites.old_hashes, sites.clean_hashes)


def test_killed_builds_leave_no_temporary_folders_behind(sites: Sites):
    parent = sites.base / "leftovers"
    out = sites.fresh_old(parent)
    for phase in ("render", "search"):
        _phase_kill(phase, out)
    found = leftovers(parent)
    assert len(found) >= 2  # the killed builds' folders: expected until the next build
    build(out)
    assert tree(out) == sites.clean_hashes  # leftovers do not break the next build
    assert leftovers(parent) == [], leftovers(parent)
