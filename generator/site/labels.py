"""Chinese display text for model values (one place, used by pages, feed, downloads, stats)."""

from __future__ import annotations

import datetime as dt

from ..model import Condition, Model, StratumRule, Task, Vocabulary
from . import view as v

COLUMNS = {
    "type": "市场主体类型",
    "industry": "行业",
    "industry_risk": "行业风险等级",
    "unit": "所属监管所",
    "registered": "成立日期",
    "status": "登记状态",
    "risk": "信用风险分类",
}
OPS = {"eq": "等于", "in": "属于", "prefix": "开头为", "before": "早于", "after": "晚于"}

#: publication kind -> (label, css modifier)
PUBLICATION = {
    v.ON_TIME: ("按时公示", "ok"),
    v.LATE: ("逾期公示", "late"),
    v.OVERDUE: ("已逾期未公示", "overdue"),
    v.DUE: ("待公示", "due"),
    v.NOT_DUE: ("未到公示期", "none"),
    v.UNKNOWN: ("时限无法计算", "none"),
}

ENTRY_TYPES = {
    "announce": "公告（承诺）",
    "draw": "抽取",
    "reassign": "检查人员调整",
    "reveal": "揭示",
    "publish": "结果公示",
    "cancel": "取消",
    "audit": "审计核验",
}

FALLBACKS = {"-": "", "cap": "放宽人均上限", "all": "放宽上限并扩至全局"}
GAMES = {"fc3d": "福彩3D", "pl5": "排列5", "ssq": "双色球", "dlt": "大乐透", "drand": "drand"}


def date(d: dt.date | None) -> str:
    return d.isoformat() if d else "—"


def beijing_time(rfc3339: str | None) -> str:
    """``2023-03-01T02:00:00Z`` -> ``2023-03-01 10:00:00（北京时间）``."""
    if not rfc3339:
        return "—"
    t = dt.datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    t = t.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return t.strftime("%Y-%m-%d %H:%M:%S")


def beijing_date(rfc3339: str) -> dt.date:
    t = dt.datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    return t.astimezone(dt.timezone(dt.timedelta(hours=8))).date()


def unit_name(model: Model, unit_id: str) -> str:
    unit = model.portal.unit(unit_id)
    return unit.name if unit else unit_id


def condition(model: Model, c: Condition) -> str:
    col = COLUMNS.get(c.column, c.column)
    if c.column == "risk":
        return f"{col}（内部分类，仅供审计，不公开）"
    values = c.value if isinstance(c.value, tuple) else (c.value,)
    if c.column == "unit":
        values = tuple(unit_name(model, x) for x in values)
    return f"{col}{OPS.get(c.op, c.op)}{'、'.join(values)}"


def conditions(model: Model, cs: tuple[Condition, ...]) -> str:
    return "；".join(condition(model, c) for c in cs) if cs else "不限"


def ratio(rule: StratumRule) -> str:
    if rule.ratio:
        return rule.ratio
    return f"{rule.count} 户" if rule.count is not None else "—"


def planned_k(rule: StratumRule, n: int) -> int:
    """k from the announced size, exact integers as PROTOCOL §6.4 (an estimate before reveal)."""
    if rule.count is not None:
        return min(n, rule.count)
    num = (rule.ratio or "100%").rstrip("%")
    whole, _, frac = num.partition(".")
    p, q = int(whole + frac), 100 * 10 ** len(frac)
    return min(n, (p * n + q - 1) // q)


def scope(model: Model, task: Task) -> str:
    s = task.scope
    text = model.vocab.scopes.label(s.kind)
    parts = []
    if s.units:
        parts.append("、".join(unit_name(model, u) for u in s.units))
    if s.hq:
        parts.append("局机关：" + "、".join(unit_name(model, u) for u in s.hq))
    return text + (f"（{'；'.join(parts)}）" if parts else "")


#: id(vocabulary) -> (the vocabulary, {code: label}); the vocabulary is held so that its id
#: stays its own. ``Vocabulary.label`` builds its dictionary per call: too slow per row.
_TERM_LABELS: dict[int, tuple[Vocabulary, dict[str, str]]] = {}


def term_labels(vocab: Vocabulary) -> dict[str, str]:
    """``{code: label}`` of ``vocab``, as ``vocab.label`` reads it (the last term of a code)."""
    hit = _TERM_LABELS.get(id(vocab))
    if hit is None or hit[0] is not vocab:
        if len(_TERM_LABELS) >= 256:  # many models in one process (tests): start over
            _TERM_LABELS.clear()
        hit = (vocab, {t.code: t.label for t in vocab.terms})
        _TERM_LABELS[id(vocab)] = hit
    return hit[1]


def _joined(vocab: Vocabulary, codes: tuple[str, ...]) -> str:
    by_code = term_labels(vocab)
    return "、".join([by_code.get(c, c) for c in codes]) or "—"


def methods(model: Model, codes: tuple[str, ...]) -> str:
    return _joined(model.vocab.methods, codes)


def results(model: Model, codes: tuple[str, ...]) -> str:
    return _joined(model.vocab.results, codes)


def followups(model: Model, codes: tuple[str, ...]) -> str:
    return _joined(model.vocab.followups, codes)


def directed(task: Task) -> str:
    return "定向抽查" if task.directed else "不定向抽查"


def items(model: Model, task: Task) -> str:
    names = []
    for code in task.items:
        item = model.item(code)
        names.append(f"{item.name}（{code}）" if item else code)
    return "、".join(names)
