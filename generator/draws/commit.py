"""``gongshi commit TASK``: the announcement (PROTOCOL §5).

Order of writes, so that a crash leaves nothing half-done: the secret and the exclusions go to
``secrets/<task>/`` and the public inputs to ``data/draws/<task>/`` first (nothing is public
until the log says so), and the ``announce`` entry is appended last: the log is the commit point.
A rerun after a crash before the append simply starts again with a fresh secret.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from ..model import Model
from ..protocol import engine, snapshots
from ..protocol import recusals as private
from ..protocol.canonical import parse_csv, write_csv
from ..protocol.derive import members
from ..protocol.errors import ProtocolError
from ..protocol.exclusions import SAME_ITEM_SAME_YEAR, build_exclusions
from ..protocol.listing import parse_listing
from ..protocol.params import PROTOCOL, build_params, validate_params
from ..protocol.tickets import hash_chain
from ..state import BEIJING, entry_time
from ..tlog.entries import format_time
from . import inputs
from . import snapshots as stored_snapshots
from .freetext import params_free_text, refuse_personal
from .logio import append_entry, ensure_key, exclusive
from .workspace import DrawRefused, Workspace

SecretSource = Callable[[], bytes]


def os_secret() -> bytes:
    """32 bytes from the operating system's CSPRNG (PROTOCOL §5.1)."""
    return os.urandom(32)


def canonical_inputs(model: Model, audit: bool) -> dict[str, bytes]:
    files = {
        "directory.csv": inputs.directory_csv(model),
        "roster.csv": write_csv(
            "roster.csv",
            ((r["id"], r["unit"], r["qualified"], r["expertise"], r["cap"], r["recusals"])
             for r in inputs.roster_rows(model)),
        ),
        "experts.csv": write_csv(
            "experts.csv",
            ((r["id"], r["expertise"], r["recusals"]) for r in inputs.experts_rows(model)),
        ),
    }
    if audit:
        files["risk.csv"] = write_csv(
            "risk.csv", ((r["code"], r["risk"]) for r in inputs.risk_rows(model))
        )
    return files


def referenced_selections(ws: Workspace, model: Model, task_id: str, year: int) -> dict[str, dict[str, str]]:
    """For same-item-same-year: {task: {code: ticket}} of the tasks it must exclude on."""
    task = model.task(task_id)
    assert task is not None
    out: dict[str, dict[str, str]] = {}
    entries = ws.entries()
    for other in model.tasks:
        if other.id == task_id or not set(other.items) & set(task.items):
            continue
        draw = next((e for e in entries if e["task"] == other.id and e["type"] == "draw"), None)
        if draw is None or draw.get("status") != "ok":
            continue
        if entry_time(draw).astimezone(BEIJING).year != year:
            continue
        listing = ws.public_files(other.id).get("listing-0.csv") or ws.secret_files(other.id).get(
            "listing-0.csv"
        )
        if listing is None:
            raise DrawRefused(
                f"任务 {task_id} 需要排除任务 {other.id} 已抽中的企业，但找不到其抽取名单"
                f"（secrets/{other.id}/listing-0.csv）。请在保存该任务秘密的机器上执行 commit。"
            )
        out[other.id] = {line.code: line.ticket for line in parse_listing(listing)}
    return out


def validate_params_of(task) -> list:
    """Every problem of the task's parameter object, not only the first."""
    raw = inputs.params_from_task(task)
    return validate_params({"protocol": PROTOCOL, **raw})


