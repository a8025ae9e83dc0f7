"""Personal data and credit-risk classes in every free-text field the office fills: the rules
of ``generator.privacy`` (one normaliser, then 15- and 18-digit ID numbers, mobile and landline
numbers, credit-risk classes stated in words) over every public text field of the model; each
hit is an error naming file, row, column and the rule (``pii.id_card``, ``pii.mobile``,
``pii.landline``, ``risk.statement``). Personal columns of the roster are never loaded, so this
catches numbers typed into names, titles, expertise, notes, addresses and the like."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import ERROR, Finding
from ..model import Model, Origin
from ..privacy import WHAT, find
from ..privacy.scan import may_hold
from .cache import directory_findings
from .context import CheckContext


def find_pii(value: str) -> str | None:
    """The first rule ``value`` breaks (``pii.mobile``, ``risk.statement`` …), else None."""
    hits = find(value)
    return hits[0].rule if hits else None


_ENTERPRISE_COLUMNS = (("企业名称", "name"), ("市场主体类型", "entity_type"), ("行业", "industry"),
                       ("行业风险等级", "industry_risk"), ("登记状态", "status"), ("住所", "address"))


def _enterprise_fields(enterprises) -> Iterator[tuple[str, Origin | None, str, str | None]]:
    """The enterprises' public fields; from a large directory (``DirectoryTable.batches``) only
    those of row batches that can hold a number at all, read column-wise."""
    batches = getattr(enterprises, "batches", None)
    if batches is None:
        for e in enterprises.values():
            for column, attr in _ENTERPRISE_COLUMNS:
                yield getattr(e, attr), e.origin, column, None
        return
    for c in batches():
        columns = [c[attr] for _, attr in _ENTERPRISE_COLUMNS]
        # a batch without a candidate (``privacy.scan.may_hold``: read fast, never missing
        # one) holds no hit; the NUL between values joins nothing
        if not may_hold("\0".join("\0".join(v) for v in columns)):
            continue
        for k, (file, row) in enumerate(zip(c["file"], c["row"], strict=True)):
            origin = Origin(file, row)
            for (column, _attr), values in zip(_ENTERPRISE_COLUMNS, columns, strict=True):
                yield values[k], origin, column, None


def public_fields(model: Model) -> Iterator[tuple[str, Origin | None, str, str | None]]:
    """(value, origin, column, task) for every public text field of the model (of the
    directory's, those that can hold a number)."""
    yield from _enterprise_fields(model.enterprises)
    yield from _other_fields(model)


def _other_fields(model: Model) -> Iterator[tuple[str, Origin | None, str, str | None]]:
    for i in model.inspectors:
        for column, value in (("人员编号", i.id), ("姓名", i.name), ("职务", i.title), ("执法证号", i.badge),
                              ("业务专长", "、".join(i.expertise))):
            yield value, i.origin, column, None
    for x in model.experts:
        for column, value in (("专家编号", x.id), ("姓名", x.name), ("单位", x.organisation),
                              ("业务专长", "、".join(x.expertise))):
            yield value, x.origin, column, None
    for it in model.items:
        for column, value in (("抽查类别", it.category), ("抽查事项", it.name), ("检查对象", it.objects),
                              ("检查主体", it.authority), ("检查依据", it.basis)):
            yield value, it.origin, column, None
    for t in model.tasks:
        for column, value in (("名称", t.title), ("说明", t.description)):
            yield value, t.origin, column, t.id
        for n, s in enumerate(t.strata, start=1):
            yield s.name, t.origin, f"分层（第 {n} 层）名称", t.id
        for n, src in enumerate(t.sources, start=1):  # written into the log by commit
            for column, value in (("名称", src.name), ("取数", src.take), ("备用规则", src.fallback),
                                  ("网址", src.url)):
                yield value, t.origin, f"随机源（第 {n} 个）{column}", t.id
    for task_id, results in model.results.items():
        for r in results:
            yield r.note, r.origin, "备注", task_id
    portal = model.portal
    for column, value in (("机关名称", portal.office_name), ("简称", portal.short_name)):
        yield value, portal.origin, column, None
    for u in portal.units:
        yield u.name, u.origin, "名称", None


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out = directory_findings(ctx, model.enterprises, "pii",
                             lambda: _findings(_enterprise_fields(model.enterprises)))
    return out + _findings(_other_fields(model))


def _findings(fields: Iterator[tuple[str, Origin | None, str, str | None]]) -> list[Finding]:
    out: list[Finding] = []
    for value, origin, column, task in fields:
        for hit in find(value) if value else ():
            out.append(_finding(hit.rule, origin, column, value, task))
    return out


def _finding(rule: str, origin: Origin | None, column: str, value: str, task: str | None) -> Finding:
    if rule == "risk.statement":
        return Finding.at(
            ERROR, rule, f"公开字段中出现信用风险分类（规则 {rule}），信用风险分类只能内部使用，不得公开",
            origin, column=column, value=value, task=task,
            fix="删除这句话；企业的信用风险分类只能放在名录库的「信用风险分类」列（不会公开）。")
    what = WHAT[rule]
    return Finding.at(
        ERROR, rule, f"公开字段中出现疑似{what}（规则 {rule}），个人信息不得公开", origin,
        column=column, value=value, task=task,
        fix=f"删除该{what}（无论中间是否有空格、点、横线，是否写成全角或加 +86）；人员的身份证号、"
            "手机号只能放在名录库的「身份证号」「手机号」列（不会公开）。")
