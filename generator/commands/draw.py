"""``gongshi draw TASK --source "…" …``: draw enterprises and inspector groups (PROTOCOL §6)."""

from __future__ import annotations

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser("draw", help="抽取：输入各随机源的开奖号码，抽取检查对象并匹配检查人员组",
                              description="按公告的随机源顺序输入开奖号码（每个 --source 一个随机源，号码用空格分隔）。名单保存在 secrets/，日志只记录其哈希。")
    p.add_argument("task", metavar="任务编号")
    p.add_argument("--source", action="append", required=True, metavar="号码",
                   help="一个随机源的开奖号码，如 \"2 5 12 8 10\"；按公告顺序重复给出")
    p.add_argument("--issue-used", action="append", default=None, metavar="期号",
                   help="按备用规则改用的期号（每个随机源一个，按顺序；未改用时不填）")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.draw import draw, parse_source_args

    numbers = parse_source_args(args.source)
    return run_operation(args, lambda ws, _m: draw(ws, args.task, numbers, args.issue_used),
                         needs_model=False)
