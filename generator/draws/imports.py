"""``gongshi import-list``: fix a list drawn elsewhere (名单来源 协同监管平台抽取 or 上级下发).

The office exports the list from the 部门协同监管平台 (or receives it from the superior bureau)
as CSV or XLSX: one row per enterprise, 统一社会信用代码 required, 企业名称 and 检查人员 (roster ids
or names) optional. The import reads it, refuses it whole on any problem (wrong columns, codes
not in the directory, a row twice, an unknown inspector), writes its canonical form
``imported.csv`` (``code,inspectors`` header, rows sorted by bytes, ids ``;``-joined) under
``secrets/<task>/imported-<seq>.csv`` and appends an ``import`` entry with its hash, row count
and provenance. The list is public only from the task's ``publish`` on (then copied to
``data/draws/<task>/imported.csv``), like a locally drawn list. A second import is refused; a
corrected list is a new entry that names the import it corrects and says what changed.
"""

from __future__ import annotations

from pathlib import Path

from ..findings import sort_findings
from ..load import headers as H
from ..load.base import LoadContext, split_multi
from ..load.records import read_rows
from ..load.results import row_code
from ..model import Model
from ..protocol.encoding import sha256_hex
from .logio import append_entry, exclusive
from .workspace import DrawRefused, Workspace, bj_time

HEADER = b"code,inspectors\n"


def canonical_list(rows: dict[str, tuple[str, ...]]) -> bytes:
    lines = sorted(f"{code},{';'.join(ids)}".encode() for code, ids in rows.items())
    return HEADER + b"".join(line + b"\n" for line in lines)


def parse_canonical(data: bytes) -> dict[str, tuple[str, ...]]:
    out = {}
    for line in data.decode("utf-8").splitlines()[1:]:
        code, _, ids = line.partition(",")
        out[code] = tuple(i for i in ids.split(";") if i)
    return out


def read_list(model: Model, path: Path) -> dict[str, tuple[str, ...]]:
    """The list's rows {code: inspector ids}; DrawRefused naming every bad row otherwise."""
    if not path.is_file():
        raise DrawRefused(f"找不到名单文件 {path}。请给出从协同监管平台导出（或上级下发）的 CSV 或 XLSX 文件。")
    ctx = LoadContext(path.parent)
    rows: dict[str, tuple[str, ...]] = {}
    first_row: dict[str, int] = {}
    by_name = {}
    for i in model.inspectors:
        by_name.setdefault(i.name, []).append(i)
    for row in read_rows(ctx, path, H.IMPORTED, ("code",), what="导入的名单"):
        code = row_code(ctx, row, H.IMPORTED)
        if code is None:
            continue
        col = row.column("code", H.IMPORTED)
        if code not in model.enterprises:
            ctx.error("import.directory", f"统一社会信用代码 {code} 不在检查对象名录库中", row.origin("code"),
                      column=col, value=code,
                      fix="先把该企业加入 data/directory/ 的名录库（或核对代码是否抄错），再导入名单。")
            continue
        if code in first_row:
            ctx.error("import.duplicate", f"企业 {code} 在名单中出现两次（第一次在第 {first_row[code]} 行）",
                      row.origin("code"), column=col, value=code, fix="删除重复的一行后再导入。")
            continue
        first_row[code] = row.row
        ids = []
        for who in split_multi(row.values.get("inspectors")):
            found = model.inspector(who)
            named = by_name.get(who, [])
            if found is None and len(named) == 1:
                found = named[0]
            if found is None:
                ctx.error("import.inspector", f"检查人员「{who}」不在执法检查人员名录库中（或有重名）",
                          row.origin("inspectors"), column=row.column("inspectors", H.IMPORTED), value=who,
                          fix="填写名录库中的人员编号，或先把该人员加入 data/roster/。")
                continue
            ids.append(found.id)
        rows[code] = tuple(ids)
    errors = [f for f in sort_findings(ctx.findings) if f.is_error]
    if errors:
        raise DrawRefused(f"名单 {path} 有 {len(errors)} 处问题，未导入，磁盘上没有任何改动：\n"
                          + "\n".join(f.text() for f in errors))
    if not rows:
        raise DrawRefused(f"名单 {path} 没有数据行，未导入。")
    return rows


