"""Site build at scale: prints one JSON object per figure (name, value, unit, target, ok).

    .venv/bin/python bench/bench_site.py [--scale city|province] [--data DIR] [--pages N]

``--data DIR``: a folder written by ``gongshi demo --scale ...`` (generated if missing). The
synthetic folders have results but no draw log, so the real public view would show no result.
BENCH ONLY: ``synthetic_view`` builds a PublicView straight from the model, marking every task
with results as published (fake tickets, one inspector group per task). The real build never
uses it: ``gongshi build`` always derives task states from the draw log (generator.state).

``--pages N`` (no data folder): an in-memory model of N inspected enterprises only (no directory
beyond them), to measure rendering speed and search bytes per query at province page counts
without loading a 5,000,000-row directory.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.model import TaskState  # noqa: E402
from generator.site import view as v  # noqa: E402

AS_OF = dt.date(2023, 12, 29)


def emit(name: str, value: float, unit: str, target: float | None, higher_is_better=False):
    """One JSON line; ``target`` in the form ``bench/run.py`` judges (``value <= 60``)."""
    row: dict[str, object] = {"bench": "site", "name": name, "value": round(value, 3),
                              "unit": unit}
    if target is not None:
        row["target"] = f"value {'>=' if higher_is_better else '<='} {target}"
    print(json.dumps(row, ensure_ascii=False), flush=True)


def rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def synthetic_view(model, as_of: dt.date) -> v.PublicView:
    """BENCH ONLY: every task with results counts as published (no draw log exists)."""
    inspectors = [i.id for i in model.inspectors] or ["R00001"]
    tasks = []
    for n, task in enumerate(model.tasks):
        results = tuple(model.results.get(task.id, ()))
        if not results:
            tasks.append(v.TaskView(task=task, state=TaskState.COMPLETED))
            continue
        group = (inspectors[(2 * n) % len(inspectors)], inspectors[(2 * n + 1) % len(inspectors)])
        listing = tuple(v.ListingRow(
            code=r.code, stratum="S1",
            ticket=hashlib.sha256(f"{task.id}|{r.code}".encode()).hexdigest(),
            inspector_ids=group) for r in results)
        published = task.completion_date + dt.timedelta(days=7)
        tasks.append(v.TaskView(
            task=task, state=TaskState.PUBLISHED,
            publish={"time": f"{published.isoformat()}T02:00:00Z", "seq": n},
            strata=(v.StratumView("S1", "全部", len(results), len(results), len(results)),),
            listing=listing, results=results, deadline=published,
            publication=v.Publication(v.ON_TIME, published, published)))
    return v.PublicView(as_of=as_of, tasks=tuple(tasks))


def pages_only_model(n: int, per_task: int = 100):
    """An in-memory model of ``n`` inspected enterprises (province page counts, no directory)."""
    from generator.site.fixtures import fixture_model_with_results

    base, _ = fixture_model_with_results(AS_OF)
    proto_ent = next(iter(base.enterprises.values()))
    proto_task = next(t for t in base.tasks if base.results.get(t.id))
    proto_result = base.results[proto_task.id][0]
    words = "鸿绣超市商贸科技餐饮建材五金食品药房汽修物流电子网络文化传媒广告印刷家具装饰华兴盛达明辉永安泰和顺昌隆"
    ents, results, tasks = {}, {}, []
    for t in range(-(-n // per_task)):
        task = dataclasses.replace(proto_task, id=f"2023-{t + 1:05d}",
                                   title=f"2023年度合成抽查任务{t + 1}")
        tasks.append(task)
        rows = []
        for i in range(t * per_task, min(n, (t + 1) * per_task)):
            code = f"9141{i:014d}"
            h = hashlib.blake2b(code.encode(), digest_size=8).digest()
            name = "示例" + "".join(words[b % len(words)] for b in h[:5]) + "有限公司"
            ents[code] = dataclasses.replace(proto_ent, code=code, name=name)
            rows.append(dataclasses.replace(proto_result, code=code))
        results[task.id] = tuple(rows)
    return dataclasses.replace(base, enterprises=ents, tasks=tuple(tasks), results=results)


def search_bytes_per_query(site: Path, model, view) -> dict[str, int]:
    """Bytes each of a set of typical queries downloads: the search script plus every index
    file it reads for the first page of 20 results (``search_index.query`` is the reference
    of the browser code: the same files)."""
    from generator.site import search_index

    index = site / search_index.INDEX_DIR
    script = (site / "assets/javascripts/gongshi-search.js").stat().st_size
    codes = sorted({r.code for tv in view.tasks if tv.published for r in tv.results or ()})
    pick = [codes[len(codes) // 3], codes[(2 * len(codes)) // 3]]
    names = [model.enterprises[c].name for c in pick if c in model.enterprises]
    title = next(tv.task.title for tv in view.tasks)
    queries = {"full name": names[0], "name fragment": names[1][2:4], "full code": pick[0],
               "code prefix": pick[1][:10], "common words": "有限公司",
               "task title": title[4:8]}
    out = {}
    for label, q in queries.items():
        _urls, files = search_index.query(index, q, limit=20)
        out[label] = script + sum((index / f).stat().st_size for f in files)
    return out


def disk_probe(folder: Path, count: int = 2000, size: int = 18 * 1024) -> float:
    """Folders with one ``size``-byte file each, made per second by one thread: how fast the
    disk takes what a bulk page costs it just before the build (it varies: creating files is
    several times slower while the disk is still discarding what earlier runs deleted). The
    files stay until the work folder is removed, so that the build does not pay for that."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = os.urandom(size)
    t = time.perf_counter()
    for i in range(count):
        sub = folder / f"{i:05d}"
        sub.mkdir()
        (sub / "index.html").write_bytes(data)
    return count / (time.perf_counter() - t)


