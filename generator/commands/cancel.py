"""``gongshi cancel TASK --reason …`` (PROTOCOL §7)."""

from __future__ import annotations

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser("cancel", help="取消已公告的任务（写明原因；一次性代码须在 20 个工作日内揭示）")
    p.add_argument("task", metavar="任务编号")
    p.add_argument("--reason", required=True, metavar="原因")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.changes import cancel

    return run_operation(args, lambda ws, _m: cancel(ws, args.task, args.reason), needs_model=False)
