"""data/roster/*.csv|xlsx (执法检查人员名录库) and data/roster/experts.csv|xlsx (专家名录库).

Personal columns (身份证号, 手机号, 住址 …) may stay in the office's file: they are internal and are
never loaded into the model. Duplicate ids are reported by the ``duplicates`` check.
"""

from __future__ import annotations

from ..model import Expert, Inspector, Origin, Portal
from . import headers as H
from .base import (
    CODE_FIX,
    ID_RE,
    LoadContext,
    code_problem,
    compact_code,
    parse_bool,
    resolve_unit,
    split_multi,
    text,
)
from .records import Row, read_rows
from .tabular import table_files

ROSTER_REQUIRED = ("id", "name", "unit", "badge", "qualified")
EXPERTS_REQUIRED = ("id", "name")
EXPERT_STEMS = ("experts", "专家", "专家名录库")


def load_roster(ctx: LoadContext, portal: Portal | None) -> tuple[Inspector, ...]:
    files = table_files(ctx.data_dir / "roster", exclude_stems=EXPERT_STEMS)
    if not files:
        ctx.error("schema.file", "没有执法检查人员名录库：data/roster/ 下应有 .csv 或 .xlsx 文件",
                  Origin("roster/"), fix="把人员名录导出为 CSV 或 XLSX 放入 data/roster/。")
    units = portal.units if portal else ()
    out: list[Inspector] = []
    for path in files:
        for row in read_rows(ctx, path, H.ROSTER, ROSTER_REQUIRED, H.PERSONAL, "人员名录库"):
            i = _inspector(ctx, row, units)
            if i is not None:
                out.append(i)
    return tuple(out)


def load_experts(ctx: LoadContext) -> tuple[Expert, ...]:
    folder = ctx.data_dir / "roster"
    files = [p for p in table_files(folder) if p.stem.lower() in EXPERT_STEMS]
    out: list[Expert] = []
    for path in files:
        for row in read_rows(ctx, path, H.EXPERTS, EXPERTS_REQUIRED, H.PERSONAL, "专家名录库"):
            ok = _check_id(ctx, row, H.EXPERTS)
            name = text(row.values.get("name"))
            if not name:
                ctx.error("schema.required", "「姓名」不能为空", row.origin("name"),
                          column=row.column("name", H.EXPERTS), fix="填写姓名。")
                ok = False
            recusals = _recusals(ctx, row, H.EXPERTS)
            if ok:
                out.append(Expert(
                    id=text(row.values.get("id")),
                    name=name,
                    organisation=text(row.values.get("organisation")),
                    expertise=split_multi(row.values.get("expertise")),
                    recusals=recusals,
                    origin=row.origin(),
                ))
    return tuple(out)


def _check_id(ctx: LoadContext, row: Row, table: H.Table) -> bool:
    pid = text(row.values.get("id"))
    if not ID_RE.fullmatch(pid):
        ctx.error("schema.id", "编号应为 1–32 位字母、数字、_ 或 -（不能含汉字或空格）",
                  row.origin("id"), column=row.column("id", table), value=pid,
                  fix="例如 YS001；编号一经使用不能给其他人。")
        return False
    return True


def _recusals(ctx: LoadContext, row: Row, table: H.Table) -> tuple[str, ...]:
    out: list[str] = []
    for raw in split_multi(row.values.get("recusals")):
        code = compact_code(raw)
        problem = code_problem(code)
        if problem:
            ctx.error("uscc.checksum" if "校验位" in problem else "uscc.format",
                      f"回避企业的{problem}", row.origin("recusals"),
                      column=row.column("recusals", table), value=raw, fix=CODE_FIX)
        elif code not in out:
            out.append(code)
    return tuple(out)


def _inspector(ctx: LoadContext, row: Row, units) -> Inspector | None:
    v = row.values

    def col(fld: str) -> str:
        return row.column(fld, H.ROSTER)

    ok = _check_id(ctx, row, H.ROSTER)
    name = text(v.get("name"))
    if not name:
        ctx.error("schema.required", "「姓名」不能为空", row.origin("name"), column=col("name"),
                  fix="填写姓名。")
        ok = False
    unit_raw = text(v.get("unit"))
    unit = resolve_unit(units, unit_raw) if unit_raw else None
    if unit is None:
        ctx.error("references.unit", f"单位「{unit_raw}」不在 portal.yaml 的「单位」中",
                  row.origin("unit"), column=col("unit"), value=unit_raw,
                  fix="填写 portal.yaml 中某个单位的编号或名称。")
        ok = False
    qualified = parse_bool(v.get("qualified"))
    if qualified is None:
        ctx.error("schema.bool", "「执法资格」应为 是 或 否", row.origin("qualified"),
                  column=col("qualified"), value=text(v.get("qualified")), fix="填写 是 或 否。")
        ok = False
    cap_raw = text(v.get("cap"))
    cap = 0
    if cap_raw:
        if cap_raw.isdigit() and cap_raw.isascii():
            cap = int(cap_raw)
        else:
            ctx.error("schema.int", "「个人上限」应为非负整数（0 或空 = 不设上限）", row.origin("cap"),
                      column=col("cap"), value=cap_raw, fix="例如 5。")
            ok = False
    recusals = _recusals(ctx, row, H.ROSTER)
    if not ok:
        return None
    return Inspector(
        id=text(v.get("id")),
        name=name,
        unit=unit,
        title=text(v.get("title")),
        expertise=split_multi(v.get("expertise")),
        badge=text(v.get("badge")),
        qualified=bool(qualified),
        recusals=recusals,
        cap=cap,
        origin=row.origin(),
    )
