"""A 执法证号 is one person's: the same badge number on two inspectors is a copying mistake."""

from __future__ import annotations

from ..findings import ERROR, Finding
from ..model import Model
from .context import CheckContext


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    first: dict[str, object] = {}
    for i in model.inspectors:
        badge = i.badge.strip().upper()
        if not badge:
            continue
        other = first.setdefault(badge, i)
        if other is not i and other.id.lower() != i.id.lower():
            row = other.origin.row if other.origin else None
            out.append(Finding.at(
                ERROR, "roster.badge_duplicate",
                f"执法证号 {i.badge} 与人员 {other.id}（{other.name}{f'，第 {row} 行' if row else ''}）重复",
                i.origin, column="执法证号", value=i.badge,
                fix="执法证号一人一号：对照执法证核对两人的证号并改正。"))
    return out
