"""``gongshi verify [--data DIR | --site DIR] [--since CHECKPOINT] [--require-anchors] [TASK…]``.

Runs the same code as the standalone ``verify.py`` (``generator.verifier.run``), over public
material only: never ``secrets/``.
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("verify", help="核验抽取日志和每个任务的抽取（只使用公开材料）",
                              description="逐项核验 PROTOCOL §10 的全部内容，每项一行；全部通过时退出码为 0。")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--data", default=None, metavar="目录", help="数据目录（默认 data）")
    where.add_argument("--site", default=None, metavar="目录", help="已生成的网站目录")
    p.add_argument("--since", default=None, metavar="检查点文件", help="以前保存的检查点文件")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--require-anchors", action="store_true",
                   help="要求每个任务的公告时间经外部证明（早于开奖的 RFC 3161 时间戳或见证人副署），否则不通过")
    p.add_argument("tasks", nargs="*", metavar="任务编号")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.parallel_verify import draw_for_verify
    from ..verifier.run import main

    root = args.site or args.data or "data"
    argv = [str(Path(root)), *args.tasks]
    if args.since:
        argv += ["--since", args.since]
    if args.json:
        argv.append("--json")
    if args.require_anchors:
        argv.append("--require-anchors")
    return main(argv, draw_fn=draw_for_verify)  # the same checks, the draw re-run on all cores
