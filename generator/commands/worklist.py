"""``gongshi worklist TASK``: write the clerk's work list again (e.g. after a reassign)."""

from __future__ import annotations

import sys

from ._draws import add_common


def register(subparsers) -> None:
    p = subparsers.add_parser("worklist", help="重新生成任务的工作清单（如调整检查人员之后）",
                              description="按最新的抽取名单生成工作清单 secrets/任务编号/工作清单.xlsx 和 .csv："
                              "企业名称、代码、住所、所属监管所、抽查事项、检查人员及其单位、专家，按监管所和检查组排列。")
    p.add_argument("task", metavar="任务编号")
    add_common(p, demo_time=False)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.workspace import Workspace
    from ..office.worklist import XLSX, write_worklist
    from ._draws import load_for_task

    ws = Workspace.at(args.data, args.secrets)
    if ws.task_entries(args.task).draw is None:
        print(f"gongshi：任务 {args.task} 尚未抽取，没有工作清单。", file=sys.stderr)
        return 1
    model = load_for_task(args.data, args.task)
    if model is None:
        return 1
    wl = write_worklist(ws, model, args.task)
    print(f"已生成工作清单 {ws.secret_dir(args.task) / XLSX}（{len(wl.rows)} 户）。")
    return 0
