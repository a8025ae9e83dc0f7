"""The clerks' reference of every office file, column and accepted value (``OFFICE.md``).

Generated from the same definitions the loaders and templates use (``office.files``,
``load.headers``, ``load.task_sheet``, the default vocabularies); a test holds the committed
``OFFICE.md`` equal to :func:`reference_markdown`, so the document cannot drift from the code.
"""

from __future__ import annotations

from ..load import headers as H
from ..load.task_sheet import SEP, form_rows
from ..load.tasks import COLUMNS, OPS
from ..model import Vocabularies
from .files import TABLES
from .templates import _NESTED_NOTES, _TASK_NOTES, _task_choices


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ") or "—"


def reference_markdown(vocab: Vocabularies) -> str:
    out = [
        "# 监管局数据文件说明（办事员用）",
        "",
        "本文件由 `gongshi reference` 根据程序读取数据时使用的同一套定义生成，请勿手工修改。",
        "所有表格文件都可以用 `gongshi template 目录` 生成的 Excel 模板填写（带下拉列表和列说明），",
        "也可以用 CSV（UTF-8 或 GBK）。表头用下表的列名或其别名；程序只读取 Excel 的第一个工作表。",
        "日期可写 `2023-03-06`、`2023/3/6`、`2023年3月6日`、`20230306`，或 Excel 日期单元格。",
        "一个单元格中的多个值用 `、` `；` `，` 或换行分隔。",
        "",
    ]
    for spec in TABLES:
        out += [f"## {spec.title}（`data/{spec.folder}/`，模板 `{spec.template}`）", "", spec.purpose, "",
                "| 列名 | 必填 | 说明 | 也可写作 | 可选取值 |", "| --- | --- | --- | --- | --- |"]
        for col in spec.columns:
            choices = "、".join(col.choices(vocab)) if col.choices else ""
            out.append(f"| {col.header} | {'是' if col.required else '否'} | {_cell(col.note)} | "
                       f"{_cell('、'.join(col.aliases))} | {_cell(choices)} |")
        out.append("")
    choices = _task_choices(vocab)
    out += ["## 抽查任务（`data/tasks/任务编号.xlsx` 或 `.yaml`，模板 `任务.xlsx`）", "",
            "一个任务一个文件。Excel 任务表每行一个项目：A 列为项目名称（保持模板的写法），B 列填写内容。",
            f"分层、检查人员、随机源的项目写作 `分层1{SEP}名称`、`检查人员{SEP}每组人数`、`随机源1{SEP}玩法`，"
            "需要更多分层或随机源时复制一组行并改序号。YAML 任务文件使用同样的中文键（嵌套）。", "",
            "| 项目 | 说明 | 可选取值 |", "| --- | --- | --- |"]
    seen: set[str] = set()
    for row in form_rows(strata=1, sources=1, conditions=1):
        label = row.label.replace("分层1", "分层N").replace("随机源1", "随机源N")
        if label in seen:
            continue
        seen.add(label)
        key = (row.part, row.field)
        note = _TASK_NOTES.get(row.field, "") if row.part == "task" else _NESTED_NOTES.get(key, "")
        values = "、".join(choices[key][0]) if key in choices else ""
        out.append(f"| {label} | {_cell(note)} | {_cell(values)} |")
    out += ["", "条件写作“列 条件 值”，如 `登记状态 等于 存续`。可用的列：", ""]
    for name, aliases in COLUMNS.items():
        extra = "（仅审计模式）" if name == "risk" else ""
        out.append(f"- {aliases[1]}{extra}（也可写 {'、'.join(a for a in aliases if a != aliases[1])}）")
    out += ["", "可用的条件：", ""]
    for _op, aliases in OPS.items():
        out.append(f"- {aliases[1]}（也可写 {'、'.join(a for a in aliases if a != aliases[1])}）")
    out += ["", "## 其他文件", "", "| 文件 | 键 |", "| --- | --- |",
            "| `data/portal.yaml` | " + "、".join(v[0] for v in H.PORTAL.values())
            + "；单位：" + "、".join(v[0] for v in H.UNIT.values()) + " |",
            "| `data/items.yaml` | " + "、".join(v[0] for v in H.ITEM.values()) + " |",
            "| `data/vocab/名称.yaml`（可选） | " + "、".join(v[0] for v in H.VOCAB_TERM.values()) + " |", "",
            "## 词表（默认取值）", ""]
    for name, title in (("results", "检查结果"), ("followups", "后续处置"), ("methods", "检查方式"),
                        ("scopes", "检查人员抽取方式")):
        terms = getattr(vocab, name).terms
        out.append(f"- {title}：" + "；".join(f"{t.label}（代码 {t.code}）" for t in terms))
    out.append("")
    return "\n".join(out)
