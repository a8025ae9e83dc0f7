"""``gongshi reassign TASK --enterprise CODE --inspector ID --reason …`` (PROTOCOL §7)."""

from __future__ import annotations

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser("reassign", help="调整检查人员（事后申报回避或无法履职），不更换企业")
    p.add_argument("task", metavar="任务编号")
    p.add_argument("--enterprise", required=True, metavar="统一社会信用代码")
    p.add_argument("--inspector", required=True, metavar="人员编号")
    p.add_argument("--reason", required=True, choices=("recusal", "unavailable"),
                   help="recusal 事后申报回避；unavailable 无法履职")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.changes import reassign

    return run_operation(
        args, lambda ws, _m: reassign(ws, args.task, args.enterprise.strip().upper(), args.inspector, args.reason),
        needs_model=False,
    )