def _change(old: dict[str, tuple[str, ...]], new: dict[str, tuple[str, ...]], reason: str) -> str:
    added, removed = sorted(set(new) - set(old)), sorted(set(old) - set(new))
    changed = sorted(c for c in set(new) & set(old) if new[c] != old[c])
    parts = [f"新增 {len(added)} 家", f"删除 {len(removed)} 家", f"检查人员变更 {len(changed)} 家"]
    detail = "；".join(
        f"{what}：{'、'.join(codes[:5])}{' 等' if len(codes) > 5 else ''}"
        for what, codes in (("新增", added), ("删除", removed), ("变更", changed)) if codes)
    return f"{reason}（{'，'.join(parts)}{'；' + detail if detail else ''}）"


@exclusive  # holds the log lock from the checks to the append (see logio.exclusive)
def import_list(ws: Workspace, model: Model, task_id: str, path: Path, correction: str | None = None) -> dict:
    task = model.task(task_id)
    if task is None:
        raise DrawRefused(f"没有任务 {task_id}（data/tasks/{task_id}.yaml）。")
    if not task.imported:
        raise DrawRefused(
            f"任务 {task_id} 的「名单来源」是本局抽取，名单须用 gongshi commit / draw 可核验地抽取，不能导入。"
            "若名单确由协同监管平台抽取或由上级下发，请在任务文件中写明「名单来源」和「名单出处」。")
    entries = ws.task_entries(task_id)
    for e, what in ((entries.publish, "公示结果"), (entries.cancel, "取消")):
        if e is not None:
            raise DrawRefused(f"任务 {task_id} 已于 {bj_time(e['time'])} {what}，不能再导入名单。")
    rows = read_list(model, Path(path))
    data = canonical_list(rows)
    previous = entries.imported
    fields: dict = {"type": "import", "task": task_id, "source": task.list_source,
                    "list_sha256": sha256_hex(data), "rows": len(rows),
                    "reference": task.provenance.reference, "issuer": task.provenance.issuer,
                    "date": task.provenance.date.isoformat()}
    if previous is not None:
        if not correction:
            raise DrawRefused(
                f"任务 {task_id} 的名单已于 {bj_time(previous['time'])} 导入（日志第 {previous['seq'] + 1} 条，{previous['rows']} 家），"
                "不能再次导入。若名单确需更正，请用 --更正 \"更正原因\" 再导入：更正会作为新的一条公开记录，"
                "写明改了什么。")
        old = parse_canonical(ws.secret_files(task_id).get(f"imported-{previous['seq']}.csv", HEADER))
        if old == rows:
            raise DrawRefused(f"新名单与日志第 {previous['seq'] + 1} 条导入的名单完全相同，无需更正。")
        fields["corrects"] = previous["seq"]
        fields["change"] = _change(old, rows, correction)
    elif correction:
        raise DrawRefused(f"任务 {task_id} 尚未导入过名单，无可更正；首次导入请去掉 --更正。")
    seq = len(ws.entries())
    ws.write_secret(task_id, f"imported-{seq}.csv", data)
    return append_entry(ws, fields, ws.now())


def latest_imported(ws: Workspace, task_id: str) -> bytes:
    """The list in force (the latest import's file under ``secrets/``)."""
    entry = ws.task_entries(task_id).imported
    if entry is None:
        raise DrawRefused(f"任务 {task_id} 尚未导入名单，请先执行 gongshi import-list {task_id} 名单文件。")
    data = ws.secret_files(task_id).get(f"imported-{entry['seq']}.csv")
    if data is None or sha256_hex(data) != entry["list_sha256"]:
        raise DrawRefused(
            f"secrets/{task_id}/imported-{entry['seq']}.csv 缺失或与日志记录的哈希不符；"
            "请从安全备份恢复 secrets/ 目录。")
    return data
