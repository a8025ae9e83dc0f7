"""Column headers and YAML keys: the canonical Chinese name of each field and its aliases.

One table per file kind. A header matches after NFKC, removal of white space and lower-casing,
so ``统一社会信用代码 ``, ``ＣＯＤＥ`` and ``code`` are all recognised. Internal columns (credit-risk
class) map to fields prefixed ``internal:`` and are never mapped to a public field; personal
columns of the roster (ID card, phone, address …) are recognised only to be ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# field -> (canonical Chinese header, aliases)
Table = dict[str, tuple[str, tuple[str, ...]]]

DIRECTORY: Table = {
    "code": ("统一社会信用代码", ("信用代码", "社会信用代码", "统一代码", "统一社会信用代码/注册号", "uscc", "code")),
    "name": ("企业名称", ("名称", "市场主体名称", "主体名称", "name")),
    "entity_type": ("市场主体类型", ("主体类型", "企业类型", "类型", "type", "entity_type")),
    "industry": ("行业", ("所属行业", "行业类别", "行业门类", "industry")),
    "industry_risk": ("行业风险等级", ("行业风险", "industry_risk")),
    "unit": ("所属监管所", ("监管所", "所属单位", "管辖单位", "unit")),
    "registered": ("成立日期", ("登记日期", "注册日期", "成立时间", "registered")),
    "status": ("登记状态", ("经营状态", "状态", "status")),
    "address": ("住所", ("住所（经营场所）", "经营场所", "地址", "注册地址", "address")),
    "internal:risk": ("信用风险分类", ("风险分类", "信用风险等级", "信用风险类别", "risk")),
}

ROSTER: Table = {
    "id": ("人员编号", ("编号", "工号", "人员工号", "id")),
    "name": ("姓名", ("name",)),
    "unit": ("单位", ("所在单位", "工作单位", "所属单位", "unit")),
    "title": ("职务", ("担任职务", "职位", "title")),
    "expertise": ("业务专长", ("专长", "专业", "expertise")),
    "badge": ("执法证号", ("执法证编号", "执法证件号", "执法证件号码", "badge")),
    "qualified": ("执法资格", ("是否具有执法资格", "有执法资格", "qualified")),
    "recusals": ("回避", ("回避企业", "回避对象", "recusals")),
    "cap": ("个人上限", ("上限", "cap")),
}

EXPERTS: Table = {
    "id": ("专家编号", ("编号", "id")),
    "name": ("姓名", ("name",)),
    "organisation": ("单位", ("工作单位", "所在单位", "organisation", "organization")),
    "expertise": ("业务专长", ("专长", "专业", "expertise")),
    "recusals": ("回避", ("回避企业", "回避对象", "recusals")),
}

RESULTS: Table = {
    "code": DIRECTORY["code"],
    "name": ("企业名称", ("名称", "市场主体名称", "name")),
    "inspected": ("检查日期", ("检查时间", "inspected")),
    "results": ("检查结果", ("结果", "results")),
    "followups": ("后续处置", ("后续处置措施", "处置措施", "followups")),
    "note": ("备注", ("说明", "note")),
    "completed": ("完成日期", ("检查完成日期", "completed")),
    "item": ("检查事项", ("抽查事项", "事项编号", "item")),
    "lab": ("检验机构", ("检测机构", "lab")),
    "report": ("报告编号", ("检验报告编号", "report")),
}

FOLLOWUPS: Table = {
    "code": DIRECTORY["code"],
    "name": ("企业名称", ("名称", "市场主体名称", "name")),
    "kind": ("处置类型", ("后续处置", "类型", "kind")),
    "date": ("日期", ("决定日期", "列入日期", "立案日期", "移送日期", "date")),
    "deadline": ("改正期限", ("期限", "deadline")),
    "reference": ("文号", ("决定书文号", "案号", "reference")),
    "review_date": ("复查日期", ("review_date",)),
    "outcome": ("复查结果", ("outcome",)),
    "removed": ("移出日期", ("removed",)),
    "receiver": ("接收机关", ("移送机关", "receiver")),
    "status": ("状态", ("办理状态", "status")),
    "note": ("备注", ("说明", "note")),
}

# An imported list (协同监管平台 export or a handed-down list): the columns kept.
IMPORTED: Table = {
    "code": DIRECTORY["code"],
    "name": ("企业名称", ("名称", "市场主体名称", "检查对象名称", "name")),
    "inspectors": ("检查人员", ("执法检查人员", "检查人员编号", "inspectors")),
}

PLAN: Table = {
    "year": ("年度", ("year",)),
    "title": ("名称", ("title", "name")),
    "public": ("公开", ("计划公开", "public")),
    "intro": ("说明", ("intro", "description")),
    "batches": ("批次", ("batches",)),
    "ratio_min": ("比例下限", ("ratio_min",)),
    "ratio_max": ("比例上限", ("ratio_max",)),
    "directed": ("抽查类型", ("directed", "type")),
    "industries": ("重点行业", ("industries",)),
}
PLAN_BATCH: Table = {
    "title": ("名称", ("title", "name")),
    "items": ("抽查事项", ("items",)),
    "task": ("任务编号", ("task",)),
    "department": ("发起部门", ("发起科室", "department")),
    "partners": ("配合部门", ("partners",)),
    "objects": ("检查对象", ("抽查范围", "objects")),
    "ratio": ("抽查比例", ("比例", "ratio")),
    "timing": ("时间安排", ("时间", "timing")),
    "directed": ("抽查类型", ("directed", "type")),
}

# Roster columns that hold personal data: recognised only so that they are silently ignored.
PERSONAL = (
    "身份证号", "身份证号码", "公民身份号码", "证件号码", "手机号", "手机号码", "联系电话", "电话",
    "住址", "家庭住址", "现住址", "性别", "出生年月", "出生日期", "年龄", "民族", "政治面貌",
    "学历", "最高学历", "id_card", "phone", "mobile", "home_address",
)

PORTAL: Table = {
    "office_name": ("机关名称", ("name", "office_name")),
    "short_name": ("简称", ("short_name",)),
    "region_code": ("行政区划代码", ("region_code",)),
    "site_url": ("网址", ("site_url", "url")),
    "demo": ("示例数据", ("demo",)),
    "deadline_workdays": ("公示时限工作日", ("公示时限", "deadline_workdays")),
    "contact": ("联系方式", ("contact",)),
    "units": ("单位", ("units",)),
    "holidays": ("节假日", ("holidays", "calendar")),
}
UNIT: Table = {
    "id": ("编号", ("id",)),
    "name": ("名称", ("name",)),
    "kind": ("类型", ("kind", "type")),
}
SCHEDULE: Table = {
    "source": ("来源", ("source",)),
    "holidays": ("放假", ("holidays", "off")),
    "workdays": ("调休上班", ("workdays", "上班")),
}

ITEM: Table = {
    "code": ("编号", ("code", "id")),
    "category": ("抽查类别", ("category",)),
    "name": ("抽查事项", ("name",)),
    "objects": ("检查对象", ("objects",)),
    "kind": ("事项类别", ("kind",)),
    "methods": ("检查方式", ("methods",)),
    "authority": ("检查主体", ("authority",)),
    "basis": ("检查依据", ("basis",)),
}

VOCAB_TERM: Table = {
    "code": ("代码", ("code",)),
    "label": ("名称", ("label", "name")),
    "parent": ("上级", ("parent",)),
    "note": ("说明", ("note",)),
    "same_as": ("同义", ("same_as", "同义于")),
    "platform": ("平台代码", ("platform",)),
}

TASK: Table = {
    "id": ("编号", ("id",)),
    "title": ("名称", ("title", "name")),
    "year": ("年度", ("year",)),
    "department": ("发起科室", ("发起部门", "department")),
    "partners": ("配合部门", ("配合科室", "partners")),
    "item_authorities": ("检查实施机关", ("item_authorities",)),
    "list_source": ("名单来源", ("list_source",)),
    "provenance": ("名单出处", ("provenance",)),
    "items": ("抽查事项", ("items",)),
    "directed": ("抽查类型", ("type", "directed")),
    "mode": ("模式", ("mode",)),
    "population": ("抽取范围", ("population",)),
    "strata": ("分层", ("strata",)),
    "inspectors": ("检查人员", ("inspectors",)),
    "methods": ("检查方式", ("methods",)),
    "announce_date": ("公告日期", ("announce_date", "announce")),
    "inspect_start": ("检查开始", ("inspect_start",)),
    "inspect_end": ("检查结束", ("inspect_end",)),
    "completion_date": ("完成日期", ("completion_date", "completed")),
    "exclusion_rules": ("排除规则", ("exclusion_rules",)),
    "sources": ("随机源", ("sources",)),
    "n": ("哈希链长度", ("n",)),
    "protocol": ("协议版本", ("protocol",)),
    "plan_public": ("计划公开", ("plan_public",)),
    "redraw_of": ("重抽自", ("redraw_of",)),
    "description": ("说明", ("description",)),
}
PROVENANCE: Table = {
    "reference": ("文号", ("平台任务编号", "任务编号", "下发文号", "reference")),
    "issuer": ("下发机关", ("抽取机关", "平台", "issuer")),
    "date": ("日期", ("抽取日期", "下发日期", "date")),
}
CONDITION: Table = {
    "column": ("列", ("column",)),
    "op": ("条件", ("op",)),
    "value": ("值", ("value",)),
}
STRATUM: Table = {
    "name": ("名称", ("name", "label")),
    "when": ("条件", ("when", "conditions")),
    "ratio": ("比例", ("ratio",)),
    "count": ("数量", ("count",)),
}
INSPECTORS: Table = {
    "scope": ("抽取方式", ("scope",)),
    "units": ("单位", ("units",)),
    "hq": ("局机关", ("hq",)),
    "group_size": ("每组人数", ("group_size",)),
    "expertise": ("业务专长", ("expertise",)),
    "experts_count": ("专家人数", ("experts_count", "experts")),
    "experts_expertise": ("专家专长", ("experts_expertise",)),
}
SOURCE: Table = {
    "name": ("名称", ("name",)),
    "game": ("玩法", ("game",)),
    "issue": ("期号", ("issue",)),
    "scheduled": ("开奖时间", ("scheduled",)),
    "take": ("取数", ("take",)),
    "count": ("个数", ("count",)),
    "ordered": ("有序", ("ordered",)),
    "fallback": ("备用规则", ("fallback",)),
    "url": ("网址", ("url",)),
}

_SPACE = re.compile(r"\s+")


def normalise(header: object) -> str:
    """The comparison form of a header: NFKC, no white space, lower case."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(header))).lower()


