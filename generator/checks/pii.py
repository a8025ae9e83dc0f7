"""Personal data in public fields: an 18-character token that is a valid 居民身份证号码
(python-stdnum ``cn.ric``) or an 11-digit mobile number (``1[3-9]`` + 9 digits) in any public
text field of the model is an error. Personal columns of the roster are never loaded, so this
catches numbers typed into names, titles, expertise, notes, addresses and the like."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from stdnum.cn import ric

from ..findings import ERROR, Finding
from ..model import Model, Origin
from .cache import directory_findings
from .context import CheckContext

_ID_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_SEPARATORS = re.compile(r"(?<=[0-9])[ \-](?=[0-9])")


def find_pii(value: str) -> str | None:
    """'id_card' or 'mobile' when the text holds such a number, else None."""
    t = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    for m in _ID_TOKEN.finditer(t):
        if ric.is_valid(m.group(0)):
            return "id_card"
    if _MOBILE.search(t):
        return "mobile"
    return None


_ENTERPRISE_COLUMNS = (("企业名称", "name"), ("市场主体类型", "entity_type"), ("行业", "industry"),
                       ("行业风险等级", "industry_risk"), ("登记状态", "status"), ("住所", "address"))
#: Both numbers hold 11 digits in a row once normalised: a batch of rows whose normalised text
#: has no such run holds neither (NFKC works per character, the NUL between values stays).
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")


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
        text = unicodedata.normalize("NFKC", "\0".join("\0".join(v) for v in columns))
        if not _ELEVEN_DIGITS.search(_SEPARATORS.sub("", text)):
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
    for task_id, results in model.results.items():
        for r in results:
            yield r.note, r.origin, "备注", task_id
    for u in model.portal.units:
        yield u.name, u.origin, "名称", None


_WHAT = {"id_card": ("pii.id_card", "居民身份证号码"), "mobile": ("pii.mobile", "手机号码")}


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out = directory_findings(ctx, model.enterprises, "pii",
                             lambda: _findings(_enterprise_fields(model.enterprises)))
    return out + _findings(_other_fields(model))


def _findings(fields: Iterator[tuple[str, Origin | None, str, str | None]]) -> list[Finding]:
    out: list[Finding] = []
    for value, origin, column, task in fields:
        kind = find_pii(value) if value else None
        if kind:
            rule, what = _WHAT[kind]
            out.append(Finding.at(
                ERROR, rule, f"公开字段中出现疑似{what}，个人信息不得公开", origin, column=column,
                value=value, task=task,
                fix=f"删除该{what}；人员的身份证号、手机号只能放在名录库的「身份证号」「手机号」列（不会公开）。",
            ))
    return out
