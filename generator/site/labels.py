"""Chinese display text for model values (one place, used by pages, feed, downloads, stats)."""

from __future__ import annotations

import datetime as dt

from ..model import Condition, Model, StratumRule, Task, TaskState, Vocabulary
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
#: A condition in the words of a notice: "{column}" then the operator's phrase around the values
OPS = {"eq": "为{}", "in": "为{}", "prefix": "以“{}”开头", "before": "在{}之前", "after": "在{}之后"}

#: publication kind -> (label, css modifier)
PUBLICATION = {
    v.ON_TIME: ("按时公示", "ok"),
    v.LATE: ("逾期公示", "late"),
    v.OVERDUE: ("已逾期未公示", "overdue"),
    v.DUE: ("待公示", "due"),
    v.NOT_DUE: ("未到公示期", "none"),
    v.UNKNOWN: ("时限无法计算", "none"),
}
CANCELLED = ("已取消", "none")
#: the national enterprise credit information publicity system (国家企业信用信息公示系统)
GSXT = "https://www.gsxt.gov.cn/"


def publication(tv: v.TaskView) -> tuple[str, str]:
    """(label, css modifier) of where a task stands against its publication deadline."""
    if tv.state == TaskState.CANCELLED:
        return CANCELLED
    return PUBLICATION[tv.publication.kind]


def entry_number(seq: int) -> int:
    """The number a person reads for a log entry: 1 for the first (``seq`` counts from 0)."""
    return seq + 1

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


BEIJING = dt.timezone(dt.timedelta(hours=8))


def date(d: dt.date | None) -> str:
    """``2023-04-13`` -> ``2023年4月13日`` (the form of a notice)."""
    return f"{d.year}年{d.month}月{d.day}日" if d else "—"


def beijing_time(rfc3339: str | None) -> str:
    """``2023-03-01T02:00:00Z`` or ``2023-03-01T10:00:00+08:00`` -> ``2023年3月1日 10:00``
    (Beijing time; seconds only when not zero)."""
    if not rfc3339:
        return "—"
    t = dt.datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    t = t.astimezone(BEIJING) if t.tzinfo else t
    clock = f"{t.hour:02d}:{t.minute:02d}" + (f":{t.second:02d}" if t.second else "")
    return f"{date(t.date())} {clock}"


def beijing_date(rfc3339: str) -> dt.date:
    t = dt.datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    return t.astimezone(BEIJING).date()


def _either(values: tuple[str, ...]) -> str:
    """``(a, b, c)`` -> ``a、b或c``."""
    if len(values) <= 1:
        return "".join(values)
    return "、".join(values[:-1]) + "或" + values[-1]


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
    elif c.column == "registered":
        values = tuple(_date_text(x) for x in values)
    return col + OPS.get(c.op, c.op + "{}").format(_either(values))


def _date_text(value: str) -> str:
    try:
        return date(dt.date.fromisoformat(value))
    except ValueError:
        return value


def conditions(model: Model, cs: tuple[Condition, ...]) -> str:
    """Conditions as a sentence: ``登记状态为存续，成立日期在2022年1月1日之前``."""
    return "，".join(condition(model, c) for c in cs) if cs else "不限"


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
