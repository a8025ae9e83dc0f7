"""Run the standard benchmarks and print one table: figures, targets, ✓/✗ (``make bench``).

Every ``bench/bench_*.py`` runs as a subprocess (``--quick`` is passed on with ``--quick``);
the JSON-object lines it prints (see ``bench/_measure.py``) become table rows. A script that
prints no JSON lines is shown with its raw output. Targets come from :data:`TARGETS` (the scale
issue's) or from a line's own ``"target"`` field, written ``"<figure> <= <number>"`` (or ``>=``);
with ``--quick`` the sizes are small and targets are shown but not judged.

Usage::

    .venv/bin/python bench/run.py [--quick] [--only draw_scale,draw] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import parse_lines  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# (bench, figure name) → target "<figure> <op> <number>" and what it stands for
TARGETS: dict[tuple[str, str], tuple[str, str]] = {
    ("draw_scale", "draw.parallel"): ("wall_s <= 30", "province draw (5M rows) ≤ 30 s"),
    ("draw_scale", "draw.engine"): ("wall_s <= 30", "province draw, single process"),
    ("draw_scale", "verify.parallel"): ("wall_s <= 30", "province verify (gongshi verify) ≤ 30 s"),
    ("draw_scale", "verify.single"): ("wall_s <= 30", "province verify (verify.py)"),
    ("draw_scale", "read"): ("peak_rss_mb <= 2048", "reading 5M rows ≤ ~2 GB"),
    ("draw_scale", "commit"): ("peak_rss_mb <= 2048", "commit (announce) memory ≤ ~2 GB"),
}
MAIN_FIGURES = ("wall_s", "cpu_s", "peak_rss_mb")
OTHERS_MAX = 90
SKIP_KEYS = {"bench", "name", "target", "error"}
_TARGET_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([0-9.eE+-]+)\s*")


def scripts(only: set[str] | None) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if only:
        found = [p for p in found if p.stem.removeprefix("bench_") in only]
    return found


def judge(row: dict, target: str | None) -> str:
    """``✓``/``✗`` against ``target``, ``?`` when the figure is missing, ``""`` without target."""
    if not target:
        return ""
    if not isinstance(target, str):  # a bare number: the script's own verdict decides
        return {True: "✓", False: "✗"}.get(row.get("ok"), "?")
    m = _TARGET_RE.fullmatch(target)
    if m is None:
        return "?"
    figure, op, limit = m.group(1), m.group(2), float(m.group(3))
    value = row.get(figure)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "?"
    ok = {"<=": value <= limit, ">=": value >= limit, "<": value < limit, ">": value > limit}[op]
    return "✓" if ok else "✗"


def run_script(path: Path, quick: bool, timeout: float) -> tuple[list[dict], str, int, float]:
    # --quick only to scripts that know it (another helper's script may not)
    knows_quick = "--quick" in path.read_text("utf-8", "replace")
    cmd = [sys.executable, str(path)] + (["--quick"] if quick and knows_quick else [])
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return parse_lines(out), out + f"\n(timeout after {timeout:.0f} s)", -1, time.perf_counter() - t0
    return parse_lines(proc.stdout), proc.stdout + proc.stderr, proc.returncode, time.perf_counter() - t0


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)  # CJK is double width


def _pad(s: str, n: int) -> str:
    return s + " " * max(0, n - _width(s))


def table(rows: list[dict], quick: bool) -> str:
    head = ["bench", "figure", "wall s", "cpu s", "peak RSS MB", "other figures", "target", ""]
    body = []
    for r in rows:
        target = r.get("target") or TARGETS.get((r.get("bench", ""), r.get("name", "")), ("", ""))[0]
        mark = "–" if quick and target else judge(r, target)
        if "error" in r:
            mark = "✗"
        others = ", ".join(f"{k}={_fmt(v)}" for k, v in r.items() if k not in SKIP_KEYS and k not in MAIN_FIGURES)
        if "error" in r:
            others = f"ERROR {r['error']}; " + others
        if len(others) > OTHERS_MAX:
            others = others[: OTHERS_MAX - 1] + "…"
        body.append([str(r.get("bench", "")), str(r.get("name", "")), *(_fmt(r[k]) if k in r else "" for k in MAIN_FIGURES), others, str(target), mark])
    widths = [max(_width(x) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(head, widths, strict=True)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run bench/bench_*.py and print one table of figures and targets.")
    ap.add_argument("--quick", action="store_true", help="small sizes (targets shown, not judged)")
    ap.add_argument("--only", default="", help="comma-separated bench names, e.g. draw_scale,draw")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per script")
    ap.add_argument("--json", action="store_true", help="print the collected rows as JSON lines too")
    args = ap.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()} or None
    rows: list[dict] = []
    raw: list[tuple[str, str]] = []
    failed = False
    for path in scripts(only):
        name = path.stem.removeprefix("bench_")
        print(f"… {path.name}{' --quick' if args.quick else ''}", file=sys.stderr, flush=True)
        got, output, rc, wall = run_script(path, args.quick, args.timeout)
        for r in got:
            r.setdefault("bench", name)
        rows += got
        if not got:
            raw.append((path.name, output.strip()))
            rows.append({"bench": name, "name": "(script)", "wall_s": wall, "error": f"exit {rc}, no JSON lines"} if rc else
                        {"bench": name, "name": "(script)", "wall_s": wall})
        elif rc:
            rows.append({"bench": name, "name": "(script)", "wall_s": wall, "error": f"exit {rc}"})
        failed = failed or rc != 0
    print(table(rows, args.quick))
    for name, output in raw:
        print(f"\n--- {name} (raw output, no JSON lines) ---\n{output[-4000:]}")
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    judged = [] if args.quick else [
        judge(r, r.get("target") or TARGETS.get((r.get("bench", ""), r.get("name", "")), ("", ""))[0]) for r in rows
    ]
    return 1 if failed or "✗" in judged else 0


if __name__ == "__main__":
    raise SystemExit(main())