def lookup(table: Table) -> dict[str, str]:
    """normalised header -> field."""
    out: dict[str, str] = {}
    for fld, (canonical, aliases) in table.items():
        for name in (canonical, *aliases):
            out[normalise(name)] = fld
    return out


def canonical(table: Table, fld: str) -> str:
    return table[fld][0]


def match_headers(
    table: Table, headers: Iterable[object], ignore: Iterable[str] = ()
) -> tuple[dict[str, int], list[tuple[int, str]], list[tuple[str, int]]]:
    """Map headers to fields.

    Returns (field -> column index, unknown (index, header), duplicates (field, index)).
    Headers listed in ``ignore`` (e.g. :data:`PERSONAL`) are neither mapped nor unknown.
    """
    names = lookup(table)
    skip = {normalise(h) for h in ignore}
    found: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    dups: list[tuple[str, int]] = []
    for i, header in enumerate(headers):
        key = normalise(header if header is not None else "")
        if not key or key in skip:
            continue
        fld = names.get(key)
        if fld is None:
            unknown.append((i, str(header)))
        elif fld in found:
            dups.append((fld, i))
        else:
            found[fld] = i
    return found, unknown, dups


def map_keys(table: Table, mapping: dict) -> tuple[dict[str, object], list[str]]:
    """Map a YAML mapping's keys to fields; returns (field -> value, unknown keys)."""
    names = lookup(table)
    out: dict[str, object] = {}
    unknown: list[str] = []
    for key, value in mapping.items():
        fld = names.get(normalise(key))
        if fld is None or fld in out:
            unknown.append(str(key))
        else:
            out[fld] = value
    return out, unknown
