"""``gongshi report``: the 抽查情况汇总表 of a year (XLSX), or with ``--export`` the results in
the provincial platform's import layout (columns from data/export/platform.yaml or the default)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .check import as_of_date


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="生成抽查情况汇总表（按监管所、按科室），或导出结果供归集到公示系统",
        description="按年度生成《抽查情况汇总表》（任务数、抽取户数、已检查、发现问题、责令改正、列入经营异常、"
                    "立案、移送、按时公示率；分“按监管所”“按科室”两页），数字与网站“统计”页相同。"
                    "加 --export 时改为导出已公示的检查结果，列按 data/export/platform.yaml（没有时用默认的列）"
                    "排列，供导入省级公示平台。只包括截至 --as-of 已公示的内容。")
    p.add_argument("--year", type=int, required=True, metavar="年度", help="如 2023")
    p.add_argument("--out", type=Path, required=True, metavar="文件", help="写入的 .xlsx 文件")
    p.add_argument("--as-of", type=as_of_date, default=None, metavar="日期", help="截至哪一天（默认今天）")
    p.add_argument("--export", action="store_true", help="导出检查结果（平台导入格式）而不是汇总表")
    p.add_argument("--task", default=None, metavar="任务编号", help="只导出一个任务（与 --export 一起用）")
    p.add_argument("--mapping", type=Path, default=None, metavar="文件",
                   help="导出列对应文件（默认 data/export/platform.yaml，没有时用内置的）")
    p.add_argument("--data", default="data", metavar="目录", help="数据目录（默认 data）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..fileio import write_atomic
    from ..findings import DataError
    from ..office.report import (
        ReportError,
        export_rows,
        export_workbook,
        load_mapping,
        summary_workbook,
    )
    from ..site.source import load_view

    as_of = args.as_of or dt.date.today()
    try:
        model, view, _findings = load_view(args.data, as_of)
    except DataError as exc:
        errors = [f for f in exc.findings if f.is_error] if hasattr(exc, "findings") else []
        for f in errors:
            print(f.text(), file=sys.stderr)
        print(f"数据有 {len(errors)} 个错误，请先用 gongshi check 查看并修改。", file=sys.stderr)
        return 1
    if args.export:
        mapping = args.mapping or Path(args.data) / "export" / "platform.yaml"
        try:
            title, columns = load_mapping(mapping if mapping.exists() else None)
        except ReportError as exc:
            print(f"gongshi report：{exc}", file=sys.stderr)
            return 1
        rows = export_rows(model, view, args.year, args.task, columns)
        write_atomic(args.out, export_workbook(title, columns, rows))
        print(f"已导出 {len(rows)} 条检查结果到 {args.out}（{len(columns)} 列）。")
        return 0
    write_atomic(args.out, summary_workbook(model, view, args.year))
    print(f"已生成 {args.year} 年度抽查情况汇总表：{args.out}（截至 {as_of}）。")
    return 0
