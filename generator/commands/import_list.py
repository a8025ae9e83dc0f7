"""``gongshi import-list TASK FILE``: fix a list drawn on the 协同监管平台 or handed down."""

from __future__ import annotations

from pathlib import Path

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "import-list",
        help="导入协同监管平台抽取或上级下发的名单：记录其哈希、行数和出处（只能导入一次，更正另记一条）",
        description="导入由国家部门协同监管平台抽取、或由上级机关下发的企业名单（CSV 或 XLSX，须有"
                    "“统一社会信用代码”列，可有“企业名称”“检查人员”列）。名单的哈希、行数和出处写入抽取日志，"
                    "名单本身保存在 secrets/，与本局抽取的名单一样到结果公示时才公开。",
    )
    p.add_argument("task", metavar="任务编号")
    p.add_argument("file", metavar="名单文件")
    p.add_argument("--更正", "--correct", dest="correction", metavar="更正原因",
                   help="更正已导入的名单：写明原因；新名单作为新的一条公开记录，并列出增删")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.imports import import_list

    return run_operation(
        args, lambda ws, model: import_list(ws, model, args.task, Path(args.file), args.correction))
