"""A 执法人员 marked as qualified (执法资格 是) must have a 执法证号: the group lists it publicly."""

from __future__ import annotations

from ..findings import ERROR, Finding
from ..model import Model
from .context import CheckContext


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    return [
        Finding.at(ERROR, "roster.badge_missing",
                   f"人员 {i.id}（{i.name}）具有执法资格，但没有填写执法证号", i.origin, column="执法证号",
                   fix="填写其行政执法证号；尚未取得执法证的人员把「执法资格」改为 否。")
        for i in model.inspectors if i.qualified and not i.badge.strip()
    ]
