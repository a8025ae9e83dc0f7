"""``gongshi keystring SOURCE…``: the RFC 3797 key string of unordered sources (PROTOCOL §4).

Each SOURCE is one source's numbers separated by spaces (as printed, leading zeros allowed):
``gongshi keystring 9319 "2 5 12 8 10" "9 18 26 34 41 45"`` prints
``9319./2.5.8.10.12./9.18.26.34.41.45./``.
"""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("keystring", help="由开奖号码计算 key string（各随机源均按无序处理）",
                              description="每个参数是一个随机源的号码，号码之间用空格分隔；输出 RFC 3797 格式的 key string。")
    p.add_argument("sources", nargs="+", metavar="随机源号码", help='一个随机源的号码，如 "2 5 12 8 10"')
    p.set_defaults(func=run)


def run(args) -> int:
    from ..protocol.errors import ProtocolError
    from ..protocol.sources import canonical_number, key_string

    numbers = []
    for i, source in enumerate(args.sources, start=1):
        typed = source.split()
        if not typed:
            print(f"gongshi：第 {i} 个随机源没有号码。", file=sys.stderr)
            return 1
        try:
            numbers.append([canonical_number(x, f"第 {i} 个随机源：") for x in typed])
        except ProtocolError as exc:
            print(f"gongshi：{exc.detail}", file=sys.stderr)
            return 1
    print(key_string([{"ordered": False}] * len(numbers), numbers))
    return 0
