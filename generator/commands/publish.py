"""``gongshi publish TASK``: publish the task's canonical results and log their hash."""

from __future__ import annotations

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "publish", help="公示检查结果：写入规范结果文件并在日志中记录其哈希",
        description="公示任务的检查结果（data/results/任务编号.csv 或 .xlsx）。结果未变时再次执行不做任何改动；"
                    "已公示的结果有改动时须用 --correction 写明更正原因，更正记录在任务页面公开，"
                    "是否按时公示仍以首次公示日期为准。")
    p.add_argument("task", metavar="任务编号")
    p.add_argument("--correction", "--更正", default=None, metavar="原因",
                   help="更正已公示的结果，并写明原因（公开）")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.reveal import publish

    return run_operation(args, lambda ws, model: publish(ws, model, args.task, args.correction))
