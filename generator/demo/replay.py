"""Regenerate the demo data deterministically: office files, then the draw log by replay.

``python -m generator.demo.replay [DATA_DIR] [--secrets DIR]`` writes the district's office
files, then walks :func:`demo_events` with an injected clock through the real draw engine
(``generator.draws``): commits, draws, results written after each draw, reveals, publications,
cancellations. Only the demo may inject a clock and derive its secrets from a fixed seed; both
make the demo byte-identical on every run. Never used on an office's real data: it refuses a
data folder whose portal.yaml does not say 示例数据.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import shutil
import sys
from pathlib import Path

from ..draws.changes import cancel
from ..draws.changes import reassign as reassign_inspector
from ..draws.commit import commit
from ..draws.draw import draw, parse_source_args
from ..draws.logio import key_name_for
from ..draws.reveal import publish, reveal
from ..draws.workspace import DrawRefused, Workspace
from ..load import load_model
from ..protocol.listing import parse_listing
from ..tlog.signer import Signer, verifier_key_file, write_key_file
from ..tlog.store import LogStore
from . import demo_events, tsa, write_office_files, write_results
from .district import build_district, write_rosters

DEMO_KEY_SEED = hashlib.sha256(b"gongshi demo log key").digest()


def demo_secret(task_id: str) -> bytes:
    """The demo's published, therefore NOT secret, per-task secret (demo only)."""
    return hashlib.sha256(b"gongshi demo secret\0" + task_id.encode("ascii")).digest()


def _load(data_dir: Path):
    model, findings = load_model(data_dir)
    errors = [f for f in findings if f.is_error]
    if model is None or errors:
        raise SystemExit("示例数据有错误：\n" + "\n".join(f.text() for f in errors))
    return model


def _reset(data_dir: Path, secrets_dir: Path) -> None:
    portal = data_dir / "portal.yaml"
    if portal.exists() and "示例数据: true" not in portal.read_text(encoding="utf-8"):
        raise SystemExit(f"{portal} 不是示例数据（没有“示例数据: true”），拒绝覆盖。")
    for sub in ("log", "draws", "results", "followups"):
        shutil.rmtree(data_dir / sub, ignore_errors=True)
    shutil.rmtree(secrets_dir, ignore_errors=True)


def replay(data_dir: Path, secrets_dir: Path, stamp_time=None) -> None:
    """``stamp_time(task, clock_time)``: when the demo TSA stamps the task's announcement (None:
    no anchor); by default at once. Tests use it to replay a backdated announcement."""
    data_dir = Path(data_dir)
    secrets_dir = Path(secrets_dir)
    _reset(data_dir, secrets_dir)
    write_office_files(data_dir)
    # The office recorded its staff's recusal declarations in the roster from its first
    # protocol-2 announcement on (protocol 2 keeps them private); before that the roster had none.
    district = build_district()
    recusals_recorded = False
    write_rosters(data_dir, district, recusals=False)
    model = _load(data_dir)
    name = key_name_for(model.portal.site_url)
    signer = Signer(name, DEMO_KEY_SEED)
    write_key_file(secrets_dir / "log.key", signer)
    (data_dir / "log").mkdir(parents=True, exist_ok=True)
    (data_dir / "log" / "key.pub").write_bytes(verifier_key_file(signer))
    (data_dir / "log" / "tsa").mkdir()
    (data_dir / "log" / "tsa" / "demo-tsa.pem").write_bytes(tsa.certificate_pem())

    for event in demo_events():
        ws = Workspace.at(data_dir, secrets_dir, clock=lambda t=event.time: t)
        ws.key_name = name
        if event.kind == "commit" and event.protocol == 2 and not recusals_recorded:
            write_rosters(data_dir, district, recusals=True)
            recusals_recorded = True
            model = _load(data_dir)
        if event.kind == "commit":
            entry = commit(ws, model, event.task, secret_source=lambda t=event.task: demo_secret(t))
            # Each announcement is anchored at once by the demo's own RFC 3161 time-stamping
            # authority: a token over the checkpoint that first includes the announce entry.
            stamped = stamp_time(event.task, event.time) if stamp_time else event.time
            if stamped is not None:
                checkpoint = (ws.log_dir / "checkpoints" / str(entry["seq"] + 1)).read_bytes()
                token = base64.b64encode(tsa.token(checkpoint, stamped)).decode("ascii")
                LogStore(ws.log_dir, ws.key_file).record_anchor(
                    entry["seq"], "rfc3161", token, event.time
                )
        elif event.kind == "draw":
            draw(ws, event.task, parse_source_args(event.numbers or []))
            if event.results:
                listing = ws.secret_files(event.task)["listing-0.csv"]
                codes = [line.code for line in parse_listing(listing)]
                write_results(data_dir, event.task, codes, event.results_seed or 0)
                model = _load(data_dir)
        elif event.kind == "import":
            from .kinds import import_demo_list

            import_demo_list(ws, model, data_dir, secrets_dir, event)
            model = _load(data_dir)
        elif event.kind == "reassign":
            # the first selected enterprise's first inspector declares a tie after the draw
            line = parse_listing(ws.secret_files(event.task)["listing-0.csv"])[0]
            reassign_inspector(ws, event.task, line.code, line.inspectors[0], event.reason or "recusal")
        elif event.kind == "cancel":
            cancel(ws, event.task, event.reason or "")
        elif event.kind == "reveal":
            reveal(ws, model, event.task)
        elif event.kind == "publish":
            publish(ws, model, event.task)
        else:  # pragma: no cover - the schedule's kinds are closed
            raise ValueError(event.kind)
    if not recusals_recorded:
        write_rosters(data_dir, district, recusals=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新生成示例数据（含抽取日志）")
    parser.add_argument("data", nargs="?", default="data")
    parser.add_argument("--secrets", default=None, help="示例秘密目录（默认为数据目录旁的 secrets/）")
    args = parser.parse_args(argv)
    data = Path(args.data)
    secrets = Path(args.secrets) if args.secrets else data.resolve().parent / "secrets"
    try:
        replay(data, secrets)
    except DrawRefused as exc:
        print(f"示例数据重放失败：{exc}", file=sys.stderr)
        return 1
    print(f"示例数据已生成：{data}（秘密目录 {secrets}）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
