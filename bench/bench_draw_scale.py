"""Province-scale draw and verify of one task over a 5,000,000-row ``directory.csv``.

Targets (scale issue): draw ≤ 30 s and verify ≤ 30 s over the full directory; reading the
directory must not need more than about 2 GB.

Usage::

    .venv/bin/python bench/bench_draw_scale.py [--rows 5000000] [--phases gen,read,engine,...]

Each phase runs in its own subprocess (so peak RSS is per phase) and prints one JSON line
(see ``bench/_measure.py``). Phases:

- ``gen``: write the canonical bundle (directory, roster of ~2,000 inspectors over 100 units,
  experts, params with 3 strata by ``industry_risk`` at 5 %/3 %/1 %), cached between runs;
- ``read``: read ``directory.csv`` bytes and scan it once (``canonical.iter_rows``);
- ``commit``: ``engine.announce`` (hashes, N_before, every refusal);
- ``engine``: the protocol's single-process ``engine.draw`` (figure ``draw.engine``);
- ``parallel``: ``generator.draws.parallel.draw`` on all cores, what ``gongshi draw`` runs
  (figure ``draw.parallel``, target ≤ 30 s), checked equal to ``engine``;
- ``verify``: what ``gongshi verify`` runs per task — ``protocol.verify.verify_task`` with
  ``draw_fn=generator.draws.parallel_verify.draw_for_verify`` (scan and draw re-run on all
  cores) — over the bundle read from disk (figure ``verify.parallel``, target ≤ 30 s);
- ``verify1``: the same checks in one process, as the standalone ``verify.py`` runs them
  (figure ``verify.single``; no target, it must only not get slower).

``verify`` and ``verify1`` need the announce entry of ``commit`` and the listing of ``engine``
or ``parallel`` from an earlier run (both are cached next to the directory).

Every figure line names the code path it measures (``path``) and the machine's load average
when the phase started (``load1``). With the kernel's autogroup scheduling, another busy
session (another build) leaves this one about one core, whatever the number of processes: the
2-core figures then come close to the single-process ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _measure import cache_dir, emit, emit_measure, log, measure  # noqa: E402

BENCH = "draw_scale"
PHASES = ("gen", "read", "commit", "engine", "parallel", "verify", "verify1")
TARGET = "wall_s <= 30"  # gongshi draw and gongshi verify of one task over 5,000,000 rows
SECRET = hashlib.sha256(b"gongshi bench draw scale").digest()
UNITS = [f"u{k:03d}" for k in range(1, 101)]
TYPES = ["企业"] * 6 + ["个体工商户"] * 3 + ["农民专业合作社"]
INDUSTRIES = [  # (industry, risk): 高 10 %, 中 30 %, 低 60 %
    ("特种设备", "高"),
    ("药品零售", "中"), ("餐饮服务", "中"), ("食品生产", "中"),
    ("批发零售", "低"), ("住宿服务", "低"), ("商务服务", "低"), ("软件信息", "低"),
    ("居民服务", "低"), ("交通运输", "低"),
]
TAGS = ["食品", "药品", "特种设备", "价格", "广告"]
SOURCES = [
    {"name": "中国福利彩票双色球", "game": "ssq", "issue": "2023150", "scheduled": "2023-12-28T21:15:00+08:00",
     "take": "红球6个后接蓝球1个", "count": 7, "ordered": True, "fallback": "取下一期",
     "url": "https://www.cwl.gov.cn/"},
    {"name": "中国体育彩票超级大乐透", "game": "dlt", "issue": "23150", "scheduled": "2023-12-28T21:25:00+08:00",
     "take": "前区5个后接后区2个", "count": 7, "ordered": True, "fallback": "取下一期",
     "url": "https://www.lottery.gov.cn/"},
    {"name": "中国体育彩票排列5", "game": "pl5", "issue": "23350", "scheduled": "2023-12-28T21:25:00+08:00",
     "take": "开奖号码5位", "count": 5, "ordered": True, "fallback": "取下一期",
     "url": "https://www.lottery.gov.cn/"},
]
NUMBERS = [["3", "9", "14", "20", "26", "31", "7"], ["5", "11", "19", "27", "33", "2", "10"], ["4", "0", "8", "1", "6"]]
ANNOUNCE_TIME = "2023-12-20T02:00:00Z"
DRAW_TIME = "2023-12-29T02:00:00Z"

# --------------------------------------------------------------------------- data

_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 32100 check: Σ v_i·3^i mod 31; 34 ≡ 3 (mod 31), so read the reversed first 17 characters,
# each mapped to the base-34 digit of its value, as one base-34 integer.
_TO34 = str.maketrans(_ALPHA, "0123456789abcdefghijklmnopqrstu")


def check_char(first17: str) -> str:
    return _ALPHA[(31 - int(first17[::-1].translate(_TO34), 34) % 31) % 31]


def params(task: str = "BENCH-1") -> dict:
    from generator.protocol.params import build_params

    return build_params(
        task=task, mode="public",
        population=[{"column": "status", "op": "eq", "value": "存续"}],
        strata=[
            {"when": [{"column": "industry_risk", "op": "eq", "value": "高"}], "ratio": "5%"},
            {"when": [{"column": "industry_risk", "op": "eq", "value": "中"}], "ratio": "3%"},
            {"when": [{"column": "industry_risk", "op": "eq", "value": "低"}], "ratio": "1%"},
        ],
        group_size=2, scope={"kind": "own"}, expertise=["食品"], experts={"count": 0},
        exclusion_rules=[], items=["SX01"], sources=SOURCES, n=3,
    )


def write_directory(path: Path, rows: int, chunk: int = 200_000) -> None:
    """A canonical ``directory.csv``: codes ascending by construction (one prefix, rising body)."""
    from generator.protocol.canonical import header

    dates = []
    for y in range(1995, 2023):
        for m in range(1, 13):
            dates += [f"{y}-{m:02d}-{d:02d}" for d in range(1, 29)]
    kinds = [(t, ind, risk) for t in TYPES for ind, risk in INDUSTRIES]
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        fh.write(header("directory.csv"))
        for start in range(0, rows, chunk):
            out = []
            for i in range(start, min(rows, start + chunk)):
                body = f"91350100{i * 19 + 7:08d}{i % 10}"
                r = (i * 2654435761) & 0xFFFFFFFF
                t, ind, risk = kinds[r % len(kinds)]
                status = "注销" if r % 20 == 3 else "存续"
                out.append(f"{body}{check_char(body)},{t},{ind},{risk},{UNITS[(r >> 8) % 100]},"
                           f"{dates[(r >> 12) % len(dates)]},{status}\n")
            fh.write("".join(out).encode("utf-8"))
    os.replace(tmp, path)


def write_bundle(folder: Path, rows: int) -> None:
    from generator.protocol.canonical import write_csv
    from generator.protocol.params import params_bytes

    folder.mkdir(parents=True, exist_ok=True)
    roster = []
    for u, unit in enumerate(UNITS):
        for j in range(20):
            n = u * 20 + j
            tags = {TAGS[n % 5]} | ({"食品"} if j % 2 == 0 else set())
            roster.append((f"R{n:05d}", unit, j != 19, tags, 0, set()))
    experts = [(f"E{k:02d}", {TAGS[k % 5]}, set()) for k in range(20)]
    (folder / "roster.csv").write_bytes(write_csv("roster.csv", roster))
    (folder / "experts.csv").write_bytes(write_csv("experts.csv", experts))
    (folder / "exclusions.csv").write_bytes(write_csv("exclusions.csv", []))
    (folder / "params.json").write_bytes(params_bytes(params()))
    write_directory(folder / "directory.csv", rows)


def load(folder: Path) -> tuple[dict, dict[str, bytes], bytes, bytes]:
    from generator.protocol.tickets import hash_chain

    files = {n: (folder / n).read_bytes() for n in ("directory.csv", "roster.csv", "experts.csv")}
    p = json.loads((folder / "params.json").read_bytes())
    return p, files, (folder / "exclusions.csv").read_bytes(), hash_chain(SECRET, p["n"])[1]


# --------------------------------------------------------------------------- phases


def phase(name: str, folder: Path, rows: int, workers: int | None) -> None:
    extra: dict[str, object] = {"rows": rows, "load1": round(os.getloadavg()[0], 2)}
    if name == "gen":
        with measure() as m:
            if not (folder / "directory.csv").exists():
                write_bundle(folder, rows)
        emit_measure(BENCH, "gen", m, bytes=(folder / "directory.csv").stat().st_size, **extra)
        return
    if name == "read":
        from generator.protocol.canonical import iter_rows

        with measure() as m:
            data = (folder / "directory.csv").read_bytes()
            n = sum(1 for _ in iter_rows("directory.csv", data))
        emit_measure(BENCH, "read", m, bytes=len(data), scanned=n, **extra)
        return
    p, files, exclusions, code = load(folder)
    if name == "commit":
        from generator.protocol import engine

        with measure() as m:
            a = engine.announce(p, files, exclusions, code, ANNOUNCE_TIME)
        assert a.ok, a.refusals
        (folder / "announce.json").write_text(json.dumps(_announce_entry(p, a, code)), "utf-8")
        emit_measure(BENCH, "commit", m, **extra)
        return
    if name in ("engine", "parallel"):
        if name == "engine":
            from generator.protocol import engine

            with measure() as m:
                out = engine.draw(p, files, exclusions, code, NUMBERS)
        else:
            from generator.draws import parallel

            with measure() as m:
                out = parallel.draw(p, files, exclusions, code, NUMBERS, workers=workers)
        (folder / f"listing-{name}.csv").write_bytes(out.listing)
        (folder / f"cutoffs-{name}.csv").write_bytes(out.cutoffs_csv)
        same = None
        other = folder / ("listing-engine.csv" if name == "parallel" else "listing-parallel.csv")
        if other.exists():
            same = other.read_bytes() == out.listing
        if name == "parallel":
            extra.update(path="gongshi draw: draws.parallel.draw", target=TARGET)
        else:
            extra.update(path="protocol.engine.draw, 1 process")
        emit_measure(BENCH, f"draw.{name}", m, selected=len(out.tickets), status=out.status,
                     selection_sha256=out.selection_sha256[:16], same_as_other=same, **extra)
        return
    if name in ("verify", "verify1"):
        from generator.protocol.verify import verify_task

        _write_bundle(folder, p, files, exclusions, code)
        del files
        announce, draw_entry = _entries(folder, p)
        if name == "verify":
            from generator.draws.parallel_verify import draw_for_verify

            kwargs = {"draw_fn": draw_for_verify}
            extra.update(path="gongshi verify: verify_task(draw_fn=parallel_verify.draw_for_verify)", target=TARGET)
        else:
            kwargs = {}
            extra.update(path="standalone verify.py: verify_task, 1 process")
        with measure() as m:
            bundle = {f.name: f.read_bytes() for f in sorted((folder / "bundle").iterdir())}  # as verify_root reads
            checks = verify_task(bundle, announce, draw_entry, [], None, None, set(), **kwargs)
        bad = [c for c in checks if not c.ok]
        for c in bad[:5]:
            log(f"  ✗ {c.name}: {c.detail[:200]}")
        figure = "verify.parallel" if name == "verify" else "verify.single"
        emit_measure(BENCH, figure, m, checks=len(checks), failed=len(bad), **extra)
        return
    raise SystemExit(f"unknown phase {name}")


def _announce_entry(p: dict, a, code: bytes) -> dict:
    from generator.protocol.tickets import commitment_of

    return {"type": "announce", "task": p["task"], "time": ANNOUNCE_TIME,
            "commitment": commitment_of(code).hex(), "n": p["n"], "params_sha256": a.params_sha256,
            "inputs": a.inputs, "strata": a.strata, "sources": p["sources"]}


def _write_bundle(folder: Path, p: dict, files: dict, exclusions: bytes, code: bytes) -> None:
    """The revealed bundle (PROTOCOL §11 names) under ``folder/bundle``; the announce entry and
    the listing come from earlier phases (``commit``, ``engine`` or ``parallel``)."""
    from generator.protocol.sources import key_string, sources_json

    listing = folder / "listing-engine.csv"
    if not listing.exists():
        listing = folder / "listing-parallel.csv"
    which = listing.name.split("-", 1)[1]
    key = key_string(p["sources"], NUMBERS)
    out = folder / "bundle"
    out.mkdir(exist_ok=True)
    bundle = dict(files)
    bundle.update({
        "params.json": (folder / "params.json").read_bytes(),
        "code.txt": code.hex().encode() + b"\n",
        "exclusions.csv": exclusions,
        "sources.json": sources_json(key, [(s["issue"], n) for s, n in zip(p["sources"], NUMBERS, strict=True)]),
        "listing-0.csv": listing.read_bytes(),
        "cutoffs.csv": (folder / f"cutoffs-{which}").read_bytes(),
    })
    for name, data in bundle.items():
        path = out / name
        if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
            continue
        path.unlink(missing_ok=True)
        if (folder / name).exists() and name != "params.json":
            os.link(folder / name, path)  # the cached input itself (no second copy on disk)
        else:
            path.write_bytes(data)


def _entries(folder: Path, p: dict) -> tuple[dict, dict]:
    from generator.protocol.sources import key_string

    if not (folder / "announce.json").exists():
        raise SystemExit("verify needs the announce entry: run the commit phase first (--phases commit,verify)")
    announce = json.loads((folder / "announce.json").read_text("utf-8"))
    listing = (folder / "bundle" / "listing-0.csv").read_bytes()
    draw_entry = {"type": "draw", "task": p["task"], "time": DRAW_TIME, "key_string": key_string(p["sources"], NUMBERS),
                  "selection_sha256": hashlib.sha256(listing).hexdigest(), "status": "ok"}
    return announce, draw_entry


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--quick", action="store_true", help="200,000 rows")
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--phase", help=argparse.SUPPRESS)  # internal: run one phase in this process
    args = ap.parse_args(argv)
    rows = 200_000 if args.quick else args.rows
    folder = cache_dir(f"draw-scale-{rows}")
    if args.phase:
        phase(args.phase, folder, rows, args.workers)
        return 0
    rc = 0
    for name in args.phases.split(","):
        cmd = [sys.executable, __file__, "--rows", str(rows), "--phase", name]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        log(f"[draw_scale] {name} ({rows:,} rows) …")
        proc = subprocess.run(cmd, text=True, stdout=subprocess.PIPE)
        sys.stdout.write(proc.stdout)
        sys.stdout.flush()
        if proc.returncode:
            emit(BENCH, name, error=f"exit {proc.returncode}", rows=rows)
            rc = 1
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
