"""The office's tabular files, described for clerks: built from the loaders' own definitions.

Each :class:`OfficeFile` takes its columns (canonical header, aliases) from ``load.headers``, its
required columns from the loader's ``REQUIRED`` tuple and its accepted values from the
vocabularies the loader resolves against, so the XLSX templates (``gongshi template``), the
clerks' reference (``OFFICE.md``) and the loaders cannot drift apart. Only the notes (one line
per column, what to write) and the example rows are written here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..load import headers as H
from ..load.directory import REQUIRED as DIRECTORY_REQUIRED
from ..load.followups import REQUIRED as FOLLOWUP_REQUIRED
from ..load.results import REQUIRED as RESULTS_REQUIRED
from ..load.roster import EXPERTS_REQUIRED, ROSTER_REQUIRED
from ..model import FOLLOWUP_KINDS, Vocabularies

Choices = Callable[[Vocabularies], tuple[str, ...]]


def _vocab(name: str) -> Choices:
    return lambda vocab: tuple(t.label for t in getattr(vocab, name).terms)


def _fixed(*values: str) -> Choices:
    return lambda _vocab: values


YES_NO = _fixed("是", "否")


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # canonical Chinese header
    aliases: tuple[str, ...]
    required: bool
    note: str
    example: object
    choices: Choices | None = None
    multi: bool = False  # several values in one cell, separated by 、
    text: bool = False  # the cell must be formatted as text (codes, numbers with leading zeros)


@dataclass(frozen=True)
class OfficeFile:
    key: str  # directory, roster, experts, results
    title: str  # 检查对象名录库 …
    folder: str  # where the office puts it under data/
    template: str  # file name of the template
    purpose: str
    columns: tuple[Column, ...]
    table: H.Table  # the loader's header table the columns come from

    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


_EXAMPLE_CODE = "91419999541987450Q"


def _columns(table: H.Table, required: tuple[str, ...], notes: dict[str, tuple]) -> tuple[Column, ...]:
    out = []
    for fld, (header, aliases) in table.items():
        note, example, *rest = notes.get(fld, ("", ""))
        extra = rest[0] if rest else {}
        out.append(Column(fld, header, aliases, fld in required, note, example, **extra))
    return tuple(out)


DIRECTORY = OfficeFile(
    "directory", "检查对象名录库", "directory", "名录库.xlsx",
    "本局辖区内的检查对象（企业、个体工商户、农民专业合作社），每行一户；可分多个文件。",
    _columns(H.DIRECTORY, DIRECTORY_REQUIRED, {
        "code": ("18 位统一社会信用代码；请把本列设为“文本”格式，否则 Excel 会把它变成科学计数法。",
                 _EXAMPLE_CODE, {"text": True}),
        "name": ("营业执照上的名称。", "示例区某某商贸有限公司"),
        "entity_type": ("如 企业、个体工商户、农民专业合作社。", "企业"),
        "industry": ("所属行业（按国民经济行业分类的写法）。", "批发和零售业"),
        "industry_risk": ("行业风险等级，公开；通常写 高、中、低。", "中", {"choices": _fixed("高", "中", "低")}),
        "unit": ("所属监管所：portal.yaml「单位」中的编号或名称。", "城关市场监管所"),
        "registered": ("成立日期，如 2015-07-22。", "2015-07-22"),
        "status": ("登记状态，如 存续、在业、吊销、注销。", "存续"),
        "address": ("住所（经营场所），公开显示在企业页面。", "示例区人民路 1 号"),
        "internal:risk": ("内部信用风险分类（A/B/C/D），只用于审计模式的分层，从不公开。", "B",
                          {"choices": _fixed("A", "B", "C", "D")}),
    }),
    H.DIRECTORY,
)

ROSTER = OfficeFile(
    "roster", "执法检查人员名录库", "roster", "检查人员.xlsx",
    "可被抽取的执法检查人员，每行一人。身份证号、手机号等个人信息不要填写（这类列会被忽略）。",
    _columns(H.ROSTER, ROSTER_REQUIRED, {
        "id": ("人员编号：字母、数字、_ 或 -，一经使用不能给其他人。", "R001", {"text": True}),
        "name": ("姓名（检查结果公示时公开）。", "张三"),
        "unit": ("所在单位：portal.yaml「单位」中的编号或名称。", "信用监管科"),
        "title": ("职务。", "科员"),
        "expertise": ("业务专长，多个用、分隔；任务可要求检查组具备某专长。", "登记、年报", {"multi": True}),
        "badge": ("执法证号。", "41999900001", {"text": True}),
        "qualified": ("是否具有执法资格：是 或 否（没有执法资格的人员不会被抽取）。", "是", {"choices": YES_NO}),
        "recusals": ("须回避的企业的统一社会信用代码，多个用、分隔。", "", {"multi": True, "text": True}),
        "cap": ("本人在一个任务中最多被分配的企业数；0 或空表示不设上限。", 5),
    }),
    H.ROSTER,
)

EXPERTS = OfficeFile(
    "experts", "专家名录库", "roster", "experts.xlsx",
    "需要专家参与检查时可被抽取的专家，每行一人；文件名必须是 experts.xlsx（或 experts.csv）。",
    _columns(H.EXPERTS, EXPERTS_REQUIRED, {
        "id": ("专家编号：字母、数字、_ 或 -。", "E001", {"text": True}),
        "name": ("姓名。", "李四"),
        "organisation": ("工作单位。", "示例市特种设备检验所"),
        "expertise": ("业务专长，多个用、分隔。", "特种设备", {"multi": True}),
        "recusals": ("须回避的企业的统一社会信用代码，多个用、分隔。", "", {"multi": True, "text": True}),
    }),
    H.EXPERTS,
)

RESULTS = OfficeFile(
    "results", "检查结果", "results", "任务编号.xlsx",
    "一个任务的检查结果，每户抽中的企业一行；文件名为任务编号，如 results/2024-01.xlsx。",
    _columns(H.RESULTS, RESULTS_REQUIRED, {
        "code": ("抽中企业的统一社会信用代码（见抽取后的工作清单），设为“文本”格式。", _EXAMPLE_CODE, {"text": True}),
        "name": ("企业名称，仅供核对（以名录库为准）。", "示例区某某商贸有限公司"),
        "inspected": ("检查日期，如 2024-03-06。", "2024-03-06"),
        "results": ("检查结果，从下拉列表中选择；多个用、分隔。", "未发现问题",
                    {"choices": _vocab("results"), "multi": True}),
        "followups": ("后续处置，从下拉列表中选择；多个用、分隔。", "未发现问题或相关问题已规范、已改正，无需后续处置",
                      {"choices": _vocab("followups"), "multi": True}),
        "note": ("备注（公开），不要写个人信息。", ""),
        "completed": ("该户检查完成日期；不填则等于检查日期。", "2024-03-06"),
        "item": ("按抽查事项分别记录结果时填写事项编号（同一企业每个事项一行）；不分事项时不填。", ""),
        "lab": ("委托检验时的检验机构。", ""),
        "report": ("检验报告编号。", ""),
    }),
    H.RESULTS,
)

FOLLOWUPS = OfficeFile(
    "followups", "后续处置记录", "followups", "后续处置.xlsx",
    "检查后的后续处置（责令改正、列入经营异常名录、立案查处、移送），每条一行；文件名为任务编号，"
    "如 followups/2024-01.xlsx。",
    _columns(H.FOLLOWUPS, FOLLOWUP_REQUIRED, {
        "code": ("企业的统一社会信用代码，设为“文本”格式。", _EXAMPLE_CODE, {"text": True}),
        "name": ("企业名称，仅供核对。", "示例区某某商贸有限公司"),
        "kind": ("处置类型。", "责令改正", {"choices": lambda _v: tuple(FOLLOWUP_KINDS.values())}),
        "date": ("决定、列入、立案或移送的日期。", "2024-04-10"),
        "deadline": ("责令改正的改正期限。", "2024-05-10"),
        "reference": ("决定书文号或案号。", "示市监责改〔2024〕1号"),
        "review_date": ("责令改正的复查日期。", "2024-05-12"),
        "outcome": ("复查结果。", "已改正"),
        "removed": ("移出经营异常名录的日期。", ""),
        "receiver": ("移送的接收机关。", ""),
        "status": ("办理中 或 已办结（不写即为办理中）。", "已办结", {"choices": _fixed("办理中", "已办结")}),
        "note": ("备注（公开），不要写个人信息。", ""),
    }),
    H.FOLLOWUPS,
)

TABLES: tuple[OfficeFile, ...] = (DIRECTORY, ROSTER, EXPERTS, RESULTS, FOLLOWUPS)
