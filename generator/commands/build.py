"""``gongshi build``: check the data and build the static site (atomic; refuses on errors)."""

from __future__ import annotations

import argparse
import sys

from ..findings import DataError, sort_findings, summary


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "build", help="检查数据并生成公示网站",
        description="检查数据，有错误时拒绝生成；生成到临时目录，完成后整体替换输出目录。")
    p.add_argument("--data", default="data", help="数据目录（默认 data）")
    p.add_argument("--as-of", default=None, help="按该日期（YYYY-MM-DD）确定公开内容，默认今天")
    p.add_argument("--out", default="site", help="输出目录（默认 site）")
    p.add_argument("--config", default=None, help="MkDocs 配置文件（默认仓库中的 mkdocs.yml）")
    p.add_argument("--incremental", action="store_true",
                   help="增量生成：只重新生成输入有变化的页面，结果与完整生成逐字节相同")
    p.add_argument("--secrets", default=None, metavar="目录",
                   help="秘密目录（默认为数据目录旁的 secrets/）：存在时，发布前用其中尚未揭示的"
                        "抽取名单检查整个网站，出现未揭示的抽中企业代码、名称或检查人员、专家姓名即拒绝发布")
    p.add_argument("--no-secret-scan", action="store_true",
                   help="不运行发布前的秘密检查：用于没有 secrets/ 的构建机器（秘密只保存在执行抽取的机器上）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mkdocs.exceptions import MkDocsException

    from ..site.build import LeakError, build_site
    from ..site.source import resolve_as_of

    try:
        as_of = resolve_as_of(args.as_of)
    except ValueError as exc:
        print(f"gongshi build：{exc}", file=sys.stderr)
        return 2
    secrets = _secrets_dir(args)
    if secrets is False:
        print(f"gongshi build：找不到秘密目录 {args.secrets}（--secrets）；在没有秘密的构建机器上请用 "
              "--no-secret-scan。", file=sys.stderr)
        return 2
    try:
        out = build_site(args.data, as_of, args.out, args.config,
                         incremental=getattr(args, "incremental", False), secrets_dir=secrets)
    except DataError as exc:
        for f in sort_findings(exc.findings):
            print(f.text(), file=sys.stderr)
        print(summary(exc.findings), file=sys.stderr)
        print("数据有错误，未生成站点；原有站点保持不变。", file=sys.stderr)
        return 1
    except LeakError as exc:
        for item in exc.leaks[:200]:
            print(item.text(), file=sys.stderr)
        if len(exc.leaks) > 200:
            print(f"……共 {len(exc.leaks)} 处", file=sys.stderr)
        print(f"泄露检查未通过：发现 {len(exc.leaks)} 处不应公开的内容，站点未发布；"
              "原有站点保持不变。", file=sys.stderr)
        return 1
    except MkDocsException as exc:
        print(f"gongshi build：生成失败，原有站点保持不变。\n{exc}", file=sys.stderr)
        return 1
    print(f"站点已生成：{out}（数据截至 {as_of.isoformat()}）")
    return 0


def _secrets_dir(args: argparse.Namespace):
    """The secrets folder the pre-publication scan reads; None (the flag, or no ``secrets/``
    next to the data); False (a ``--secrets`` folder that does not exist)."""
    from pathlib import Path

    from ..site.prepublish import default_secrets_dir

    if getattr(args, "no_secret_scan", False):
        return None
    folder = Path(args.secrets) if getattr(args, "secrets", None) else default_secrets_dir(args.data)
    if folder.is_dir():
        return folder
    return False if getattr(args, "secrets", None) else None
