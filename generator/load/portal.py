"""data/portal.yaml: the office, its units, the deadline rule and calendar overrides.

节假日 example (a year the calendar library does not have yet)::

    节假日:
      2027:
        来源: 国务院办公厅关于2027年部分节假日安排的通知
        放假: [2027-01-01, 2027-02-06..2027-02-13]
        调休上班: [2027-02-14]
"""

from __future__ import annotations

import datetime as dt
import re

from ..model import Origin, Portal, Unit, YearSchedule
from . import headers as H
from .base import ID_RE, LoadContext, parse_bool, text
from .dates import DATE_FORMS, parse_date
from .records import key_origin, record
from .yamlio import line_of, load_yaml

UNIT_KINDS = {"局机关": "hq", "局机关科室": "hq", "科室": "hq", "hq": "hq",
              "市场监管所": "station", "监管所": "station", "station": "station",
              "其他部门": "dept", "部门": "dept", "dept": "dept"}
_RANGE = re.compile(r"\s*(.+?)\s*(?:\.\.|～|~|至)\s*(.+?)\s*")
FILE = "portal.yaml"


def load_portal(ctx: LoadContext) -> Portal | None:
    path = ctx.data_dir / FILE
    if not path.is_file():
        ctx.error("schema.file", f"数据目录 {ctx.data_dir} 中没有 portal.yaml", Origin(FILE),
                  fix="复制示例数据中的 data/portal.yaml 并填写本机关信息，或用 --data 指向数据目录。")
        return None
    ok, data = load_yaml(ctx, path)
    if not ok:
        return None
    got = record(ctx, H.PORTAL, data, FILE, "portal.yaml")
    if got is None:
        return None
    f, origin = got
    name = text(f.get("office_name"))
    if not name:
        ctx.error("schema.required", "portal.yaml 缺少「机关名称」", origin,
                  fix="加一行：机关名称: ××市××区市场监督管理局")
    deadline = f.get("deadline_workdays", 20)
    if isinstance(deadline, bool) or not isinstance(deadline, int) or not 1 <= deadline <= 100:
        ctx.error("schema.type", f"「公示时限工作日」应为 1 到 100 的整数，实际为 {deadline!r}",
                  key_origin(data, FILE, H.PORTAL, "deadline_workdays"), value=deadline,
                  fix="写作：公示时限工作日: 20")
        deadline = 20
    demo = parse_bool(f.get("demo", False))
    url = text(f.get("site_url"))
    if url and not url.endswith("/"):
        url += "/"
    return Portal(
        office_name=name,
        short_name=text(f.get("short_name")) or name,
        region_code=text(f.get("region_code")),
        site_url=url,
        deadline_workdays=deadline,
        calendar_overrides=_schedules(ctx, f.get("holidays"), data),
        demo=bool(demo),
        units=_units(ctx, f.get("units"), data),
        contact=text(f.get("contact")),
        origin=origin,
    )


def _units(ctx: LoadContext, raw: object, parent: object) -> tuple[Unit, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        ctx.error("schema.type", "「单位」应为列表：- {编号, 名称, 类型}",
                  key_origin(parent, FILE, H.PORTAL, "units"), fix="参照示例数据书写。")
        return ()
    units: list[Unit] = []
    for entry in raw:
        got = record(ctx, H.UNIT, entry, FILE, "单位")
        if got is None:
            continue
        f, origin = got
        uid, name, kind = text(f.get("id")), text(f.get("name")), text(f.get("kind"))
        if not ID_RE.fullmatch(uid):
            ctx.error("schema.id", "单位「编号」应为 1–32 位字母、数字、_ 或 -", origin, column="编号",
                      value=uid, fix="例如 hq-credit 或 s01。")
            continue
        if kind not in UNIT_KINDS:
            ctx.error("schema.vocab", "单位「类型」应为 局机关、市场监管所 或 其他部门", origin, column="类型",
                      value=kind, fix="写作 类型: 局机关、类型: 市场监管所 或 类型: 其他部门（联合抽查的税务、应急管理等部门）。")
            continue
        units.append(Unit(uid, name or uid, UNIT_KINDS[kind], origin))
    return tuple(units)


def _schedules(ctx: LoadContext, raw: object, parent: object) -> tuple[YearSchedule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        ctx.error("schema.type", "「节假日」应为按年份的映射：{2027: {来源, 放假, 调休上班}}",
                  key_origin(parent, FILE, H.PORTAL, "holidays"), fix="参照 portal.yaml 的注释书写。")
        return ()
    out: list[YearSchedule] = []
    for year_key, body in raw.items():
        origin = Origin(FILE, line_of(raw, str(year_key)), "节假日")
        try:
            year = int(str(year_key))
        except ValueError:
            ctx.error("schema.type", f"节假日的年份应为四位数字，实际为「{year_key}」", origin,
                      value=year_key, fix="例如 2027:")
            continue
        got = record(ctx, H.SCHEDULE, body, FILE, f"{year} 年节假日")
        if got is None:
            continue
        f, _ = got
        holidays = _days(ctx, f.get("holidays"), year, origin, "放假")
        workdays = _days(ctx, f.get("workdays"), year, origin, "调休上班")
        for d in sorted(workdays):
            if d.weekday() < 5:
                ctx.warning("calendar.workday", f"调休上班日 {d} 本是周一至周五的工作日", origin,
                            column="调休上班", value=d, fix="调休上班只需列出周六、周日。")
        if holidays & workdays:
            ctx.error("calendar.conflict", "同一天既是放假又是调休上班："
                      + "、".join(str(d) for d in sorted(holidays & workdays)), origin,
                      fix="按国务院办公厅通知改正。")
        out.append(YearSchedule(year, frozenset(holidays), frozenset(workdays), text(f.get("source"))))
    return tuple(out)


def _days(ctx: LoadContext, raw: object, year: int, origin: Origin, column: str) -> set[dt.date]:
    if raw is None:
        return set()
    items = raw if isinstance(raw, list) else [raw]
    days: set[dt.date] = set()
    for item in items:
        try:
            if isinstance(item, str) and _RANGE.fullmatch(item) and not _is_date(item):
                m = _RANGE.fullmatch(item)
                start, end = parse_date(m.group(1)), parse_date(m.group(2))
                if end < start:
                    raise ValueError(f"区间的结束日早于开始日：{item}")
                days.update(start + dt.timedelta(days=i) for i in range((end - start).days + 1))
            else:
                days.add(parse_date(item))
        except ValueError as exc:
            ctx.error("schema.date", str(exc), origin, column=column, value=item,
                      fix=f"日期写作 {DATE_FORMS}；连续多天写作 2027-02-06..2027-02-13。")
    for d in sorted(days):
        if d.year != year:
            ctx.error("calendar.year", f"{d} 不在 {year} 年", origin, column=column, value=d,
                      fix=f"把这一天移到 {d.year} 年的节假日下。")
    return {d for d in days if d.year == year}


def _is_date(s: str) -> bool:
    try:
        parse_date(s)
        return True
    except ValueError:
        return False
