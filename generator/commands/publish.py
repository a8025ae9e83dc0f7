"""``gongshi publish TASK``: publish the task's canonical results and log their hash."""

from __future__ import annotations

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser("publish", help="公示检查结果：写入规范结果文件并在日志中记录其哈希")
    p.add_argument("task", metavar="任务编号")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.reveal import publish

    return run_operation(args, lambda ws, model: publish(ws, model, args.task))
