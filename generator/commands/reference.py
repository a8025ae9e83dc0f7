"""``gongshi reference [--out FILE]``: the clerks' reference of every office file (OFFICE.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "reference", help="生成数据文件说明：每个文件、每一列和可用取值（与程序读取时的定义一致）",
        description="输出监管局数据文件说明（Markdown）；仓库中的 OFFICE.md 就是用本命令生成的。")
    p.add_argument("--out", type=Path, default=None, metavar="文件", help="写入文件（默认输出到屏幕）")
    p.add_argument("--data", default=None, metavar="目录", help="数据目录（用其中的词表；默认用内置词表）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..fileio import write_atomic
    from ..load.base import LoadContext
    from ..load.vocab import load_vocabularies
    from ..office.reference import reference_markdown

    text = reference_markdown(load_vocabularies(LoadContext(Path(args.data or "."))))
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_atomic(args.out, text.encode("utf-8"))
        print(f"已写入 {args.out}")
    return 0
