"""The site at scale through the real path: what a user runs, as separate processes.

    .venv/bin/python bench/bench_site.py [--scale city|province] [--data DIR] [--work DIR] [--quick]

1. ``gongshi demo --scale city --out DIR`` (unless ``--data`` names such a folder): every task
   committed, drawn, revealed and published through the draw engine on a replayed clock.
2. ``gongshi build --data DIR --as-of 2023-12-31 --out SITE --incremental``: the full build.
3. One task's results change (an inspection date a day earlier, in the office's file), then
   ``gongshi build … --incremental`` again.
4. Hugo (Debian's ``hugo``) on as many pages as the site has enterprise pages, in the same run.
5. The site's size on disk, and the bytes of the snapshot store against one snapshot.
6. ``gongshi commit``, ``gongshi draw`` and ``gongshi verify`` of one new task on a copy of the
   data folder (commit and draw with an injected clock, as the demo and the tests do, so that
   the sources' times fall between them).

Every step is a subprocess, measured by ``bench/_measure.py`` (wall time, peak memory of the
process tree). One JSON line per figure (``name``, ``value``, ``unit``, ``target`` as
``bench/run.py`` judges it). ``--quick``: a small synthetic folder, targets shown, not judged.
Nothing here builds the site another way than ``gongshi build`` does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _measure  # noqa: E402
from _measure import measure  # noqa: E402

GONGSHI = [sys.executable, "-m", "generator.cli"]
AS_OF = "2023-12-31"
# figure -> (city target, province target); None: reported only
TARGETS = {
    "generate_s": (300, None),
    "full_build_s": (60, 600),
    "incremental_s": (5, 20),
    "peak_rss_mb": (1536, 4096),
    "hugo_ratio": (1.0, 1.0),
    "enterprise_pages": (45_000, None),
    "snapshots_over_one.data": (2.0, None),
    "snapshots_over_one.site": (2.0, None),
    "commit_s": (5, 30),
    "commit_rss_mb": (1024, None),
    "draw_s": (15, 30),
    "verify_s": (15, 30),
}
HIGHER = {"hugo_ratio", "enterprise_pages"}
QUICK = ["--directory", "20000", "--inspected", "400", "--tasks", "8"]


def emit(scale: str, name: str, value: float, unit: str, quick: bool) -> None:
    row: dict[str, object] = {"bench": "site", "name": f"site.{scale}.{name}",
                              "value": round(value, 3), "unit": unit}
    targets = TARGETS.get(name)
    target = None if targets is None else targets[0 if scale != "province" else 1]
    if target is not None and not quick:
        row["target"] = f"value {'>=' if name in HIGHER else '<='} {target}"
    elif target is not None:
        row["target_quick"] = f"{'>=' if name in HIGHER else '<='} {target}"
    print(json.dumps(row, ensure_ascii=False), flush=True)


def run(cmd: list[str], what: str, env: dict | None = None) -> tuple[float, float, str]:
    """(wall s, peak MB, stdout) of ``cmd``; fails loudly. Peak memory: the larger of GNU
    time's maximum resident set (the command's largest process) and the process tree sampled
    by ``_measure.measure`` less this script's own share."""
    timed = ["/usr/bin/time", "-f", "GSMAXRSS %M"] if Path("/usr/bin/time").exists() else []
    own = _measure.tree_rss_kb() / 1024
    with measure() as m:
        done = subprocess.run(timed + cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    peak = max(0.0, m.peak_rss_mb - own)
    for line in done.stderr.splitlines():
        if line.startswith("GSMAXRSS "):
            peak = max(peak, int(line.split()[1]) / 1024)
    return m.wall_s, peak, done.stdout


def tree_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder``, each inode once (as ``du`` counts hard links)."""
    seen, total = set(), 0
    for base, _dirs, files in os.walk(folder):
        for f in files:
            st = os.lstat(os.path.join(base, f))
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_size
    return total


def snapshot_ratio(store: Path) -> tuple[int, int]:
    """(bytes of the store, bytes of its largest full snapshot)."""
    files = list(store.iterdir()) if store.is_dir() else []
    one = max((p.stat().st_size for p in files if p.suffix == ".csv"), default=0)
    return sum(p.stat().st_size for p in files), one


def one_date_earlier(path: Path) -> None:
    """Move the first row's inspection date (third column) a day earlier; a new file (the old
    one may be a hard link into the given folder)."""
    lines = path.read_bytes().decode("utf-8-sig").split("\n")
    cells = lines[1].split(",")
    cells[2] = (dt.date.fromisoformat(cells[2]) - dt.timedelta(days=1)).isoformat()
    lines[1] = ",".join(cells)
    path.unlink()
    path.write_bytes("\n".join(lines).encode("utf-8"))


def linked_copy(src: Path, dst: Path, real: tuple[str, ...]) -> None:
    """``src`` as hard links, except the folders ``real`` (copied: the draw operations append
    to the log in place)."""
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, copy_function=os.link, ignore=shutil.ignore_patterns(*real))
    for name in real:
        if (src / name).exists():
            shutil.copytree(src / name, dst / name)


def hugo_pages(work: Path, n: int, sample: str) -> tuple[float, int]:
    """Hugo on ``n`` content pages like one enterprise page's text: (wall s, pages written)."""
    site = work / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "content" / "enterprises").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "https://example.invalid/"\nlanguageCode = "zh-cn"\n'
                                    'title = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    (site / "layouts" / "_default" / "single.html").write_text(
        "<!doctype html><html lang=zh><head><meta charset=utf-8><title>{{ .Title }}</title></head>"
        "<body><nav>{{ range .Site.Menus.main }}{{ .Name }}{{ end }}</nav><main><h1>{{ .Title }}</h1>"
        "{{ .Content }}</main></body></html>\n")
    (site / "layouts" / "_default" / "list.html").write_text("<html><body>{{ .Title }}</body></html>\n")
    body = sample.replace("\r", "")
    for i in range(n):
        (site / "content" / "enterprises" / f"e{i:07d}.md").write_text(
            f'---\ntitle: "企业 {i}"\n---\n\n{body}\n', encoding="utf-8")
    wall, _rss, _out = run(["hugo", "--quiet", "--source", str(site), "--destination",
                            str(site / "public")], "hugo")
    written = sum(1 for _ in (site / "public" / "enterprises").glob("*/index.html"))
    return wall, written


