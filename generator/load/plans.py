"""data/plans/<year>.yaml: the year's plan (年度抽查计划), as the office writes it.

Keys: 年度, 名称, 公开 (是/否: publish the plan page), 说明, 抽查类型 (the year's default, 不定向),
比例下限 / 比例上限 (e.g. "5%" / "100%"), 重点行业 [..], 批次 [{名称, 任务编号, 抽查事项, 发起部门,
配合部门, 检查对象, 抽查比例, 时间安排, 抽查类型}].
"""

from __future__ import annotations

from pathlib import Path

from ..model import Plan, PlanBatch, Portal
from . import headers as H
from .base import LoadContext, parse_bool, resolve_unit, split_multi, text
from .records import key_origin, record
from .tasks import DIRECTED, check_ratio
from .yamlio import load_yaml


def load_plans(ctx: LoadContext, portal: Portal | None) -> tuple[Plan, ...]:
    folder = ctx.data_dir / "plans"
    if not folder.is_dir():
        return ()
    out = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml")):
        plan = _plan(ctx, path, portal)
        if plan is not None:
            out.append(plan)
    return tuple(out)


def _plan(ctx: LoadContext, path: Path, portal: Portal | None) -> Plan | None:
    ok, data = load_yaml(ctx, path)
    if not ok:
        return None
    rel = ctx.rel(path)
    got = record(ctx, H.PLAN, data, rel, "年度抽查计划")
    if got is None:
        return None
    f, origin = got
    units = portal.units if portal else ()
    good = True
    year = f.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or str(year) != path.stem:
        ctx.error("schema.int", f"「年度」应为四位整数并与文件名 {path.name} 一致", key_origin(data, rel, H.PLAN, "year"),
                  value=year, fix="文件 plans/2023.yaml 写 年度: 2023。")
        good = False
    public = parse_bool(f.get("public", False))
    if public is None:
        ctx.error("schema.bool", "「公开」应为 是 或 否", key_origin(data, rel, H.PLAN, "public"),
                  value=f.get("public"), fix="写 是 或 否。")
        good = False
    ratios = {}
    for fld in ("ratio_min", "ratio_max"):
        raw = f.get(fld)
        if raw is None:
            ratios[fld] = None
            continue
        problem = check_ratio(raw)
        if problem:
            ctx.error("schema.ratio", problem, key_origin(data, rel, H.PLAN, fld), value=raw,
                      fix="例如 比例下限: \"5%\"")
            good = False
        ratios[fld] = raw
    directed = DIRECTED.get(text(f.get("directed", "不定向")))
    if directed is None:
        ctx.error("schema.vocab", "「抽查类型」应为 定向 或 不定向", key_origin(data, rel, H.PLAN, "directed"),
                  value=f.get("directed"), fix="写 定向 或 不定向。")
        good = False
    batches = []
    raw_batches = f.get("batches") or []
    if not isinstance(raw_batches, list):
        ctx.error("schema.type", "「批次」应为列表", key_origin(data, rel, H.PLAN, "batches"),
                  fix="每个批次写一项 - {名称, 抽查事项, 检查对象, 抽查比例, 时间安排}")
        raw_batches, good = [], False
    for entry in raw_batches:
        got_b = record(ctx, H.PLAN_BATCH, entry, rel, "计划批次")
        if got_b is None:
            good = False
            continue
        b, borigin = got_b
        title = text(b.get("title"))
        if not title:
            ctx.error("schema.required", "计划批次缺少「名称」", borigin, fix="填写批次名称。")
            good = False
            continue
        b_directed = DIRECTED.get(text(b.get("directed", "定向" if directed else "不定向")))
        batches.append(PlanBatch(
            title=title, items=split_multi(b.get("items")), task=text(b.get("task")),
            department=resolve_unit(units, text(b.get("department"))) or text(b.get("department")),
            partners=tuple(resolve_unit(units, p) or p for p in split_multi(b.get("partners"))),
            objects=text(b.get("objects")), ratio=text(b.get("ratio")), timing=text(b.get("timing")),
            directed=bool(b_directed),
        ))
    if not good:
        return None
    return Plan(
        year=year, title=text(f.get("title")) or f"{year}年度双随机抽查工作计划", public=bool(public),
        intro=text(f.get("intro")), batches=tuple(batches), ratio_min=ratios["ratio_min"],
        ratio_max=ratios["ratio_max"], directed_default=bool(directed),
        industries=split_multi(f.get("industries")), origin=origin,
    )
