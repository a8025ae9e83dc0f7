"""``gongshi reveal`` and ``gongshi publish`` (PROTOCOL §7–§9, §11).

Reveal moves the one-time code and the draw record from ``secrets/<task>/`` into the task's
public folder and appends ``reveal``; publish writes the canonical ``results.csv`` and appends
``publish`` with its hash. Files first, log entry last.
"""

from __future__ import annotations

from ..model import Model
from ..protocol import recusals
from ..protocol.canonical import parse_csv, write_csv
from ..protocol.encoding import sha256_hex
from ..protocol.errors import ProtocolError
from ..protocol.listing import parse_listing
from ..protocol.tickets import hash_chain
from ..state import BEIJING
from .commit import task_files
from .freetext import refuse_personal
from .logio import append_entry, exclusive
from .workspace import DrawRefused, Unchanged, Workspace, bj_time


def listing_names(secret: dict[str, bytes]) -> list[str]:
    names = [n for n in secret if n.startswith("listing-") and n.endswith(".csv")]
    return sorted(names, key=lambda n: int(n[len("listing-"):-len(".csv")]))


@exclusive  # holds the log lock from the checks to the append (see logio.exclusive)
def reveal(ws: Workspace, model: Model, task_id: str, auditors: list[str] | None = None) -> dict:
    task = model.task(task_id)
    entries = ws.task_entries(task_id)
    if task is None or entries.announce is None:
        raise DrawRefused(f"任务 {task_id} 尚未公告，无可揭示的内容。")
    if entries.reveal is not None:
        raise DrawRefused(f"任务 {task_id} 已于 {bj_time(entries.reveal['time'])} 揭示。")
    now = ws.now()
    today = now.astimezone(BEIJING).date()
    if entries.cancel is None:
        if entries.draw is None:
            raise DrawRefused(f"任务 {task_id} 尚未抽取，不能揭示。")
        if task.completion_date is None or task.completion_date > today:
            raise DrawRefused(
                f"任务 {task_id} 尚未检查完成（任务文件中的“完成日期”未填写或晚于今天），"
                "检查完成前不得公开抽取名单。"
            )
    params, _files, exclusions = task_files(ws, task_id)
    for row in parse_csv("exclusions.csv", exclusions):
        ref = row[2]
        if ws.task_entries(ref).reveal is None:
            raise DrawRefused(f"任务 {task_id} 排除了任务 {ref} 抽中的企业，须在任务 {ref} 揭示之后才能揭示。")

    secret = ws.read_secret(task_id)
    _c, code = hash_chain(secret, params["n"])
    record = ws.secret_files(task_id)
    audit = params["mode"] == "audit"
    fields: dict = {"type": "reveal", "task": task_id}
    if entries.draw is None:  # cancelled before its draw: only the code
        if not audit:
            ws.write_public(task_id, "code.txt", code.hex().encode("ascii") + b"\n")
    else:
        names = listing_names(record)
        last = record[names[-1]]
        if params.get("protocol") == "gongshi-draw/2":
            fields["people_sha256"] = _reveal_private(ws, model, task_id, record, names, last)
        ws.write_public(task_id, "exclusions.csv", exclusions)
        if audit:
            rows = [(ln.code, ln.inspectors, ln.experts) for ln in parse_listing(last)]
            ws.write_public(task_id, "selected.csv", write_csv("selected.csv", rows))
        else:
            for name in names:
                ws.write_public(task_id, name, record[name])
            ws.write_public(task_id, "listing.csv", last)
            ws.write_public(task_id, "cutoffs.csv", record["cutoffs.csv"])
            ws.write_public(task_id, "code.txt", code.hex().encode("ascii") + b"\n")
    if audit:
        if not auditors:
            raise DrawRefused("审计模式的任务揭示时须用 --auditor 指定至少一名审计人员。")
        fields["auditors"] = sorted(auditors)
    else:
        fields["code"] = code.hex()
    return append_entry(ws, fields, now)


def people_csv(model: Model, ids: list[str]) -> bytes:
    """``people.csv`` (protocol 2): the names, units and 执法证号 shown for ``ids``."""
    rows = []
    for pid in ids:
        insp = model.inspector(pid)
        if insp is not None:
            unit = model.portal.unit(insp.unit)
            rows.append((pid, insp.name, unit.name if unit else insp.unit, insp.badge))
            continue
        expert = model.expert(pid)
        if expert is None:
            raise DrawRefused(f"检查人员名录和专家名录中都找不到 {pid}，无法写出揭示时显示的人员文件。")
        rows.append((pid, expert.name, expert.organisation, ""))
    try:
        return write_csv("people.csv", rows)
    except ProtocolError as exc:
        raise DrawRefused(f"人员的姓名、单位或执法证号不能写入 people.csv：{exc}（不得含逗号、引号或换行）") from exc


