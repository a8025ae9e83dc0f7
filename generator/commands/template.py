"""``gongshi template FOLDER``: XLSX templates of every office file, and the clerks' reference."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "template", help="生成 Excel 模板：名录库、检查人员、专家、检查结果和抽查任务",
        description="把每一种数据文件的 Excel 模板写入目录：表头带说明，取值固定的列有下拉列表，"
                    "“示例”页有一行示例，另附数据文件说明。使用 --data 时按该目录的词表（data/vocab/）生成下拉列表。")
    p.add_argument("folder", type=Path, metavar="目录", help="模板写入的目录")
    p.add_argument("--data", default=None, metavar="目录", help="数据目录（用其中的词表；默认用内置词表）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..fileio import write_atomic
    from ..load.base import LoadContext
    from ..load.vocab import load_vocabularies
    from ..office.reference import reference_markdown
    from ..office.templates import write_templates

    vocab = load_vocabularies(LoadContext(Path(args.data or args.folder)))
    paths = write_templates(args.folder, vocab)
    write_atomic(args.folder / "数据文件说明.md", reference_markdown(vocab).encode("utf-8"))
    print(f"已写入 {len(paths)} 个模板和数据文件说明到 {args.folder}：")
    for p in paths:
        print(f"  {p.name}")
    return 0
