"""The credit-risk class (信用风险分类) is never public (DESIGN §2, domain-rules §2.5).

- A task in public mode must not use ``risk`` in its population or strata conditions: such a task
  runs in audit mode (PROTOCOL §0, §9).
- A public enterprise field must not hold a credit-risk class (信用风险低/一般/较高/高, A类…D类):
  that is the sign of the internal column mapped into a public one (e.g. into 行业风险等级).
"""

from __future__ import annotations

import re

from ..findings import ERROR, Finding
from ..model import Model
from .context import CheckContext

_RISK_VALUE = re.compile(r"(信用风险.*|[A-E]类|[A-E]类企业|信用等级.*)")


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for task in model.tasks:
        if task.mode == "audit":
            continue
        conditions = list(task.population) + [c for s in task.strata for c in s.when]
        if any(c.column == "risk" for c in conditions):
            out.append(Finding.at(
                ERROR, "risk.public_mode",
                "公开模式的任务不能按信用风险分类（内部信息，不公开）划分抽取范围或分层",
                task.origin, column="模式", value=task.mode, task=task.id,
                fix="把「模式」改为 审计（名单由指定审计人员核验），或改用公开的「行业风险等级」分层。",
            ))
    if not _may_hold_risk(model.enterprises):
        return out
    for e in model.enterprises.values():
        for column, value in (("行业风险等级", e.industry_risk), ("市场主体类型", e.entity_type),
                              ("登记状态", e.status), ("行业", e.industry)):
            if value and _RISK_VALUE.fullmatch(value):
                out.append(Finding.at(
                    ERROR, "risk.public_column",
                    f"公开列「{column}」中出现信用风险分类取值，信用风险分类只能内部使用",
                    e.origin, column=column, value=value,
                    fix="把信用风险分类放在「信用风险分类」列（不会公开）；「行业风险等级」只填行业的风险等级。",
                ))
    return out


def _may_hold_risk(enterprises) -> bool:
    """False when no value of the four columns matches (a large directory holds each column's
    few distinct values once: checked without going through its rows)."""
    distinct = getattr(enterprises, "distinct", None)
    if distinct is None:
        return True
    return any(value and _RISK_VALUE.fullmatch(value)
               for field in ("industry_risk", "entity_type", "status", "industry")
               for value in distinct(field))
