"""``gongshi ticket --code HEX --key KEYSTRING LABEL…``: tickets (PROTOCOL §6.2).

``ticket(label) = HKDF-Expand(HKDF-Extract(code, key string), label, 32)``; prints one line
``<ticket hex> <label>`` per label. An enterprise checks itself with its 统一社会信用代码; an
inspector's ticket for enterprise e is the label ``e/<id>``, an expert's ``e/expert/<id>``.
"""

from __future__ import annotations

import re
import sys

KEY_STRING = re.compile(r"(([0-9]+\.)*/)+")


def register(subparsers) -> None:
    p = subparsers.add_parser("ticket", help="由一次性代码和 key string 计算签号",
                              description="对每个标签输出一行：签号（64 位十六进制） 标签。")
    p.add_argument("--code", required=True, metavar="一次性代码", help="64 位小写十六进制（code.txt 的内容）")
    p.add_argument("--key", required=True, metavar="KEYSTRING", help="key string，如 9319./2.5.8.10.12./")
    p.add_argument("labels", nargs="+", metavar="标签", help="统一社会信用代码，或 代码/人员编号、代码/expert/专家编号")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..protocol.errors import ProtocolError
    from ..protocol.tickets import Tickets, parse_code, ticket

    try:
        code = parse_code(args.code)
    except ProtocolError as exc:
        print(f"gongshi：{exc.detail}", file=sys.stderr)
        return 1
    if KEY_STRING.fullmatch(args.key) is None:
        print(f"gongshi：key string 须由“数字.”组成、每个随机源以“/”结尾（如 9319./2.5.8./），实际为 {args.key!r}",
              file=sys.stderr)
        return 1
    prk = Tickets(code, args.key).prk
    for label in args.labels:
        if not label:
            print("gongshi：标签不能为空。", file=sys.stderr)
            return 1
        print(f"{ticket(prk, label).hex()} {label}")
    return 0
