"""Reassignment of an inspector after the draw (PROTOCOL §7, §13 "Reassignment").

The replacement is the first inspector in the enterprise's full ranking who is not in the
group and has not left it, and who passes scope, recusal and load under the group's recorded
fallback while every required tag stays covered; the leaver's load is released; none → the
reassignment is refused. One change per entry; experts are not reassigned in v1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from .errors import ProtocolError
from .groups import Inspector, Rules, in_scope, limit, ranking
from .listing import Line
from .tickets import Tickets

REASONS = ("recusal", "unavailable")


def reassign_lines(
    lines: Sequence[Line], tickets: Tickets, inspectors: Sequence[Inspector], unit: str,
    rules: Rules, left: Iterable[tuple[str, str]], enterprise: str, leaver: str, reason: str,
) -> list[Line]:
    """The listing lines after ``leaver`` leaves ``enterprise``'s group.

    ``left`` holds the ``(enterprise, inspector)`` pairs of earlier reassignments.
    """
    if reason not in REASONS:
        raise ProtocolError("reassign", f"改派原因须为 recusal 或 unavailable，实际为 {reason!r}")
    if any(not line.inspectors for line in lines):
        raise ProtocolError("reassign", "抽取失败的清单不能改派")
    line = next((ln for ln in lines if ln.code == enterprise), None)
    if line is None:
        raise ProtocolError("reassign", f"企业 {enterprise} 不在抽取清单中")
    if leaver not in line.inspectors:
        raise ProtocolError("reassign", f"检查人员 {leaver} 不在企业 {enterprise} 的检查组中（现组：{'、'.join(line.inspectors)}）")
    loads = Counter(i for ln in lines for i in ln.inspectors)
    loads[leaver] -= 1  # the leaver's load is released
    gone = {i for e, i in left if e == enterprise} | {leaver}
    rest = [i for i in line.inspectors if i != leaver]
    ranked = ranking(tickets, enterprise, inspectors)
    by_id = {i.id: i for i in ranked}
    for cand in ranked:
        if cand.id in rest or cand.id in gone:
            continue
        if not in_scope(cand, unit, rules.scope, line.fallback == "all"):
            continue
        if enterprise in cand.recusals or loads[cand.id] >= limit(cand, rules.cap, line.fallback):
            continue
        group = [by_id[i] for i in rest if i in by_id] + [cand]
        if all(any(t in m.expertise for m in group) for t in rules.expertise):
            order = {i.id: n for n, i in enumerate(ranked)}
            ids = tuple(sorted((m.id for m in group), key=order.__getitem__))
            new = Line(line.code, line.stratum, line.ticket, ids, line.experts, line.fallback)
            return [new if ln.code == enterprise else ln for ln in lines]
    raise ProtocolError("reassign", f"企业 {enterprise} 的排序中没有符合全部规则的替补人员，改派被拒绝")
