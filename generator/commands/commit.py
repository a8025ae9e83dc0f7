"""``gongshi commit TASK``: announce a task (PROTOCOL §5)."""

from __future__ import annotations

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser("commit", help="公告抽查任务：生成一次性秘密，固定规则、名录快照和随机源",
                              description="为任务生成一次性秘密（保存在 secrets/，不公开），固定参数对象和名录快照，写入公告日志条目。")
    p.add_argument("task", metavar="任务编号")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.commit import commit

    return run_operation(args, lambda ws, model: commit(ws, model, args.task))
