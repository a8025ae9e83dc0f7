"""Shared plumbing of the draw commands: load the model, open the workspace, report refusals."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..draws.workspace import DrawRefused, Unchanged, Workspace, bj_time
from ..findings import has_errors, sort_findings
from ..model import Model


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", default="data", metavar="目录", help="数据目录（默认 data）")
    p.add_argument("--secrets", default=None, metavar="目录",
                   help="秘密目录（默认为数据目录旁的 secrets/）")


def load(data_dir: str) -> Model | None:
    from ..load import load_model

    model, findings = load_model(data_dir)
    errors = [f for f in sort_findings(findings) if f.is_error]
    if model is None or has_errors(findings):
        for f in errors:
            print(f.text(), file=sys.stderr)
        print(f"数据有 {len(errors)} 个错误，请先用 gongshi check 查看并修改。", file=sys.stderr)
        return None
    return model


def run_operation(args: argparse.Namespace, operation: Callable[[Workspace, Model | None], dict],
                  *, needs_model: bool = True) -> int:
    model = load(args.data) if needs_model else None
    if needs_model and model is None:
        return 1
    ws = Workspace.at(args.data, args.secrets)
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
    print(f"已写入抽取日志第 {entry['seq']} 条（{entry['type']}，任务 {entry['task']}），"
          f"时间 {bj_time(entry['time'])}，条目哈希 {entry['hash']}。")
    return 0