def _reveal_private(ws: Workspace, model: Model, task_id: str, record: dict[str, bytes],
                    names: list[str], last: bytes) -> str:
    """Protocol 2 at reveal: the selected enterprises' recusal rows with their proofs, and the
    display file of every person in any listing; returns ``people_sha256``."""
    selected = [ln.code for ln in parse_listing(last)]
    ws.write_public(task_id, "recusals-selected.csv", recusals.selected_file(record["recusals.csv"], selected))
    ids: list[str] = []
    for name in names:
        for ln in parse_listing(record[name]):
            ids += [i for i in ln.inspectors + ln.experts if i not in ids]
    people = people_csv(model, ids)
    ws.write_public(task_id, "people.csv", people)
    return sha256_hex(people)


def results_csv(model: Model, task_id: str) -> bytes:
    rows = [
        (r.code, r.inspected, r.completed, sorted(set(r.results)), sorted(set(r.followups)))
        for r in model.results.get(task_id, ())
    ]
    return write_csv("results.csv", rows)


def correction_reason(reason: str) -> str:
    """The correction's reason as it goes into the public log: the one place it is checked
    (empty, or holding personal data or a credit-risk class: refused before anything is
    written, ``draws.freetext``)."""
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise DrawRefused("更正已公示的结果须写明原因，例如 --correction \"录入错误：某企业检查结果应为发现问题已责令改正\"。")
    refuse_personal({"--correction": reason})
    return cleaned


def changed_codes(before: bytes, after: bytes) -> list[str]:
    """The codes whose canonical results row differs between two results.csv files."""
    def rows(data: bytes) -> dict[str, tuple]:
        return {row[0]: tuple(row) for row in parse_csv("results.csv", data)}

    old, new = rows(before), rows(after)
    return sorted(c for c in old.keys() | new.keys() if old.get(c) != new.get(c))


@exclusive  # holds the log lock from the checks to the append (see logio.exclusive)
def publish(ws: Workspace, model: Model, task_id: str, correction: str | None = None) -> dict:
    """Publish the task's results; once published, unchanged results are a no-op
    (:class:`Unchanged`) and changed ones need ``correction`` (the reason, 更正)."""
    from .imports import latest_imported

    entries = ws.task_entries(task_id)
    task = model.task(task_id)
    imported = entries.imported is not None or (task is not None and task.imported)
    if entries.cancel is not None:
        raise DrawRefused(f"任务 {task_id} 已取消，没有检查结果可公示。")
    if imported:  # a list drawn elsewhere: no code to reveal; the list is made public now
        listing = latest_imported(ws, task_id)
    elif entries.reveal is None:
        raise DrawRefused(f"任务 {task_id} 尚未揭示抽取结果，请先执行 gongshi reveal {task_id}。")
    else:
        public = ws.public_files(task_id)
        listing = public.get("listing.csv") or public.get("selected.csv")
    data = results_csv(model, task_id)
    selected = {row.split(b",", 1)[0].decode() for row in (listing or b"").splitlines()}
    selected.discard("code")
    recorded = {row[0] for row in parse_csv("results.csv", data)}
    if recorded != selected:
        missing = sorted(selected - recorded)
        extra = sorted(recorded - selected)
        raise DrawRefused(
            f"任务 {task_id} 的检查结果须恰好覆盖抽中的企业："
            + (f"缺少 {len(missing)} 家（如 {', '.join(missing[:3])}）" if missing else "")
            + (f"多出 {len(extra)} 家（如 {', '.join(extra[:3])}）" if extra else "")
            + "。请修改 data/results/ 中的结果文件。"
        )
    digest = sha256_hex(data)
    fields: dict = {"type": "publish", "task": task_id, "results_sha256": digest}
    last = entries.publish
    if last is None:
        if correction is not None:
            raise DrawRefused(f"任务 {task_id} 尚未公示过，首次公示不需要 --correction；请去掉该参数再执行。")
    else:
        first = entries.first_publish
        when = bj_time(first["time"] if first else last["time"])
        if last["results_sha256"] == digest:
            raise Unchanged(f"任务 {task_id} 的检查结果与已公示的相同（{when} 首次公示），"
                            "没有写入日志，网站不变。")
        changed = changed_codes(ws.public_files(task_id).get("results.csv", b""), data)
        if correction is None:
            raise DrawRefused(
                f"任务 {task_id} 已于 {when} 公示，现在的结果文件与已公示的不同"
                f"（{len(changed)} 家企业有变化，如 {'、'.join(changed[:3])}）。"
                f"如确需更正，请执行 gongshi publish {task_id} --correction \"更正原因\"："
                "更正记录和原因会在任务页面公开，是否按时公示仍以首次公示日期为准。"
                "如不是有意修改，请把 data/results/ 中的结果文件改回原样。"
            )
        fields["reason"] = correction_reason(correction)
        fields["changed"] = max(1, len(changed))
    if imported:
        ws.write_public(task_id, "imported.csv", listing)
    ws.write_public(task_id, "results.csv", data)
    return append_entry(ws, fields, ws.now())
