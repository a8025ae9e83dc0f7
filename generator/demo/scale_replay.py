"""Replay a synthetic scale year through the real draw engine (``gongshi demo --scale``).

Like the small demo's replay (:mod:`generator.demo.replay`), every task is committed, drawn,
revealed and published by the very functions ``gongshi commit|draw|reveal|publish`` call
(:mod:`generator.draws`), with the log's times from an injected clock that walks the year and
the demo's derived (published, therefore not secret) per-task secrets. After each draw the
office's results file is written for exactly the drawn enterprises, as an office would; new
registrations are added to the directory on their day, so later tasks announce a directory
snapshot that differs in those rows (stored as a patch, ``protocol.snapshots``).

Speed, for hundreds of tasks over one 500,000-row directory: the model is loaded once (and
reloaded through a load cache after a registration), its canonical inputs computed once per
model, and the draw engine remembers the scan of a snapshot (``protocol.scan``) between the
commit and the draw of tasks over the same enterprises.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import chinese_calendar

from ..draws.commit import canonical_inputs, commit
from ..draws.draw import draw, parse_source_args
from ..draws.logio import key_name_for
from ..draws.reveal import publish, reveal
from ..draws.workspace import Workspace
from ..load import load_model
from ..load.base import LoadContext
from ..load.results import file_results
from ..protocol.listing import parse_listing
from ..tlog.signer import Signer, verifier_key_file, write_key_file
from ..tlog.store import LogStore
from . import tsa
from .files import csv_bytes, write_bytes
from .replay import DEMO_KEY_SEED, demo_secret
from .results import CORRECTED_C, OUTCOMES, PROFILES, RESULTS_HEADER
from .tasks import BEIJING

ORDER = {"register": 0, "commit": 1, "draw": 2, "reveal": 3, "publish": 4}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), BEIJING).astimezone(dt.UTC)


def source_numbers(task_id: str) -> list[str]:
    """The fictitious numbers of the task's three sources (ssq, dlt, pl5), fixed by its id."""
    rng = random.Random(hashlib.sha256(f"gongshi-scale:{task_id}".encode()).digest())
    ssq = sorted(rng.sample(range(1, 34), 6)) + [rng.randint(1, 16)]
    dlt = sorted(rng.sample(range(1, 36), 5)) + sorted(rng.sample(range(1, 13), 2))
    pl5 = [rng.randrange(10) for _ in range(5)]
    return [" ".join(f"{n:02d}" for n in ssq), " ".join(f"{n:02d}" for n in dlt),
            " ".join(str(n) for n in pl5)]


def _load(root: Path, cache_dir: Path):
    model, findings = load_model(root, cache_dir=cache_dir)
    errors = [f for f in findings if f.is_error]
    if model is None or errors:
        raise SystemExit("合成数据有错误：\n" + "\n".join(f.text() for f in errors[:20]))
    return model


def _reset(root: Path, secrets_dir: Path) -> None:
    portal = root / "portal.yaml"
    if "示例数据: true" not in portal.read_text(encoding="utf-8"):
        raise SystemExit(f"{portal} 不是示例数据（没有“示例数据: true”），拒绝覆盖。")
    for sub in ("log", "draws", "results"):
        shutil.rmtree(root / sub, ignore_errors=True)
    for old in (root / "directory").glob("registered-*.csv"):
        old.unlink()
    shutil.rmtree(secrets_dir, ignore_errors=True)


def _names(model) -> Callable[[str], str]:
    enterprises = model.enterprises
    return lambda code: enterprises[code].name