@exclusive  # holds the log lock from the checks to the append (see logio.exclusive)
def commit(ws: Workspace, model: Model, task_id: str, secret_source: SecretSource = os_secret,
           inputs_of_model: dict[str, bytes] | None = None) -> dict:
    """Announce ``task_id``; returns the appended ``announce`` entry. ``inputs_of_model``: the
    model's :func:`canonical_inputs` when the caller already has them (the scale demo commits
    hundreds of tasks over one model)."""
    task = model.task(task_id)
    if task is None:
        raise DrawRefused(f"找不到任务 {task_id}：data/tasks/ 中没有编号为 {task_id} 的任务文件。")
    if task.imported:
        raise DrawRefused(
            f"任务 {task_id} 的名单来源是{task.list_source_label}，名单不在本站抽取："
            f"请用 gongshi import-list {task_id} 名单文件 导入平台导出或上级下发的名单。")
    entries = ws.entries()
    if any(e["task"] == task_id and e["type"] == "announce" for e in entries):
        raise DrawRefused(
            f"任务 {task_id} 已经公告（commit）过，不能再次公告。如需重新抽取，请新建一个任务文件，"
            f"在其中写明“重抽自: {task_id}”，并对新任务执行 commit。"
        )
    if task.redraw_of and not any(
        e["task"] == task.redraw_of and e["type"] == "announce" for e in entries
    ):
        raise DrawRefused(f"任务 {task_id} 写明重抽自 {task.redraw_of}，但该任务尚未公告。")

    # params.json is committed to by the announce entry and its sources are copied into it:
    # no personal data or credit-risk class, refused before anything is written
    where = task.origin.file if task.origin is not None else f"tasks/{task_id}.yaml"
    refuse_personal(params_free_text(inputs.params_from_task(task), f"任务文件 {where} 的参数"))
    now = ws.now()
    try:
        params = build_params(**inputs.params_from_task(task))
    except ProtocolError as exc:
        problems = validate_params_of(task)
        where = task.origin.file if task.origin else f"tasks/{task_id}"
        raise DrawRefused(f"任务文件 {where} 的内容不符合抽取协议的要求，请改正后再执行 gongshi check 和 commit：\n"
                          + "\n".join(f"- {str(p).removeprefix('params.json：')}" for p in problems or [exc])) from exc
    if inputs_of_model is None or task.mode == "audit":
        files = canonical_inputs(model, audit=task.mode == "audit")
    else:
        files = dict(inputs_of_model)
    v2 = task.protocol == 2
    pairs = private.pairs_of(files) if v2 else {}
    if v2:  # protocol 2: the roster and experts are published without recusals (§12)
        files = private.stripped(files)

    secret = secret_source()
    if len(secret) != 32:
        raise ValueError("secret must be 32 bytes")
    commitment, code = hash_chain(secret, task.n)
    seen = {e.get("commitment") for e in entries} | {e.get("code") for e in entries}
    if commitment.hex() in seen or code.hex() in seen:
        raise DrawRefused("新生成的承诺值与日志中已有的承诺或代码相同，拒绝公告。请重新执行 commit。")

    exclusions = write_csv("exclusions.csv", [])
    if SAME_ITEM_SAME_YEAR in task.exclusion_rules:
        referenced = referenced_selections(ws, model, task_id, now.astimezone(BEIJING).year)
        population = (code_ for code_, _label, _unit in members(params, files))
        exclusions = build_exclusions(population, referenced)

    late = timing_problems(task, now)
    if late:
        raise DrawRefused(f"任务 {task_id} 现在不能公告：\n" + "\n".join(f"- {p}" for p in late))
    recusals = None
    if v2:
        codes = private.directory_codes(files["directory.csv"])
        recusals = private.commitment_file(codes, pairs, secret)
    announcement = engine.announce(params, files, exclusions, code, format_time(now), recusals)
    if not announcement.ok:
        raise DrawRefused(
            f"任务 {task_id} 不能公告：\n" + "\n".join(f"- {r}" for r in announcement.refusals)
        )

    ensure_key(ws)  # a missing key is refused before any file is written
    # written files are undone if the append fails (logio.exclusive)
    ws.write_secret(task_id, "secret", secret.hex().encode("ascii") + b"\n")
    ws.write_secret(task_id, "exclusions.csv", exclusions)
    if "risk.csv" in files:
        ws.write_secret(task_id, "risk.csv", files["risk.csv"])
    if recusals is not None:
        ws.write_secret(task_id, "recusals.csv", recusals)
    ws.write_public(task_id, "params.json", announcement.params_bytes)
    for name in snapshots.FILES:  # stored once, by hash (protocol.snapshots)
        stored_snapshots.store(ws.data_dir, entries, name, files[name])
    return append_entry(ws, announce_fields(task, announcement, commitment, params), now)


