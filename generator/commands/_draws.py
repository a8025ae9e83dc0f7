"""Shared plumbing of the draw commands: load the model, open the workspace, report refusals."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..draws.workspace import DrawRefused, Unchanged, Workspace, bj_time
from ..findings import sort_findings
from ..model import Model


def add_common(p: argparse.ArgumentParser, demo_time: bool = True) -> None:
    p.add_argument("--data", default="data", metavar="目录", help="数据目录（默认 data）")
    p.add_argument("--secrets", default=None, metavar="目录",
                   help="秘密目录（默认为数据目录旁的 secrets/）")
    if demo_time:
        p.add_argument("--demo-time", default=None, metavar="时间",
                       help="仅限示例数据（gongshi demo --try）：把“现在”当作这个北京时间，如 \"2024-01-16 10:00\"")


def _other_task(f, task_id: str) -> str | None:
    """The other task a finding belongs to (its task file or results file), or None."""
    if f.task and f.task != task_id:
        return f.task
    parts = (f.file or "").split("/")
    if len(parts) == 2 and parts[0] in ("tasks", "results"):
        stem = parts[1].rsplit(".", 1)[0]
        return stem if stem != task_id else None
    return None


def load_for_task(data_dir: str, task_id: str | None) -> Model | None:
    """The model for a command on ``task_id``: errors in another task's own files (its task
    file, its results) do not block it — they are listed as a reminder; errors in the shared
    files (portal, directory, rosters, items) or in this task's files do."""
    from ..load import load_model

    model, findings = load_model(data_dir)
    errors = [f for f in sort_findings(findings) if f.is_error]
    others = [f for f in errors if task_id is not None and _other_task(f, task_id)]
    blocking = [f for f in errors if f not in others]
    if model is None or blocking:
        for f in blocking:
            print(f.text(), file=sys.stderr)
        print(f"数据有 {len(blocking)} 个错误，请先用 gongshi check 查看并修改。", file=sys.stderr)
        return None
    if others:
        tasks = "、".join(sorted({_other_task(f, task_id) or "" for f in others}))
        print(f"注意：其他任务（{tasks}）的文件有 {len(others)} 个错误，不影响本次操作，"
              "但请尽快用 gongshi check 查看并修改。", file=sys.stderr)
    return model


def demo_clock(args: argparse.Namespace):
    """The clock --demo-time asks for (None: the system clock; False: refused, message shown).
    Only a demo folder (portal.yaml: 示例数据: true) may have one: a real log takes real time."""
    text = getattr(args, "demo_time", None)
    if not text:
        return None
    from ..office.practice import is_demo, parse_demo_time

    if not is_demo(args.data):
        print("gongshi：--demo-time 只能用于示例数据（portal.yaml 中“示例数据: true”）；"
              "监管局的真实数据一律使用系统时间。", file=sys.stderr)
        return False
    try:
        moment = parse_demo_time(text)
    except ValueError as exc:
        print(f"gongshi：{exc}", file=sys.stderr)
        return False
    return lambda: moment


def run_operation(args: argparse.Namespace, operation: Callable[[Workspace, Model | None], dict],
                  *, needs_model: bool = True) -> int:
    model = load_for_task(args.data, getattr(args, "task", None)) if needs_model else None
    if needs_model and model is None:
        return 1
    clock = demo_clock(args)
    if clock is False:
        return 1
    ws = Workspace.at(args.data, args.secrets, clock or None)
    if model is not None:
        from ..draws.logio import key_name_for

        ws.key_name = key_name_for(model.portal.site_url)
    try:
        entry = operation(ws, model)
    except Unchanged as exc:
        print(f"gongshi：{exc}")
        return 0
    except DrawRefused as exc:
        print(f"gongshi：{exc}", file=sys.stderr)
        return 1
    print(f"已写入抽取日志第 {entry['seq'] + 1} 条（{entry['type']}，任务 {entry['task']}），"
          f"时间 {bj_time(entry['time'])}，条目哈希 {entry['hash']}。")
    return 0