def one_date_earlier(path: Path) -> str:
    """Move the first row's inspection date (third column) a day earlier; write a new file (the
    old one may be a hard link into the office's folder). Returns the new date."""
    lines = path.read_bytes().decode("utf-8-sig").split("\n")
    cells = lines[1].split(",")
    cells[2] = (dt.date.fromisoformat(cells[2]) - dt.timedelta(days=1)).isoformat()
    lines[1] = ",".join(cells)
    path.unlink()
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return cells[2]


def run(args: argparse.Namespace) -> None:
    from generator.site.build import build_from_view

    work = Path(args.work or tempfile.mkdtemp(prefix="gs-bench-site-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.pages:
        t = time.perf_counter()
        model = pages_only_model(args.pages)
        emit("site.pages_only.model_s", time.perf_counter() - t, "s", None)
    else:
        given = Path(args.data or work / f"data-{args.scale}")
        if not (given / "portal.yaml").exists():
            subprocess.run([str(ROOT / ".venv/bin/gongshi"), "demo", "--scale", args.scale,
                            "--out", str(given)], check=True)
        # the office's folder as the builds see it: a copy of hard links (the incremental
        # step replaces one file in it, never writing into the given folder's files)
        data = work / "data"
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(given, data, copy_function=os.link)
        from generator import load
        from generator.site.build import cache_folder

        # as ``gongshi build --incremental`` loads and checks: through the caches next to the site
        load_cache = (None if args.no_incremental
                      else cache_folder((work / "site").resolve()) / "load")
        checks_cache = None if load_cache is None else load_cache.parent / "checks"
        shutil.rmtree(cache_folder((work / "site").resolve()), ignore_errors=True)
        t = time.perf_counter()
        model, _findings = load.load_model(str(data), cache_dir=load_cache)
        load_s = time.perf_counter() - t
        emit(f"site.{args.scale}.load_s", load_s, "s", None)
        emit(f"site.{args.scale}.load_rss_mb", rss_mb(), "MB", None)
        if not args.no_checks:  # gongshi build runs every check before building
            from generator.checks import CheckContext, run_checks

            t = time.perf_counter()
            run_checks(model, CheckContext.for_model(model, AS_OF, cache=checks_cache))
            checks_s = time.perf_counter() - t
            emit(f"site.{args.scale}.checks_s", checks_s, "s", None)
            load_s += checks_s
    label = f"pages{args.pages}" if args.pages else args.scale
    view = synthetic_view(model, AS_OF)
    # write back what earlier steps (and earlier bench scripts) left in the page cache, so
    # that the build is not measured while the disk is busy flushing someone else's data
    os.sync()
    probe = disk_probe(work / "disk-probe")
    emit("site.disk_probe_files_per_s (folder + 18 KB file, one thread)", probe, "files/s", None)
    out = work / "site"
    n_ent = len({r.code for tv in view.tasks if tv.published for r in tv.results or ()})
    # --incremental from the start, as an office keeps doing: the first build is a full one
    # that also prepares the standby copy the incremental builds write into
    rep = build_from_view(model, view, out, incremental=not args.no_incremental)
    full = rep.timings["total"]
    big = label == "province" or args.pages >= 200_000
    emit(f"site.{label}.build_s (after load)", full, "s", None)
    if not args.pages:  # gongshi build as a whole: load, checks, build
        emit(f"site.{label}.full_build_s (load + checks + build)" if not args.no_checks
             else f"site.{label}.full_build_s (load + build)", load_s + full, "s",
             600 if big else 60)
    emit(f"site.{label}.bulk_pages", rep.counts.get("rendered", 0), "pages", None)
    pps = rep.counts.get("rendered", 0) / rep.timings["bulk"]
    emit(f"site.{label}.bulk_pages_per_s (render+write+leak scan)", pps, "pages/s", 3000, True)
    emit(f"site.{label}.search_index_s", rep.timings.get("search", 0), "s", None)
    emit(f"site.{label}.leak_scan_s", rep.timings.get("leak_scan", 0), "s", None)
    emit(f"site.{label}.peak_rss_mb", rss_mb(), "MB", 4096 if big else 1536)
    sizes = [p.stat().st_size for p in list((out / "enterprises").glob("*/index.html"))[:2000]]
    emit(f"site.{label}.enterprise_page_max_kb", max(sizes) / 1024, "KB", 25)
    per_query = search_bytes_per_query(out, model, view)
    for q, size in per_query.items():
        emit(f"site.{label}.search_kb ({q})", size / 1024, "KB", None)
    emit(f"site.{label}.search_kb_per_query (max)", max(per_query.values()) / 1024, "KB", 300)
    if args.no_incremental:
        emit(f"site.{label}.enterprises", n_ent, "pages", None)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return
    # incremental: one task's results change (one inspection date moves by a day)
    tid = next(tv.task.id for tv in view.tasks if tv.published)
    load2_s = 0.0
    if args.pages:
        rows = list(model.results[tid])
        rows[0] = dataclasses.replace(rows[0], inspected=rows[0].inspected + dt.timedelta(days=1))
        model2 = dataclasses.replace(model, results={**model.results, tid: tuple(rows)})
    else:  # in the office's file (of the linked copy)
        changed = one_date_earlier(data / "results" / f"{tid}.csv")
        del model
        t = time.perf_counter()
        model2, _findings = load.load_model(str(data), cache_dir=load_cache)
        load2_s = time.perf_counter() - t
        emit(f"site.{label}.incremental.load_s (load cache)", load2_s, "s", None)
        assert any(r.inspected.isoformat() == changed for r in model2.results[tid])
        if not args.no_checks:
            from generator.checks import CheckContext, run_checks

            t = time.perf_counter()  # gongshi build runs every check before building
            run_checks(model2, CheckContext.for_model(model2, AS_OF, cache=checks_cache))
            checks2_s = time.perf_counter() - t
            emit(f"site.{label}.incremental.checks_s", checks2_s, "s", None)
            load2_s += checks2_s
    view2 = synthetic_view(model2, AS_OF)
    rep2 = build_from_view(model2, view2, out, incremental=True)
    emit(f"site.{label}.incremental_s (after load)", rep2.timings["total"], "s", None)
    if not args.pages:
        emit(f"site.{label}.incremental_s (load + {'' if args.no_checks else 'checks + '}build)",
             load2_s + rep2.timings["total"], "s", None if big else 5)
    emit(f"site.{label}.incremental_rendered", rep2.counts.get("rendered", 0), "pages", None)
    for phase, secs in sorted(rep2.timings.items()):
        if phase != "total":
            emit(f"site.{label}.incremental.{phase}_s", secs, "s", None)
    emit(f"site.{label}.enterprises", n_ent, "pages", None)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--scale", default="city", choices=["city", "province"])
    p.add_argument("--data", default=None)
    p.add_argument("--pages", type=int, default=0)
    p.add_argument("--work", default=None)
    p.add_argument("--no-checks", action="store_true",
                   help="leave the checks out of the build figures (they run by default)")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--quick", action="store_true", help="3,000 pages in memory (make bench --quick)")
    p.add_argument("--no-incremental", action="store_true",
                   help="skip the incremental rebuild (its target is set at city scale)")
    args = p.parse_args()
    if args.quick and not args.pages and not args.data:
        args.pages = 3000
    os.environ.setdefault("GONGSHI_AS_OF", AS_OF.isoformat())
    run(args)


if __name__ == "__main__":
    main()