def page_text(page: Path) -> str:
    """The visible text of one of our enterprise pages (Hugo renders the same text)."""
    import re

    html = page.read_text(encoding="utf-8")
    main = html[html.find("<article"):html.find("</article>")] if "<article" in html else html
    text = re.sub(r"<[^>]+>", " ", main)
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def task_yaml(task_id: str, announce: dt.date, unit: str) -> bytes:
    from generator.demo.synthetic import _task_yaml

    end = announce + dt.timedelta(days=20)
    return _task_yaml(task_id, announce.year, announce, 100, end, unit).encode()


CLOCKED = """
import datetime as dt, sys
import generator.draws.workspace as w
moment = dt.datetime.fromisoformat(sys.argv[1])
w.system_clock = lambda: moment
from generator.cli import main
sys.exit(main(sys.argv[2:]))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scale", default="city", choices=["city", "province"])
    p.add_argument("--data", type=Path, default=None, help="a folder written by gongshi demo --scale")
    p.add_argument("--work", type=Path, default=None)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--quick", action="store_true", help="a small synthetic folder (targets not judged)")
    args = p.parse_args()
    scale, quick = args.scale, args.quick
    work = args.work or Path(tempfile.mkdtemp(prefix="gs-bench-site-"))
    work.mkdir(parents=True, exist_ok=True)
    given = args.data or work / f"data-{scale}"
    if not (given / "log" / "draws.jsonl").exists():
        cmd = GONGSHI + ["demo", "--out", str(given)] + (QUICK if quick else ["--scale", scale])
        wall, rss, _ = run(cmd, "gongshi demo")
        emit(scale, "generate_s", wall, "s", quick)
        emit(scale, "generate_rss_mb", rss, "MB", quick)
    secrets = given.resolve().parent / f"{given.resolve().name}-secrets"

    # 2. the full build (--incremental from the start, as an office keeps doing)
    data = work / "data"
    linked_copy(given, data, real=())
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    os.sync()
    build = GONGSHI + ["build", "--data", str(data), "--as-of", AS_OF, "--out", str(site), "--incremental"]
    wall, rss, _ = run(build, "gongshi build")
    pages = sum(1 for _ in (site / "enterprises").glob("*/index.html"))
    emit(scale, "full_build_s", wall, "s", quick)
    emit(scale, "peak_rss_mb", rss, "MB", quick)
    emit(scale, "enterprise_pages", pages, "pages", quick)

    # 3. one task's results change, then the incremental build
    task = sorted((data / "results").glob("*.csv"))[len(list((data / "results").glob("*.csv"))) // 2]
    one_date_earlier(task)
    wall2, rss2, _ = run(build, "gongshi build --incremental")
    emit(scale, "incremental_s", wall2, "s", quick)
    emit(scale, "incremental_rss_mb", rss2, "MB", quick)

    # 4. Hugo on the same number of pages, same run
    sample = page_text(next((site / "enterprises").glob("*/index.html")))
    hugo_wall, hugo_written = hugo_pages(work, pages, sample)
    ours = pages / wall
    theirs = hugo_written / hugo_wall if hugo_wall else 0.0
    emit(scale, "enterprise_pages_per_s (gongshi build, whole build)", ours, "pages/s", quick)
    emit(scale, "hugo_build_s", hugo_wall, "s", quick)
    emit(scale, "hugo_pages_per_s", theirs, "pages/s", quick)
    emit(scale, "hugo_ratio", ours / theirs if theirs else 0.0, "x", quick)

    # 5. sizes on disk
    emit(scale, "site_mb", tree_bytes(site) / 2**20, "MB", quick)
    for where, store in (("data", given / "draws" / "snapshots.d"), ("site", site / "draws" / "snapshots.d")):
        total, one = snapshot_ratio(store)
        emit(scale, f"snapshots_mb.{where}", total / 2**20, "MB", quick)
        emit(scale, f"snapshots_over_one.{where}", total / one if one else 0.0, "x", quick)
    per_task = sum(1 for _ in (site / "draws").glob("*/directory.csv"))
    emit(scale, "per_task_directory_copies.site", per_task, "files", quick)

    # 6. commit, draw, verify of one new task (a copy of the data: the log is appended to)
    ops = work / "ops"
    linked_copy(given, ops, real=("log", "tasks"))
    ops_secrets = work / "ops-secrets"
    shutil.rmtree(ops_secrets, ignore_errors=True)
    shutil.copytree(secrets, ops_secrets)
    population = json.loads(next((given / "draws").glob("*/params.json")).read_bytes())["population"]
    unit = next(c["value"] for c in population if c["column"] == "unit")
    announce = dt.date(2023, 12, 4)
    (ops / "tasks" / "2023-9999.yaml").write_bytes(task_yaml("2023-9999", announce, unit))
    common = ["--data", str(ops), "--secrets", str(ops_secrets)]
    from generator.demo.scale_replay import source_numbers

    wall, rss, _ = run([sys.executable, "-c", CLOCKED, "2023-12-04T10:00:00+08:00", "commit",
                        "2023-9999", *common], "gongshi commit")
    emit(scale, "commit_s", wall, "s", quick)
    emit(scale, "commit_rss_mb", rss, "MB", quick)
    sources = [a for n in source_numbers("2023-9999") for a in ("--source", n)]
    wall, rss, _ = run([sys.executable, "-c", CLOCKED, "2023-12-08T09:30:00+08:00", "draw",
                        "2023-9999", *sources, *common], "gongshi draw")
    emit(scale, "draw_s", wall, "s", quick)
    emit(scale, "draw_rss_mb", rss, "MB", quick)
    wall, rss, out = run(GONGSHI + ["verify", "--data", str(ops), "2023-9999"], "gongshi verify")
    emit(scale, "verify_s", wall, "s", quick)
    emit(scale, "verify_rss_mb", rss, "MB", quick)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if scale == "city" and not quick:  # the province's rows of the table, when not run here
        for name, (_city, target) in TARGETS.items():
            if target is not None:
                print(json.dumps({"bench": "site", "name": f"site.province.{name}",
                                  "target": f"{name.split('.')[0]} {'>=' if name in HIGHER else '<='} {target}",
                                  "note": "not measured here: bench/bench_site.py --scale province"},
                                 ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
