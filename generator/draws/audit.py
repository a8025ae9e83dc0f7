"""Audit mode after reveal (PROTOCOL §0, §9, §13 "Audit and cancelled tasks in the bundle").

An audit-mode task publishes ``selected.csv`` instead of the listing, the code and the cut-offs;
its ``risk.csv`` is never public. :func:`audit_export` writes everything a named auditor needs
into a folder laid out like ``data/`` (``draws/<task>/…`` and ``log/…``), so that
``gongshi verify --data FOLDER`` re-checks the whole draw there. :func:`record_audit` appends
the auditor's signed ``audit`` entry: the signature is Ed25519 by the auditor's key over the
JCS of the entry without ``signature`` and ``hash`` (``seq``, ``time`` and ``prev`` included,
hence signed inside the log lock). The auditor's verifier key is published in
``log/auditors.pub`` (one verifier key text line per auditor, sorted), so the public can check
the signature.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

from ..fileio import write_atomic
from ..protocol.jcs import canonicalize
from ..protocol.tickets import hash_chain
from ..tlog.entries import LogError
from ..tlog.note import NoteError, parse_verifier_key
from ..tlog.signer import Signer, load_signer
from ..tlog.store import LogStore
from . import snapshots as stored_snapshots
from .commit import task_files
from .logio import ensure_key
from .reveal import listing_names
from .workspace import DrawRefused, Workspace

AUDITORS_PUB = "auditors.pub"
VERDICTS = ("ok", "mismatch")


def _audit_task(ws: Workspace, task_id: str) -> tuple[dict, object]:
    entries = ws.task_entries(task_id)
    if entries.announce is None:
        raise DrawRefused(f"任务 {task_id} 尚未公告，没有可审计的内容。")
    params, _files, _ex = task_files(ws, task_id)
    if params["mode"] != "audit":
        raise DrawRefused(f"任务 {task_id} 是公开模式，任何人都可以直接核验，无需审计。")
    if entries.reveal is None:
        raise DrawRefused(f"任务 {task_id} 尚未揭示（gongshi reveal {task_id} --auditor 名称），不能审计。")
    return params, entries


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def audit_export(ws: Workspace, task_id: str, to_dir: str | Path) -> list[str]:
    """Copy what the auditors need into ``to_dir``; returns the written paths (relative)."""
    to = Path(to_dir)
    if _inside(to, ws.data_dir):
        raise DrawRefused(
            f"导出目录 {to} 在数据目录 {ws.data_dir} 之内：一次性代码和风险分类不得进入网站。"
            "请导出到数据目录以外（例如 U 盘或审计人员的目录）。"
        )
    params, entries = _audit_task(ws, task_id)
    public, secret = ws.public_files(task_id), ws.secret_files(task_id)
    public.update(stored_snapshots.task_inputs(ws.data_dir, entries.announce, public))
    files: dict[str, bytes] = {
        name: public[name] for name in (
            "params.json", "directory.csv", "roster.csv", "experts.csv", "sources.json",
            "exclusions.csv", "selected.csv", "results.csv", "recusals-selected.csv", "people.csv",
        ) if name in public
    }
    if "risk.csv" not in secret:
        raise DrawRefused(f"找不到任务 {task_id} 的风险分类文件 secrets/{task_id}/risk.csv。")
    files["risk.csv"] = secret["risk.csv"]
    if "recusals.csv" in secret:  # protocol 2: the whole recusal commitment, for the auditors only
        files["recusals.csv"] = secret["recusals.csv"]
    _c, code = hash_chain(ws.read_secret(task_id), params["n"])
    files["code.txt"] = code.hex().encode("ascii") + b"\n"
    if "exclusions.csv" not in files and "exclusions.csv" in secret:
        files["exclusions.csv"] = secret["exclusions.csv"]
    if entries.draw is not None:
        names = listing_names(secret)
        if not names:
            raise DrawRefused(f"找不到任务 {task_id} 的抽取清单 secrets/{task_id}/listing-0.csv。")
        for name in names:
            files[name] = secret[name]
        files["listing.csv"] = secret[names[-1]]
        files["cutoffs.csv"] = secret["cutoffs.csv"]
    written = []
    if to.exists():
        shutil.rmtree(to / "draws" / task_id, ignore_errors=True)
        shutil.rmtree(to / "log", ignore_errors=True)
    for name, data in sorted(files.items()):
        write_atomic(to / "draws" / task_id / name, data, mode=0o600)
        written.append(f"draws/{task_id}/{name}")
    for rel, data in LogStore(ws.log_dir, ws.key_file).published_files().items():
        write_atomic(to / rel, data)
        written.append(rel)
    return written


def auditors_pub(existing: bytes, signer: Signer) -> bytes:
    """``log/auditors.pub`` with ``signer``'s verifier key added (lines sorted, unique).

    Refuses a second, different key under the same auditor name.
    """
    text = signer.verifier.text()
    lines = [ln for ln in existing.decode("utf-8").split("\n") if ln]
    for line in lines:
        try:
            other = parse_verifier_key(line)
        except NoteError as exc:
            raise DrawRefused(f"log/{AUDITORS_PUB} 中有无效的公钥行：{exc}") from exc
        if other.name == signer.name and line != text:
            raise DrawRefused(
                f"log/{AUDITORS_PUB} 中已有审计人员 {signer.name} 的另一把公钥，不能替换。"
            )
    lines = sorted(set(lines) | {text}, key=lambda s: s.encode("utf-8"))
    return "".join(line + "\n" for line in lines).encode("utf-8")


def signed_message(entry: dict) -> bytes:
    """What the auditor signs: JCS of the entry without ``signature`` and ``hash``."""
    return canonicalize({k: v for k, v in entry.items() if k not in ("signature", "hash")})


def record_audit(ws: Workspace, task_id: str, auditor: str, verdict: str, key_path: str | Path) -> dict:
    """Append the auditor's signed ``audit`` entry; returns it."""
    if verdict not in VERDICTS:
        raise DrawRefused(f"审计结论须为 ok（一致）或 mismatch（不一致），实际为「{verdict}」。")
    _params, entries = _audit_task(ws, task_id)
    named = entries.reveal.get("auditors", [])
    if auditor not in named:
        raise DrawRefused(
            f"{auditor} 不是任务 {task_id} 揭示时指定的审计人员（{'、'.join(named) or '无'}）。"
        )
    try:
        signer = load_signer(Path(key_path))
    except NoteError as exc:
        raise DrawRefused(f"审计人员私钥无法读取：{exc}") from exc
    if signer.name != auditor:
        raise DrawRefused(f"私钥 {key_path} 的名称是 {signer.name}，与审计人员 {auditor} 不符。")
    ensure_key(ws)
    pub = ws.log_dir / AUDITORS_PUB
    write_atomic(pub, auditors_pub(pub.read_bytes() if pub.exists() else b"", signer))

    def sign(entry: dict) -> dict:
        signature = signer.sign(signed_message(entry))
        return {**entry, "signature": base64.b64encode(signature).decode("ascii")}

    fields = {"type": "audit", "task": task_id, "auditor": auditor, "verdict": verdict}
    try:
        return LogStore(ws.log_dir, ws.key_file).append(fields, clock=lambda: ws.now(), finalize=sign)
    except LogError as exc:
        raise DrawRefused(str(exc)) from exc
