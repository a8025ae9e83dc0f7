"""Shared measuring helpers for the bench scripts: wall time, peak RSS, JSON-line figures.

Every bench script prints one JSON object per line for each figure it measures::

    {"bench": "draw_scale", "name": "draw.parallel", "wall_s": 12.3, "peak_rss_mb": 812.0, ...}

``bench/run.py`` collects those lines from every script and prints one table. Peak RSS is the
larger of ``getrusage`` (this process, and its reaped children) and a sampler thread that sums
the RSS of this process and all its live descendants from ``/proc`` (a multiprocessing pool's
workers run at the same time as the parent, so their memory adds up).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
SAMPLER_SHARE = 20  # the RSS sampler sleeps this many times as long as a sample took


def _rss_kb(pid: int) -> int:
    """Proportional set size (shared pages split between sharers, so forked workers sharing
    the directory bytes copy-on-write are not counted twice); RSS when PSS is unavailable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                out += [int(x) for x in fh.read().split()]
        except OSError:
            pass
    return out


def tree_rss_kb(pid: int | None = None) -> int:
    """Memory (PSS) of ``pid`` (default: this process) plus all its live descendants, in KiB."""
    root = os.getpid() if pid is None else pid
    total, todo, seen = 0, [root], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss_kb(p)
        todo += _children(p)
    return total


def _cpu() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


@dataclass
class Measure:
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0  # self + live descendants, sampled (and getrusage of self)
    self_rss_mb: float = 0.0  # getrusage(RUSAGE_SELF) high-water mark (process lifetime)
    cpu_s: float = 0.0  # user + system CPU of this process and its reaped children
    extra: dict = field(default_factory=dict)


@contextmanager
def measure(interval: float = 0.05) -> Iterator[Measure]:
    """Time the block and sample the process tree's RSS while it runs.

    ``self_rss_mb`` is the lifetime high-water mark of this process, so run one phase per process
    when phases must be told apart (``bench_draw_scale.py`` does).
    """
    m = Measure()
    peak = [tree_rss_kb()]
    stop = threading.Event()

    def sample() -> None:
        # Reading smaps_rollup walks the page tables (about 12 ms for a process of 800 MB), so
        # the sampler waits at least 20 times as long as its last sample took: it stays under
        # about 5 % of one core and seldom holds the measured processes' memory-map locks.
        wait = interval
        while not stop.wait(wait):
            start = time.perf_counter()
            peak[0] = max(peak[0], tree_rss_kb())
            wait = max(interval, SAMPLER_SHARE * (time.perf_counter() - start))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    cpu0 = _cpu()
    t0 = time.perf_counter()
    try:
        yield m
    finally:
        m.wall_s = time.perf_counter() - t0
        m.cpu_s = _cpu() - cpu0
        stop.set()
        thread.join()
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        m.self_rss_mb = own / 1024
        m.peak_rss_mb = max(peak[0], own, kids) / 1024  # the sampled tree PSS, at least the largest single RSS


def emit(bench: str, name: str, **figures: object) -> None:
    """Print one JSON line of figures (floats rounded) and flush."""
    row: dict[str, object] = {"bench": bench, "name": name}
    for key, value in figures.items():
        row[key] = round(value, 3) if isinstance(value, float) else value
    print(json.dumps(row, ensure_ascii=False), flush=True)


def emit_measure(bench: str, name: str, m: Measure, **figures: object) -> None:
    emit(bench, name, wall_s=m.wall_s, cpu_s=m.cpu_s, peak_rss_mb=m.peak_rss_mb, **m.extra, **figures)


def parse_lines(text: str) -> list[dict]:
    """The JSON-object lines of a bench script's output (other lines are ignored)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                out.append(obj)
    return out


def cache_dir(name: str) -> Path:
    """Where bench data is kept between runs (``$GONGSHI_BENCH_DIR`` or /tmp)."""
    root = Path(os.environ.get("GONGSHI_BENCH_DIR", "/tmp/gongshi-bench"))
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
