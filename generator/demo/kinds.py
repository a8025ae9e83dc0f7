"""The demo's tasks of other kinds: lists imported from the 部门协同监管平台 or handed down,
results per item (the national 公示系统's 序号 | 检查事项 | 检查结果), product-sampling results
with 检验机构 and 报告编号, tracked follow-up records of every kind, and the year's plan."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import chinese_calendar

from .files import csv_bytes, write_bytes, yaml_bytes
from .tasks import task_plan

LAB = "示例市产品质量检验检测中心"
FOLLOWUP_HEADER = ("统一社会信用代码", "企业名称", "处置类型", "日期", "改正期限", "文号", "复查日期", "复查结果",
                   "移出日期", "接收机关", "状态", "备注")
RESULTS_HEADER = ("统一社会信用代码", "企业名称", "检查事项", "检查日期", "检查结果", "后续处置", "检验机构", "报告编号",
                  "备注", "完成日期")


def _list_codes(model, plan, rng: random.Random) -> list[str]:
    """The list the platform (or the superior bureau) drew: enterprises 存续 before 2022."""
    pool = sorted(c for c, e in model.enterprises.items()
                  if e.status == "存续" and e.registered < dt.date(2022, 1, 1) and e.entity_type == "企业")
    return sorted(rng.sample(pool, plan.list_size))


def _workdays(plan) -> list[dt.date]:
    end = plan.completion or plan.inspect_end
    return [d for d in (plan.inspect_start + dt.timedelta(days=k) for k in range((end - plan.inspect_start).days + 1))
            if chinese_calendar.is_workday(d)]


def import_demo_list(ws, model, data_dir: Path, secrets_dir: Path, event) -> None:
    from ..draws.imports import import_list

    plan = task_plan(event.task)
    rng = random.Random(event.results_seed)
    codes = _list_codes(model, plan, rng)
    source = secrets_dir / "exports" / f"{plan.id}.csv"
    people = sorted(i.id for i in model.inspectors if i.qualified
                    and model.portal.unit(i.unit) and model.portal.unit(i.unit).kind != "dept")
    write_bytes(source, csv_bytes(("统一社会信用代码", "企业名称", "检查人员"),
                                  [(c, model.enterprises[c].name, "、".join(sorted(rng.sample(people, 2))))
                                   for c in codes], "utf-8-sig"))
    import_list(ws, model, plan.id, source)
    if event.results:
        write_item_results(data_dir, model, plan, codes, rng)


def write_item_results(data_dir: Path, model, plan, codes: list[str], rng: random.Random) -> None:
    """Results per (enterprise, 检查事项); for 2023-09 also the follow-up records."""
    days = _workdays(plan)
    rows, followups = [], []
    for n, code in enumerate(codes):
        name = model.enterprises[code].name
        day = rng.choice(days)
        for item in plan.items:
            lab = report = ""
            result, followup, note = "未发现问题", "", ""
            if item == "SX07":
                lab, report = LAB, f"ZJ2023-{plan.id[-2:]}{n + 1:03d}"
                result = "不合格" if n % 3 == 1 else "合格"
                if result == "不合格":
                    followup, note = "违反本部门相关规定，责令改正；后续跟踪由日常监管部门负责", "标签标识不符合标准"
            elif item == "SX01" and n % 4 == 1:
                result, followup = "未按规定公示应当公示的信息", "违反本部门相关规定，责令改正；后续跟踪由日常监管部门负责"
            rows.append((code, name, item, day.isoformat(), result, followup, lab, report, note,
                         plan.completion.isoformat()))
        if plan.id == "2023-09":
            followups += _followups(code, name, n, day)
    write_bytes(Path(data_dir) / "results" / f"{plan.id}.csv", csv_bytes(RESULTS_HEADER, rows, "utf-8-sig"))
    if followups:
        write_bytes(Path(data_dir) / "followups" / f"{plan.id}.csv",
                    csv_bytes(FOLLOWUP_HEADER, followups, "utf-8-sig"))


def _followups(code: str, name: str, n: int, day: dt.date) -> list[tuple]:
    d = day.isoformat
    plus = lambda k: (day + dt.timedelta(days=k)).isoformat()  # noqa: E731
    if n == 1:
        return [(code, name, "责令改正", d(), plus(30), "示市监责改〔2023〕17号", plus(33), "已改正", "", "", "已办结", ""),
                (code, name, "列入经营异常名录", plus(40), "", "示市监异〔2023〕8号", "", "", plus(90), "", "已办结",
                 "补报公示信息后申请移出")]
    if n == 5:
        return [(code, name, "立案查处", plus(10), "", "示市监立〔2023〕42号", "", "", "", "", "办理中", "")]
    if n == 9:
        return [(code, name, "移送", plus(7), "", "", "", "", "", "示例区公安分局", "已办结", "涉嫌虚开发票，由税务部门会同移送")]
    if n == 10:
        return [(code, name, "责令改正", d(), plus(15), "示市监责改〔2023〕23号", "", "", "", "", "办理中", "")]
    return []


PLAN = {
    "年度": 2023,
    "名称": "示例区市场监督管理局2023年度双随机、一公开抽查工作计划",
    "公开": True,
    "说明": "依据《示例区2023年度市场监管领域部门联合双随机、一公开抽查工作实施方案》，全年以不定向抽查为主，"
            "抽查比例不低于5%；部门联合抽查依托国家企业信用信息公示系统（部门协同监管平台）开展。",
    "抽查类型": "不定向",
    "比例下限": "5%",
    "比例上限": "100%",
    "批次": [
        {"名称": "企业登记和公示信息抽查", "任务编号": "2023-01", "抽查事项": ["SX01", "SX02"],
         "检查对象": "辖区企业、个体工商户、农民专业合作社", "抽查比例": "5%", "时间安排": "2023年3月至6月",
         "发起部门": "xinyong"},
        {"名称": "部门联合抽查（税务、应急管理）", "任务编号": "2023-09", "抽查事项": ["SX01", "SW01", "YJ01"],
         "检查对象": "辖区企业", "抽查比例": "5%", "时间安排": "2023年5月至8月", "发起部门": "xinyong",
         "配合部门": ["shuiwu", "yingji"]},
        {"名称": "流通领域商品质量抽查（上级下发名单）", "任务编号": "2023-10", "抽查事项": ["SX07"],
         "检查对象": "市局下发名单所列经营者", "抽查比例": "按下发名单", "时间安排": "2023年7月至9月",
         "发起部门": "zhiliang", "抽查类型": "定向"},
    ],
}


def write_plan(data_dir: Path) -> None:
    write_bytes(Path(data_dir) / "plans" / "2023.yaml", yaml_bytes(PLAN, "示例数据：年度抽查计划（虚构）。"))
