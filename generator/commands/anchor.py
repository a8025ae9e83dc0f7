"""``gongshi anchor SEQ --kind notice|rfc3161|cosignature --ref REF`` (PROTOCOL §8, §13).

Records the external anchor of log entry SEQ in ``log/anchors/<SEQ>.json`` with the current
time (system clock): a notice on the national 公示系统 or the government portal (``notice``, REF
= its URL), an RFC 3161 timestamp over the checkpoint (``rfc3161``, REF = the token in base64)
or a witness cosignature (``cosignature``).
"""

from __future__ import annotations

import sys

from ._draws import add_common

KINDS = ("notice", "rfc3161", "cosignature")


def register(subparsers) -> None:
    p = subparsers.add_parser("anchor", help="记录日志条目的外部锚定（公示系统公告、RFC 3161 时间戳或见证副署）")
    p.add_argument("seq", type=int, metavar="SEQ", help="被锚定条目的序号（通常是 announce 条目）")
    p.add_argument("--kind", required=True, choices=KINDS, help="锚定方式")
    p.add_argument("--ref", required=True, metavar="REF", help="公告网址，或 base64 编码的时间戳/副署")
    add_common(p, demo_time=False)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.workspace import Workspace
    from ..tlog.entries import LogError
    from ..tlog.store import LogStore

    ws = Workspace.at(args.data, args.secrets)
    if not ws.log_file.exists():
        print(f"gongshi：找不到抽取日志 {ws.log_file}。", file=sys.stderr)
        return 1
    if args.seq < 0:
        print(f"gongshi：SEQ 须为非负整数，实际为 {args.seq}。", file=sys.stderr)
        return 1
    now = ws.now()
    try:
        LogStore(ws.log_dir, ws.key_file).record_anchor(args.seq, args.kind, args.ref, now)
    except LogError as exc:
        print(f"gongshi：{exc}", file=sys.stderr)
        return 1
    print(f"已记录第 {args.seq} 条的外部锚定（{args.kind}，{args.ref}），时间 {now:%Y-%m-%dT%H:%M:%SZ}。")
    return 0
