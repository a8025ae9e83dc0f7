"""Benchmark: commit, draw and verify over a synthetic 1,000,000-enterprise directory.

``.venv/bin/python bench/bench_draw.py [--rows 1000000] [--inspectors 400] [--workdir DIR]``

Drives the protocol engine directly (``engine.announce``, ``engine.draw``,
``verify.verify_task``). Each step runs in its own child process so that its peak memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) and CPU time are its own; steps hand each other
files in the work folder. Prints a table (one line per step: wall time, CPU time, peak memory,
against the targets < 15 s and < 1 GB per step), then one JSON object per figure::

    {"name": "commit.wall", "value": 4.2, "unit": "s", "target": "value < 15.0", "ok": true}

(``<step>.wall`` in s, ``<step>.cpu`` in s with no target, ``<step>.peak_rss`` in MB).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_SECONDS = 15.0
TARGET_MB = 1024.0
STEPS = ("generate", "hash", "commit", "draw", "verify")
INPUTS = ("directory.csv", "roster.csv", "experts.csv")
SECRET = hashlib.sha256(b"gongshi bench secret").digest()


def _read(work: Path, *names: str) -> dict[str, bytes]:
    return {name: (work / name).read_bytes() for name in names}


def _code(n: int) -> bytes:
    from generator.protocol.tickets import hash_chain

    return hash_chain(SECRET, n)[1]


def step_generate(work: Path, rows: int, inspectors: int) -> str:
    from synthetic_directory import directory_csv, experts_csv, params_kwargs, roster_csv

    from generator.protocol.canonical import write_csv
    from generator.protocol.params import build_params

    (work / "directory.csv").write_bytes(directory_csv(rows))
    (work / "roster.csv").write_bytes(roster_csv(inspectors))
    (work / "experts.csv").write_bytes(experts_csv())
    (work / "exclusions.csv").write_bytes(write_csv("exclusions.csv", []))
    (work / "params.obj.json").write_text(json.dumps(build_params(**params_kwargs())))
    return f"{(work / 'directory.csv').stat().st_size / 1e6:.0f} MB directory.csv"


def step_hash(work: Path, rows: int, inspectors: int) -> str:
    from generator.protocol.encoding import sha256_hex

    files = _read(work, *INPUTS)
    digests = {name: sha256_hex(data) for name, data in files.items()}
    return f"directory.csv {digests['directory.csv'][:12]}…"


def step_commit(work: Path, rows: int, inspectors: int) -> str:
    from synthetic_directory import ANNOUNCE_TIME

    from generator.protocol import engine
    from generator.protocol.tickets import commitment_of

    params = json.loads((work / "params.obj.json").read_text())
    code = _code(params["n"])
    a = engine.announce(params, _read(work, *INPUTS), (work / "exclusions.csv").read_bytes(),
                        code, ANNOUNCE_TIME)
    if not a.ok:
        raise SystemExit("commit refused: " + "; ".join(map(str, a.refusals)))
    (work / "params.json").write_bytes(a.params_bytes)
    announce = {"type": "announce", "task": params["task"], "time": ANNOUNCE_TIME,
                "commitment": commitment_of(code).hex(), "n": params["n"],
                "params_sha256": a.params_sha256, "inputs": a.inputs, "strata": a.strata,
                "sources": params["sources"]}
    (work / "announce.json").write_text(json.dumps(announce))
    return "N_before " + " ".join(f"{s['label']}={s['N_before']}" for s in a.strata)


def step_draw(work: Path, rows: int, inspectors: int) -> str:
    from synthetic_directory import DRAW_TIME, NUMBERS

    from generator.protocol import engine
    from generator.protocol.sources import sources_json

    params = json.loads((work / "params.json").read_bytes())
    code = _code(params["n"])
    out = engine.draw(params, _read(work, *INPUTS), (work / "exclusions.csv").read_bytes(),
                      code, NUMBERS)
    issues = [s["issue"] for s in params["sources"]]
    (work / "listing-0.csv").write_bytes(out.listing)
    (work / "listing.csv").write_bytes(out.listing)
    (work / "cutoffs.csv").write_bytes(out.cutoffs_csv)
    (work / "code.txt").write_bytes(code.hex().encode() + b"\n")
    (work / "sources.json").write_bytes(
        sources_json(out.key_string, list(zip(issues, out.numbers, strict=True))))
    draw = {"type": "draw", "task": params["task"], "time": DRAW_TIME,
            "key_string": out.key_string, "selection_sha256": out.selection_sha256,
            "status": out.status}
    if out.failure:
        draw["failure"] = out.failure
    (work / "draw.json").write_text(json.dumps(draw))
    fallbacks = sum(1 for line in out.listing.splitlines() if not line.endswith(b",-"))
    return f"{len(out.tickets)} selected, status {out.status}, {fallbacks} fallbacks"


def step_verify(work: Path, rows: int, inspectors: int) -> str:
    from generator.protocol.verify import verify_task

    names = (*INPUTS, "params.json", "exclusions.csv", "listing-0.csv", "listing.csv",
             "cutoffs.csv", "code.txt", "sources.json")
    announce = json.loads((work / "announce.json").read_text())
    draw = json.loads((work / "draw.json").read_text())
    code = (work / "code.txt").read_text().strip()
    reveal = {"type": "reveal", "task": announce["task"], "time": "2024-03-01T02:00:00Z", "code": code}
    checks = verify_task(_read(work, *names), announce, draw, [], reveal, None, set())
    bad = [c for c in checks if not c.ok]
    if bad:
        raise SystemExit("verify failed: " + "; ".join(f"{c.name}: {c.detail}" for c in bad[:5]))
    return f"{len(checks)} checks passed"


def child(step: str, work: Path, rows: int, inspectors: int) -> None:
    start = time.perf_counter()
    note = globals()[f"step_{step}"](work, rows, inspectors)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"step": step, "wall": wall, "cpu": cpu, "peak_mb": peak_mb, "note": note}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=400)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="gongshi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.step:
        child(args.step, work, args.rows, args.inspectors)
        return 0

    print(f"{args.rows:,} enterprises, {args.inspectors} inspectors, work folder {work}")
    print(f"{'step':<9} {'wall s':>8} {'cpu s':>8} {'peak MB':>9}  target  note")
    ok = True
    figures = []
    for step in STEPS:
        done = subprocess.run(
            [sys.executable, __file__, "--step", step, "--workdir", str(work),
             "--rows", str(args.rows), "--inspectors", str(args.inspectors)],
            capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{step:<9} FAILED\n{done.stdout}{done.stderr}")
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        met = r["wall"] < TARGET_SECONDS and r["peak_mb"] < TARGET_MB
        ok &= met or step == "generate"  # generating the synthetic data is not a product step
        print(f"{step:<9} {r['wall']:>8.2f} {r['cpu']:>8.2f} {r['peak_mb']:>9.0f}  "
              f"{'met' if met else 'MISSED':<6}  {r['note']}")
        figures += [
            {"name": f"{step}.wall", "value": round(r["wall"], 3), "unit": "s",
             "target": f"value < {TARGET_SECONDS}", "ok": r["wall"] < TARGET_SECONDS},
            {"name": f"{step}.cpu", "value": round(r["cpu"], 3), "unit": "s", "ok": True},
            {"name": f"{step}.peak_rss", "value": round(r["peak_mb"], 1), "unit": "MB",
             "target": f"value < {TARGET_MB}", "ok": r["peak_mb"] < TARGET_MB},
        ]
    for figure in figures:
        print(json.dumps(figure, ensure_ascii=False))
    return 0 if ok else 1

if __name__ == "__main__":
    raise SystemExit(main())
