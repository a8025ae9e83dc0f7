"""data/followups/<task>.csv|xlsx: tracked follow-up records (后续处置记录), one row each.

Columns: 统一社会信用代码, 处置类型 (责令改正 / 列入经营异常名录 / 立案查处 / 移送), 日期, 改正期限,
文号 (决定书文号 or 案号), 复查日期, 复查结果, 移出日期, 接收机关, 状态 (办理中 / 已办结), 备注.
"""

from __future__ import annotations

from pathlib import Path

from ..model import FOLLOWUP_KINDS, FollowUp
from . import headers as H
from .base import LoadContext, text
from .dates import DATE_FORMS, parse_date
from .records import Row, read_rows
from .results import row_code, task_tables

REQUIRED = ("code", "kind")
KIND_OF = {H.normalise(v): k for k, v in FOLLOWUP_KINDS.items()} | {
    H.normalise(k): k for k in FOLLOWUP_KINDS} | {
    H.normalise("列入经营异常名录管理"): "abnormal", H.normalise("列入异常名录"): "abnormal",
    H.normalise("立案调查"): "case", H.normalise("移送司法机关"): "transfer",
    H.normalise("移送公安机关"): "transfer", H.normalise("移送其他部门"): "transfer",
    H.normalise("抄告相关部门"): "transfer", H.normalise("限期改正"): "rectify"}
OPEN_WORDS = {"办理中", "未办结", "进行中", "open", "开"}
CLOSED_WORDS = {"已办结", "办结", "已完成", "closed", "已关闭", "关闭"}
# What each kind needs, beyond code and kind: (field, why) for a row to be complete.
NEEDS = {
    "rectify": (("deadline", "改正期限"),),
    "abnormal": (("date", "列入日期"), ("reference", "决定书文号")),
    "case": (("reference", "案号"),),
    "transfer": (("receiver", "接收机关"), ("date", "移送日期")),
}
DATES = ("date", "deadline", "review_date", "removed")


def load_followups(ctx: LoadContext, task_ids: set[str]) -> dict[str, tuple[FollowUp, ...]]:
    return {task: _file(ctx, path, task)
            for task, path in task_tables(ctx, "followups", "后续处置文件", task_ids)}


def _file(ctx: LoadContext, path: Path, task: str) -> tuple[FollowUp, ...]:
    rows = []
    for row in read_rows(ctx, path, H.FOLLOWUPS, REQUIRED, what="后续处置文件"):
        f = _row(ctx, task, row)
        if f is not None:
            rows.append(f)
    return tuple(rows)


def _row(ctx: LoadContext, task: str, row: Row) -> FollowUp | None:
    v = row.values

    def col(fld: str) -> str:
        return row.column(fld, H.FOLLOWUPS)

    code = row_code(ctx, row, H.FOLLOWUPS)
    ok = code is not None
    raw_kind = text(v.get("kind"))
    kind = KIND_OF.get(H.normalise(raw_kind))
    if kind is None:
        ctx.error("schema.vocab", f"「处置类型」无法识别：{raw_kind}", row.origin("kind"), column=col("kind"),
                  value=raw_kind, fix="可用：" + "、".join(FOLLOWUP_KINDS.values()) + "。")
        ok = False
    dates = {}
    for fld in DATES:
        raw = v.get(fld)
        if raw is None or text(raw) == "":
            continue
        try:
            dates[fld] = parse_date(raw)
        except ValueError as exc:
            ctx.error("schema.date", str(exc), row.origin(fld), column=col(fld), value=text(raw),
                      fix=f"日期写作 {DATE_FORMS}。")
            ok = False
    raw_status = text(v.get("status"))
    closed = False
    if raw_status in CLOSED_WORDS:
        closed = True
    elif raw_status and raw_status not in OPEN_WORDS:
        ctx.error("schema.vocab", f"「状态」应为 办理中 或 已办结，实际为「{raw_status}」", row.origin("status"),
                  column=col("status"), value=raw_status, fix="写 办理中 或 已办结（不写即为办理中）。")
        ok = False
    if not ok:
        return None
    values = {**{k: text(v.get(k)) for k in ("reference", "outcome", "receiver")}, **dates}
    for fld, what in NEEDS[kind]:
        if not values.get(fld):
            ctx.error("schema.required", f"{FOLLOWUP_KINDS[kind]}应填写「{what}」", row.origin(fld),
                      column=col(fld), fix=f"在「{H.canonical(H.FOLLOWUPS, fld)}」列填写{what}。")
            ok = False
    if not ok:
        return None
    return FollowUp(
        task=task, code=code, kind=kind, date=dates.get("date"), deadline=dates.get("deadline"),
        reference=values["reference"], review_date=dates.get("review_date"), outcome=values["outcome"],
        removed=dates.get("removed"), receiver=values["receiver"], closed=closed,
        note=text(v.get("note")), origin=row.origin(),
    )
