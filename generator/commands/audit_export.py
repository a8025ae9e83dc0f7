"""``gongshi audit-export TASK --to DIR``: the material a named auditor needs (audit mode).

Writes ``DIR/draws/<task>/…`` (including the one-time code, ``risk.csv`` and every listing) and
``DIR/log/…``; the auditor then runs ``gongshi verify --data DIR``. DIR must be outside the data
folder: the code and the risk classes never enter the site.
"""

from __future__ import annotations

import sys

from ._draws import add_common


def register(subparsers) -> None:
    p = subparsers.add_parser("audit-export", help="为审计人员导出审计模式任务的全部核验材料（含一次性代码和风险分类）")
    p.add_argument("task", metavar="任务编号")
    p.add_argument("--to", required=True, metavar="目录", help="导出目录（须在数据目录以外）")
    add_common(p, demo_time=False)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.audit import audit_export
    from ..draws.workspace import DrawRefused, Workspace

    ws = Workspace.at(args.data, args.secrets)
    try:
        written = audit_export(ws, args.task, args.to)
    except DrawRefused as exc:
        print(f"gongshi：{exc}", file=sys.stderr)
        return 1
    print(f"已导出任务 {args.task} 的 {len(written)} 个文件到 {args.to}。"
          f"这些文件含一次性代码和风险分类，只交给指定的审计人员；"
          f"审计人员运行 gongshi verify --data {args.to} {args.task} 核验。")
    return 0
