"""Loading the 检查对象名录库 at scale: rows per second and peak RSS.

    .venv/bin/gongshi demo --scale city --out /tmp/city
    .venv/bin/gongshi demo --scale province --out /tmp/prov
    .venv/bin/python bench/bench_load.py [--city /tmp/city] [--province /tmp/prov]

Prints one JSON line per figure: {"name", "value", "unit", "target" (``value <= n``), "ok"}. Each load runs in a
fresh process, so its peak RSS is the load's own (portal + directory, nothing else). A folder
that does not exist is skipped. Targets: a 5,000,000-row directory read in about 2 GB; the
city's full build in 60 s (of which the directory is a part), the province's in 10 minutes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from generator.load.base import LoadContext
from generator.load.directory import load_directory
from generator.load.portal import load_portal
from generator.draws import inputs
ctx = LoadContext(Path(sys.argv[1]))
portal = load_portal(ctx)
t = time.perf_counter()
table = load_directory(ctx, portal)
wall = time.perf_counter() - t
t = time.perf_counter()
n = sum(1 for _ in table.values())
values = time.perf_counter() - t
print(json.dumps({"rows": len(table), "wall": wall, "values": values, "iterated": n,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "errors": sum(f.severity == "error" for f in ctx.findings)}))
"""

# name -> (wall target s, peak RSS target MB)
TARGETS = {"city": (15.0, 500.0), "province": (150.0, 2048.0)}


def measure(name: str, folder: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(folder)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    wall_target, rss_target = TARGETS[name]
    rss = got["peak_kb"] / 1024
    rate = got["rows"] / got["wall"] if got["wall"] else 0.0
    # "target" in the form bench/run.py judges; "ok" for this script's own exit status
    return [
        {"name": f"load.directory.{name}.rows", "value": got["rows"], "unit": "rows",
         "ok": got["errors"] == 0},
        {"name": f"load.directory.{name}.wall", "value": round(got["wall"], 2), "unit": "s",
         "target": f"value <= {wall_target}", "ok": got["wall"] <= wall_target},
        {"name": f"load.directory.{name}.rate", "value": round(rate), "unit": "rows/s",
         "ok": True},
        {"name": f"load.directory.{name}.peak_rss", "value": round(rss, 1), "unit": "MB",
         "target": f"value <= {rss_target}", "ok": rss <= rss_target},
        {"name": f"load.directory.{name}.values", "value": round(got["values"], 2), "unit": "s",
         "ok": got["iterated"] == got["rows"]},
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--city", type=Path, default=Path("/tmp/city"))
    ap.add_argument("--province", type=Path, default=Path("/tmp/prov"))
    args = ap.parse_args(argv)
    ok = True
    for name, folder in (("city", args.city), ("province", args.province)):
        if not (folder / "directory").is_dir():
            print(json.dumps({"name": f"load.directory.{name}", "unit": "", "ok": True,
                              "skipped": f"no {folder}/directory"}, ensure_ascii=False))
            continue
        for figure in measure(name, folder):
            ok &= figure["ok"]
            print(json.dumps(figure, ensure_ascii=False), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