def results_bytes(plan, codes: list[str], names: Callable[[str], str]) -> bytes:
    """The office's results file for the drawn ``codes``: outcomes as the district demo's
    disclosure tasks, inspection dates on working days of the inspection window."""
    rng = random.Random(plan.seed)
    weights = PROFILES["disclosure"]
    outcomes = list(weights)
    start = plan.announce + dt.timedelta(days=10)
    days = [d for d in (start + dt.timedelta(days=k) for k in range((plan.end - start).days + 1))
            if chinese_calendar.is_workday(d)]
    lines = []
    for code in sorted(codes):
        outcome = rng.choices(outcomes, weights=[weights[o] for o in outcomes], k=1)[0]
        results, followups, notes = OUTCOMES[outcome]
        if outcome == "corrected":
            results = (CORRECTED_C,)
        lines.append((code, names(code), rng.choice(days).isoformat(), "、".join(results),
                      "、".join(followups), notes[0], plan.end.isoformat()))
    return csv_bytes(RESULTS_HEADER, lines, "utf-8")


def replay_scale(root: Path, secrets_dir: Path, plans, registrations, rows) -> None:
    """Commit, draw, reveal and publish every task of ``plans`` in time order (see module)."""
    from .synthetic import write_rows

    _reset(root, secrets_dir)
    cache_dir = Path(tempfile.mkdtemp(prefix="gongshi-scale-load-"))
    try:
        model = _load(root, cache_dir)
        name = key_name_for(model.portal.site_url)
        signer = Signer(name, DEMO_KEY_SEED)
        write_key_file(secrets_dir / "log.key", signer)
        (root / "log").mkdir(parents=True, exist_ok=True)
        (root / "log" / "key.pub").write_bytes(verifier_key_file(signer))
        (root / "log" / "tsa").mkdir()
        (root / "log" / "tsa" / "demo-tsa.pem").write_bytes(tsa.certificate_pem())

        events: list[tuple[dt.datetime, int, str, object]] = []
        for plan in plans:
            events.append((_at(plan.announce, 10), ORDER["commit"], plan.id, plan))
            events.append((_at(plan.announce + dt.timedelta(days=4), 9, 30), ORDER["draw"], plan.id, plan))
            events.append((_at(plan.end, 17), ORDER["reveal"], plan.id, plan))
            events.append((_at(plan.end + dt.timedelta(days=1), 10), ORDER["publish"], plan.id, plan))
        for reg in registrations:
            events.append((_at(reg.day, 8), ORDER["register"], reg.day.isoformat(), reg))
        events.sort(key=lambda e: (e[0], e[1], e[2]))

        inputs = canonical_inputs(model, audit=False)
        results: dict[str, tuple] = {}
        ctx = LoadContext(root)
        for time, order, key, item in events:
            ws = Workspace.at(root, secrets_dir, clock=lambda t=time: t)
            ws.key_name = name
            if order == ORDER["register"]:
                write_rows(root / "directory" / f"registered-{key}.csv", rows, item.start,
                           item.start + item.count)
                model = _load(root, cache_dir)
                inputs = canonical_inputs(model, audit=False)
            elif order == ORDER["commit"]:
                entry = commit(ws, model, key, secret_source=lambda t=key: demo_secret(t),
                               inputs_of_model=inputs)
                # anchored at once by the demo's own RFC 3161 time-stamping authority, as in
                # the small demo: a token over the checkpoint that first includes the entry
                checkpoint = (ws.log_dir / "checkpoints" / str(entry["seq"] + 1)).read_bytes()
                token = base64.b64encode(tsa.token(checkpoint, time)).decode("ascii")
                LogStore(ws.log_dir, ws.key_file).record_anchor(entry["seq"], "rfc3161", token, time)
            elif order == ORDER["draw"]:
                draw(ws, key, parse_source_args(source_numbers(key)), workers=1)
                codes = [ln.code for ln in parse_listing(ws.secret_files(key)["listing-0.csv"])]
                path = root / "results" / f"{key}.csv"
                write_bytes(path, results_bytes(item, codes, _names(model)))
                results[key] = file_results(ctx, path, key, model.vocab)
            elif order == ORDER["reveal"]:
                reveal(ws, model, key)
            else:
                publish(ws, dataclasses.replace(model, results={key: results.pop(key)}), key)
        if ctx.findings:
            raise SystemExit("合成结果文件有问题：\n" + "\n".join(f.text() for f in ctx.findings[:20]))
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
