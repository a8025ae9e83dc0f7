"""``gongshi reveal TASK``: after completion, publish the code and the draw record."""

from __future__ import annotations

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser("reveal", help="检查完成后揭示：公开一次性代码和完整抽取名单")
    p.add_argument("task", metavar="任务编号")
    p.add_argument("--auditor", action="append", default=None, metavar="审计人员",
                   help="审计模式任务的审计人员（可重复）")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.reveal import reveal

    return run_operation(args, lambda ws, model: reveal(ws, model, args.task, args.auditor))
