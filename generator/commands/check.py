"""``gongshi check [--data DIR] [--as-of DATE] [--json]``: load the data, run every check.

Exit codes: 0 no errors (warnings allowed), 1 errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
from collections.abc import Mapping
from pathlib import Path

from ..findings import Finding, has_errors, sort_findings, summary, to_json, without_derived


def as_of_date(value: str) -> dt.date:
    """argparse type for --as-of: YYYY-MM-DD (other office date forms accepted)."""
    from ..load.dates import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers) -> None:
    p = subparsers.add_parser("check", help="检查数据：格式、代码校验、重复、引用、检查组、公示期限、个人信息",
                              description="读取数据目录，运行全部检查，列出错误和警告。有错误时退出码为 1。")
    p.add_argument("--data", default="data", metavar="目录", help="数据目录（默认 data）")
    p.add_argument("--as-of", type=as_of_date, default=None, metavar="日期",
                   help="按哪一天的状态检查，YYYY-MM-DD（默认今天）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=run)


def collect(data_dir: str | Path, as_of: dt.date) -> list[Finding]:
    """Every finding for a data folder as of a date: loaders, then every rule."""
    from ..checks import CheckContext, run_checks
    from ..load import load_model

    model, findings = load_model(data_dir)
    if model is None:
        return findings
    extras, extra_findings = _draw_extras(data_dir, model, as_of)
    findings = list(findings) + list(extra_findings)
    ctx = CheckContext.for_model(model, as_of, **extras)
    return without_derived(findings + run_checks(model, ctx) + commit_readiness(data_dir, model, as_of))


def commit_readiness(data_dir, model, as_of: dt.date) -> list[Finding]:
    """Warnings for tasks not announced yet whose random sources are too soon to announce now
    (so that ``check`` does not pass where ``commit`` would then refuse). Only when checking as
    of today: the rule depends on the clock."""
    from ..draws.commit import timing_problems
    from ..draws.workspace import DrawRefused, Workspace, system_clock
    from ..findings import WARNING

    now = system_clock()
    if as_of != now.astimezone(dt.timezone(dt.timedelta(hours=8))).date():
        return []
    try:
        announced = {e["task"] for e in Workspace.at(data_dir).entries() if e["type"] == "announce"}
    except DrawRefused:
        return []
    out = []
    for task in model.tasks:
        if task.id in announced:
            continue
        for problem in timing_problems(task, now):
            out.append(Finding.at(WARNING, "draws.timing", "若现在执行 gongshi commit 将被拒绝：" + problem,
                                  task.origin, column="随机源", task=task.id,
                                  fix="改用更晚一期的随机源后再公告。"))
    return out


def _draw_extras(data_dir, model, as_of) -> tuple[dict, list[Finding]]:
    """Draw information from generator.state.check_context_extras, when the lead's module has it.

    It may return a mapping of CheckContext fields, or (mapping, findings)."""
    try:
        state = importlib.import_module("generator.state")
    except ModuleNotFoundError as exc:
        if exc.name in ("generator.state",):
            return {}, []
        raise
    fn = getattr(state, "check_context_extras", None)
    if fn is None:
        return {}, []
    got = fn(Path(data_dir), model, as_of)
    findings: list[Finding] = []
    if isinstance(got, tuple):
        got, findings = got[0], list(got[1])
    return (dict(got) if isinstance(got, Mapping) else {}), findings


def run(args: argparse.Namespace) -> int:
    as_of = args.as_of or dt.date.today()
    findings = sort_findings(collect(args.data, as_of))
    if args.json:
        print(to_json(findings))
    else:
        for f in findings:
            print(f.text())
            print()
        print(summary(findings))
    return 1 if has_errors(findings) else 0
