"""Changes after the draw (PROTOCOL §7): reassignment of an inspector, cancellation.

No enterprise is ever replaced. A reassignment's enterprise stays out of the log: the entry
carries the reason, the running count and the new selection hash; the pair is kept in
``secrets/<task>/reassignments.json`` until reveal.
"""

from __future__ import annotations

import json

from ..protocol import engine
from ..protocol.errors import ProtocolError
from ..protocol.listing import selection_sha256
from ..protocol.tickets import hash_chain
from .commit import task_files
from .freetext import refuse_personal
from .logio import append_entry, exclusive
from .reveal import listing_names
from .workspace import DrawRefused, Workspace

REASONS = {"recusal": "事后申报回避", "unavailable": "无法履职"}


@exclusive  # holds the log lock from the checks to the append (see logio.exclusive)
def reassign(ws: Workspace, task_id: str, enterprise: str, inspector: str, reason: str) -> dict:
    if reason not in REASONS:
        refuse_personal({"--reason": reason})  # not even quoted back when it holds a number
        raise DrawRefused(f"调整原因应为 recusal（{REASONS['recusal']}）或 unavailable（{REASONS['unavailable']}），实际为「{reason}」。")
    entries = ws.task_entries(task_id)
    if entries.draw is None or entries.draw.get("status") != "ok":
        raise DrawRefused(f"任务 {task_id} 没有成功的抽取，无法调整检查人员。")
    if entries.reveal is not None or entries.cancel is not None:
        raise DrawRefused(f"任务 {task_id} 已揭示或已取消，不能再调整检查人员。")
    params, files, _exclusions = task_files(ws, task_id)
    record = ws.secret_files(task_id)
    history = [tuple(p) for p in json.loads(record.get("reassignments.json", b"[]"))]
    names = listing_names(record)
    listing = record[names[-1]]
    _c, code = hash_chain(ws.read_secret(task_id), params["n"])
    try:
        new = engine.reassign(params, files, code, entries.draw["key_string"], listing, history,
                              enterprise, inspector, reason)
    except ProtocolError as exc:
        raise DrawRefused(f"不能调整：{exc}") from exc
    count = len(entries.reassigns) + 1
    history.append((enterprise, inspector))
    ws.write_secret(task_id, f"listing-{count}.csv", new)
    ws.write_secret(task_id, "reassignments.json", json.dumps(history).encode())
    return append_entry(ws, {"type": "reassign", "task": task_id, "reason": reason, "count": count,
                             "selection_sha256": selection_sha256(new)}, ws.now())


@exclusive  # holds the log lock from the checks to the append (see logio.exclusive)
def cancel(ws: Workspace, task_id: str, reason: str) -> dict:
    entries = ws.task_entries(task_id)
    if entries.announce is None:
        raise DrawRefused(f"任务 {task_id} 尚未公告，无需取消：直接删除或修改任务文件即可。")
    if entries.cancel is not None:
        raise DrawRefused(f"任务 {task_id} 已取消。")
    if entries.publish is not None:
        raise DrawRefused(f"任务 {task_id} 的结果已公示，不能取消。")
    if not reason.strip():
        raise DrawRefused("取消任务须写明原因（--reason）。")
    refuse_personal({"--reason": reason})
    return append_entry(ws, {"type": "cancel", "task": task_id, "reason": reason.strip()}, ws.now())
