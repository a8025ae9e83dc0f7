"""``gongshi draw TASK --source "…" …``: draw enterprises and inspector groups (PROTOCOL §6).

Before anything is written, the numbers as read and the key string are shown and the clerk
confirms (``--yes`` skips the question for scripts). Afterwards: how many were drawn per stratum,
and the clerk's work list (``secrets/<task>/工作清单.xlsx`` and ``.csv``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser("draw", help="抽取：输入各随机源的开奖号码，抽取检查对象并匹配检查人员组",
                              description="按公告的随机源顺序输入开奖号码（每个 --source 一个随机源，号码用空格分隔）。"
                              "写入前显示读到的号码和密钥串并请您确认；抽取后显示各层抽取户数，并生成工作清单"
                              "（secrets/任务编号/工作清单.xlsx 和 .csv）。名单保存在 secrets/，日志只记录其哈希。")
    p.add_argument("task", metavar="任务编号")
    p.add_argument("--source", action="append", required=True, metavar="号码",
                   help="一个随机源的开奖号码，如 \"2 5 12 8 10\"；按公告顺序重复给出")
    p.add_argument("--issue-used", action="append", default=None, metavar="期号",
                   help="按备用规则改用的期号（每个随机源一个，按顺序；未改用时不填）")
    p.add_argument("--yes", action="store_true", help="不询问，直接抽取（供脚本使用）")
    add_common(p)
    p.set_defaults(func=run)


def preview(data_dir: str, task_id: str, numbers: list[list[str]]) -> str | None:
    """The numbers as read and the key string, for the clerk to compare with the lottery's
    notice; None when the task is not announced (the draw itself then refuses)."""
    from ..protocol.errors import ProtocolError
    from ..protocol.sources import canonical_numbers, key_string

    path = Path(data_dir) / "draws" / task_id / "params.json"
    if not path.exists():
        return None
    sources = json.loads(path.read_bytes())["sources"]
    lines = [f"任务 {task_id} 将按以下开奖号码抽取（请与开奖公告逐个核对）："]
    try:
        canonical = []
        for i, source in enumerate(sources, start=1):
            typed = numbers[i - 1] if i <= len(numbers) else []
            nums = canonical_numbers(source, typed, i)
            canonical.append(nums)
            lines.append(f"  {i}. {source['name']} 第 {source['issue']} 期：{' '.join(nums)}")
        lines.append(f"密钥串：{key_string(sources, canonical)}")
    except ProtocolError as exc:
        return "\n".join(lines) + f"\n号码有误：{exc}"
    return "\n".join(lines)


def confirmed(text: str) -> bool:
    print(text)
    if not sys.stdin or not sys.stdin.isatty():
        print("没有确认（不是在终端中运行，无法询问）；脚本中请加 --yes。", file=sys.stderr)
        return False
    try:
        answer = input("核对无误请输入“是”继续，输入其他内容取消：")
    except EOFError:
        print("\n没有确认（没有可输入的终端）；脚本中请加 --yes。", file=sys.stderr)
        return False
    return answer.strip() in ("是", "y", "yes", "Y")


def run(args) -> int:
    from ..draws.draw import draw, parse_source_args

    numbers = parse_source_args(args.source)
    shown = preview(args.data, args.task, numbers)
    if shown is not None and "号码有误" in shown:
        print(shown, file=sys.stderr)
        return 1
    if shown is not None and not args.yes and not confirmed(shown):
        print("已取消，没有写入任何内容。", file=sys.stderr)
        return 1
    code = run_operation(args, lambda ws, _m: draw(ws, args.task, numbers, args.issue_used),
                         needs_model=False)
    if code == 0:
        report_draw(args)
    return code


def report_draw(args) -> None:
    """Per stratum how many were drawn, and the work list written under secrets/."""
    from ..draws.workspace import Workspace
    from ..office.worklist import CSV, XLSX, write_worklist
    from ._draws import load_for_task

    ws = Workspace.at(args.data, args.secrets)
    entry = ws.task_entries(args.task).draw
    if entry is not None and entry.get("status") == "failed":
        print(f"抽取未成功（{entry.get('failure')}）：按协议记录在日志中，请按公告的规则处理。", file=sys.stderr)
        return
    model = load_for_task(args.data, args.task)
    if model is None:
        print("数据有错误，工作清单未生成；改正后执行 gongshi worklist "
              f"{args.task} 生成。", file=sys.stderr)
        return
    wl = write_worklist(ws, model, args.task)
    total = sum(n for _l, _n, n in wl.per_stratum)
    print(f"共抽中 {total} 户：" + "；".join(f"{label} {name} {n} 户" for label, name, n in wl.per_stratum))
    folder = ws.secret_dir(args.task)
    print(f"工作清单：{folder / XLSX}（另有 {CSV}），按监管所和检查组排列；"
          "检查结果公示前请勿外传。")
