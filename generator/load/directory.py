"""data/directory/*.csv|xlsx: the 检查对象名录库.

The credit-risk class (信用风险分类 and its aliases) goes to ``Enterprise.internal['risk']`` only:
never to a public field. Codes are normalised (NFKC, upper case, no spaces) and validated with
python-stdnum; an invalid code is an error naming file, row, column and value, and the row is
left out of the model. A code appearing twice is an error naming both rows.
"""

from __future__ import annotations

from ..model import Enterprise, Origin, Portal
from . import headers as H
from .base import CODE_FIX, LoadContext, code_problem, compact_code, resolve_unit, text
from .dates import DATE_FORMS, parse_date
from .records import read_rows
from .tabular import table_files

REQUIRED = ("code", "name", "entity_type", "industry", "unit", "registered", "status")


def load_directory(ctx: LoadContext, portal: Portal | None) -> dict[str, Enterprise]:
    folder = ctx.data_dir / "directory"
    files = table_files(folder)
    if not files:
        ctx.error("schema.file", "没有检查对象名录库：data/directory/ 下应有 .csv 或 .xlsx 文件",
                  Origin("directory/"), fix="把名录库导出为 CSV 或 XLSX 放入 data/directory/。")
    units = portal.units if portal else ()
    out: dict[str, Enterprise] = {}
    for path in files:
        for row in read_rows(ctx, path, H.DIRECTORY, REQUIRED, what="名录库"):
            e = _enterprise(ctx, row, units)
            if e is None:
                continue
            if e.code in out:
                first = out[e.code].origin
                where = f"{first.file} 第 {first.row} 行" if first else "另一行"
                ctx.error("duplicates.code", f"统一社会信用代码重复：已出现在 {where}",
                          row.origin("code"), column=row.column("code", H.DIRECTORY), value=e.code,
                          fix="同一企业只能在名录库中出现一次，请删除或合并重复的行。")
                continue
            out[e.code] = e
    return out


def _enterprise(ctx: LoadContext, row, units) -> Enterprise | None:
    v = row.values
    ok = True

    def col(fld: str) -> str:
        return row.column(fld, H.DIRECTORY)

    raw_code = text(v.get("code"))
    code = compact_code(raw_code)
    problem = code_problem(code) if code else "统一社会信用代码为空"
    if problem:
        ctx.error("uscc.checksum" if "校验位" in problem else "uscc.format", problem,
                  row.origin("code"), column=col("code"), value=raw_code, fix=CODE_FIX)
        ok = False
    for fld in ("name", "entity_type", "industry", "status"):
        if not text(v.get(fld)):
            ctx.error("schema.required", f"「{col(fld)}」不能为空", row.origin(fld), column=col(fld),
                      fix="填写该单元格。")
            ok = False
    unit_raw = text(v.get("unit"))
    unit = resolve_unit(units, unit_raw) if unit_raw else None
    if unit is None:
        ctx.error("references.unit", f"所属监管所「{unit_raw}」不在 portal.yaml 的「单位」中",
                  row.origin("unit"), column=col("unit"), value=unit_raw,
                  fix="填写 portal.yaml 中某个单位的编号或名称，或在 portal.yaml 中补充该单位。")
        ok = False
    try:
        registered = parse_date(v.get("registered"))
    except ValueError as exc:
        ctx.error("schema.date", str(exc), row.origin("registered"), column=col("registered"),
                  value=text(v.get("registered")), fix=f"日期写作 {DATE_FORMS}。")
        ok = False
    if not ok:
        return None
    internal = {}
    risk = text(v.get("internal:risk"))
    if risk:
        internal["risk"] = risk
    return Enterprise(
        code=code,
        name=text(v.get("name")),
        entity_type=text(v.get("entity_type")),
        industry=text(v.get("industry")),
        industry_risk=text(v.get("industry_risk")),
        unit=unit,
        registered=registered,
        status=text(v.get("status")),
        address=text(v.get("address")),
        internal=internal,
        origin=row.origin(),
    )
