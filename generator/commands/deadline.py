"""``gongshi deadline DATE [--workdays N] [--data DIR]``: the publication deadline.

Prints the N-th working day after DATE (the completion day not counted) as YYYY-MM-DD on the last
line, exit 0; a Chinese error and exit 1 when the calendar does not cover the days it needs. Uses
the 节假日 overrides of DIR/portal.yaml when that file exists.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..workdays import Calendar, CalendarGapError
from .check import as_of_date


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，实际为 {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，实际为 {value!r}")
    return n


def register(subparsers) -> None:
    p = subparsers.add_parser("deadline", help="计算公示期限：完成日期后第 N 个工作日",
                              description="计算结果公示期限：完成日期之后的第 N 个工作日（当日不计入，"
                                          "跳过周末和法定节假日，调休上班日计入）。")
    p.add_argument("date", type=as_of_date, metavar="完成日期", help="检查完成日期，YYYY-MM-DD")
    p.add_argument("--workdays", type=_positive, default=None, metavar="N",
                   help="工作日数（默认取 portal.yaml 的公示时限工作日，否则 20）")
    p.add_argument("--data", default="data", metavar="目录", help="数据目录（默认 data）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    overrides, default_n = (), 20
    portal_file = Path(args.data) / "portal.yaml"
    if portal_file.is_file():
        from ..load.base import LoadContext
        from ..load.portal import load_portal

        ctx = LoadContext(Path(args.data))
        portal = load_portal(ctx)
        errors = [f for f in ctx.findings if f.is_error]
        if errors:
            for f in errors:
                print(f.text(), file=sys.stderr)
            print("gongshi：portal.yaml 有错误，无法读取节假日设置。", file=sys.stderr)
            return 1
        if portal is not None:
            overrides, default_n = portal.calendar_overrides, portal.deadline_workdays
    n = args.workdays or default_n
    try:
        deadline = Calendar(overrides).add_workdays(args.date, n)
    except CalendarGapError as exc:
        print(f"gongshi：{exc}", file=sys.stderr)
        return 1
    print(f"完成日期 {args.date.isoformat()} 后第 {n} 个工作日（当日不计入）：")
    print(deadline.isoformat())
    return 0