def announce_fields(task, announcement, commitment: bytes, params: dict) -> dict:
    fields: dict = {
        "type": "announce",
        "task": task.id,
        "commitment": commitment.hex(),
        "n": task.n,
        "params_sha256": announcement.params_sha256,
        "inputs": announcement.inputs,
        "strata": announcement.strata,
        "sources": params["sources"],
    }
    if announcement.recusals_root is not None:
        fields["recusals_root"] = announcement.recusals_root
    if task.redraw_of:
        fields["redraw_of"] = task.redraw_of
    return fields


def timing_problems(task, now) -> list[str]:
    """Why the task's sources are too soon for an announcement made ``now`` (PROTOCOL §4: each
    draw at least 24 hours after the announcement), in Beijing time, naming the task file."""
    out = []
    where = task.origin.file if task.origin else f"tasks/{task.id}"
    limit = now + dt.timedelta(hours=24)
    for i, source in enumerate(task.sources, start=1):
        when = dt.datetime.fromisoformat(source.scheduled)
        if when < limit:
            out.append(
                f"任务文件 {where} 中第 {i} 个随机源「{source.name}」第 {source.issue} 期的开奖时间是 "
                f"{when.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间），现在是 "
                f"{now.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）：开奖须在公告之后至少 24 小时"
                f"（即不早于 {limit.astimezone(BEIJING):%Y-%m-%d %H:%M}）。请在任务文件中改用更晚的一期"
                "（改期号和开奖时间），保存后再执行 gongshi check 和 gongshi commit。")
    return out


def task_files(ws: Workspace, task_id: str) -> tuple[dict, dict[str, bytes], bytes]:
    """The committed params, input files and exclusions of an announced task.

    Protocol 2: ``roster.csv``/``experts.csv`` carry the committed recusals of the secret
    ``recusals.csv`` (what the group rules read; never what is published)."""
    import json

    public = ws.public_files(task_id)
    secret = ws.secret_files(task_id)
    if "params.json" not in public:
        raise DrawRefused(f"任务 {task_id} 尚未公告（没有 data/draws/{task_id}/params.json）。")
    params = json.loads(public["params.json"])
    stored = stored_snapshots.task_inputs(ws.data_dir, ws.task_entries(task_id).announce, public)
    try:
        files: dict[str, bytes] = {n: public.get(n) or stored[n] for n in snapshots.FILES}
    except KeyError as exc:
        raise DrawRefused(
            f"找不到任务 {task_id} 公告时的 {exc.args[0]}（data/draws/{task_id}/ 和快照库 "
            f"data/{snapshots.STORE}/ 中都没有）。"
        ) from exc
    if "risk.csv" in secret:
        files["risk.csv"] = secret["risk.csv"]
    if params.get("protocol") == "gongshi-draw/2":
        if "recusals.csv" not in secret:
            raise DrawRefused(f"找不到任务 {task_id} 的回避承诺文件（secrets/{task_id}/recusals.csv）。")
        rows = parse_csv("recusals.csv", secret["recusals.csv"])
        files = private.merged(files, {r[0]: r[2] for r in rows})
    exclusions = secret.get("exclusions.csv") or public.get("exclusions.csv")
    if exclusions is None:
        raise DrawRefused(f"找不到任务 {task_id} 的排除名单（secrets/{task_id}/exclusions.csv）。")
    return params, files, exclusions
