"""A site built as of any date serves the tiles of every tree size it publishes a checkpoint for.

c2sp.org/tlog-tiles: "Logs MUST serve partial tiles corresponding to tree sizes for which a
checkpoint was produced, but MAY delete any partial tile once the corresponding full tile is
available". For every state of the demo (each date on which the log grows, plus the end date)
the log files the site publishes (``PublicView.log_files``, written verbatim under ``log/``)
are checked against that rule computed here from the spec's formula (tile paths as formatted by
the independent ``tlog-scales`` package), and independent tooling (``tlog-scales``) recomputes
each kept checkpoint's root and reads each of its entries from those files alone; so does Go's
own ``golang.org/x/mod/sumdb/tlog`` and ``sumdb/note`` (Debian's golang-golang-x-mod-dev) when
``go`` is installed (tests/go/tlogsizes; skipped otherwise, no network needed). A log that lacks
a partial tile of an older checkpoint fails ``verify.py`` and the Go check.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

tlog_scales = pytest.importorskip("tlog_scales")
from tlog_scales.reader import TilesReader  # noqa: E402
from tlog_scales.tiles import level_tiles, tile_path  # noqa: E402

from generator.draws.record import read_record  # noqa: E402
from generator.load import load_model  # noqa: E402
from generator.state import beijing_date, public_view  # noqa: E402
from generator.tlog.verify_log import verify_log  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
GO = shutil.which("go")
GOPATH = Path("/usr/share/gocode")
GO_CHECK = ROOT / "tests" / "go" / "tlogsizes" / "main.go"


def c2sp_required(size: int) -> list[list[str]]:
    """Per resource of a tree of ``size``: the paths that satisfy it (partial, or its full tile)."""
    out = []
    for level in [-1, *range(64)]:
        if level >= 0 and size // 256**level == 0:
            break
        full, partial = level_tiles(size, level)
        out += [["/".join(tile_path(level, n))] for n in range(full)]
        if partial:
            out.append(["/".join(tile_path(level, full, partial)), "/".join(tile_path(level, full))])
    return out


class _Files:
    """A tlog-scales backend over the published ``log/`` files, recording nothing else."""

    def __init__(self, files: dict[str, bytes], checkpoint: bytes):
        self.files = {k[len("log/"):]: v for k, v in files.items() if k.startswith("log/")}
        self.files["checkpoint"] = checkpoint

    def get(self, *path: str) -> bytes | None:
        return self.files.get("/".join(path))


@pytest.fixture(scope="module")
def states() -> dict[dt.date, dict[str, bytes]]:
    model, _ = load_model(DATA)
    record = read_record(DATA)
    days = sorted({beijing_date(e) for e in record.entries})
    days.append(days[-1] + dt.timedelta(days=1))
    return {day: dict(public_view(model, DATA, day, record).log_files) for day in days}


def test_every_state_serves_the_tiles_of_every_checkpoint(states):
    assert len(states) > 10
    for day, files in states.items():
        sizes = [int(p.rsplit("/", 1)[1]) for p in files if p.startswith("log/checkpoints/")]
        assert sizes, day
        for size in sizes:
            for choices in c2sp_required(size):
                assert any("log/" + p in files for p in choices), (day, size, choices[0])
        assert all(c.ok for c in verify_log(files) if c.severity == "error"), day


def test_independent_reader_reads_every_checkpoint_from_the_tiles(states):
    for day, files in states.items():
        lines = files["log/draws.jsonl"].split(b"\n")[:-1]
        for path, note in files.items():
            if not path.startswith("log/checkpoints/"):
                continue
            reader = TilesReader(_Files(files, note))
            checkpoint = reader.get_checkpoint()
            assert reader.calculate_root_hash() == checkpoint.root_hash, (day, path)
            for i in range(checkpoint.size):
                assert reader.get_entry(i) == lines[i], (day, path, i)
            body = note.decode().split("\n")
            assert base64.b64decode(body[2]) == checkpoint.root_hash


def test_verify_py_fails_a_log_missing_an_older_checkpoints_partial_tile(tmp_path, verify_py):
    site = tmp_path / "site"
    shutil.copytree(DATA / "log", site / "log")
    run = [sys.executable, str(verify_py), str(site)]
    assert "log.tiles：" in subprocess.run(run, capture_output=True, text=True).stdout
    for gone in ("tile/0/000.p/3", "tile/entries/000.p/5"):
        copy = tmp_path / gone.replace("/", "_")
        shutil.copytree(site, copy)
        (copy / "log" / gone).unlink()
        proc = subprocess.run([sys.executable, str(verify_py), str(copy)],
                              capture_output=True, text=True)
        assert proc.returncode == 1
        line = next(ln for ln in proc.stdout.splitlines() if "log.tiles：" in ln)
        assert line.startswith("[不一致]") and f"log/{gone}" in line and "C2SP" in line


def _go_check(dirs: list[Path], cache: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, GOPATH=str(GOPATH), GO111MODULE="off", GOFLAGS="",
               GOCACHE=str(cache), GOPROXY="off")
    return subprocess.run([GO, "run", str(GO_CHECK), *map(str, dirs)], capture_output=True,
                          text=True, env=env, timeout=600, cwd=GO_CHECK.parent)


def test_go_sumdb_tlog_reads_every_state(states, tmp_path):
    if GO is None or not (GOPATH / "src/golang.org/x/mod/sumdb/tlog").is_dir():
        if os.environ.get("CI") == "true":  # .ci/run installs them: a skip would hide the test
            pytest.fail("go and golang-golang-x-mod-dev are required under CI=true")
        pytest.skip("go or golang-golang-x-mod-dev not installed")
    dirs = []
    for day, files in states.items():
        folder = tmp_path / day.isoformat()
        for path, data in files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        dirs.append(folder / "log")
    proc = _go_check(dirs, tmp_path / "gocache")
    assert proc.returncode == 0 and proc.stdout.startswith("ok "), proc.stdout + proc.stderr
    assert int(proc.stdout.split()[1]) == sum(
        sum(p.startswith("log/checkpoints/") for p in f) for f in states.values())
    last = dirs[-1]
    (last / "tile" / "0" / "000.p" / "3").unlink()
    proc = _go_check([last], tmp_path / "gocache")
    assert proc.returncode == 1 and "missing tile/0/000.p/3" in proc.stdout, proc.stdout


def test_a_site_built_as_of_an_early_date_serves_them(states, tmp_path, verify_py):
    """The same through ``gongshi build``: the built site's log/ is what the views say."""
    day = sorted(states)[3]
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--data", str(DATA),
                           "--as-of", day.isoformat(), "--out", str(site)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    served = {p.relative_to(site).as_posix(): p.read_bytes()
              for p in (site / "log").rglob("*") if p.is_file() and p.name != "index.html"}
    assert served == dict(states[day])
    sizes = [int(p.rsplit("/", 1)[1]) for p in served if p.startswith("log/checkpoints/")]
    assert len(sizes) > 1 and max(sizes) < max(
        int(p.rsplit("/", 1)[1]) for p in states[max(states)] if p.startswith("log/checkpoints/"))
    for size in sizes:
        for choices in c2sp_required(size):
            assert any("log/" + p in served for p in choices), (size, choices[0])
    out = subprocess.run([sys.executable, str(verify_py), str(site), "--json"],
                         capture_output=True, text=True).stdout
    tiles = [v for v in json.loads(out) if v["name"] == "log.tiles"]
    assert len(tiles) == 1 and tiles[0]["ok"], tiles
